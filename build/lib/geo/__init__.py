"""Domain and spatial core of hazmap.

Nothing in this package imports Flask, ``etl``, ``webmap`` or ``hazmap``: functions take plain
values and the domain bundle (:class:`geo.domain.Domain`, whose files are read by
:mod:`geo.reference_files` and :mod:`geo.rules_files` from directories the shell passes in) and
return plain values.  :mod:`geo.postgis` holds the SQL engine.
"""
