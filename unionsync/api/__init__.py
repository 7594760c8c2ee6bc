"""The JSON API's shared pieces: request sessions, list parameters, problem+json errors."""
