"""The registries' spellings of units, media and geocode precision, and the GB 36894 class rule.

Each kind's headers live with the kind (:mod:`etl.kinds`); the vocabularies (stages, unit kinds,
target categories) in :mod:`geo.vocabulary`.
"""

from __future__ import annotations

MEDIUM = {"天然气": "gas", "煤层气": "gas", "gas": "gas", "成品油": "oil", "原油": "oil", "oil": "oil"}
PRECISION = {"门牌": "address_point", "道路": "road", "兴趣点": "poi", "address_point": "address_point",
             "road": "road", "poi": "poi"}


def gb36894_class(category: str, households: int | None, population: int | None) -> str:
    """GB 36894-2018 protection-target class (values flagged uncertain in the design notes)."""
    if category in ("school", "kindergarten", "hospital", "nursing_home"):
        return "高敏感"
    if category in ("cultural_relic", "religious_site", "transit_station"):
        return "重要"
    if category == "residential":
        h, p = households or 0, population or 0
        if h >= 30 or p >= 100:
            return "一般一类"
        if h >= 10 or p >= 30:
            return "一般二类"
        return "一般三类"
    return "一般"
