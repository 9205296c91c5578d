"""The assessment wing's collections (issue 12): the hidden-danger ledger (隐患台账, a map layer where a
record has a place), 双随机 inspections and assessed items — each declared once.

These are registers, not results of a run (``run_scoped=False``): they read what is stored now.
逾期 follows :func:`geo.hidden_danger.overdue` (not closed, past the deadline, not rectified by it);
``five_missing`` lists the 五落实 not yet recorded.  Geometries are WGS-84 lon/lat: a hidden danger's
own place when it has one, else none; an inspection's or an item's is its enterprise's point.
"""

from __future__ import annotations

from geo.postgis.collections.model import Collection, Filter, Property

P = Property

ENTERPRISE_ID = Filter("enterprise", "integer", "{alias}.enterprise_id = :enterprise", "企业编号", minimum=1,
                       maximum=2**31 - 1)


def _enterprise_filter(alias: str) -> Filter:
    return Filter(ENTERPRISE_ID.name, ENTERPRISE_ID.kind, ENTERPRISE_ID.predicate.format(alias=alias),
                  ENTERPRISE_ID.description, minimum=1, maximum=2**31 - 1)


_OVERDUE = ("(h.state <> '已销号' and h.deadline is not null and current_date > h.deadline "
            "and not coalesce(h.rectified_on <= h.deadline, false))")
_FIVE_MISSING = """array_remove(array[
    case when coalesce(btrim(h.measures), '') = '' then '措施' end,
    case when coalesce(btrim(h.responsible), '') = '' then '责任' end,
    case when h.funds_yuan is null then '资金' end,
    case when h.deadline is null then '时限' end,
    case when coalesce(btrim(h.plan), '') = '' then '预案' end], null)"""

HIDDEN_DANGERS = Collection(
    id="hidden-dangers", title="隐患台账", geometry_type="Point", item_label="隐患",
    description="隐患台账：发现日期与来源、等级（重大隐患注明安监总管三〔2017〕121号判定项）、五落实、"
                "状态（待整改/整改中/待验收/已销号，逾期由整改时限推算）与验收；无地点坐标的隐患取企业位置"
                "（located = false），不会从地图上消失。",
    source="""hidden_danger h join enterprise e on e.id = h.enterprise_id
        left join admin_area a on a.code = e.town_code""",
    key="h.id", key_type="integer", geometry="coalesce(h.geom, e.geom)", run_scoped=False,
    properties=(
        P("id", "integer", "编号", "h.id"),
        P("danger_key", "string", "隐患编号", "h.danger_key"),
        P("enterprise_id", "integer", "企业编号", "h.enterprise_id"),
        P("enterprise", "string", "企业名称", "e.name"),
        P("credit_code", "string", "统一社会信用代码", "e.credit_code"),
        P("town", "string", "属地（镇/街道）", "a.name"),
        P("place", "string", "隐患地点", "h.place"),
        P("found_on", "date", "发现日期", "h.found_on"),
        P("found_by", "string", "发现人", "h.found_by"),
        P("source", "string", "来源", "h.source", description="自查/部门检查/双随机/举报/在线监测"),
        P("description", "string", "隐患描述", "h.description"),
        P("grade", "string", "隐患等级", "h.grade", description="一般 | 重大"),
        P("major_item", "integer", "重大隐患判定项", "h.major_item", description="安监总管三〔2017〕121号第1–20项"),
        P("measures", "string", "整改措施", "h.measures"),
        P("responsible", "string", "整改责任人", "h.responsible"),
        P("funds_yuan", "number", "整改资金（元）", "h.funds_yuan"),
        P("deadline", "date", "整改时限", "h.deadline"),
        P("plan", "string", "应急预案", "h.plan"),
        P("five_missing", "array", "五落实缺项", _FIVE_MISSING, items="string"),
        P("state", "string", "状态", "h.state", description="待整改 | 整改中 | 待验收 | 已销号"),
        P("overdue", "boolean", "逾期", _OVERDUE),
        P("state_label", "string", "状态（含逾期）",
          f"h.state || case when {_OVERDUE} then '（逾期）' else '' end", queryable=False),
        P("rectified_on", "date", "整改完成日期", "h.rectified_on"),
        P("accepted_on", "date", "验收日期", "h.accepted_on"),
        P("reviewer", "string", "验收人", "h.reviewer"),
        P("inspection_id", "integer", "检查编号", "h.inspection_id"),
        P("located", "boolean", "有地点坐标（否：位置取企业位置）", "h.geom is not null"),
    ),
    filters=(
        _enterprise_filter("h"),
        Filter("state", "choice", "h.state = :state", "状态：待整改/整改中/待验收/已销号",
               choices=("待整改", "整改中", "待验收", "已销号")),
        Filter("grade", "choice", "h.grade = :grade", "隐患等级：一般/重大", choices=("一般", "重大")),
        Filter("open", "choice", "(h.state <> '已销号') = (:open = 'true')", "true：未销号；false：已销号",
               choices=("true", "false")),
    ),
    default_sort=(("found_on", "desc"),), temporal="found_on",
)

INSPECTIONS = Collection(
    id="inspections", title="双随机检查", geometry_type="Point", item_label="检查",
    description="双随机一公开抽查：抽取批次（期间、随机种子的 SHA-256）、分层、被抽企业、检查人员、检查结果；"
                "位置为企业点位。",
    source="""inspection i join enterprise e on e.id = i.enterprise_id
        left join inspection_draw w on w.id = i.draw_id
        left join admin_area a on a.code = e.town_code""",
    key="i.id", key_type="integer", geometry="e.geom", spatial="e.geom", run_scoped=False,
    properties=(
        P("id", "integer", "编号", "i.id"),
        P("draw_id", "integer", "抽取批次", "i.draw_id"),
        P("period", "string", "抽查期间", "w.period"),
        P("seed_sha256", "string", "随机种子SHA-256", "w.seed_sha256"),
        P("drawn_at", "datetime", "抽取时间", "date_trunc('second', w.drawn_at)"),
        P("enterprise_id", "integer", "企业编号", "i.enterprise_id"),
        P("enterprise", "string", "企业名称", "e.name"),
        P("town", "string", "属地（镇/街道）", "a.name"),
        P("stratum_colour", "string", "分层_风险颜色", "i.stratum->>'colour'"),
        P("stratum_standardisation", "string", "分层_标准化等级", "i.stratum->>'standardisation'"),
        P("stratum_credit", "string", "分层_信用分类", "i.stratum->>'credit'"),
        P("inspectors", "array", "检查人员", """array(select coalesce(p.name || '（' || p.department || '）', k)
              from unnest(i.inspectors) with ordinality u(k, n) left join inspector p on p.inspector_key = u.k
              order by u.n)""", items="string"),
        P("status", "string", "检查状态", "i.status", description="planned（待检查）| done（已检查）"),
        P("inspected_on", "date", "检查日期", "i.inspected_on"),
        P("result", "string", "检查结果", "i.result"),
        P("hidden_dangers", "integer", "发现隐患数",
          "(select count(*) from hidden_danger h where h.inspection_id = i.id)::integer"),
        P("assessed_items", "integer", "评估项数",
          "(select count(*) from assessment_item x where x.inspection_id = i.id)::integer"),
    ),
    filters=(
        _enterprise_filter("i"),
        Filter("draw", "integer", "i.draw_id = :draw", "抽取批次编号", minimum=1, maximum=2**31 - 1),
        Filter("status", "choice", "i.status = :status", "planned（待检查）| done（已检查）", choices=("planned", "done")),
    ),
    default_sort=(("drawn_at", "desc"),), temporal="drawn_at",
)

_CURRENT = """not exists (select 1 from assessment_item y where y.enterprise_id = x.enterprise_id
    and y.item_code = x.item_code and (y.assessed_on, y.id) > (x.assessed_on, x.id))"""

ASSESSMENT_ITEMS = Collection(
    id="assessment-items", title="评估记录", geometry_type="Point", item_label="评估记录",
    description="检查、企业自评或导入的评估项与直接判定红色情形（应急〔2018〕19号）：分值或是否存在、证据、评估人、日期；"
                "同一评估项以最新一条为准（current），历史保留。位置为企业点位。",
    source="assessment_item x join enterprise e on e.id = x.enterprise_id",
    key="x.id", key_type="integer", geometry="e.geom", spatial="e.geom", run_scoped=False,
    properties=(
        P("id", "integer", "编号", "x.id"),
        P("enterprise_id", "integer", "企业编号", "x.enterprise_id"),
        P("enterprise", "string", "企业名称", "e.name"),
        P("item_code", "string", "评估项代码", "x.item_code"),
        P("points", "number", "分值", "x.points", description="评估项的加减分（扣分为负）；直接判定情形为空"),
        P("met", "boolean", "情形存在", "x.met", description="直接判定红色情形是否存在；评估项为空"),
        P("source", "string", "来源", "x.source", description="inspection | self_assessment | import"),
        P("evidence", "string", "证据", "x.evidence"),
        P("assessed_by", "string", "评估人", "x.assessed_by"),
        P("assessed_on", "date", "评估日期", "x.assessed_on"),
        P("current", "boolean", "现行有效", _CURRENT),
        P("inspection_id", "integer", "检查编号", "x.inspection_id"),
        P("recorded_by", "string", "录入人", "x.recorded_by"),
    ),
    filters=(
        _enterprise_filter("x"),
        Filter("item", "text", "x.item_code = :item", "评估项代码（如 PERSONNEL、DR_ACCIDENTS）"),
    ),
    default_sort=(("assessed_on", "desc"),), temporal="assessed_on",
)

COLLECTIONS = (HIDDEN_DANGERS, INSPECTIONS, ASSESSMENT_ITEMS)
