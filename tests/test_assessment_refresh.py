"""The refresh with assessed items and the hidden-danger ledger (issue 12 items 1–3, 7): coverage,
both scores and colours hand-computed on the small district of ``tests/test_refresh.py``.

The plant (液氯 30 t, 三级重大危险源, outside a park, a school within the required distance, one
乙类 unit) is known from the registry for 重大危险源 −6, 物质危险性 −2 (吸入性剧毒 1 种) and 周边环境
−10 (−3 −10, capped at 10); 火灾爆炸危险性 −0.5 (one 乙类 site) is counted but stays 未评估 while
明火比邻 is unknown: score 100 − 6 − 2 − 10 − 0.5 = 81.5, coverage (10 + 5 + 10) / 100 = 0.25.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from hazmap.config import load_settings
from hazmap.db.session import get_engine
from hazmap.refresh import run_refresh
from tests.test_refresh import _seed

DAY = dt.date(2026, 10, 15)


@pytest.fixture
def seeded(fresh_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    with get_engine(fresh_db_url).begin() as conn:
        ids = _seed(conn)
    return fresh_db_url, ids


def _assess(url, eid, code, points=None, met=None, on=DAY, evidence="现场检查记录"):
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("""
            insert into assessment_item (enterprise_id, item_code, points, met, source, evidence, assessed_by,
                                         assessed_on, row_hash)
            values (:e, :c, :p, :m, 'inspection', :ev, '王检查', :d, md5(random()::text))"""),
                     {"e": eid, "c": code, "p": points, "m": met, "ev": evidence, "d": on})


def _danger(url, eid, key, item, state="待整改", five=True):
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("""
            insert into hidden_danger (danger_key, enterprise_id, found_on, found_by, source, description, grade,
                                       major_item, measures, responsible, funds_yuan, deadline, plan, state)
            values (:k, :e, :f, '李检查', '部门检查', '测试隐患', '重大', :i, :m, :r, :fu, :dl, :pl, :s)"""),
                     {"k": key, "e": eid, "f": DAY, "i": item, "s": state,
                      "m": "整改措施" if five else None, "r": "张安全" if five else None,
                      "fu": 1000 if five else None, "dl": DAY + dt.timedelta(days=30) if five else None,
                      "pl": "专项预案" if five else None})


def _risk(url, eid):
    out = run_refresh(load_settings())
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text("select * from enterprise_risk where run_id = :r and enterprise_id = :e"),
                            {"r": out["run_id"], "e": eid}).one()


def test_registry_only_is_provisional_with_worst_red(seeded):
    url, ids = seeded
    r = _risk(url, ids["plant"])
    # 100 − 6 (三级) − 2 (剧毒) − 0.5 (乙类) − 3 (园区外) = 88.5: 外部安全防护距离 is met — 液氯 Σq/Q ≥ 1
    # sends it to QRA (GB/T 37243 第4章) and the targets' individual risk is below GB 36894's criteria
    # (tests/test_consequence_refresh.py); the local screening ring no longer decides the item
    assert (r.risk_score, r.risk_color) == (88.5, "yellow")
    assert r.assessment_coverage == 0.25 and r.provisional is True
    assert r.risk_color_worst == "red"
    assert {d["code"] for d in r.direct_red_unevaluated} == {
        "DR_UNTESTED_PROCESS", "DR_NO_DESIGN", "DR_SPECIAL_WORKERS", "DR_ACCIDENTS"}
    assert r.assessment["unassessed_points"] == 75
    assert "未评估 75 分" in r.assessment["summary"][1] and "最不利可能为红色" in r.assessment["summary"][1]


def test_partial_assessment_coverage_and_both_scores(seeded):
    url, ids = seeded
    p = ids["plant"]
    _assess(url, p, "PROCESSES", -2)
    _assess(url, p, "PROCESSES", -4, on=DAY + dt.timedelta(days=5))  # replaces the first; both rows stay
    _assess(url, p, "CONTROLS", -5)
    _assess(url, p, "PERSONNEL", 0)
    r = _risk(url, p)
    # 88.5 − 4 − 5 = 79.5 (yellow); coverage (25 + 10 + 10 + 15) / 100
    assert (r.risk_score, r.risk_color) == (79.5, "yellow")
    assert r.assessment_coverage == 0.6 and r.provisional is True
    # worst: −6 −2 −4 −5(火灾, full) −3(周边) −10(设计) −5(设备) −5 −0 −10(管理) −10(绩效) −10(未整改重大隐患) = −70
    assert r.risk_score_min == 30.0 and r.risk_color_worst == "red"
    assert r.assessment["unassessed_points"] == 40
    items = {i["code"]: i for i in r.assessment["items"]}
    assert items["PROCESSES"]["points"] == -4 and items["PROCESSES"]["status"] == "assessed"
    assert items["PROCESSES"]["at"] == (DAY + dt.timedelta(days=5)).isoformat()
    with get_engine(url).connect() as conn:
        assert conn.execute(sa.text("select count(*) from assessment_item where item_code = 'PROCESSES'")).scalar() == 2


def _complete(url, p):
    for code, pts in (("PROCESSES", -4), ("FIRE", -0.5), ("DESIGN", 0), ("EQUIPMENT", 0), ("CONTROLS", -5),
                      ("PERSONNEL", 0), ("MANAGEMENT", -2), ("PERFORMANCE", 0)):
        _assess(url, p, code, pts)
    for code in ("DR_UNTESTED_PROCESS", "DR_NO_DESIGN", "DR_SPECIAL_WORKERS", "DR_ACCIDENTS"):
        _assess(url, p, code, met=False)


def test_complete_assessment_gives_coverage_one_and_the_guides_colour(seeded):
    url, ids = seeded
    p = ids["plant"]
    _complete(url, p)
    r = _risk(url, p)
    # 100 − 6 − 2 − 4 − 0.5 − 3 (周边: 园区外; 外部安全防护距离 met by QRA) − 5 − 2 = 77.5 → yellow (75 ≤ s < 90)
    assert (r.risk_score, r.risk_color) == (77.5, "yellow")
    assert r.assessment_coverage == 1.0 and r.provisional is False
    assert r.direct_red_unevaluated == []
    # the local item 未整改重大事故隐患 (outside the guide's 100 points) is still unknown: worst 67.5, orange
    assert r.risk_score_min == 67.5 and r.risk_color_worst == "orange"
    assert r.assessment["summary"][1].startswith("评估完整：黄色")


def test_ledger_feeds_the_colour_and_a_2017_red_line_makes_it_red(seeded):
    url, ids = seeded
    p = ids["plant"]
    _complete(url, p)
    _danger(url, p, "HD1", 6, state="整改中")  # 121号第6项: no guide criterion, counts as unrectified 重大隐患
    r = _risk(url, p)
    assert (r.risk_score, r.risk_color) == (72.5, "orange")  # 77.5 − 5
    assert r.risk_score_min == 72.5
    _danger(url, p, "HD2", 2)  # 第2项 → 直接判定红色（三）特种作业人员, still 待整改
    r = _risk(url, p)
    assert r.risk_color == "red" and r.risk_score == 67.5  # 2 × −5
    assert r.reasons[0]["code"] == "DIRECT_RED" and "隐患台账" in r.reasons[0]["text"]
    with get_engine(url).begin() as conn:  # rectified and accepted → no longer counts
        conn.execute(sa.text("update hidden_danger set state = '已销号', accepted_on = :d, reviewer = '赵验收' "
                             "where danger_key in ('HD1', 'HD2')"), {"d": DAY})
    r = _risk(url, p)
    assert (r.risk_score, r.risk_color) == (77.5, "yellow")


def test_first_grade_major_hazard_unassessed_is_worst_red(seeded):
    url, ids = seeded
    with get_engine(url).begin() as conn:  # 液氯 500 t: S = 100, R = 1.5 × 4 × 100 = 600 → 一级
        conn.execute(sa.text("update inventory set quantity_t = 500"))
    r = _risk(url, ids["plant"])
    assert r.major_hazard_grade == 1
    assert (r.risk_score, r.risk_color) == (84.5, "yellow")  # 100 − 10 − 2 − 3 − 0.5 (distance met by QRA)
    assert r.provisional is True and r.risk_color_worst == "red"


def test_three_year_fatal_counts_do_not_make_it_red(seeded):
    url, ids = seeded
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("update enterprise set fatal_accidents_3y = 2, larger_accidents_3y = 0 where id = :e"),
                     {"e": ids["plant"]})
    r = _risk(url, ids["plant"])
    assert r.risk_color != "red"  # two fatal accidents in three years are not "two within one year"
    assert "DR_ACCIDENTS" in {d["code"] for d in r.direct_red_unevaluated}
    assert r.risk_color_worst == "red"


def test_departments_from_the_responsibility_table_and_the_registry(seeded):
    url, ids = seeded
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("update enterprise set department = '区应急管理局、区住建局' where id = :e"),
                     {"e": ids["plant"]})
        conn.execute(sa.text("""insert into admin_area (code, name, level, geom) values ('140502001001', '测试社区',
            'village', ST_Multi(ST_MakeEnvelope(112.84, 35.49, 112.86, 35.51, 4326)))"""))
    run_refresh(load_settings())
    with get_engine(url).connect() as conn:
        deps = {(r.enterprise_id, r.department): r for r in conn.execute(sa.text("select * from enterprise_department"))}
        places = dict(conn.execute(sa.text("select enterprise_id, village from enterprise_place")).all())
    plant = {d for e, d in deps if e == ids["plant"]}
    # registry (应急, 住建) + production → 应急 (RESP-01) + 液氯 is 剧毒 → 公安 (RESP-12)
    assert plant == {"区应急管理局", "区住建局", "区公安分局"}
    assert deps[(ids["plant"], "区应急管理局")].registered is True
    assert deps[(ids["plant"], "区公安分局")].rule_ids == ["RESP-12"]
    # the gas station: 应急 + 市场监管 + 商务 (RESP-03/05/14/15/16)
    assert {d for e, d in deps if e == ids["station"]} == {"区应急管理局", "区市场监管局", "区商务局"}
    assert places == {ids["plant"]: "测试社区"}
