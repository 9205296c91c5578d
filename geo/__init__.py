"""Domain and spatial core of hazmap.

Nothing in this package imports Flask or reads files: functions take plain values
(and reference tables already loaded by :mod:`etl.reference`) and return plain values.
"""
