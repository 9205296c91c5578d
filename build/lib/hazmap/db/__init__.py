"""Database: schema (``models``), engine (``session``), creation and migrations (``init``)."""
