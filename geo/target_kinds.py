"""Target kinds: what the separation rules can tell apart about a protection target.

A target's category alone does not fix its requirement: GB 50156 附录B classes a school of
more than 500 pupils as 重要公共建筑物 and a smaller one as 一类保护物, GB 50016 表3.4.1 treats
高层民用建筑 apart (``applies_when`` in ``data/rules/target_classes.csv``).  The *target kind* of
a target is the truth value of each such condition of its category on the attributes that are
registered, written as a key::

    "population<=500:0;population>500:1"      # a school of 800 registered pupils
    "high_rise=1:1"                           # a registered high-rise residential building
    ""                                        # nothing registered that any condition reads

Conditions are listed in a fixed order (field, operator, value); a condition whose attribute
is not registered is left out, so the key also says which attributes are known.  Two targets of
one category with the same key get the same requirement from every source
(:func:`geo.separation.requirement_for` reads only these truth values), so the refresh
computes one requirement per (source kind, category, target kind).

The same key is computed in SQL over ``protection_target`` by
:func:`geo.postgis.target_kinds.target_kind_sql`; a test checks both agree on varied targets.
"""

from __future__ import annotations

from geo.separation import _OPS, TARGET_FIELDS, RuleSet, TargetProfile

SEPARATOR = ";"


def condition_label(field: str, op: str, value: float) -> str:
    """One condition as it appears in a key: ``population>500``, ``high_rise=1``."""
    return f"{field}{op}{value:g}"


def kind_conditions(category: str, ruleset: RuleSet) -> tuple[tuple[str, str, float], ...]:
    """The distinct conditions on target attributes of ``category``'s rows, in key order."""
    conds = {c for t in ruleset.target_rules if t.category == category for c in t.conditions}
    return tuple(sorted(conds, key=lambda c: (TARGET_FIELDS.index(c[0]), c[1], c[2])))


def target_kind_key(target: TargetProfile, ruleset: RuleSet) -> str:
    """The kind key of ``target`` (see the module docstring); ``""`` when nothing known matters."""
    values = target.values()
    parts = []
    for field, op, value in kind_conditions(target.category, ruleset):
        v = values.get(field)
        if v is None:
            continue
        parts.append(f"{condition_label(field, op, value)}:{1 if _OPS[op](float(v), value) else 0}")
    return SEPARATOR.join(parts)


def categories_with_kinds(ruleset: RuleSet) -> tuple[str, ...]:
    """Categories whose rows carry a condition (only these have kinds other than ``""``)."""
    return tuple(dict.fromkeys(t.category for t in ruleset.target_rules if t.conditions))
