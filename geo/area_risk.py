"""Area risk index for the 安全风险分布图 (per town/street and per grid cell).

index = Σ colour weight of its enterprises + Σ bonus of its major hazard sources, times
(1 + log10(1 + people exposed / 1000)); classed into the four colours by the thresholds in
``risk_model.toml`` ``[area]`` — a documented local method (status local_policy).
"""

from __future__ import annotations

import math


def area_index(enterprises: list[tuple[str, int | None]], *, exposed_people: float,
               params: dict) -> tuple[float, str, dict]:
    counts = {"red": 0, "orange": 0, "yellow": 0, "blue": 0, "major_hazards": 0}
    base = 0.0
    for color, grade in enterprises:
        counts[color] += 1
        base += params["weights"][color]
        if grade:
            counts["major_hazards"] += 1
            base += params["major_bonus"][grade - 1]
    index = round(base * (1.0 + math.log10(1.0 + max(exposed_people, 0.0) / 1000.0)), 3)
    if index >= params["red"]:
        color = "red"
    elif index >= params["orange"]:
        color = "orange"
    elif index >= params["yellow"]:
        color = "yellow"
    else:
        color = "blue"
    return index, color, counts
