"""Area risk index for the 安全风险分布图 (per town/street and per grid cell).

A documented LOCAL method (``data/rules/area_risk.toml``, status local_policy — not a national
standard; every number overridable):

    base  = Σ weights[colour of each enterprise] + Σ major_bonus[highest major-hazard grade]
    index = base × (1 + log10(1 + exposed_people / people_scale))

classed into the four colours by thresholds: index ≥ red → red; ≥ orange → orange; ≥ yellow →
yellow; else blue (an area without enterprises has index 0 → blue).  The parameters are the
TOML's, passed in by the caller (the domain bundle); there is no copy in code.
"""

from __future__ import annotations

import math

from geo.vocabulary import COLORS


def area_index(enterprises: list[tuple[str, int | None]], *, exposed_people: float,
               params: dict) -> tuple[float, str, dict]:
    """(index rounded to 3 decimals, colour, counts) for the enterprises of one area.

    ``enterprises``: (risk colour, highest major-hazard grade 1–4 or None) per enterprise;
    ``counts``: number per colour plus ``major_hazards`` (enterprises with a major hazard source).
    """
    p = params
    if exposed_people is None or not math.isfinite(exposed_people) or exposed_people < 0:
        raise ValueError(f"exposed_people 应为非负数，实际 {exposed_people!r}")
    counts = {c: 0 for c in COLORS} | {"major_hazards": 0}
    base = 0.0
    for color, grade in enterprises:
        if color not in p["weights"]:
            raise ValueError(f"未知风险颜色 {color!r}")
        counts[color] += 1
        base += p["weights"][color]
        if grade is not None:
            if grade not in (1, 2, 3, 4):
                raise ValueError(f"重大危险源等级应为 1–4，实际 {grade!r}")
            counts["major_hazards"] += 1
            base += p["major_bonus"][grade - 1]
    index = round(base * (1.0 + math.log10(1.0 + exposed_people / p["people_scale"])), 3)
    if index >= p["red"]:
        color = "red"
    elif index >= p["orange"]:
        color = "orange"
    elif index >= p["yellow"]:
        color = "yellow"
    else:
        color = "blue"
    return index, color, counts
