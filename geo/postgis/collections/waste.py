"""The waste wing's collections (issue 16): producers with their stock and oldest age, stock per
enterprise and code, the 动态清零 list, manifests with state, findings and waybill link, licensed
receivers and every finding — each declared once (``/api/v1``, ``/ogc``, tiles, exports).

Locations: a producer, its stock and findings sit at the enterprise's registered point when its
credit code is in the enterprise registry, else at the storage place of ``waste_producers``
(WGS-84), else the feature has no geometry (said by ``located`` = false).  A manifest sits at its
generator, a receiver at its enterprise point when registered.  Computed values are those of the
current run (``as_of`` = the date the stock was computed for).

``age_band`` colours the map: the oldest batch's age against the enterprise's own storage limit
(``data/rules/waste_stock.toml``): ``over`` above the limit, ``near`` above three quarters of it,
``ok`` within, ``none`` no stock on site.  The three-quarter mark is a display choice (when to
warn), not a rule; the limit itself is the rule.
"""

from __future__ import annotations

from geo.postgis.collections.core import TOWN, run_properties
from geo.postgis.collections.model import Collection, Filter, Property

P = Property

NEAR_SHARE = 0.75  # display: "near the limit" from three quarters of it
AGE_BANDS = (  # code, Chinese legend, colour
    ("over", "超过贮存期限", "#d7301f"),
    ("near", f"接近贮存期限（超过期限的{NEAR_SHARE:.0%}）", "#fc8d59"),
    ("ok", "贮存期限内", "#4575b4"),
    ("none", "无在库危险废物", "#999999"),
)


def _band(age: str, limit: str, on_site: str) -> str:
    return (f"(case when coalesce({on_site}, 0) <= 0.001 or {age} is null then 'none' "
            f"when {age} > {limit} then 'over' when {age} > {NEAR_SHARE} * {limit} then 'near' else 'ok' end)")


def _band_props(band_sql: str) -> tuple[Property, ...]:
    label = "case " + " ".join(f"when {band_sql} = '{c}' then '{t}'" for c, t, _ in AGE_BANDS) + " end"
    hexes = "case " + " ".join(f"when {band_sql} = '{c}' then '{h}'" for c, _, h in AGE_BANDS) + " end"
    return (P("age_band", "string", "贮存期限状态", band_sql, description="over | near | ok | none"),
            P("age_band_label", "string", "贮存期限状态名称", label, queryable=False),
            P("age_band_hex", "string", "颜色值", hexes, queryable=False))


_LOCATED = "coalesce(e.geom, p.geom)"
_WHO = """left join enterprise e on e.credit_code = {code}
        left join waste_producer p on p.credit_code = {code}
        left join admin_area a on a.code = e.town_code"""


def _who(code: str) -> str:
    return _WHO.format(code=code)


def _who_props() -> tuple[Property, ...]:
    return (P("enterprise_id", "integer", "企业编号", "e.id", description="企业登记中无此信用代码时为空"),
            P("name", "string", "单位名称", "coalesce(e.name, p.name)"),
            P("town", "string", "属地（镇/街道）", "a.name"),
            P("located", "boolean", "有位置", f"({_LOCATED} is not null)"))


# ---- producers ---------------------------------------------------------------------------------

_PRODUCER_STOCK = """left join lateral (
        select sum(greatest(s.on_site_t, 0)) as on_site_t, sum(s.stock_t) as stock_t,
               max(s.oldest_age_days) as oldest_age_days, min(s.storage_limit_days) as storage_limit_days,
               sum(s.over_limit_t) as over_limit_t, sum(s.tonne_days) as tonne_days,
               count(*) filter (where s.oldest_age_days > s.storage_limit_days) as long_stored_codes,
               max(s.as_of) as as_of
        from waste_stock s where s.run_id = :run and s.credit_code = p.credit_code) st on true
    left join lateral (
        select count(*) as n, string_agg(f.text, '；' order by f.id) as text,
               string_agg(distinct f.code, ',') as codes
        from waste_finding f where f.run_id = :run and f.credit_code = p.credit_code) fd on true"""

PRODUCERS = Collection(
    id="waste-producers", title="危险废物产生单位（库存与贮存期限）", geometry_type="Point", item_label="危险废物产生单位",
    description="危险废物产生单位：登记的贮存能力、在库量、最早一批的贮存天数（FIFO）、超期量与问题数（当前运行）。",
    source=f"""waste_producer p
        left join enterprise e on e.credit_code = p.credit_code
        left join admin_area a on a.code = e.town_code""",
    derived=_PRODUCER_STOCK, key="p.credit_code", key_type="string", geometry=_LOCATED,
    properties=(
        P("credit_code", "string", "统一社会信用代码", "p.credit_code"),
        *_who_props(),
        P("storage_capacity_t", "number", "贮存能力（吨）", "p.storage_capacity_t"),
        P("plans", "array", "管理计划", "p.plans", items="object", queryable=False,
          description="[{year, waste_code, planned_t}]"),
        P("on_site_t", "number", "在库量（吨）", "round(coalesce(st.on_site_t, 0)::numeric, 3)::float8"),
        P("stock_t", "number", "账面库存（吨）", "round(coalesce(st.stock_t, 0)::numeric, 3)::float8"),
        P("oldest_age_days", "integer", "最早一批贮存天数", "st.oldest_age_days::integer"),
        P("storage_limit_days", "number", "贮存期限（天）", "st.storage_limit_days"),
        P("over_limit_t", "number", "超期量（吨）", "round(coalesce(st.over_limit_t, 0)::numeric, 3)::float8"),
        P("tonne_days", "number", "吨·天", "round(coalesce(st.tonne_days, 0)::numeric, 1)::float8"),
        P("long_stored_codes", "integer", "超期废物种数", "coalesce(st.long_stored_codes, 0)::integer"),
        *_band_props(_band("st.oldest_age_days", "st.storage_limit_days", "st.on_site_t")),
        P("findings_count", "integer", "问题数", "coalesce(fd.n, 0)::integer"),
        P("findings_text", "string", "问题（文字）", "fd.text"),
        P("finding_codes", "string", "问题代码", "fd.codes", description="逗号分隔"),
        P("as_of", "date", "核算日期", "st.as_of"),
        *run_properties(),
    ),
    filters=(TOWN,),
)

# ---- stock per enterprise and code, and the 动态清零 list ----------------------------------------


def _stock_props(*, rank: bool) -> tuple[Property, ...]:
    return (
        P("id", "string", "编号", "s.credit_code || ':' || s.waste_code", description="信用代码:废物代码"),
        *((P("rank", "integer", "清零排序", "s.clearance_rank", description="按 吨·天（贮存天数 × 数量）从大到小"),)
          if rank else (P("clearance_rank", "integer", "动态清零排序", "s.clearance_rank"),)),
        P("credit_code", "string", "统一社会信用代码", "s.credit_code"),
        *_who_props(),
        P("waste_code", "string", "废物代码", "s.waste_code"),
        P("hw_class", "string", "废物类别", "'HW' || right(s.waste_code, 2)"),
        *((P(c, "number", t, f"round(s.{c}::numeric, 3)::float8") for c, t in (
            ("opening_t", "期初库存（吨）"), ("generated_t", "产生量（吨）"), ("self_utilised_t", "自行利用（吨）"),
            ("self_disposed_t", "自行处置（吨）"), ("confirmed_t", "确认转出（吨）"), ("in_transit_t", "在途（吨）"),
            ("stock_t", "账面库存（吨）"))) if not rank else ()),
        P("on_site_t", "number", "在库量（吨）", "round(s.on_site_t::numeric, 3)::float8"),
        P("oldest_batch_date", "date", "最早一批入库日期", "s.oldest_batch_date"),
        P("oldest_age_days", "integer", "最早一批贮存天数", "s.oldest_age_days"),
        P("storage_limit_days", "number", "贮存期限（天）", "s.storage_limit_days"),
        P("long_stored", "boolean", "超期贮存", "coalesce(s.oldest_age_days > s.storage_limit_days, false)"),
        P("over_limit_t", "number", "超期量（吨）", "round(s.over_limit_t::numeric, 3)::float8"),
        P("tonne_days", "number", "吨·天", "round(s.tonne_days::numeric, 1)::float8"),
        P("operator", "boolean", "持证经营单位", "s.operator"),
        *_band_props(_band("s.oldest_age_days", "s.storage_limit_days", "s.on_site_t")),
        P("as_of", "date", "核算日期", "s.as_of"),
        *run_properties(),
    )


_STOCK_SOURCE = "waste_stock s " + _who("s.credit_code")

STOCK = Collection(
    id="waste-stock", title="危险废物库存（按单位和废物代码）", geometry_type="Point", item_label="库存记录",
    description="每个单位每种废物的物料衡算：期初 + 产生 − 确认转出 − 自行利用 − 自行处置 = 账面库存，"
                "减去在途为在库量；最早一批的贮存天数按先进先出（FIFO）计（当前运行）。",
    source=_STOCK_SOURCE, where="s.run_id = :run", key="s.credit_code || ':' || s.waste_code", key_type="string",
    geometry=_LOCATED, properties=_stock_props(rank=False),
    filters=(TOWN, Filter("waste_code", "text", "s.waste_code = :waste_code", "废物代码（如 900-249-08）")),
    default_sort=(("tonne_days", "desc"),),
)

CLEARANCE = Collection(
    id="waste-clearance", title="危险废物动态清零清单", geometry_type="Point", item_label="清零条目",
    description="在库危险废物按 吨·天（贮存天数 × 数量）从大到小排列，供动态清零专项行动逐项销号（当前运行）。",
    source=_STOCK_SOURCE, where="s.run_id = :run and s.clearance_rank is not null",
    key="s.credit_code || ':' || s.waste_code", key_type="string", geometry=_LOCATED,
    properties=_stock_props(rank=True), filters=(TOWN,), default_sort=(("rank", "asc"),),
)

# ---- manifests ---------------------------------------------------------------------------------

_ROWS = "waste_manifest_row r where r.manifest_id = m.id"
_FINDINGS = "waste_finding f where f.run_id = :run and f.manifest_no = m.manifest_no"

MANIFESTS = Collection(
    id="waste-manifests", title="危险废物转移联单", geometry_type="Point", item_label="联单",
    description="转移联单：状态、移出与接受单位、明细、接受量、是否重大差异、与电子运单的核对和联单问题"
                "（位置为移出单位；问题与运单核对为当前运行）。",
    source="waste_manifest m " + _who("m.generator_credit_code") + """
        left join waste_manifest_check mc on mc.run_id = :run and mc.manifest_id = m.id""",
    key="m.manifest_no", key_type="string", geometry=_LOCATED,
    properties=(
        P("manifest_no", "string", "联单编号", "m.manifest_no"),
        P("state", "string", "联单状态", "m.state"),
        P("transfer_date", "date", "转移日期", "m.transfer_date"),
        P("generator_credit_code", "string", "移出单位信用代码", "m.generator_credit_code"),
        P("generator_name", "string", "移出单位", "m.generator_name"),
        *_who_props()[:1], P("town", "string", "属地（镇/街道）", "a.name"),
        P("receiver_name", "string", "接受单位", "m.receiver_name"),
        P("receiver_licence_no", "string", "接受单位许可证编号", "m.receiver_licence_no"),
        P("carrier_name", "string", "承运单位", "m.carrier_name"),
        P("route_cities", "array", "途经城市", "m.route_cities", items="string"),
        P("rows", "array", "明细", f"""coalesce((select json_agg(json_build_object('waste_name', r.waste_name,
              'hw_class', r.hw_class, 'waste_code', r.waste_code, 'disposal_method', r.disposal_method,
              'quantity_t', r.quantity_t, 'received_t', r.received_t) order by r.line_no) from {_ROWS}), '[]'::json)""",
          items="object", queryable=False, description="[{waste_name, hw_class, waste_code, disposal_method, quantity_t, received_t}]"),
        P("waste_codes", "string", "废物代码", f"(select string_agg(r.waste_code, ',' order by r.line_no) from {_ROWS})"),
        P("quantity_t", "number", "转移量（吨）", f"(select round(sum(r.quantity_t)::numeric, 3)::float8 from {_ROWS})"),
        P("received_t", "number", "接受量（吨）", f"(select round(sum(r.received_t)::numeric, 3)::float8 from {_ROWS})"),
        P("receipt_date", "date", "接受日期", "m.receipt_date"),
        P("receiver_decision", "string", "接受意见", "m.receiver_decision"),
        P("major_discrepancy", "boolean", "存在重大差异", "m.major_discrepancy"),
        P("waybill_no", "string", "电子运单号", "m.waybill_no"),
        P("waybill_status", "string", "运单核对", "mc.waybill_status",
          description="matched | mismatch | not_found | unchecked | none（未核查的说明见 waybill_note）"),
        P("waybill_note", "string", "运单核对说明", "mc.waybill_note"),
        P("findings", "array", "联单问题", f"""coalesce((select json_agg(json_build_object('code', f.code, 'title', f.title,
              'text', f.text, 'rule', f.rule) order by f.id) from {_FINDINGS}), '[]'::json)""",
          items="object", queryable=False, description="[{code, title, text, rule}]"),
        P("findings_count", "integer", "问题数", f"(select count(*) from {_FINDINGS})::integer"),
        P("findings_text", "string", "问题（文字）", f"(select string_agg(f.text, '；' order by f.id) from {_FINDINGS})"),
        P("history", "array", "状态变更记录", "m.history", items="object", queryable=False,
          description="[{from_state, to_state, at, by, rule_id}]"),
        *run_properties(),
    ),
    filters=(TOWN, Filter("state", "text", "m.state = :state", "联单状态（如 运输中）")),
    default_sort=(("transfer_date", "desc"),), temporal="transfer_date",
)

# ---- licensed receivers ------------------------------------------------------------------------

FACILITIES = Collection(
    id="waste-facilities", title="危险废物经营单位（许可证）", geometry_type="Point", item_label="经营单位",
    description="危险废物经营许可证：经营范围（代码或类别）、规模与有效期（位置为企业登记点位；不在企业登记中的"
                "经营单位没有位置，几何为空）。",
    source="""waste_facility f left join enterprise e on e.credit_code = f.credit_code
        left join admin_area a on a.code = e.town_code""",
    key="f.licence_no", key_type="string", geometry="e.geom", run_scoped=False,
    ogc=False,  # a receiver outside the enterprise registry has no location: /api/v1 and exports only
    properties=(
        P("licence_no", "string", "许可证编号", "f.licence_no"),
        P("name", "string", "单位名称", "f.name"),
        P("credit_code", "string", "统一社会信用代码", "f.credit_code"),
        P("enterprise_id", "integer", "企业编号", "e.id"),
        P("town", "string", "属地（镇/街道）", "a.name"),
        P("admin_code", "string", "行政区划代码", "f.admin_code"),
        P("scope", "array", "经营范围", "f.scope", items="string"),
        P("scope_text", "string", "经营范围（文字）", "array_to_string(f.scope, '、')"),
        P("capacity_t_per_year", "number", "经营规模（吨/年）", "f.capacity_t_per_year"),
        P("valid_from", "date", "有效期起", "f.valid_from"),
        P("valid_until", "date", "有效期至", "f.valid_until"),
        P("valid_today", "boolean", "今日有效",
          "(f.valid_until >= current_date and (f.valid_from is null or f.valid_from <= current_date))"),
        P("located", "boolean", "有位置", "(e.geom is not null)"),
    ),
)

# ---- findings ----------------------------------------------------------------------------------

FINDINGS = Collection(
    id="waste-findings", title="危险废物问题清单", geometry_type="Point", item_label="问题",
    description="库存、管理计划与联单的每一项问题，写明依据规则和所用数据（当前运行；本地政策的规则注明）。",
    source="waste_finding f " + _who("f.credit_code"), where="f.run_id = :run",
    key="f.id", key_type="integer", geometry=_LOCATED,
    properties=(
        P("id", "integer", "编号", "f.id"),
        P("code", "string", "问题代码", "f.code"),
        P("title", "string", "问题", "f.title"),
        P("credit_code", "string", "统一社会信用代码", "f.credit_code"),
        *_who_props(),
        P("waste_code", "string", "废物代码", "f.waste_code"),
        P("manifest_no", "string", "联单编号", "f.manifest_no"),
        P("text", "string", "说明", "f.text"),
        P("rule", "string", "依据规则", "f.rule"),
        P("data", "object", "所用数据", "f.data", queryable=False),
        *run_properties(),
    ),
    filters=(TOWN, Filter("code", "text", "f.code = :code", "问题代码（如 WASTE_LONG_STORED）")),
)

COLLECTIONS = (PRODUCERS, STOCK, CLEARANCE, MANIFESTS, FACILITIES, FINDINGS)
