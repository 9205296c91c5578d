"""The consequence wing's collections: threat zones, individual-risk contours, GB 36894 checks.

Each belongs to the current run through ``consequence_run`` (the results the run used, computed or
reused).  Zones and contours are WGS-84 polygons drawn around the enterprise point; the targets
inside a zone are counted live (protection targets intersecting it, with their people).
"""

from __future__ import annotations

from geo.postgis.collections.core import run_properties
from geo.postgis.collections.model import Collection, Filter, Property

P = Property

_RESULT = """consequence_run cr
        join consequence_result r on r.id = cr.result_id
        join hazard_unit u on u.id = cr.hazard_unit_id
        join enterprise e on e.id = u.enterprise_id"""

ENTERPRISE = Filter("enterprise", "integer", "u.enterprise_id = :enterprise", "企业编号", minimum=1)
UNIT = Filter("unit", "integer", "u.id = :unit", "危险单元编号", minimum=1)


def _unit_properties() -> tuple[Property, ...]:
    return (P("enterprise_id", "integer", "企业编号", "u.enterprise_id"),
            P("enterprise", "string", "企业名称", "e.name"),
            P("hazard_unit_id", "integer", "危险单元编号", "u.id"),
            P("unit_name", "string", "危险单元名称", "coalesce(u.name, u.unit_key)"),
            P("installation", "string", "装置类别", "r.installation", description="new（新建）| existing（在役）"),
            P("consequence_version", "string", "后果模型版本", "r.model_version"),
            P("consequence_data", "string", "后果模型数据版本", "r.data_version", queryable=False),
            P("reused", "boolean", "沿用上次结果", "cr.reused", description="输入未变，未重新计算"))


def _inside(geom: str, what: str) -> str:
    return f"(select {what} from protection_target t where ST_Intersects(t.geom, {geom}))"


THREAT_ZONES = Collection(
    id="threat-zones", title="威胁区（最坏情形筛查）", geometry_type="Polygon", item_label="威胁区",
    description="重大危险源最坏情形的筛查终点距离（1 psi 超压、5 kW/m² 热辐射、爆炸下限、毒性终点浓度-2）画出的"
                "威胁区及区内防护目标与人数（当前运行；筛查层级，不代替 GB/T 37243 定量风险评价）。",
    source=_RESULT + " join threat_zone z on z.result_id = r.id",
    where="cr.run_id = :run", key="z.id", key_type="integer", geometry="z.geom", spatial="z.geom",
    properties=(
        P("id", "integer", "编号", "z.id"),
        *_unit_properties(),
        P("chemical_key", "string", "化学品代码", "z.chemical_key"),
        P("chemical", "string", "化学品", "z.chemical_name"),
        P("endpoint", "string", "终点", "z.endpoint",
          description="overpressure_1psi | heat_5kw | lfl | toxic_endpoint_2"),
        P("endpoint_label", "string", "终点名称", "z.endpoint_label"),
        P("distance_m", "number", "终点距离（米）", "round(z.distance_m::numeric, 1)::float8"),
        P("lower_bound", "boolean", "距离为下限", "z.lower_bound", description="达到计算范围边界，实际更远"),
        P("model", "string", "模型", "z.model"),
        P("targets_inside", "integer", "区内防护目标数", _inside("z.geom", "count(*)::integer")),
        P("people_inside", "integer", "区内人数（已登记）", _inside("z.geom", "coalesce(sum(t.population), 0)::integer")),
        P("inputs", "array", "输入及来源", "z.inputs", items="object", queryable=False,
          description="[{name, value, unit, source}]"),
        *run_properties(),
    ),
    filters=(ENTERPRISE, UNIT,
             Filter("endpoint", "choice", "z.endpoint = :endpoint", "终点",
                    choices=("overpressure_1psi", "heat_5kw", "lfl", "toxic_endpoint_2"))),
    default_sort=(("distance_m", "desc"),),
)

RISK_CONTOURS = Collection(
    id="risk-contours", title="个人风险等值线", geometry_type="MultiPolygon", item_label="个人风险等值线",
    description="重大危险源个人风险 ≥ 3×10⁻⁵、1×10⁻⁵、3×10⁻⁶、3×10⁻⁷ /年 的范围（GB/T 37243-2019 定量风险评价；"
                "基准值依 GB 36894-2018，待核），含区内防护目标与人数（当前运行）。",
    source=_RESULT + " join risk_contour c on c.result_id = r.id",
    where="cr.run_id = :run and not ST_IsEmpty(c.geom)", key="c.id", key_type="integer", geometry="c.geom",
    spatial="c.geom",
    properties=(
        P("id", "integer", "编号", "c.id"),
        *_unit_properties(),
        P("level_per_year", "number", "个人风险水平（/年）", "c.level_per_year"),
        P("label", "string", "等值线", "c.label"),
        P("area_m2", "number", "面积（平方米）", "round(c.area_m2::numeric, 1)::float8"),
        P("cell_m", "number", "网格间距（米）", "r.cell_m"),
        P("targets_inside", "integer", "区内防护目标数", _inside("c.geom", "count(*)::integer")),
        P("people_inside", "integer", "区内人数（已登记）", _inside("c.geom", "coalesce(sum(t.population), 0)::integer")),
        P("source", "string", "依据", "c.source"),
        P("status", "string", "核实状态", "c.status", description="verified | uncertain | local_policy"),
        *run_properties(),
    ),
    filters=(ENTERPRISE, UNIT, Filter("level", "choice", "c.level_per_year = cast(:level as float8)",
                                      "个人风险水平 3e-5 | 1e-5 | 3e-6 | 3e-7",
                                      choices=("3e-5", "1e-5", "3e-6", "3e-7"))),
    default_sort=(("level_per_year", "asc"),),
)

IR_CHECKS = Collection(
    id="ir-checks", title="防护目标个人风险核查", geometry_type="Point", item_label="个人风险核查",
    description="重大危险源影响范围内每个防护目标处的个人风险与 GB 36894-2018 基准（新建/在役）的比较，"
                "满足或不满足（当前运行；基准值待核；点位为目标离危险源最近处）。",
    source="""ir_check k join hazard_unit u on u.id = k.hazard_unit_id
        join enterprise e on e.id = k.enterprise_id
        join protection_target t on t.id = k.target_id
        join consequence_result r on r.id = k.result_id""",
    where="k.run_id = :run", key="k.id", key_type="integer", geometry="k.geom", spatial="k.geom",
    properties=(
        P("id", "integer", "编号", "k.id"),
        P("enterprise_id", "integer", "企业编号", "k.enterprise_id"),
        P("enterprise", "string", "企业名称", "e.name"),
        P("hazard_unit_id", "integer", "危险单元编号", "k.hazard_unit_id"),
        P("unit_name", "string", "危险单元名称", "coalesce(u.name, u.unit_key)"),
        P("target_id", "integer", "防护目标编号", "k.target_id"),
        P("target", "string", "防护目标名称", "t.name"),
        P("category", "string", "防护目标类别", "t.category"),
        P("target_class", "string", "GB 36894 类别", "k.target_class",
          description="high_sensitivity | important | general_1 | general_2 | general_3"),
        P("class_note", "string", "类别说明", "k.class_note"),
        P("distance_m", "number", "距离（米）", "round(k.distance_m::numeric, 1)::float8"),
        P("individual_risk_per_year", "number", "个人风险（/年）", "k.individual_risk_per_year"),
        P("criterion_per_year", "number", "基准（/年）", "k.criterion_per_year"),
        P("installation", "string", "装置类别", "k.installation", description="new | existing"),
        P("met", "boolean", "满足", "k.met"),
        P("required_m", "number", "沿该方向所需距离（米）", "round(k.required_m::numeric, 1)::float8",
          description="不满足时：沿危险源—目标方向个人风险降至基准的距离"),
        P("text", "string", "结论", "k.text"),
        P("source", "string", "依据", "k.source"),
        P("status", "string", "核实状态", "k.status"),
        P("consequence_version", "string", "后果模型版本", "r.model_version"),
        *run_properties(),
    ),
    filters=(Filter("enterprise", "integer", "k.enterprise_id = :enterprise", "企业编号", minimum=1),
             Filter("met", "choice", "k.met = (:met = 'true')", "true（满足）| false（不满足）", choices=("true", "false"))),
    default_sort=(("met", "asc"), ("individual_risk_per_year", "desc")),
)

COLLECTIONS = (THREAT_ZONES, RISK_CONTOURS, IR_CHECKS)
