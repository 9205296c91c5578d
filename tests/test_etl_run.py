"""ETL end to end against a real PostGIS (``fresh_db_url``): the demo files, a messy fixture,
idempotence, atomicity (injected failure, SIGKILL), aborts, the advisory lock and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo import credit_code
from geo.crs import wgs84_to_bd09, wgs84_to_gcj02

REPO = Path(__file__).resolve().parent.parent
DEMO_CONFIG = REPO / "data" / "demo-etl.toml"

pytestmark = pytest.mark.postgis


def _settings(url, config=DEMO_CONFIG):
    from hazmap.config import load_settings

    return replace(load_settings(config, env={}), database_url=url)


def _run(url, tmp_path, *, config=DEMO_CONFIG, cli_sources=(), **kw):
    from etl.run import run_etl, sources_from

    s = _settings(url, config)
    kw.setdefault("rejects_path", tmp_path / "rejects.csv")
    kw.setdefault("refresh", False)
    return run_etl(s, sources_from(s, cli_sources), **kw)


def _engine(url):
    from hazmap.db.session import get_engine

    return get_engine(url)


def _snapshot(url) -> dict:
    q = {
        "enterprise": "select credit_code, row_hash, ST_AsText(geom) from enterprise order by 1",
        "hazard_unit": "select unit_key, row_hash from hazard_unit order by 1",
        "inventory": "select u.unit_key, i.chemical_id, i.quantity_t from inventory i "
                     "join hazard_unit u on u.id = i.hazard_unit_id order by 1, 2",
        "protection_target": "select target_key, row_hash from protection_target order by 1",
        "pipeline": "select pipeline_key, row_hash from pipeline order by 1",
        "admin_area": "select code, row_hash from admin_area order by 1",
        "gazetteer_entry": "select normalised, precision from gazetteer_entry order by 1, 2",
    }
    with _engine(url).connect() as conn:
        return {k: [tuple(r) for r in conn.execute(sa.text(v))] for k, v in q.items()}


def _runs(url) -> list:
    with _engine(url).connect() as conn:
        return list(conn.execute(sa.text("select id, status, counts, files, message from run order by id")))


def _read_rejects(path) -> list[dict]:
    raw = Path(path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "rejects report must be UTF-8 with BOM"
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows == [] or list(rows[0]) == ["源文件", "行号", "字段", "值", "原因", "级别"]
    return rows


# ---------------------------------------------------------------------------------------------
def test_demo_loads_reports_bad_rows_and_is_idempotent(fresh_db_url, tmp_path):
    res = _run(fresh_db_url, tmp_path)
    assert res.status == "succeeded" and res.exit_code == 0
    c = res.counts
    assert c["enterprises"]["inserted"] >= 150
    assert c["hazard_units"]["inserted"] >= 40
    assert c["targets"]["inserted"] >= 300
    assert c["areas"]["inserted"] >= 5 and c["pipelines"]["inserted"] == 2
    assert c["gazetteer"]["inserted"] > 100

    rejects = _read_rejects(res.rejects_path)
    by = {(r["源文件"], r["字段"]): r for r in rejects}

    def has(file, field, reason_part):
        return any(r["源文件"] == file and r["字段"] == field and reason_part in r["原因"] for r in rejects), \
            (file, field, reason_part, by)

    checks = [
        ("enterprises_gongxin.csv", "统一社会信用代码", "校验位"),
        ("enterprises_gongxin.csv", "经度/纬度", "中国境内"),
        ("enterprises_gongxin.csv", "地址", "地址无法匹配"),
        ("enterprises_gongxin.csv", "坐标系", "未声明坐标系"),
        ("enterprises_jiaotong_gb18030.csv", "统一社会信用代码", "enterprises_yingji.csv"),
        ("hazard_units.csv", "化学品名称", "不在目录"),
        ("hazard_units.csv", "设计最大量", "大于0"),
        ("hazard_units.csv", "化学品名称", "多个目录条目"),
    ]
    for args in checks:
        ok, info = has(*args)
        assert ok, info
    assert all(r["行号"].isdigit() for r in rejects)

    # address-only enterprises were geocoded, with precision and score
    with _engine(fresh_db_url).connect() as conn:
        geo = conn.execute(sa.text("""select geocode_precision, geocode_score from enterprise
                                       where geocode_precision <> 'source'""")).all()
        assert len(geo) >= 5
        assert all(p in ("address_point", "road", "poi", "village", "town", "district") for p, _ in geo)
        assert all(s is not None and s >= 80 for _, s in geo)
        src = conn.execute(sa.text("select count(*) from enterprise where geocode_precision = 'source' "
                                   "and src_crs is not null and src_x is not null")).scalar()
        assert src >= 140
        assert conn.execute(sa.text("select count(*) from enterprise where town_code is null")).scalar() == 0

    run = _runs(fresh_db_url)[-1]
    assert run.status == "succeeded"
    assert {f["file"] for f in run.files} >= {"enterprises_yingji.csv", "hazard_units.csv"}
    assert all(len(f["sha256"]) == 64 for f in run.files)
    assert run.counts["enterprises"]["rejected"] >= 5

    before = _snapshot(fresh_db_url)
    res2 = _run(fresh_db_url, tmp_path, rejects_path=tmp_path / "r2.csv")
    assert res2.status == "succeeded"
    for kind in ("areas", "gazetteer", "enterprises", "hazard_units", "targets", "pipelines"):
        k = res2.counts[kind]
        assert k["inserted"] == k["updated"] == k["removed"] == 0, (kind, k)
        assert k["unchanged"] > 0
    assert _snapshot(fresh_db_url) == before


def test_injected_failure_leaves_data_exactly_as_before(fresh_db_url, tmp_path, monkeypatch):
    _run(fresh_db_url, tmp_path)
    before = _snapshot(fresh_db_url)

    import etl.load

    def boom(*a, **k):
        raise RuntimeError("注入的故障")

    monkeypatch.setattr(etl.load, "load_units", boom)
    # change a file so the run would write something before the failure
    src = (REPO / "data/demo/enterprises_yingji.csv").read_text(encoding="utf-8-sig")
    changed = tmp_path / "enterprises_yingji.csv"
    changed.write_text(src.replace("区应急管理局", "区应急局"), encoding="utf-8-sig")
    cfg = tmp_path / "etl.toml"
    cfg.write_text(textwrap.dedent(f"""
        [sources]
        areas = ["{REPO}/data/demo/areas.geojson"]
        gazetteer = ["{REPO}/data/demo/gazetteer.csv"]
        enterprises = ["{changed}"]
        hazard_units = ["{REPO}/data/demo/hazard_units.csv"]
    """), encoding="utf-8")
    with pytest.raises(RuntimeError, match="注入的故障"):
        _run(fresh_db_url, tmp_path, config=cfg)
    assert _snapshot(fresh_db_url) == before
    last = _runs(fresh_db_url)[-1]
    assert last.status == "failed" and "注入的故障" in last.message


def test_all_rejected_file_aborts_with_status_2(fresh_db_url, tmp_path):
    from click.testing import CliRunner

    from hazmap.cli import cli

    _run(fresh_db_url, tmp_path)
    before = _snapshot(fresh_db_url)
    bad = tmp_path / "bad.csv"
    bad.write_text("统一社会信用代码,企业名称,环节,经度,纬度,坐标系\n"
                   "123,坏企业一,生产,112.85,35.5,wgs84\n"
                   "91140502XXXXXXXXX0,坏企业二,生产,112.85,35.5,wgs84\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["etl", "run", "--source", f"enterprises={bad}",
                                 "--rejects", str(tmp_path / "rj.csv")],
                           env={"DATABASE_URL": fresh_db_url, "HAZMAP_CONFIG": ""})
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert "全部被拒绝" in r.output
    assert _snapshot(fresh_db_url) == before
    assert _runs(fresh_db_url)[-1].status == "aborted"
    assert len(_read_rejects(tmp_path / "rj.csv")) == 2

    # an unreadable file aborts too, with one Chinese line and no traceback
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    r = CliRunner().invoke(cli, ["etl", "run", "--source", f"enterprises={junk}"],
                           env={"DATABASE_URL": fresh_db_url, "HAZMAP_CONFIG": ""})
    assert r.exit_code == 2 and "Traceback" not in r.output and "无法读取" in r.output
    assert _snapshot(fresh_db_url) == before
    last = _runs(fresh_db_url)[-1]
    assert last.status == "aborted" and "无法读取" in last.message


def test_advisory_lock_blocks_a_second_run(fresh_db_url, tmp_path):
    from click.testing import CliRunner

    from hazmap.jobs import RUN_LOCK_KEY
    from hazmap.cli import cli

    eng = sa.create_engine(fresh_db_url)
    with eng.connect() as other:
        assert other.execute(sa.text("select pg_try_advisory_lock(:k)"), {"k": RUN_LOCK_KEY}).scalar()
        r = CliRunner().invoke(cli, ["etl", "run", "--config", str(DEMO_CONFIG),
                                     "--rejects", str(tmp_path / "r.csv")],
                               env={"DATABASE_URL": fresh_db_url, "HAZMAP_CONFIG": ""})
        other.execute(sa.text("select pg_advisory_unlock(:k)"), {"k": RUN_LOCK_KEY})
    eng.dispose()
    assert r.exit_code == 2
    assert "正在运行" in r.output
    assert _snapshot(fresh_db_url)["enterprise"] == []


def test_cli_demo_run_prints_summary(fresh_db_url, tmp_path):
    from click.testing import CliRunner

    from hazmap.cli import cli

    rj = tmp_path / "r.csv"
    r = CliRunner().invoke(cli, ["etl", "run", "--config", str(DEMO_CONFIG), "--rejects", str(rj)],
                           env={"DATABASE_URL": fresh_db_url, "HAZMAP_CONFIG": ""})
    assert r.exit_code == 0, r.output
    assert "已提交" in r.output and str(rj) in r.output and "企业" in r.output
    assert len(_read_rejects(rj)) >= 8


def _listed_status(url) -> tuple[str, str | None]:
    """The newest run as /api/v1/runs lists it: (status, Chinese message)."""
    from geo.postgis.collections.summaries import runs

    with _engine(url).connect() as conn:
        newest = runs(conn, limit=1)["runs"][0]
    return newest["status"], newest["message"]


def test_sigkill_during_load_changes_nothing(fresh_db_url, tmp_path):
    _run(fresh_db_url, tmp_path)
    before = _snapshot(fresh_db_url)
    changed = tmp_path / "enterprises_yingji.csv"
    changed.write_text((REPO / "data/demo/enterprises_yingji.csv").read_text(encoding="utf-8-sig")
                       .replace("区应急管理局", "区应急局"), encoding="utf-8-sig")
    marker = tmp_path / "loaded"
    script = tmp_path / "load.py"
    script.write_text(textwrap.dedent(f"""
        import time
        from dataclasses import replace
        from pathlib import Path
        from hazmap.config import load_settings
        from etl.run import Source, run_etl

        s = replace(load_settings(None, env={{}}), database_url={fresh_db_url!r})
        def hook(stage):
            if stage == "after_enterprises":
                Path({str(marker)!r}).write_text("x")
                time.sleep(60)
        run_etl(s, [Source("enterprises", Path({str(changed)!r}))], refresh=False,
                rejects_path=Path({str(tmp_path / "k.csv")!r}), _hook=hook)
    """), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], cwd=REPO)
    try:
        deadline = time.time() + 30
        while not marker.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert marker.exists(), "the load never reached the hook"
        assert _listed_status(fresh_db_url) == ("running", "ETL 导入正在运行")  # alive: it holds the run lock
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _snapshot(fresh_db_url) == before
    # dead: its row still says 'running', but no session holds the lock any more → interrupted at once
    deadline = time.time() + 15  # the server ends the session when it reads EOF on the socket
    while _listed_status(fresh_db_url)[0] == "running" and time.time() < deadline:
        time.sleep(0.1)
    status, message = _listed_status(fresh_db_url)
    assert status == "interrupted" and "已中断" in message and "数据未作任何修改" in message
    assert _runs(fresh_db_url)[-1].status == "running"  # as recorded, until the next run closes it
    # the lock died with the session: the next run goes through
    res = _run(fresh_db_url, tmp_path, rejects_path=tmp_path / "after.csv")
    assert res.status == "succeeded"
    statuses = [r.status for r in _runs(fresh_db_url)]
    assert statuses == ["succeeded", "failed", "succeeded"]  # the killed run is closed as failed


# ---- a messy fixture: encodings, full-width digits, Excel dates, blank rows, CRSs -----------

def _code(i: int) -> str:
    return credit_code.make(f"91140502MA0K{i:04d}X")


ORIGIN = (112.8500, 35.5000)


def _offset(i):
    return ORIGIN[0] + 0.003 * i, ORIGIN[1] + 0.002 * i


def _write_messy(tmp_path) -> Path:
    import openpyxl
    from pyproj import Transformer

    gk = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    d = tmp_path / "messy"
    d.mkdir()
    # gazetteer: UTF-8 with BOM
    (d / "gaz.csv").write_text(
        "地址,经度,纬度,坐标系,类型\n"
        "山西省晋城市城区测试路12号,112.8600000,35.5100000,wgs84,门牌\n"
        "山西省晋城市城区测试路,112.8610000,35.5110000,wgs84,道路\n", encoding="utf-8-sig")
    header = "统一社会信用代码,企业名称,环节,地址,经度,纬度,坐标系,有效期至,多余列\n"
    rows = []
    lon, lat = _offset(1)
    gx, gy = wgs84_to_gcj02(lon, lat)
    rows.append(f"{_code(1)},火星坐标企业,生产、储存,,{gx:.9f},{gy:.9f},gcj02,2030-01-01,x")
    lon, lat = _offset(2)
    bx, by = wgs84_to_bd09(lon, lat)
    rows.append(f"{_code(2)},百度坐标企业,经营(带储存)/运输,,{bx:.9f},{by:.9f},bd09,2030/1/1,y")
    rows.append(",,,,,,,,")  # blank row
    lon, lat = _offset(3)
    ex, ny = gk.transform(lon, lat)
    rows.append(f"{_code(3)},高斯克吕格企业,使用;装卸,,{ex:.3f},{ny:.3f},EPSG:4547,2020-01-01,z")
    fw = _code(4).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows.append(f"{fw},地址企业,trade,山西省晋城市城区测试路１２号院,,,,,")
    rows.append(f"{_code(5)},未知环节企业,炼丹,,112.85,35.5,wgs84,,")
    (d / "ent_gb.csv").write_bytes((header + "\n".join(rows) + "\n").encode("gb18030"))
    # XLSX: a real date cell, a serial number date, a number that looks like a code
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "环节", "经度", "纬度", "坐标系", "有效期至", "三年内死亡事故"])
    ws.append([_code(6), "表格企业甲", "储存", 112.86, 35.51, "cgcs2000", dt.datetime(2031, 5, 6), 0])
    ws.append([None, None, None, None, None, None, None, None])
    ws.append([_code(7), "表格企业乙", "废弃处置", 112.87, 35.52, "wgs84", 47000, 1])
    wb.save(d / "ent.xlsx")
    cfg = d / "etl.toml"
    cfg.write_text(textwrap.dedent("""
        [sources]
        gazetteer = ["gaz.csv"]
        enterprises = ["ent_gb.csv", "ent.xlsx"]
    """), encoding="utf-8")
    return cfg


def test_messy_fixture_conversions_geocoding_and_dry_run(fresh_db_url, tmp_path):
    cfg = _write_messy(tmp_path)

    dry = _run(fresh_db_url, tmp_path, config=cfg, dry_run=True, rejects_path=tmp_path / "dry.csv")
    assert dry.status == "dry_run" and dry.exit_code == 0
    assert _snapshot(fresh_db_url)["enterprise"] == [] and _runs(fresh_db_url) == []
    assert any("未知环节" in r["原因"] for r in _read_rejects(tmp_path / "dry.csv"))

    res = _run(fresh_db_url, tmp_path, config=cfg)
    assert res.status == "succeeded"
    assert res.counts["enterprises"]["inserted"] == 6
    rejects = _read_rejects(res.rejects_path)
    assert [(r["源文件"], r["行号"], r["字段"]) for r in rejects] == [("ent_gb.csv", "7", "环节")]
    with _engine(fresh_db_url).connect() as conn:
        rows = {r.name: r for r in conn.execute(sa.text("""
            select name, stages, src_crs, src_x, geocode_precision, geocode_score, licence_expiry,
                   fatal_accidents_3y,
                   ST_Distance(geog, geography(ST_SetSRID(ST_MakePoint(:x1, :y1), 4326))) as d1,
                   ST_Distance(geog, geography(ST_SetSRID(ST_MakePoint(:x2, :y2), 4326))) as d2,
                   ST_Distance(geog, geography(ST_SetSRID(ST_MakePoint(:x3, :y3), 4326))) as d3
            from enterprise"""), dict(zip(("x1", "y1", "x2", "y2", "x3", "y3"),
                                          (*_offset(1), *_offset(2), *_offset(3)))))}
    assert rows["火星坐标企业"].d1 < 0.5 and rows["火星坐标企业"].src_crs == "GCJ-02"
    assert rows["百度坐标企业"].d2 < 0.5 and rows["百度坐标企业"].src_crs == "BD-09"
    assert rows["高斯克吕格企业"].d3 < 0.5
    assert rows["火星坐标企业"].stages == ["production", "storage"]
    assert rows["百度坐标企业"].stages == ["trade_storage", "transport"]
    geo = rows["地址企业"]
    assert geo.geocode_precision == "address_point" and geo.geocode_score >= 80 and geo.src_x is None
    assert rows["表格企业甲"].licence_expiry == dt.date(2031, 5, 6)
    assert rows["表格企业乙"].licence_expiry == dt.date(1899, 12, 30) + dt.timedelta(days=47000)
    assert rows["表格企业乙"].fatal_accidents_3y == 1
    assert res.counts["enterprises"]["expired_licences"] == 1  # 高斯克吕格企业, 2020


# ---- the rejects report: never undoes a run, never a formula (issue 19, gaps H and B) ---------

def _rejects_cells(path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [cell for row in csv.reader(f) for cell in row]


def test_unwritable_rejects_dir_never_undoes_the_run(fresh_db_url, tmp_path):
    """The README's old cron recipe: ``rejects_dir`` where the job cannot create a directory (there
    /etc/hazmap, owned by root; here a path under a plain file, which fails for root too).  The run
    commits; the report goes to the temporary directory, and the summary and the run say where."""
    import tempfile

    from etl.run import summary_text

    cfg = _write_messy(tmp_path)  # gazetteer + enterprises: 6 loaded, one row rejected
    (cfg.parent / "blocker").write_text("a file, not a directory", encoding="utf-8")
    cfg.write_text(cfg.read_text(encoding="utf-8") + '\n[etl]\nrejects_dir = "blocker/rejects"\n', encoding="utf-8")
    intended = cfg.parent / "blocker" / "rejects"
    res = _run(fresh_db_url, tmp_path, config=cfg, rejects_path=None)
    try:
        assert res.status == "succeeded" and res.exit_code == 0, res.message
        assert res.counts["enterprises"]["inserted"] == 6 and len(_snapshot(fresh_db_url)["enterprise"]) == 6
        assert res.rejects_path.parent == Path(tempfile.gettempdir()) and res.rejects_path.is_file()
        assert [r["字段"] for r in _read_rejects(res.rejects_path)] == ["环节"]
        assert len(res.warnings) == 1
        warning = res.warnings[0]
        assert str(intended / f"rejects-{res.run_id}.csv") in warning and "路径中有一段不是目录" in warning
        assert f"已改写到 {res.rejects_path}" in warning
        text = summary_text(res)
        assert "已提交" in text and f"警告：{warning}" in text and f"拒绝行报告（1 条）：{res.rejects_path}" in text
        run = _runs(fresh_db_url)[-1]
        assert run.status == "succeeded" and warning in run.message  # the console shows it to operators
        with _engine(fresh_db_url).connect() as conn:
            stored = conn.execute(sa.text("select rejects_path from run where id = :i"), {"i": res.run_id}).scalar()
        assert stored == str(res.rejects_path)  # the console reads the report where it went
    finally:
        if res.rejects_path:
            res.rejects_path.unlink(missing_ok=True)

    # an aborted run stays aborted (not failed) when its report cannot be written where asked
    bad = tmp_path / "bad.csv"
    bad.write_text("统一社会信用代码,企业名称,环节,经度,纬度,坐标系\n123,坏企业,生产,112.85,35.5,wgs84\n",
                   encoding="utf-8")
    res = _run(fresh_db_url, tmp_path, config=None, cli_sources=[f"enterprises={bad}"],
               rejects_path=cfg.parent / "blocker" / "rj.csv")
    try:
        assert res.status == "aborted" and "全部被拒绝" in res.message
        assert len(_read_rejects(res.rejects_path)) == 1 and "已改写到" in res.warnings[0]
        run = _runs(fresh_db_url)[-1]
        assert run.status == "aborted" and "全部被拒绝" in run.message and "已改写到" in run.message
    finally:
        res.rejects_path.unlink(missing_ok=True)


def test_readme_etl_recipe_writes_and_reads_where_the_job_user_may(tmp_path):
    """The cron/systemd recipe: the job (user hazmap) reads its config from root-owned /etc/hazmap,
    so rejects_dir and the sources are absolute paths in directories the recipe creates."""
    import re
    import tomllib

    from hazmap.config import load_settings

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    recipe = readme[readme.index("Periodic refresh — a PostgreSQL advisory lock"):readme.index("```cron")]
    (bash,) = re.findall(r"```bash\n(.*?)```", recipe, re.S)
    (toml,) = re.findall(r"```toml\n(.*?)```", recipe, re.S)
    created = {d for line in bash.splitlines() if line.startswith("sudo install -d ")
               for d in line.split("#")[0].split() if d.startswith("/")}
    owned_by_hazmap = {d for line in bash.splitlines() if line.startswith("sudo install -d -o hazmap ")
                       for d in line.split("#")[0].split() if d.startswith("/")}
    config = tomllib.loads(toml)
    rejects_dir = Path(config["etl"]["rejects_dir"])
    assert rejects_dir.is_absolute() and str(rejects_dir) in owned_by_hazmap, (rejects_dir, owned_by_hazmap)
    for paths in config["sources"].values():
        assert all(Path(p).is_absolute() and str(Path(p).parent) in created for p in paths), paths
    (tmp_path / "hazmap.toml").write_text(toml, encoding="utf-8")
    assert load_settings(tmp_path / "hazmap.toml", env={}).etl.rejects_dir == str(rejects_dir)


def test_rejects_report_neutralises_formulas(fresh_db_url, tmp_path):
    """A source cell such as ``=HYPERLINK(…)`` is written as text: a spreadsheet opening the
    report (UTF-8 with BOM, meant for Excel) never evaluates it."""
    f = tmp_path / "hostile.csv"
    f.write_text("统一社会信用代码,企业名称,环节,经度,纬度,坐标系\n"
                 f"{_code(1)},正常企业,生产,112.85,35.5,wgs84\n"
                 '"=HYPERLINK(""http://evil.example"",""点我"")",坏企业甲,生产,112.85,35.5,wgs84\n'
                 f"{_code(2)},坏企业乙,@SUM(A1),112.85,35.5,wgs84\n"
                 f"{_code(3)},坏企业丙,生产,+112.85,-35.5,wgs84\n", encoding="utf-8")
    res = _run(fresh_db_url, tmp_path, config=None, cli_sources=[f"enterprises={f}"])
    assert res.status == "succeeded" and res.counts["enterprises"]["inserted"] == 1
    values = [r["值"] for r in _read_rejects(res.rejects_path)]
    # (a credit code is upper-cased before it is checked)
    assert "'=HYPERLINK(\"HTTP://EVIL.EXAMPLE\",\"点我\")" in values and "'@SUM(A1)" in values, values
    cells = _rejects_cells(res.rejects_path)
    assert len(values) >= 3 and not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
