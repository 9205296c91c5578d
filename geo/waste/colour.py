"""The waste findings of one enterprise as reasons of the four-colour grade.

Same shape as the reasons of :func:`geo.risk_color.assess_enterprise` — ``{code, text, points, category}``
— so the engine can append them to a waste site's reasons (local refinement, not
应急〔2018〕19号: every text ends 本地政策).  One reason per finding code, in the order of
:data:`~geo.waste.findings.FINDING_TITLES`: points = ``each`` × number of findings, capped at the
code's ``max``; all waste reasons together capped at ``max_total`` (the reason that reaches the
cap says so).  Points are ``data/rules/waste_manifest.toml`` ``[colour.points]``.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from geo.waste.findings import FINDING_TITLES, Finding
from geo.waste.rules import ColourRules

_SHOWN = 3  # finding texts quoted in a reason


def colour_reasons(findings: Iterable[Finding], *, rules: ColourRules) -> list[dict]:
    """Reasons ``{code, text, points, category}`` for one enterprise's waste findings."""
    found = list(findings)
    count = Counter(f.code for f in found)
    reasons: list[dict] = []
    total = 0.0
    floor = -rules.max_total.value
    for code in FINDING_TITLES:
        n = count.get(code, 0)
        if not n:
            continue
        p = rules.points[code]
        raw = p.each * n
        pts = max(raw, p.max)
        note = f"（本项最多扣{-p.max:g}分）" if pts != raw else ""
        if total + pts < floor:
            pts = floor - total
            note += f"（危险废物各项合计最多扣{-floor:g}分）"
        total += pts
        texts = [f.text for f in found if f.code == code]
        more = f"等 {n} 项" if n > _SHOWN else ""
        reasons.append({"code": code, "points": round(pts, 2), "category": rules.category,
                        "text": f"{FINDING_TITLES[code]} {n} 项：" + "；".join(texts[:_SHOWN]) + more + note
                                + f"（{_basis(p)}）"})
    return reasons


def _basis(p) -> str:
    """The points' basis, said once as local policy ("本地政策：…", never "本地政策：本地政策：…")."""
    if p.status == "local_policy" and not p.basis.startswith("本地政策"):
        return f"本地政策：{p.basis}"
    return p.basis
