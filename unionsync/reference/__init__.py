"""Reference data: countries, industries, OKEI units."""
