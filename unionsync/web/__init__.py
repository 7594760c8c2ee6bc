"""The server-rendered web interface: templating, translations, static files, shared pages."""
