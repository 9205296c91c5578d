"""Hazardous waste (危险废物) from generation to disposal: waste codes of 《国家危险废物名录（2025年版）》,
transfer manifests (转移联单) and their life cycle, stock and age per enterprise and code (底数、动态清零),
and the findings that feed the four-colour reasons.

Pure modules: the reference and rules files are read by :func:`geo.waste.codes.load_waste_codes` and
:func:`geo.waste.rules.load_waste_rules` and passed in explicitly; nothing is cached.
"""
