"""ETL: department registries into PostGIS (readers, mapping, validation, geocoding, load, runs)."""
