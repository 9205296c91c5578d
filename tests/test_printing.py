"""The PDFs: the map sheet (``GET /print/map.pdf`` with the map's filters) and the 选址初筛意见
(``POST /api/v1/siting/report.pdf``, the renderer :func:`webmap.printing.siting_pdf` shared with the
API's ``format=pdf``), opened with pypdf and read for their Chinese text."""

from __future__ import annotations

import io

import pytest

from tests.test_web_api import client, web_db  # noqa: F401 - fixtures

pytestmark = pytest.mark.postgis


def _text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")


def test_map_sheet_pdf_with_filters(client):  # noqa: F811
    r = client.get("/print/map.pdf?risk=red,orange&town=东街街道")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    t = _text(r.data)
    for text in ("危险化学品安全风险分布图", "图例", "重大风险", "较大风险", "筛选条件", "风险：重大风险、较大风险",
                 "属地：东街街道", "数据版本", "运行#2", "审图号", "北", "出图时间", "东街街道"):
        assert text in t, text
    # the seed's filter keeps enterprises 1 (red) and 2 (orange): "1 家" each in the legend, 2 drawn
    assert "重大风险1家" in t and "较大风险1家" in t and "一般风险0家" in t and "图中企业2家" in t
    # the scale bar: a round number of metres or kilometres
    assert "米" in t or "千米" in t


def test_map_sheet_rejects_bad_filters_in_chinese(client):  # noqa: F811
    r = client.get("/print/map.pdf?risk=purple")
    assert r.status_code == 400 and "未知风险颜色" in r.get_data(as_text=True)


def test_siting_opinion_pdf_cites_rules_distances_version_and_who_asked(web_db):  # noqa: F811
    from tests.helpers import as_user
    from tests.test_web_api import make_app

    app = make_app(web_db)
    c = app.test_client()
    body = {"location": {"lon": 112.8505, "lat": 35.5005, "crs": "wgs84"}, "facility_type": "危化品仓库",
            "stage": "storage", "in_chemical_park": False, "size": {"class_a_34_t": 3},
            "inventory": [{"chemical": "液氯", "quantity_t": 20, "unit": "storage"}]}
    r = c.post("/api/v1/siting/report.pdf", json=body)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    t = _text(r.data)
    for text in ("选址初筛意见", "拟建项目", "经度112.850500", "危化品仓库", "初筛结论", "初筛发现距离不足", "储存", "是否位于化工园区", "否",
                 "甲类第3、4项物品储量3", "外部安全防护距离的确定方法", "定量风险评价法", "化工园区",
                 "重大危险源辨识", "所需防护距离及依据", "GB", "东街第一小学", "数据版本", "运行#2", "申请人",
                 "运维人员"):
        assert text in t, text
    # 东街第一小学 is ≈ 71 m from the candidate — listed with its distance in metres
    assert "米" in t
    audit = as_user(app, "operator")  # a second operator reads the audit: the check was recorded
    page = audit.test_client().get("/console/audit?action=siting_check").get_data(as_text=True)
    assert "选址核查" in page and "格式：PDF 文件" in page
    bad = c.post("/api/v1/siting/report.pdf", json={"location": {"lon": 1, "lat": 2}, "inventory": []})
    assert bad.status_code == 400 and bad.is_json


def test_siting_check_format_pdf_is_the_opinion_of_the_same_check(web_db):  # noqa: F811
    """``POST /api/v1/siting/check?format=pdf``: the 选址初筛意见 of the very check the JSON answer
    gives — its verdict, the rule it rests on (the rule the verdict names, cited by its standard and
    clause: the PDF names rules by their text, not by their id) and the data version."""
    from tests.test_web_api import make_app

    c = make_app(web_db).test_client()
    body = {"location": {"lon": 112.8505, "lat": 35.5005, "crs": "wgs84"}, "facility_type": "危化品仓库",
            "stage": "storage", "in_chemical_park": False, "size": {"class_a_34_t": 3},
            "inventory": [{"chemical": "液氯", "quantity_t": 20, "unit": "storage"}]}
    check = c.post("/api/v1/siting/check", json=body).get_json()
    r = c.post("/api/v1/siting/check?format=pdf", json=body)
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert "attachment" in r.headers["Content-Disposition"]
    t = _text(r.data)
    verdict = check["verdict"]
    assert verdict["decision"] == "shortfall" and verdict["label"] == "初筛发现距离不足"
    assert "初筛结论" + verdict["label"] in t
    # the rule the verdict rests on (its id in the JSON answer), cited in the PDF by its text
    rule = verdict["rule"]
    (cited,) = {d["rule_text"] for d in check["required_distances"] + check["conflicts"] if d["rule"] == rule}
    assert cited.replace(" ", "") in t, (rule, cited)
    assert any(d["rule_text"].replace(" ", "") in t for d in check["required_distances"] if d["rule"] != rule)
    # the conflicting target with its distance, as in the JSON answer
    first = check["conflicts"][0]
    assert first["name"] in t and f"{first['distance_m']:.1f}米" in t
    # the data version: the current run (2 in the seed: finished 2026-02-01 09:10 Beijing time)
    assert "数据版本：运行#2；数据截至2026-02-0109:10（北京时间）" in t
    bad = c.post("/api/v1/siting/check?format=docx", json=body)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "format"


def test_leaders_cannot_ask_for_a_siting_opinion(web_db):  # noqa: F811
    from tests.helpers import as_user
    from webmap import create_app

    c = as_user(create_app({"TESTING": True, "DATABASE_URL": web_db}), "leader").test_client()
    assert c.post("/api/v1/siting/report.pdf", json={}).status_code == 403
    assert c.get("/print/map.pdf").status_code == 200
