"""What a siting check says beyond the distance rules (``data/rules/siting_policy.toml``).

* :func:`method_for` — how the candidate's external safety distance is to be set (GB/T 37243-2019
  第4章): explosives → 事故后果法; toxic or flammable gases with Σq/Q ≥ 1 → 定量风险评价法 against
  GB 36894; everything else → the design codes, i.e. the rules table the check just applied.
* :func:`park_findings` — the policy finding for new chemical production or storage projects
  outside (or not said to be inside) a 化工园区.

Both are findings in words with their basis and how sure the wording is (``status``); neither
changes a distance or a verdict's arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("standard", "unverified", "local_policy")
METHODS = ("explosive", "qra", "design_codes")


class SitingPolicyError(ValueError):
    pass


@dataclass(frozen=True)
class Method:
    code: str  # explosive | qra | design_codes
    label: str
    text: str
    basis: str
    status: str

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "text": self.text, "basis": self.basis,
                "status": self.status}


@dataclass(frozen=True)
class ParkRule:
    code: str
    facility_types: tuple[str, ...]
    stages: tuple[str, ...]
    text: str
    basis: str
    status: str


@dataclass(frozen=True)
class SitingPolicy:
    methods: dict[str, Method]
    park: tuple[ParkRule, ...]


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SitingPolicyError(f"siting_policy.toml {where}：缺少 {key}")
    return value.strip()


def _status(entry: dict, where: str) -> str:
    status = _text(entry, "status", where)
    if status not in STATUSES:
        raise SitingPolicyError(f"siting_policy.toml {where}：status 应为 {'/'.join(STATUSES)}，实际 {status!r}")
    return status


def parse_policy(data: dict, *, facility_types, stages) -> SitingPolicy:
    """The policy from the parsed TOML; facility types and stages must be known ones."""
    methods = {}
    for code in METHODS:
        entry = (data.get("method") or {}).get(code)
        where = f"[method.{code}]"
        if not isinstance(entry, dict):
            raise SitingPolicyError(f"siting_policy.toml 缺少 {where}")
        methods[code] = Method(code, _text(entry, "label", where), _text(entry, "text", where),
                               _text(entry, "basis", where), _status(entry, where))
    park = []
    for i, entry in enumerate(data.get("park") or []):
        where = f"[[park]] 第{i + 1}项"
        types = tuple(entry.get("facility_types") or ())
        unknown = [t for t in types if t not in facility_types]
        if not types or unknown:
            raise SitingPolicyError(f"siting_policy.toml {where}：facility_types 未知或为空（{'、'.join(unknown)}）")
        st = tuple(entry.get("stages") or ())
        bad = [s for s in st if s not in stages]
        if not st or bad:
            raise SitingPolicyError(f"siting_policy.toml {where}：stages 未知或为空（{'、'.join(bad)}）")
        park.append(ParkRule(_text(entry, "code", where), types, st, _text(entry, "text", where),
                             _text(entry, "basis", where), _status(entry, where)))
    return SitingPolicy(methods, tuple(park))


def _gases(chemical, toxic_gas_cas) -> set[str]:
    out = set()
    if any(cas in toxic_gas_cas for cas in chemical.cas):
        out.add("toxic")  # GB 18218 表3 lists the toxic gases
    if any(cls == "W2" for cls in chemical.hazard_classes):
        out.add("flammable")  # 表2 W2 易燃气体
    return out


def method_for(policy: SitingPolicy, units: list[dict], chemicals_by_key: dict, *, toxic_gas_cas) -> dict:
    """The method for the candidate's units (``check_site``'s ``units``: each with its ``chemicals``
    terms ``{key, q_over_Q}``), with the substances that decide it."""
    explosive = sorted({c.name for c in chemicals_by_key.values()
                        if c.explosive or any(cls.startswith("W1") for cls in c.hazard_classes)})
    if explosive:
        return {**policy.methods["explosive"].as_dict(), "because": "、".join(explosive)}
    for unit in units:
        gas_terms = [t for t in unit["chemicals"] if _gases(chemicals_by_key[t["key"]], toxic_gas_cas)]
        ratio = sum(t["q_over_Q"] for t in gas_terms)
        if gas_terms and ratio >= 1:
            names = "、".join(dict.fromkeys(t["name"] for t in gas_terms))
            return {**policy.methods["qra"].as_dict(), "because": f"{names}：Σq/Q = {ratio:.3g} ≥ 1"}
    return {**policy.methods["design_codes"].as_dict(), "because": ""}


def park_findings(policy: SitingPolicy, *, facility_type: str, stage: str, in_chemical_park: bool | None) -> list[dict]:
    """Findings for a candidate of ``facility_type`` in ``stage``; none when it is in a park."""
    if in_chemical_park:
        return []
    out = []
    for rule in policy.park:
        if facility_type in rule.facility_types and stage in rule.stages:
            where = ("拟建点不在化工园区内" if in_chemical_park is False
                     else "未说明拟建点是否位于化工园区（如在园区外）")
            out.append({"code": rule.code, "text": f"{where}：{rule.text}", "basis": rule.basis,
                        "status": rule.status})
    return out
