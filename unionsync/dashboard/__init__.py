"""The overview every user lands on: figures computed from the database, each with its source."""
