"""The core wing's collections: enterprises, hazard units, protection targets, conflicts, areas,
grid cells, pipelines and boundaries — each declared once.

Every property says its type and Chinese title; computed results come from the current run
(``:run``).  Flat companions of the structured fields (``reasons_text``, ``reason_codes``,
``pts_<code>``; ``hca_count``, ``hca_max_grade``, ``hca_text``; ``n_red`` …) keep what
Shapefile, CSV and QGIS Processing cannot hold as JSON.
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.postgis.collections.model import Collection, Filter, Property
from geo.vocabulary import GUIDE_ITEMS

P = Property


def run_properties() -> tuple[Property, ...]:
    """``run_id`` and ``data_as_of``: the run every computed value of the feature comes from."""
    return (P("run_id", "integer", "运行编号", "nullif(cast(:run as integer), -1)", queryable=False),
            P("data_as_of", "datetime", "数据截至", "date_trunc('second', cast(:run_at as timestamptz))",
              queryable=False))


def colour_properties(column: str) -> tuple[Property, ...]:
    """The four colours' code, hex and label (hex and label from the domain's vocabulary)."""
    return (P("risk_color", "string", "风险颜色", column, description="red | orange | yellow | blue"),
            P("risk_color_hex", "string", "颜色值", f"cast(:colour_hex as jsonb) ->> {column}", queryable=False),
            P("risk_label", "string", "风险等级", f"cast(:colour_label as jsonb) ->> {column}"))


def _labels(array_sql: str, vocabulary_param: str) -> str:
    return (f"array(select coalesce(cast(:{vocabulary_param} as jsonb) ->> u.code, u.code) "
            f"from unnest({array_sql}) with ordinality u(code, n) order by u.n)")


TOWN = Filter("town", "text", "(e.town_code = :town or a.name = :town)", "镇/街道名称或代码")
RISK = Filter("risk", "colours", "er.risk_color = any(:risk)", "风险颜色，逗号分隔：red,orange,yellow,blue")
CATEGORY_HELP = "防护目标类别（school、hospital、residential…）"

# ---- enterprises -------------------------------------------------------------------------------

_REASONS_SHOWN = "(r->>'points')::numeric <> 0 or r->>'code' = 'DIRECT_RED'"
# the reasons' flat companions, computed in one pass over the array (one detoast per row)
_REASONS_FLAT = f"""left join lateral (
        select string_agg((r->>'text') || '（' || ((r->>'points')::numeric::float8)::text || '）', '；')
                   filter (where {_REASONS_SHOWN}) as text,
               string_agg(distinct r->>'code', ',') as codes,
               {", ".join(f"sum((r->>'points')::float8) filter (where r->>'item' = '{code}') as {code.lower()}"
                          for code in GUIDE_ITEMS)},
               sum((r->>'points')::float8) filter (where r->>'code' = 'SCORE_BOUND') as score_bound
        from jsonb_array_elements(er.reasons) r) rs on true"""


def _item_points(code: str, label: str) -> Property:
    return P(f"pts_{code.lower()}", "number", f"分值_{label}", f"rs.{code.lower()}",
             description=f"评估项“{label}”的加减分（未评估或无此项为空）")


def _enterprise_detail(conn, base: dict, key) -> dict:
    p = dict(base, id=key)
    units = []
    for u in conn.execute(sa.text("""
            select u.id, u.unit_key, u.name, u.kind, hr.s, hr.r, hr.alpha, hr.exposed_people, hr.exposure_basis, hr.grade,
                   hr.details, hr.notes, hr.exposure,
                   coalesce((select json_agg(json_build_object('chemical', c.name, 'key', c.key, 'quantity_t', i.quantity_t)
                                             order by c.key)
                             from inventory i join chemical c on c.id = i.chemical_id
                             where i.hazard_unit_id = u.id), '[]'::json) as inventory
            from hazard_unit u left join hazard_unit_result hr on hr.hazard_unit_id = u.id and hr.run_id = :run
            where u.enterprise_id = :id order by u.id"""), p):
        units.append({"id": u.id, "unit_key": u.unit_key, "name": u.name, "kind": u.kind, "S": u.s, "R": u.r,
                      "alpha": u.alpha, "exposed_people": u.exposed_people, "exposure_basis": u.exposure_basis,
                      "grade": u.grade,
                      "details": u.details, "notes": u.notes, "exposure": u.exposure, "inventory": u.inventory})
    conflict_list = [dict(c._mapping) for c in conn.execute(sa.text("""
        select c.id, c.target_id, t.name, t.category, round(c.distance_m::numeric, 1)::float as distance_m,
               c.required_m, round(c.deficit_m::numeric, 1)::float as deficit_m, c.rule_id as rule, c.rule_text
        from conflict c join protection_target t on t.id = c.target_id
        where c.run_id = :run and c.enterprise_id = :id order by c.deficit_m desc, c.id"""), p)]
    requirements = [dict(x._mapping) for x in conn.execute(sa.text("""
        select category, target_kind, required_m, rule_id, rule_text from source_requirement
        where run_id = :run and enterprise_id = :id order by target_kind <> '', required_m desc, category, target_kind"""),
        p)]
    return {"hazard_units": units, "conflict_list": conflict_list, "requirements": requirements}


ENTERPRISES = Collection(
    id="enterprises", title="涉危企业（四色分级）", geometry_type="Point", item_label="企业",
    description="涉危企业的位置、四色风险等级、评分与依据、重大危险源等级、定位精度（当前运行）。",
    source="""enterprise e
        left join enterprise_risk er on er.enterprise_id = e.id and er.run_id = :run
        left join admin_area a on a.code = e.town_code""",
    key="e.id", key_type="integer", geometry="e.geom", derived=_REASONS_FLAT,
    properties=(
        P("id", "integer", "编号", "e.id"),
        P("name", "string", "企业名称", "e.name"),
        P("credit_code", "string", "统一社会信用代码", "e.credit_code"),
        P("stages", "array", "环节", "e.stages", items="string", description="production、storage、transport…"),
        P("stage_labels", "array", "环节名称", _labels("e.stages", "stage_label"), items="string", queryable=False),
        P("town", "string", "属地（镇/街道）", "a.name"),
        P("town_code", "string", "属地代码", "e.town_code"),
        P("department", "string", "监管部门", "e.department"),
        P("facility_type", "string", "设施类型", "e.facility_type"),
        P("address", "string", "地址", "e.address"),
        *colour_properties("er.risk_color"),
        P("risk_score", "number", "风险评分", "er.risk_score"),
        # issue 12: how much of the colour is known, and the worst it could be
        P("risk_score_min", "number", "最不利评分", "er.risk_score_min",
          description="每个未评估项按本项满额扣分后的评分"),
        P("risk_color_worst", "string", "最不利颜色", "er.risk_color_worst",
          description="red | orange | yellow | blue；未评估的直接判定红色情形按存在计"),
        P("risk_label_worst", "string", "最不利风险等级", "cast(:colour_label as jsonb) ->> er.risk_color_worst"),
        P("assessment_coverage", "number", "评估覆盖率", "er.assessment_coverage",
          description="指南100分中已评估或由数据推算的分值占比（0–1）"),
        P("provisional", "boolean", "初步分级", "er.provisional", description="覆盖率 < 1：颜色为初步分级"),
        P("unassessed_points", "number", "未评估分值", "(er.assessment->>'unassessed_points')::float8"),
        P("direct_red_unevaluated", "array", "未评估的直接判定红色情形",
          "coalesce(er.direct_red_unevaluated, '[]'::jsonb)", items="object", queryable=False,
          description="[{code, label, status, text, clause}]"),
        P("direct_red_unevaluated_count", "integer", "未评估的直接判定情形数",
          "jsonb_array_length(coalesce(er.direct_red_unevaluated, '[]'::jsonb))"),
        P("assessment_summary", "array", "分级说明", "coalesce(er.assessment->'summary', '[]'::jsonb)",
          items="string", queryable=False, description="主要依据（直接判定优先），以及初步分级/评估完整的说明"),
        P("assessment_summary_text", "string", "分级说明（文字）",
          "(select string_agg(s, '；') from jsonb_array_elements_text(er.assessment->'summary') s)"),
        P("departments", "array", "监管部门（全部）", """coalesce((select array_agg(d.department order by
              not d.registered, d.department) from enterprise_department d where d.enterprise_id = e.id), '{}')""",
          items="string", description="三管三必管：登记的监管部门与按职责分工表推定的部门"),
        P("village", "string", "村/社区", "(select p.village from enterprise_place p where p.enterprise_id = e.id)"),
        P("reasons", "array", "评分依据", "coalesce(er.reasons, '[]'::jsonb)", items="object", queryable=False,
          description="[{code, text, points, category}]"),
        P("reasons_text", "string", "评分依据（文字）", "rs.text"),
        P("reason_codes", "string", "依据代码", "rs.codes", description="逗号分隔的依据代码"),
        *(_item_points(code, label) for code, label in GUIDE_ITEMS.items()),
        _item_points("SCORE_BOUND", "总分界限"),
        P("major_hazard_grade", "integer", "重大危险源等级", "er.major_hazard_grade", description="1–4（一级最高），无为空"),
        P("conflicts", "integer", "距离冲突数",
          "(select count(*) from conflict c where c.run_id = :run and c.enterprise_id = e.id)::integer"),
        P("geocode_precision", "string", "定位精度", "e.geocode_precision"),
        P("geocode_score", "number", "地址匹配度", "e.geocode_score"),
        P("licence_no", "string", "许可证编号", "e.licence_no"),
        P("licence_type", "string", "许可证类型", "e.licence_type"),
        P("licence_expiry", "date", "许可证有效期至", "e.licence_expiry"),
        P("licence_expired", "boolean", "许可证已过期", "coalesce(e.licence_expiry < current_date, false)"),
        *run_properties(),
    ),
    filters=(
        RISK, TOWN,
        Filter("stage", "stage", ":stage = any(e.stages)", "环节（中文或代码，如 储存 / storage）"),
        Filter("department", "text", "(e.department = :department or exists (select 1 from enterprise_department d "
               "where d.enterprise_id = e.id and d.department = :department))", "监管部门（登记或按职责分工推定的任一部门）"),
        Filter("q", "text", "strpos(e.name, :q) > 0", "名称关键字（字面子串，% 与 _ 不是通配符）"),
    ),
    detail=_enterprise_detail,
)

# ---- hazard units ------------------------------------------------------------------------------

HAZARD_UNITS = Collection(
    id="hazard-units", title="危险单元与重大危险源", geometry_type="Point", item_label="危险单元",
    description="生产/储存单元的 S、R、α、暴露人数与重大危险源等级（GB 18218-2018；位置为企业点位）。",
    source="""hazard_unit u join enterprise e on e.id = u.enterprise_id
        left join hazard_unit_result hr on hr.hazard_unit_id = u.id and hr.run_id = :run
        left join admin_area a on a.code = e.town_code""",
    key="u.id", key_type="integer", geometry="e.geom",
    properties=(
        P("id", "integer", "编号", "u.id"),
        P("enterprise_id", "integer", "企业编号", "u.enterprise_id"),
        P("enterprise", "string", "企业名称", "e.name"),
        P("kind", "string", "单元类型", "u.kind", description="production | storage"),
        P("kind_label", "string", "单元类型名称", "cast(:unit_kind_label as jsonb) ->> u.kind", queryable=False),
        P("name", "string", "单元名称", "u.name"),
        P("town", "string", "属地（镇/街道）", "a.name"),
        P("S", "number", "S（Σq/Q）", "hr.s"),
        P("R", "number", "R", "hr.r"),
        P("alpha", "number", "α", "hr.alpha"),
        P("exposed_people", "number", "500 m 内暴露人数", "hr.exposed_people"),
        P("exposure_basis", "string", "暴露人数来源", "hr.exposure_basis",
          description="counted：由500 m内登记的防护目标人数统计；none_registered：500 m内无登记人口（不证明无人）"),
        P("is_major", "boolean", "重大危险源", "hr.is_major"),
        P("grade", "integer", "重大危险源等级", "hr.grade", description="1–4，非重大危险源为空"),
        *run_properties(),
    ),
    filters=(Filter("grade", "integer", "hr.grade = :grade", "重大危险源等级 1–4", minimum=1, maximum=4), TOWN),
)

# ---- protection targets ------------------------------------------------------------------------


def _target_detail(conn, base: dict, key) -> dict:
    return {"sources": [dict(x._mapping) for x in conn.execute(sa.text("""
        select c.enterprise_id, e.name, er.risk_color, round(c.distance_m::numeric, 1)::float as distance_m,
               c.required_m, round(c.deficit_m::numeric, 1)::float as deficit_m, c.rule_id as rule, c.rule_text
        from conflict c join enterprise e on e.id = c.enterprise_id
        left join enterprise_risk er on er.enterprise_id = e.id and er.run_id = c.run_id
        where c.run_id = :run and c.target_id = :id order by c.deficit_m desc, c.enterprise_id"""),
        dict(base, id=key))]}


def _targets(cid: str, title: str, geometry_type: str, condition: str, geometry: str, **kw) -> Collection:
    """Protection targets: all of them (``targets``, mixed) or those of one geometry type."""
    return Collection(
        id=cid, title=title, geometry_type=geometry_type, item_label="防护目标",
        description="学校、医院、居住区等防护目标（GB 36894 类别）及当前运行中所需距离覆盖它的危险源数。",
        source="protection_target t", where=condition, key="t.id", key_type="integer", geometry=geometry,
        spatial="t.geom",
        properties=(
            P("id", "integer", "编号", "t.id"),
            P("name", "string", "名称", "t.name"),
            P("category", "string", "类别", "t.category"),
            P("category_label", "string", "类别名称", "cast(:category_label as jsonb) ->> t.category", queryable=False),
            P("gb36894_class", "string", "GB 36894 防护目标类别", "t.gb36894_class"),
            P("population", "integer", "人数", "t.population"),
            P("households", "integer", "户数", "t.households"),
            P("capacity", "integer", "床位/座位数", "t.capacity"),
            P("town_code", "string", "属地代码", "t.town_code"),
            P("sources_within_required_distance", "integer", "所需距离覆盖本目标的危险源数",
              "(select count(*) from conflict c where c.run_id = :run and c.target_id = t.id)::integer"),
            *run_properties(),
        ),
        filters=(Filter("category", "text", "t.category = :category", CATEGORY_HELP),),
        detail=_target_detail, **kw)


TARGETS = _targets("targets", "防护目标（点与面）", "Geometry", "true", "t.geom", ogc=False,
                   parts=("target-points", "target-areas"))
TARGET_POINTS = _targets("target-points", "防护目标（点）", "Point", "GeometryType(t.geom) = 'POINT'", "t.geom")
TARGET_AREAS = _targets("target-areas", "防护目标（面：居住区等）", "MultiPolygon", "ST_Dimension(t.geom) = 2",
                        "ST_Multi(t.geom)")

# ---- conflicts ---------------------------------------------------------------------------------

CONFLICTS = Collection(
    id="conflicts", title="距离冲突", geometry_type="LineString", item_label="距离冲突",
    description="危险源到防护目标的连线：实际距离、所需距离、差值与依据规则（当前运行）。",
    source="""conflict c join enterprise e on e.id = c.enterprise_id
        join protection_target t on t.id = c.target_id
        left join enterprise_risk er on er.enterprise_id = c.enterprise_id and er.run_id = c.run_id
        left join admin_area a on a.code = e.town_code""",
    where="c.run_id = :run", key="c.id", key_type="integer", geometry="c.geom",
    properties=(
        P("id", "integer", "编号", "c.id"),
        P("enterprise_id", "integer", "企业编号", "c.enterprise_id"),
        P("enterprise", "string", "企业名称", "e.name"),
        P("hazard_unit_id", "integer", "危险单元编号", "c.hazard_unit_id"),
        P("target_id", "integer", "防护目标编号", "c.target_id"),
        P("target", "string", "防护目标名称", "t.name"),
        P("category", "string", "防护目标类别", "c.category"),
        P("category_label", "string", "类别名称", "cast(:category_label as jsonb) ->> c.category", queryable=False),
        P("town", "string", "属地（镇/街道）", "a.name"),
        P("distance_m", "number", "实际距离（米）", "round(c.distance_m::numeric, 1)::float8"),
        P("required_m", "number", "所需距离（米）", "c.required_m"),
        P("deficit_m", "number", "差值（米）", "round(c.deficit_m::numeric, 1)::float8"),
        P("rule", "string", "规则编号", "c.rule_id"),
        P("rule_text", "string", "规则依据", "c.rule_text"),
        P("basis", "string", "依据类型", "c.basis", description="fire_separation | safety_distance | external_safety | "
          "screening（本地筛查距离）| individual_risk（个人风险超过 GB 36894 基准）"),
        *colour_properties("er.risk_color"),
        *run_properties(),
    ),
    filters=(RISK, TOWN, Filter("category", "text", "c.category = :category", CATEGORY_HELP)),
    default_sort=(("deficit_m", "desc"),),
)

# ---- areas (towns) and grid cells --------------------------------------------------------------

_AREAS = """(select 'town'::text as level, aa.code::text as id, aa.name, ar.risk_color, ar.risk_index, ar.counts,
                    ar.exposed_people, aa.geom
             from admin_area aa
             left join area_risk ar on ar.run_id = :run and ar.level = 'town' and ar.area_code = aa.code
             where aa.level = 'town'
             union all
             select 'grid', ar.area_code, ar.name, ar.risk_color, ar.risk_index, ar.counts, ar.exposed_people, ar.geom
             from area_risk ar where ar.run_id = :run and ar.level = 'grid') x"""


def _areas(cid: str, title: str, **kw) -> Collection:
    return Collection(
        id=cid, title=title, geometry_type="MultiPolygon", item_label="区域", source=_AREAS,
        description="区域风险指数与颜色、各色企业数、暴露人数（本地指数，见 data/rules/area_risk.toml）。",
        key="x.id", key_type="string", geometry="x.geom",
        properties=(
            P("id", "string", "区域代码", "x.id"),
            P("name", "string", "名称", "x.name"),
            P("level", "string", "级别", "x.level", description="town | grid"),
            *colour_properties("x.risk_color"),
            P("risk_index", "number", "区域风险指数", "x.risk_index"),
            P("counts", "object", "各色企业数", "coalesce(x.counts, '{}'::jsonb)", queryable=False),
            *(P(f"n_{c}", "integer", f"{label}企业数", f"coalesce((x.counts->>'{c}')::integer, 0)")
              for c, label in (("red", "红色"), ("orange", "橙色"), ("yellow", "黄色"), ("blue", "蓝色"))),
            P("n_provisional", "integer", "初步分级企业数", "coalesce((x.counts->>'provisional')::integer, 0)",
              description="评估未覆盖全部 100 分的企业数：区域颜色随之为初步结论"),
            P("n_could_be_red", "integer", "最不利可能为红色的企业数", "coalesce((x.counts->>'could_be_red')::integer, 0)"),
            P("risk_color_worst", "string", "最不利情形区域颜色", "x.counts->>'worst_color'",
              description="各企业按最不利颜色（未评估项全扣）计算的区域颜色"),
            P("provisional", "boolean", "初步结论", "coalesce((x.counts->>'provisional')::integer, 0) > 0"),
            P("exposed_people", "number", "暴露人数", "x.exposed_people"),
            *run_properties(),
        ), **kw)


AREAS = _areas("areas", "镇街风险", default_limit=1000, filters=(
    Filter("level", "choice", "x.level = :level", "town（默认）| grid", choices=("town", "grid"), default="town"),))
GRID_CELLS = _areas("grid-cells", "网格风险（500 m）", where="x.level = 'grid'", default_limit=1000)

# ---- pipelines ---------------------------------------------------------------------------------

_HCA = "pipeline_hca h where h.run_id = :run and h.pipeline_id = p.id"

PIPELINES = Collection(
    id="pipelines", title="长输管道与高后果区", geometry_type="LineString", item_label="管道",
    description="长输管道及其高后果区段（GB 32167-2015，Ⅰ–Ⅲ级，当前运行）。",
    source="pipeline p", key="p.id", key_type="integer", geometry="p.geom",
    properties=(
        P("id", "integer", "编号", "p.id"),
        P("name", "string", "名称", "p.name"),
        P("medium", "string", "介质", "p.medium", description="oil | gas"),
        P("medium_label", "string", "介质名称", "p.medium_label"),
        P("diameter_mm", "number", "管径（mm）", "p.diameter_mm"),
        P("maop_mpa", "number", "设计压力（MPa）", "p.maop_mpa"),
        P("hca_segments", "array", "高后果区段", f"""coalesce((select json_agg(json_build_object(
              'grade', h.grade, 'grade_label', (array['Ⅰ', 'Ⅱ', 'Ⅲ'])[h.grade],
              'impact_radius_m', round(h.impact_radius_m::numeric, 1)::float8, 'reasons', h.reasons,
              'geometry', ST_AsGeoJSON(h.geom, 7)::json) order by h.id) from {_HCA}), '[]'::json)""",
          items="object", queryable=False, description="[{grade, grade_label, impact_radius_m, reasons, geometry}]"),
        P("hca_count", "integer", "高后果区段数", f"(select count(*) from {_HCA})::integer"),
        P("hca_max_grade", "integer", "最高高后果区等级", f"(select max(h.grade) from {_HCA})"),
        P("hca_text", "string", "高后果区段（文字）", f"""(select string_agg((array['Ⅰ', 'Ⅱ', 'Ⅲ'])[h.grade] || '级（影响半径 '
              || round(h.impact_radius_m::numeric, 1)::text || ' m）：'
              || coalesce((select string_agg(x, '、') from jsonb_array_elements_text(h.reasons) x), ''), '；' order by h.id)
              from {_HCA})"""),
        *run_properties(),
    ),
)

# ---- boundaries --------------------------------------------------------------------------------

BOUNDARIES = Collection(
    id="boundaries", title="区界与镇街边界", geometry_type="MultiPolygon", item_label="边界",
    description="区和镇/街道的边界（底图；为显示简化约 20 m，分析请用 areas）。",
    source="admin_area b", where="b.level in ('district', 'town')", key="b.code", key_type="string",
    geometry="ST_Multi(ST_SimplifyPreserveTopology(b.geom, 0.0002))", spatial="b.geom",
    properties=(
        P("code", "string", "区划代码", "b.code"),
        P("name", "string", "名称", "b.name"),
        P("level", "string", "级别", "b.level", description="district | town"),
        P("synthetic", "boolean", "示意边界", "b.synthetic"),
    ),
    default_sort=(("level", "asc"),), run_scoped=False, default_limit=5000,
)

COLLECTIONS = (ENTERPRISES, HAZARD_UNITS, TARGETS, TARGET_POINTS, TARGET_AREAS, CONFLICTS, AREAS, GRID_CELLS,
               PIPELINES, BOUNDARIES)
