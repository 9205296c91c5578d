"""Rows of the assessment and hidden-danger templates (``data/templates/``) → typed records.

A row is a mapping from the template's Chinese headers to cell values (CSV text, XLSX values);
column aliases, files and rejects reports are the ETL's concern.  Every bad field raises
:class:`geo.errors.InvalidInput` whose ``field`` is the Chinese header and whose message says why.

* :func:`assessment_from_row` — one enterprise, one guide item (or direct-red condition): points (or
  是/否 for a condition), source, evidence, assessor, date → :class:`AssessmentRow`;
* :func:`hidden_danger_from_row` — one ledger record → :class:`geo.hidden_danger.HiddenDanger`
  (coordinates converted to WGS-84 from the declared 坐标系).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo import cells, credit_code
from geo.colour_model import ColourModel
from geo.crs import CRSError, in_china, parse_crs, to_wgs84
from geo.errors import InvalidInput
from geo.hidden_danger import GRADES, SOURCES, STATES, HiddenDanger, MajorHiddenDangerTable, Rectification
from geo.risk_color import AssessedCondition, AssessedItem, validate_assessed

ASSESSMENT_HEADERS = ("统一社会信用代码", "评估项代码", "评估项", "扣分/得分", "状态", "来源", "证据", "评估人", "评估日期")
HIDDEN_DANGER_HEADERS = ("统一社会信用代码", "隐患地点", "经度", "纬度", "坐标系", "发现日期", "发现人", "来源", "隐患描述",
                         "隐患等级", "重大隐患判定项", "整改措施", "整改责任人", "整改资金(元)", "整改时限", "应急预案",
                         "状态", "整改完成日期", "验收日期", "验收人")
ASSESSMENT_SOURCE = {"检查": "inspection", "现场检查": "inspection", "双随机检查": "inspection", "部门检查": "inspection",
                     "企业自评": "self_assessment", "自评": "self_assessment", "导入": "import",
                     "inspection": "inspection", "self_assessment": "self_assessment", "import": "import"}
MET = {"是": True, "存在": True, "否": False, "不存在": False}
MAX_TEXT = 2000


@dataclass(frozen=True)
class AssessmentRow:
    credit_code: str
    assessed: AssessedItem | AssessedCondition


def _text(values: Mapping[str, Any], header: str, *, required: bool = False, free: bool = False) -> str:
    """A cell as text; ``free`` text (evidence, descriptions) keeps its full-width punctuation."""
    raw = values.get(header)
    v = str(raw).strip() if free and isinstance(raw, str) else cells.text(raw)
    if required and not v:
        raise InvalidInput(header, f"必填字段“{header}”为空")
    if len(v) > MAX_TEXT:
        raise InvalidInput(header, f"“{header}”超过 {MAX_TEXT} 字")
    return v


def _credit_code(values: Mapping[str, Any]) -> str:
    code = credit_code.normalise(_text(values, "统一社会信用代码", required=True))
    why = credit_code.validate(code)
    if why:
        raise InvalidInput("统一社会信用代码", why)
    return code


def _date(values: Mapping[str, Any], header: str, *, today: dt.date, required: bool = False) -> dt.date | None:
    d = cells.parse_date(values.get(header), header)
    if d is None and required:
        raise InvalidInput(header, f"必填字段“{header}”为空")
    if d is not None and d > today:
        raise InvalidInput(header, f"{header}（{d.isoformat()}）晚于今天（{today.isoformat()}）")
    return d


def assessment_from_row(values: Mapping[str, Any], *, model: ColourModel, today: dt.date) -> AssessmentRow:
    """One row of ``assessments.csv``; checks every field and the points against the model."""
    code_cc = _credit_code(values)
    code = _text(values, "评估项代码", required=True).upper()
    labels = {i.code: i.label for i in model.items} | {d.code: d.label for d in model.direct_red}
    if code not in labels:
        raise InvalidInput("评估项代码", f"未知评估项代码“{code}”（可用：{'、'.join(labels)}）")
    label = _text(values, "评估项")
    if label and label != labels[code]:
        raise InvalidInput("评估项", f"评估项“{label}”与代码 {code}（{labels[code]}）不符")
    status = _text(values, "状态")
    if status not in ("", "已评估", "assessed"):
        raise InvalidInput("状态", f"导入的评估状态只能是“已评估”，实际“{status}”")
    source_text = _text(values, "来源", required=True)
    source = ASSESSMENT_SOURCE.get(source_text)
    if source is None:
        raise InvalidInput("来源", f"来源应为 检查/企业自评/导入，实际“{source_text}”")
    evidence = _text(values, "证据", required=True, free=True)
    by = _text(values, "评估人", required=True)
    at = _date(values, "评估日期", today=today, required=True)
    raw = values.get("扣分/得分")
    if any(d.code == code for d in model.direct_red):
        answer = _text(values, "扣分/得分", required=True)
        if answer not in MET:
            raise InvalidInput("扣分/得分", f"直接判定红色情形 {code} 应填 是/否，实际“{answer}”")
        entry: AssessedItem | AssessedCondition = AssessedCondition(code, MET[answer], evidence, by, at, source)
    else:
        if not cells.text(raw):
            raise InvalidInput("扣分/得分", "必填字段“扣分/得分”为空")
        entry = AssessedItem(code, round(cells.number(raw, "扣分/得分"), 2), evidence, by, at, source)
    validate_assessed(entry, model)
    return AssessmentRow(code_cc, entry)


def _major_item(values: Mapping[str, Any], table: MajorHiddenDangerTable) -> int | None:
    raw = _text(values, "重大隐患判定项")
    if not raw:
        return None
    m = re.fullmatch(r"(?:第)?\s*(\d{1,2})\s*(?:项|条)?", raw)
    if not m or not 1 <= int(m.group(1)) <= len(table.items):
        raise InvalidInput("重大隐患判定项", f"重大隐患判定项应为安监总管三〔2017〕121号的第1–{len(table.items)}项，实际“{raw}”")
    return int(m.group(1))


def _location(values: Mapping[str, Any]) -> tuple[float, float] | None:
    lon_s, lat_s = _text(values, "经度"), _text(values, "纬度")
    if not lon_s and not lat_s:
        return None
    if not (lon_s and lat_s):
        raise InvalidInput("经度/纬度", "经度和纬度须同时填写")
    x, y = cells.number(lon_s, "经度"), cells.number(lat_s, "纬度")
    try:
        crs = parse_crs(_text(values, "坐标系") or None)
    except CRSError as e:
        raise InvalidInput("坐标系", f"{e}（填写坐标时须注明坐标系）") from None
    lon, lat = to_wgs84(x, y, crs)
    if not in_china(lon, lat):
        raise InvalidInput("经度/纬度", f"坐标（{x:g}, {y:g}，{crs.label}）不在中国境内")
    return round(lon, 7), round(lat, 7)


def hidden_danger_from_row(values: Mapping[str, Any], *, table: MajorHiddenDangerTable,
                           today: dt.date) -> HiddenDanger:
    """One row of ``hidden_dangers.csv`` → a ledger record (its 五落实, state and dates checked)."""
    code = _credit_code(values)
    found = _date(values, "发现日期", today=today, required=True)
    source = _text(values, "来源", required=True)
    if source not in SOURCES:
        raise InvalidInput("来源", f"来源应为 {'/'.join(SOURCES)}，实际“{source}”")
    grade = _text(values, "隐患等级", required=True)
    if grade not in GRADES:
        raise InvalidInput("隐患等级", f"隐患等级应为 一般/重大，实际“{grade}”")
    state = _text(values, "状态") or STATES[0]
    if state not in STATES:
        raise InvalidInput("状态", f"状态应为 {'/'.join(STATES)}，实际“{state}”（逾期由整改时限推算，不填）")
    funds = _text(values, "整改资金(元)")
    funds_yuan = cells.number(funds, "整改资金(元)") if funds else None
    if funds_yuan is not None and funds_yuan < 0:
        raise InvalidInput("整改资金(元)", "整改资金不能为负")
    rect = Rectification(measures=_text(values, "整改措施", free=True) or None,
                         responsible=_text(values, "整改责任人") or None, funds_yuan=funds_yuan,
                         deadline=cells.parse_date(values.get("整改时限"), "整改时限"),
                         plan=_text(values, "应急预案", free=True) or None)
    return HiddenDanger(
        credit_code=code, found_on=found, found_by=_text(values, "发现人", required=True), source=source,
        description=_text(values, "隐患描述", required=True, free=True), grade=grade,
        major_item=_major_item(values, table), rectification=rect, state=state,
        place=_text(values, "隐患地点", free=True) or None, location_wgs84=_location(values),
        rectified_on=_date(values, "整改完成日期", today=today), accepted_on=_date(values, "验收日期", today=today),
        reviewer=_text(values, "验收人") or None)
