"""Transport wing (一品一签一流通): JT/T 808 codec, 五必查 at loading, trips, route checks, concentration.

Pure modules: no I/O, no database; rules and reference tables arrive as arguments (loaded by
:mod:`geo.transport.rules`).  Positions are WGS-84 longitude/latitude throughout.
"""
