"""hazmap application plumbing: configuration, database schema and migrations, the CLI."""

__version__ = "0.1.0"
