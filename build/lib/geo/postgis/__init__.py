"""Spatial engine in PostGIS: refresh (grading, conflicts, colours, areas, pipelines), siting, queries."""
