"""The operator console through a real login session: users (add, disable, enable, reset token —
POST with the CSRF token), the audit log (search, paging, Beijing time, Chinese labels), and a
run's rejected rows viewed and downloaded (formula injection neutralised)."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from tests.helpers import make_user
from tests.pages_helpers import Page, foreign_words
from tests.test_web_api import seed

pytestmark = pytest.mark.postgis


@pytest.fixture
def console(fresh_db_url):
    from hazmap.config import load_settings
    from webmap import create_app

    seed(fresh_db_url)
    s = load_settings(env={}, overrides={"database_url": fresh_db_url, "secure_cookies": False})
    app = create_app({"TESTING": True}, settings=s)
    user = make_user(fresh_db_url, "operator", password="控制台-密码-1")
    c = app.test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
    r = c.post("/login", data={"name": user["name"], "password": "控制台-密码-1", "csrf_token": csrf, "next": "/console"})
    assert r.status_code == 302 and r.headers["Location"] == "/console"
    return c, user, fresh_db_url


def _csrf(c) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', c.get("/console/users").get_data(as_text=True)).group(1)


def _api(c, token, path="/api/v1/stats"):
    return c.get(path, headers={"Authorization": f"Bearer {token}"}).status_code


def test_user_management_in_the_browser(console):
    c, me, url = console
    assert c.post("/console/users", data={"name": "李规划", "role": "planner"}).status_code == 400  # no CSRF token
    csrf = _csrf(c)
    page = c.post("/console/users", data={"name": "李规划", "role": "planner", "csrf_token": csrf}).get_data(as_text=True)
    token = re.search(r"接口令牌：<code>(hzm_[^<]+)</code>", page).group(1)
    assert "已开设账号 李规划（规划人员）" in page and _api(c, token) == 200
    dup = c.post("/console/users", data={"name": "李规划", "role": "planner", "csrf_token": csrf})
    assert dup.status_code == 400 and "用户 李规划 已存在" in dup.get_data(as_text=True)
    assert c.post("/console/users/李规划/disable", data={"csrf_token": csrf}).status_code == 303
    assert _api(c, token) == 401  # disabled: the token stops at once
    assert "已停用" in c.get("/console/users").get_data(as_text=True)
    assert c.post("/console/users/李规划/enable", data={"csrf_token": csrf}).status_code == 303
    assert _api(c, token) == 200
    page = c.post("/console/users/李规划/reset-token", data={"csrf_token": csrf}).get_data(as_text=True)
    new = re.search(r"新令牌（仅显示一次）：<code>(hzm_[^<]+)</code>", page).group(1)
    assert _api(c, token) == 401 and _api(c, new) == 200
    own = c.post(f"/console/users/{me['name']}/disable", data={"csrf_token": csrf})
    assert own.status_code == 400 and "不能停用当前登录的账号" in own.get_data(as_text=True)
    text = Page(c.get("/console/users").get_data(as_text=True)).visible_text()
    assert foreign_words(text, ignore=(me["name"],)) == []


def test_audit_is_searchable_paged_in_beijing_time_with_chinese_actions(console):
    c, me, url = console
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        conn.execute(sa.text("""insert into audit_log (at, user_name, role, action, detail, ip)
            select timestamptz '2026-03-01 00:30:00+00' + g * interval '1 minute', '王分析', 'analyst', 'export',
                   cast('{"layer": "enterprises", "format": "csv", "filters": {"risk": ["red"]}}' as jsonb), '10.0.0.' || g
            from generate_series(1, 60) g"""))
    eng.dispose()
    page = c.get("/console/audit?q=王分析").get_data(as_text=True)
    text = Page(page).visible_text()
    assert "共 60 条，第 1 / 2 页" in text
    # 2026-03-01 01:30 UTC (g = 60) is 09:30 Beijing time, newest first
    assert "2026-03-01 09:30:00 王分析 分析人员 导出数据 图层：涉危企业（四色分级）；格式：CSV 表格；筛选条件：风险颜色 重大风险" in text
    assert "下一页" in page
    second = Page(c.get("/console/audit?q=王分析&page=2").get_data(as_text=True)).visible_text()
    assert "第 2 / 2 页" in second and "2026-03-01 08:31:00" in second  # g = 1: the oldest
    logins = c.get("/console/audit?action=login").get_data(as_text=True)
    body = logins[logins.index('<table class="hz-table" id="hz-audit">'):]
    actions = re.findall(r"<tr><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>", body)
    assert actions and set(actions) == {"登录"}  # the operator's own login, in Chinese
    assert "共 60 条" in c.get("/audit?q=王分析").get_data(as_text=True)  # the old address shows the same page


def test_audit_of_the_maps_export_links_reads_in_chinese(console):
    """The map's export links (CSV with labels=zh, GeoJSON and GeoPackage without) are audited with
    every option they carry; the audit page says each in Chinese (列名：中文列名, not labels zh)."""
    c, me, url = console
    for query in ("format=csv&labels=zh&risk=red,orange&bbox=112.8,35.45,112.92,35.56", "format=geojson&risk=red",
                  "format=gpkg&town=东街街道"):
        with c.get(f"/api/v1/enterprises?{query}") as r:
            assert r.status_code == 200 and r.data
    text = Page(c.get("/console/audit?action=export").get_data(as_text=True)).visible_text()
    assert "列名：中文列名" in text and "列名：字段代码" in text and "格式：GeoPackage 文件" in text
    assert foreign_words(text, ignore=(me["name"],)) == []


def test_rejected_rows_viewed_and_downloaded_with_formulas_neutralised(console, tmp_path):
    c, me, url = console
    rejects = tmp_path / "rejects-9.csv"
    with rejects.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["源文件", "行号", "字段", "值", "原因"])
        w.writerow(["yingji.csv", 7, "统一社会信用代码", "=HYPERLINK(\"http://evil.example\",\"点我\")", "校验位错误"])
        w.writerow(["yingji.csv", 9, "数量", "-5", "数量应大于 0"])
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        conn.execute(sa.text("""insert into run (id, kind, status, finished_at, files, counts, rejects_path) values
            (9, 'etl', 'succeeded', now(), cast(:f as jsonb), cast(:c as jsonb), :p)"""),
            {"f": '[{"kind": "enterprises", "file": "yingji.csv", "rows": 120, "sha256": "ab"}]',
             "c": '{"enterprises": {"read": 120, "inserted": 100, "updated": 10, "unchanged": 8, "rejected": 2}}',
             "p": str(rejects)})
    eng.dispose()
    runs = Page(c.get("/console").get_data(as_text=True)).visible_text()
    assert "#9 数据导入 成功" in runs and "涉危企业 yingji.csv 120 2 读取 120；新增 100；更新 10；未变 8；拒收 2" in runs
    view = c.get("/console/runs/9/rejects").get_data(as_text=True)
    assert "<td>=HYPERLINK(&#34;http://evil.example&#34;,&#34;点我&#34;)</td>" in view and "校验位错误" in view
    dl = c.get("/console/runs/9/rejects.csv")
    assert dl.mimetype == "text/csv" and "rejects-9.csv" in dl.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(dl.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][3] == "'=HYPERLINK(\"http://evil.example\",\"点我\")" and rows[2][3] == "'-5"
    assert c.get("/console/runs/99/rejects").status_code == 404


def test_csv_exports_neutralise_formula_injection(fresh_db_url):
    from hazmap.export import csv_safe
    from tests.test_web_api import make_app

    assert [csv_safe(v) for v in ("=1+1", "+86 356", "-A1", "@SUM(A1)", "\tx", "城区", -6, 3.5, None)] == \
        ["'=1+1", "'+86 356", "'-A1", "'@SUM(A1)", "'\tx", "城区", -6, 3.5, None]
    seed(fresh_db_url)
    eng = sa.create_engine(fresh_db_url)
    with eng.begin() as conn:
        conn.execute(sa.text("update enterprise set name = '=cmd|'' /C calc''!A0' where id = 1"))
    eng.dispose()
    body = make_app(fresh_db_url).test_client().get("/api/v1/enterprises?format=csv").get_data(as_text=True)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(body.lstrip("\ufeff")))}
    assert rows["1"]["name"] == "'=cmd|' /C calc'!A0" and rows["2"]["name"] == "晋城市橙光加油站"
    assert float(rows["1"]["risk_score"]) == 52.0  # numbers are data, untouched (no quote prefix)


def test_a_run_without_a_live_process_reads_as_interrupted(console):
    """A run recorded 'running' while no session holds the runs' lock was killed: the console says 已中断
    at once; while a session holds the lock it stays 运行中."""
    from geo.postgis.runs import RUN_LOCK_KEY
    from hazmap.db.session import get_engine

    c, _, url = console
    eng = get_engine(url)
    with eng.begin() as conn:
        rid = conn.execute(sa.text("insert into run (kind, status, started_at) values ('etl', 'running', now()) "
                                   "returning id")).scalar()

    def row_status():
        page = c.get("/console").get_data(as_text=True)
        row = re.search(rf"#{rid}\b.*?</tr>", page, re.S)
        assert row, page[:500]
        return row.group(0)

    assert "已中断" in row_status() and "运行中" not in row_status()
    with eng.connect() as holder:  # a live run holds the lock in its transaction
        with holder.begin():
            holder.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": RUN_LOCK_KEY})
            assert "运行中" in row_status() and "已中断" not in row_status()
