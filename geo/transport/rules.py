"""Load and validate the transport rules and reference files for the pure modules in :mod:`geo.transport`.

* ``data/rules/transport_checks.toml`` → :class:`geo.transport.checks.CheckRules` (五必查, legal basis per check)
* ``data/rules/transport_route.toml`` → :class:`geo.transport.route.RouteRules` (thresholds, legal basis)
* ``data/reference/un_numbers.csv`` → :class:`geo.transport.checks.UnNumbers`

``un_numbers.csv`` columns: ``chemical_key`` (a key of ``chemicals.csv``), ``chemical_name``,
``un_number`` (4 digits), ``proper_shipping_name`` (as in the source), ``class`` (UN class as the
source gives it; class 2 undivided, with the ADR ``classification_code``: T = toxic → 2.3,
F = flammable → 2.1), ``packing_group`` (empty: the source transcribed no packing groups),
``form`` (which physical form / concentration the number is for), ``source``, ``status``
(``verified-1src``; ``partial``: other forms of the catalogue entry have numbers not listed;
``uncertain``: the match between the catalogue entry and the UN entry is a judgement).  A
chemical may have several rows (one per form).

Every loader takes the directory explicitly and raises :class:`geo.rules_files.RulesError` naming the
file and the row or key (the house's rules-file error); nothing is cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from geo.rules_files import RulesError, read_csv_rows as _csv, read_toml as _toml
from geo.transport.checks import CHECK_KEYS, UN_STATUSES, CheckRule, CheckRules, UnEntry, UnNumbers
from geo.transport.route import DeviationRule, DrivingRule, DwellRule, RouteRules, SpeedRule, ZoneRule

NUMBER_STATUSES = ("verified", "uncertain", "local_policy")
UN_COLUMNS = ("chemical_key", "chemical_name", "un_number", "proper_shipping_name", "class", "classification_code",
              "packing_group", "form", "source", "status")


def _need(table: dict, key: str, where: str, kind: type):
    if key not in table:
        raise RulesError(f"{where} 缺少 {key}")
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is float and not value >= 0):
        raise RulesError(f"{where} 的 {key} 应为{'非负数' if kind is float else kind.__name__}，实际 {value!r}")
    return value


def load_check_rules(directory: Path) -> CheckRules:
    path = Path(directory) / "transport_checks.toml"
    data = _toml(path)
    version = _need(data, "version", path.name, str)
    q = data.get("quantity")
    if not isinstance(q, dict):
        raise RulesError(f"{path.name} 缺少 [quantity]")
    tol = _need(q, "tolerance_pct", f"{path.name} [quantity]", float)
    qstatus = _need(q, "status", f"{path.name} [quantity]", str)
    if qstatus not in NUMBER_STATUSES:
        raise RulesError(f"{path.name} [quantity] 的 status 应为 {'/'.join(NUMBER_STATUSES)}")
    rules = []
    for i, c in enumerate(data.get("checks", []), start=1):
        where = f"{path.name} 第{i}个 [[checks]]（{c.get('id', '无 id')}）"
        rule = CheckRule(id=_need(c, "id", where, str), key=_need(c, "key", where, str),
                         title=_need(c, "title", where, str), basis=_need(c, "basis", where, str),
                         status=_need(c, "status", where, str), plan_item=c.get("plan_item", ""), also=c.get("also", ""))
        if rule.key not in CHECK_KEYS:
            raise RulesError(f"{where}：key 应为 {'/'.join(CHECK_KEYS)}")
        if rule.status not in NUMBER_STATUSES:
            raise RulesError(f"{where}：status 应为 {'/'.join(NUMBER_STATUSES)}")
        rules.append(rule)
    missing = set(CHECK_KEYS) - {r.key for r in rules}
    if missing or len(rules) != len(CHECK_KEYS):
        raise RulesError(f"{path.name} 须恰好包含五项检查（缺少或重复：{', '.join(sorted(missing)) or '重复'}）")
    return CheckRules(rules=tuple(rules), quantity_tolerance_pct=tol, quantity_status=qstatus, version=version)


def load_route_rules(directory: Path) -> RouteRules:
    path = Path(directory) / "transport_route.toml"
    data = _toml(path)
    version = _need(data, "version", path.name, str)

    def section(name: str) -> tuple[dict, str]:
        sec = data.get(name)
        if not isinstance(sec, dict):
            raise RulesError(f"{path.name} 缺少 [{name}]")
        return sec, f"{path.name} [{name}]"

    s, w = section("speed")
    speed = SpeedRule(_need(s, "rule_id", w, str), _need(s, "expressway_kmh", w, float), _need(s, "other_road_kmh", w, float),
                      _need(s, "expressway_match_m", w, float), _need(s, "min_duration_s", w, float), _need(s, "basis", w, str))
    s, w = section("deviation")
    fixes = _need(s, "min_consecutive_fixes", w, int)
    if fixes < 1:
        raise RulesError(f"{w} 的 min_consecutive_fixes 应 ≥ 1")
    deviation = DeviationRule(_need(s, "rule_id", w, str), _need(s, "max_distance_m", w, float), fixes, _need(s, "basis", w, str))
    s, w = section("dwell")
    dwell = DwellRule(_need(s, "rule_id", w, str), _need(s, "max_stop_s", w, float), _need(s, "stop_speed_kmh", w, float),
                      _need(s, "basis", w, str))
    s, w = section("driving")
    driving = DrivingRule(_need(s, "rule_id", w, str), _need(s, "max_continuous_s", w, float), _need(s, "min_rest_s", w, float),
                          _need(s, "rest_speed_kmh", w, float), _need(s, "basis", w, str))
    s, w = section("zone")
    zone = ZoneRule(_need(s, "rule_id", w, str), _need(s, "basis", w, str))
    status = data.get("number_status", {})
    for key, value in status.items():
        sec, _, name = key.partition(".")
        if sec not in data or name not in data.get(sec, {}):
            raise RulesError(f"{path.name} [number_status] 的 {key} 不是文件中的数值")
        if value not in NUMBER_STATUSES:
            raise RulesError(f"{path.name} [number_status] 的 {key} 应为 {'/'.join(NUMBER_STATUSES)}")
    for sec in ("speed", "deviation", "dwell", "driving"):
        for name, value in data[sec].items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and f"{sec}.{name}" not in status:
                raise RulesError(f"{path.name} [number_status] 未注明 {sec}.{name} 的依据状态")
    return RouteRules(speed, deviation, dwell, driving, zone, dict(status), version)


def load_un_numbers(directory: Path, *, chemical_keys: set[str] | None = None) -> UnNumbers:
    """``un_numbers.csv``; with ``chemical_keys`` every row's key must be one of them (the catalogue's)."""
    path = Path(directory) / "un_numbers.csv"
    entries, seen = [], set()
    for line, r in _csv(path, UN_COLUMNS):
        where = f"{path.name} 第{line}行（{r['chemical_key'] or '无 chemical_key'}）"
        if not re.fullmatch(r"\d{4}", r["un_number"] or ""):
            raise RulesError(f"{where}：un_number 应为 4 位数字，实际 {r['un_number']!r}")
        if not re.fullmatch(r"[1-9](\.[1-6])?", r["class"] or ""):
            raise RulesError(f"{where}：class 应为联合国类别（如 3、6.1），实际 {r['class']!r}")
        if r["status"] not in UN_STATUSES:
            raise RulesError(f"{where}：status 应为 {'/'.join(UN_STATUSES)}")
        if not r["source"]:
            raise RulesError(f"{where}：source 为空")
        if chemical_keys is not None and r["chemical_key"] not in chemical_keys:
            raise RulesError(f"{where}：chemical_key 不在化学品目录中")
        if (r["chemical_key"], r["un_number"]) in seen:
            raise RulesError(f"{where}：同一化学品的 UN{r['un_number']} 重复")
        seen.add((r["chemical_key"], r["un_number"]))
        entries.append(UnEntry(chemical_key=r["chemical_key"], un_number=r["un_number"], hazard_class=r["class"],
                               classification_code=r["classification_code"], packing_group=r["packing_group"],
                               form=r["form"], status=r["status"]))
    return UnNumbers(tuple(entries))


@dataclass(frozen=True)
class TransportRules:
    """Everything the transport wing reads: 五必查 checks, route alarms, UN numbers, network config."""

    checks: CheckRules
    route: RouteRules
    un_numbers: UnNumbers
    network: "NetworkConfig"

    @property
    def version(self) -> str:
        return f"{self.checks.version}+{self.route.version}"


def load_transport_rules(rules_dir: Path, reference_dir: Path) -> TransportRules:
    from geo.transport.network import load_network_config

    return TransportRules(load_check_rules(rules_dir), load_route_rules(rules_dir), load_un_numbers(reference_dir),
                          load_network_config(rules_dir))
