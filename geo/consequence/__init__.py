"""Threat zones and risk from consequences (GB/T 37243-2019 consequence method and QRA, GB 36894-2018 criteria).

Pure code over the data of ``data/rules/consequence/`` (loaded by :func:`tables.load_consequence_tables`):

* :mod:`.properties` — physical properties from ``thermo``/``chemicals`` with their source;
* :mod:`.release`, :mod:`.dispersion`, :mod:`.fire`, :mod:`.explosion`, :mod:`.probit` — the models;
* :mod:`.scenarios` — credible scenarios and event trees per hazard unit;
* :mod:`.screening` — worst-case endpoint threat zones (WGS-84 polygons);
* :mod:`.risk` — individual-risk grid and contours, GB 36894 target checks, F–N curve.

Inputs are plain frozen dataclasses (:class:`.scenarios.HazardUnitInput`, :class:`.risk.ProtectionTarget`);
results are frozen dataclasses that carry every input with its source and the ``model_version``.
"""
