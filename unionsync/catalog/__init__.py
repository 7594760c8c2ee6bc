"""Programs, their items and demand; organizations and the capabilities enterprises publish."""
