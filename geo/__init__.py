"""Domain and spatial core of hazmap.

Nothing in this package imports Flask, ``etl``, ``webmap`` or ``hazmap``.  Functions take plain values
and the tables they need as arguments and return plain values; the only file reading is in the
``load_<thing>(directory)`` loaders of the data files (via :mod:`geo.datafile`).
"""
