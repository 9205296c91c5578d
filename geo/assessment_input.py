"""JSON bodies of the assessment API → the model's records, every bad field named by its path.

* :func:`entries_from_json` — ``[{code, points | met, evidence, source?, assessed_on?}]`` → assessed
  items and conditions (checked against the colour model, all or nothing);
* :func:`danger_cells` — a hidden-danger body under the ledger template's Chinese headers, so that
  :func:`geo.assessment_records.hidden_danger_from_row` checks it exactly like an imported row;
* :func:`rectification_update` — a partial 五落实 update merged into a record's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from geo import cells
from geo.colour_model import ColourModel
from geo.errors import InvalidInput
from geo.hidden_danger import Rectification
from geo.risk_color import ASSESSMENT_SOURCES, AssessedCondition, AssessedItem, validate_assessed

MAX_ITEMS = 200
# JSON key → the ledger template's header (geo.assessment_records.HIDDEN_DANGER_HEADERS)
DANGER_KEYS = {
    "credit_code": "统一社会信用代码", "place": "隐患地点", "lon": "经度", "lat": "纬度", "crs": "坐标系",
    "found_on": "发现日期", "found_by": "发现人", "source": "来源", "description": "隐患描述", "grade": "隐患等级",
    "major_item": "重大隐患判定项", "measures": "整改措施", "responsible": "整改责任人", "funds_yuan": "整改资金(元)",
    "deadline": "整改时限", "plan": "应急预案", "state": "状态", "rectified_on": "整改完成日期",
    "accepted_on": "验收日期", "reviewer": "验收人",
}
RECTIFICATION_KEYS = ("measures", "responsible", "funds_yuan", "deadline", "plan")


def date_field(v, path: str, *, today: dt.date) -> dt.date:
    try:
        d = cells.parse_date(v, path)
    except cells.CellError as exc:
        raise InvalidInput(path, exc.reason) from None
    if d is None:
        return today
    if d > today:
        raise InvalidInput(path, f"日期 {d.isoformat()} 晚于今天（{today.isoformat()}）")
    return d


def _text(item: dict, key: str, path: str) -> str:
    v = item.get(key)
    if v is None:
        return ""
    if not isinstance(v, str):
        raise InvalidInput(f"{path}.{key}", f"{path}.{key} 应为文本")
    return v.strip()


def entries_from_json(items, *, model: ColourModel, by: str, today: dt.date) -> list[AssessedItem | AssessedCondition]:
    """The entries of ``items``; ``by`` is the assessor when an entry names none."""
    if not isinstance(items, list) or not items:
        raise InvalidInput("items", "items 应为非空数组（每项含 code、points 或 met、evidence）")
    if len(items) > MAX_ITEMS:
        raise InvalidInput("items", f"一次最多提交 {MAX_ITEMS} 项")
    conditions = {d.code for d in model.direct_red}
    out = []
    for i, item in enumerate(items):
        path = f"items[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput(path, f"{path} 应为对象")
        code = _text(item, "code", path).upper()
        source = _text(item, "source", path) or "inspection"
        if source not in ASSESSMENT_SOURCES:
            raise InvalidInput(f"{path}.source", f"来源应为 {'/'.join(ASSESSMENT_SOURCES)}，实际“{source}”")
        evidence = _text(item, "evidence", path)
        who = _text(item, "assessed_by", path) or by
        at = date_field(item.get("assessed_on"), f"{path}.assessed_on", today=today)
        if code in conditions:
            met = item.get("met")
            if not isinstance(met, bool):
                raise InvalidInput(f"{path}.met", f"直接判定红色情形 {code} 须给出 met（true = 存在，false = 不存在）")
            entry: AssessedItem | AssessedCondition = AssessedCondition(code, met, evidence, who, at, source)
        else:
            pts = item.get("points")
            if isinstance(pts, bool) or not isinstance(pts, (int, float)):
                raise InvalidInput(f"{path}.points", f"评估项 {code or '（未填代码）'} 须给出 points（数值，扣分为负）")
            entry = AssessedItem(code, round(float(pts), 2), evidence, who, at, source)
        try:
            validate_assessed(entry, model)
        except InvalidInput as exc:
            key = {"评估项代码": "code", "扣分/得分": "points", "来源": "source", "证据": "evidence",
                   "评估人": "assessed_by"}.get(exc.field, exc.field)
            raise InvalidInput(f"{path}.{key}", f"第 {i + 1} 项：{exc.message}") from None
        out.append(entry)
    return out


def danger_cells(body: dict) -> dict:
    """A hidden-danger body as cells under the template's headers (unknown keys refused)."""
    unknown = sorted(set(body) - set(DANGER_KEYS) - {"enterprise_id", "danger_key", "inspection_id"})
    if unknown:
        raise InvalidInput(unknown[0], f"未知字段 {unknown[0]}（可用：{'、'.join(DANGER_KEYS)}）")
    out = {}
    for key, header in DANGER_KEYS.items():
        v = body.get(key)
        if isinstance(v, (dict, list)):
            raise InvalidInput(key, f"{key} 应为文本、数值或日期")
        out[header] = v
    return out


def rectification_update(current: Rectification, body: dict) -> Rectification:
    """``current`` with the 五落实 fields ``body`` gives (``null`` clears one)."""
    changes = {}
    for key in RECTIFICATION_KEYS:
        if key not in body:
            continue
        v = body[key]
        if key == "funds_yuan":
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0):
                raise InvalidInput(key, "整改资金应为非负数值（元）")
            changes[key] = None if v is None else float(v)
        elif key == "deadline":
            try:
                changes[key] = cells.parse_date(v, "整改时限")
            except cells.CellError as exc:
                raise InvalidInput(key, exc.reason) from None
        else:
            if v is not None and not isinstance(v, str):
                raise InvalidInput(key, f"{key} 应为文本")
            changes[key] = (v or "").strip() or None
    return replace(current, **changes)
