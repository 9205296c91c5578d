"""ETL kinds ``assessments`` and ``hidden_dangers`` (issue 12 items 4, 5): the shipped templates load,
re-loading changes nothing, bad rows are rejected naming the field, and the colour follows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from hazmap.db.session import get_engine

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "data" / "templates"
CODE = "91140502MA0K8X3Y5L"  # the templates' enterprise

pytestmark = pytest.mark.postgis


@pytest.fixture
def url(fresh_db_url):
    with get_engine(fresh_db_url).begin() as conn:
        conn.execute(sa.text("""
            insert into enterprise (credit_code, name, stages, geocode_precision, geom)
            values (:c, '模板示例化工厂', '{production}', 'source', ST_SetSRID(ST_MakePoint(112.86, 35.50), 4326))"""),
                     {"c": CODE})
    return fresh_db_url


def _run(url, tmp_path, sources, refresh=False):
    from etl.run import Source, run_etl
    from hazmap.config import load_settings

    s = replace(load_settings(None, env={}), database_url=url)
    return run_etl(s, [Source(k, Path(p)) for k, p in sources], rejects_path=tmp_path / "rejects.csv",
                   refresh=refresh)


def test_templates_load_once_and_the_colour_follows(url, tmp_path):
    res = _run(url, tmp_path, [("assessments", TEMPLATES / "assessments.csv"),
                               ("hidden_dangers", TEMPLATES / "hidden_dangers.csv")], refresh=True)
    assert res.status == "succeeded", res.message
    assert res.counts["assessments"]["inserted"] == 1 and res.counts["hidden_dangers"]["inserted"] == 1
    with get_engine(url).connect() as conn:
        item = conn.execute(sa.text("select * from assessment_item")).one()
        hd = conn.execute(sa.text("select *, ST_X(geom) as lon from hidden_danger")).one()
        risk = conn.execute(sa.text("select * from enterprise_risk where run_id = :r"), {"r": res.run_id}).one()
    assert (item.item_code, item.points, item.source, item.assessed_by) == ("PERSONNEL", -5, "inspection", "王检查")
    assert (hd.grade, hd.major_item, hd.state, hd.funds_yuan) == ("重大", 5, "整改中", 86000)
    assert hd.src_crs == "cgcs2000" and abs(hd.lon - 112.8605) < 1e-6  # CGCS2000 ≈ WGS-84 at this precision
    items = {i["code"]: i for i in risk.assessment["items"]}
    assert items["PERSONNEL"]["status"] == "assessed" and items["PERSONNEL"]["points"] == -5
    # 121号第5项 → 紧急切断 −5 (CONTROLS, from the ledger) and one unrectified 重大隐患 −5
    assert items["CONTROLS"]["points"] == -5 and items["HIDDEN_DANGER"]["points"] == -5
    again = _run(url, tmp_path, [("assessments", TEMPLATES / "assessments.csv"),
                                 ("hidden_dangers", TEMPLATES / "hidden_dangers.csv")])
    assert again.counts["assessments"]["unchanged"] == 1 and again.counts["hidden_dangers"]["unchanged"] == 1
    with get_engine(url).connect() as conn:
        assert conn.execute(sa.text("select count(*) from assessment_item")).scalar() == 1


def test_bad_rows_are_rejected_naming_the_field(url, tmp_path):
    a = tmp_path / "assessments.csv"
    a.write_text("统一社会信用代码,评估项代码,评估项,扣分/得分,状态,来源,证据,评估人,评估日期\n"
                 f"{CODE},PERSONNEL,人员资质,-20,已评估,检查,证据,王检查,2026-10-15\n"
                 f"{CODE},NOPE,,-1,已评估,检查,证据,王检查,2026-10-15\n"
                 f"{CODE},DESIGN,设计与评估,0,已评估,检查,,王检查,2026-10-15\n"
                 "91140502MA0K8X3Y6X,DESIGN,设计与评估,0,已评估,检查,证据,王检查,2026-10-15\n"
                 f"{CODE},DESIGN,设计与评估,0,已评估,检查,设计文件齐全,王检查,2026-10-15\n", encoding="utf-8")
    h = tmp_path / "hidden_dangers.csv"
    h.write_text("统一社会信用代码,隐患地点,经度,纬度,坐标系,发现日期,发现人,来源,隐患描述,隐患等级,重大隐患判定项,"
                 "整改措施,整改责任人,整改资金(元),整改时限,应急预案,状态,整改完成日期,验收日期,验收人\n"
                 f"{CODE},罐区,,,,2026-09-01,李检查,部门检查,未设紧急切断,重大,5,加装切断阀,,,2026-10-31,,整改中,,,\n"
                 f"{CODE},罐区,,,,2026-09-01,李检查,部门检查,液位计损坏,一般,,更换,张三,100,2026-10-31,,待整改,,,\n",
                 encoding="utf-8")
    res = _run(url, tmp_path, [("assessments", a), ("hidden_dangers", h)])
    assert res.status == "succeeded", res.message
    fields = [(r.line, r.field) for r in res.rejects]
    assert (2, "扣分/得分") in fields  # 人员资质 deducts at most 15
    assert (3, "评估项代码") in fields
    assert (4, "证据") in fields
    assert (5, "统一社会信用代码") in fields  # not registered (or invalid)
    assert (2, "五落实") in fields  # a 重大 hidden danger left 待整改 without 责任、资金、预案
    assert res.counts["assessments"]["inserted"] == 1 and res.counts["hidden_dangers"]["inserted"] == 1
    msg = next(r.reason for r in res.rejects if r.field == "五落实")
    assert "责任" in msg and "资金" in msg and "预案" in msg


def test_inspectors_template_loads(url, tmp_path):
    res = _run(url, tmp_path, [("inspectors", TEMPLATES / "inspectors.csv")])
    assert res.status == "succeeded" and res.counts["inspectors"]["inserted"] == 2
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.text("select inspector_key, department, recused_credit_codes from inspector "
                                    "order by 1")).all()
    assert rows == [("JC-001", "区应急管理局", []), ("JC-002", "区应急管理局", [CODE])]
    assert _run(url, tmp_path, [("inspectors", TEMPLATES / "inspectors.csv")]).counts["inspectors"]["unchanged"] == 2
