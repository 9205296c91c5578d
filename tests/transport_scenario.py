"""A small hand-made transport scenario (CSV files with the templates' Chinese headers) shared by the
transport refresh, collections and page tests.  Every expected outcome is worked out in the
docstring of :func:`write_scenario`."""

from __future__ import annotations

import csv
from pathlib import Path

from geo import credit_code

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "data" / "templates"


def cc(base: str) -> str:
    return base + credit_code.check_character(base)


CARRIER = cc("91140502MA0TR0001")
LOADER = cc("91140502MA0TR0002")
CONSIGNEE = cc("91140502MA0TR0003")


def write_rows(path: Path, template: str, rows: list[dict]) -> Path:
    """One row per dict: the template's example row with the dict's cells changed."""
    with (TEMPLATES / f"{template}.csv").open(encoding="utf-8-sig") as f:
        head, example = list(csv.reader(f))
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        for change in rows:
            unknown = set(change) - set(head)
            assert not unknown, unknown
            w.writerow([change.get(h, v) for h, v in zip(head, example)])
    return path


def write_scenario(d: Path) -> list[tuple[str, Path]]:
    """Seven waybills loading on 2026-11-20, one per outcome:

    * YD1 (晋EA1001, 汽油 20 t, loaded 20.1 t = +0.5 % ≤ 5 %): every check passes; tag TAG-1 loaded 08:20,
      received by the consignee 11:00 → a closed trip of 11 fixes (08:30–09:16; the 11:30 fix is after
      receipt).  Alarms: speed 08:32–08:33 (max 95 km/h > 80), the school 55 m from the 08:34 fix
      (zone = school + 100 m), a stop 08:35–09:15 (40 min > 30 min).  No deviation (route = track).
    * YD2 (晋EA1002, 道路运输证 to 2026-10-31): ① fails.
    * YD3 (driver 王五, certificate to 2026-11-01): ② fails.
    * YD4 (晋EA1003, tank inspection to 2026-11-19): ③ fails.
    * YD5 (晋EA1004, loaded 25 t for 20 t = 25 %): ④ fails; its tag TAG-2 is 柴油 → two tag findings.
    * YD6 (晋EA1005, 甲醇 UN1230, tank list 汽油、柴油): ⑤ fails.
    * YD7 (晋EA1006, no loading record, no tag): ④ 未核查, the rest pass.
    """
    ok = {"道路运输证有效期至": "2027-06-30", "行驶证有效期至": "2027-03-31", "罐体检验有效期至": "2027-01-31",
          "终端手机号": ""}
    vehicles = [dict(ok, 车牌号=p) for p in ("晋EA1001", "晋EA1004", "晋EA1005", "晋EA1006")]
    vehicles += [dict(ok, 车牌号="晋EA1002", 道路运输证有效期至="2026-10-31"),
                 dict(ok, 车牌号="晋EA1003", 罐体检验有效期至="2026-11-19")]
    crew = [{"姓名": "张三", "岗位": "驾驶员", "从业资格证号": "D1", "资格证有效期至": "2028-12-31"},
            {"姓名": "李四", "岗位": "押运员", "从业资格证号": "E1", "资格证有效期至": "2028-12-31"},
            {"姓名": "王五", "岗位": "驾驶员", "从业资格证号": "D2", "资格证有效期至": "2026-11-01"}]
    base = {"起运日期": "2026-11-20", "装货时间": "2026-11-20 08:25", "驾驶员": "张三", "驾驶员资格证号": "D1",
            "押运员": "李四", "押运员资格证号": "E1", "承运人信用代码": CARRIER, "装货人信用代码": LOADER,
            "收货人信用代码": CONSIGNEE, "货物名称": "汽油", "联合国编号": "1203", "危险货物类别": "3", "数量": "20",
            "计量单位": "t", "实装数量": "20", "计划路线": "112.83,35.48;112.87,35.48", "坐标系": "wgs84"}
    waybills = [dict(base, 运单号="YD1", 车牌号="晋EA1001", 实装数量="20.1"),
                dict(base, 运单号="YD2", 车牌号="晋EA1002"),
                dict(base, 运单号="YD3", 车牌号="晋EA1004", 驾驶员="王五", 驾驶员资格证号="D2", 起运日期="2026-11-21",
                     装货时间="2026-11-21 08:00"),
                dict(base, 运单号="YD4", 车牌号="晋EA1003"),
                dict(base, 运单号="YD5", 车牌号="晋EA1004", 实装数量="25"),
                dict(base, 运单号="YD6", 车牌号="晋EA1005", 货物名称="甲醇", 联合国编号="1230"),
                dict(base, 运单号="YD7", 车牌号="晋EA1006", 实装数量="")]
    tags = [{"标签编号": "TAG-1", "化学品名称": "汽油"}, {"标签编号": "TAG-2", "化学品名称": "柴油"}]
    events = [{"标签编号": "TAG-1", "事件": "装车", "时间": "2026-11-20 08:20", "运单号": "YD1"},
              {"标签编号": "TAG-1", "事件": "签收", "时间": "2026-11-20 11:00", "运单号": "YD1", "企业信用代码": CONSIGNEE},
              {"标签编号": "TAG-2", "事件": "装车", "时间": "2026-11-20 08:20", "运单号": "YD5"}]
    fixes = [("08:30:00", 112.8300, 40), ("08:31:00", 112.8350, 50), ("08:32:00", 112.8400, 90),
             ("08:33:00", 112.8450, 95), ("08:34:00", 112.8500, 40)]
    fixes += [(f"{h}:{m}:00", 112.8600, 0) for h, m in (("08", "35"), ("08", "45"), ("08", "55"), ("09", "05"),
                                                          ("09", "15"))]
    fixes += [("09:16:00", 112.8700, 40), ("11:30:00", 112.8800, 30)]
    positions = [{"车牌号": "晋EA1001", "定位时间": f"2026-11-20 {t}", "经度": f"{lon:.4f}", "纬度": "35.4800",
                  "速度": str(v)} for t, lon, v in fixes]
    targets = d / "targets.csv"
    with targets.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["目标编号", "名称", "类别", "人数", "经度", "纬度", "坐标系"])
        w.writerow(["S1", "晋城市示例小学", "学校", "800", "112.8500", "35.4805", "wgs84"])
        w.writerow(["R1", "示例小区", "居住区", "300", "112.8600", "35.4900", "wgs84"])
    ents = d / "enterprises.csv"
    with ents.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["统一社会信用代码", "企业名称", "环节", "经度", "纬度", "坐标系"])
        w.writerow([LOADER, "晋城市示例油库有限公司", "储存", "112.8300", "35.4800", "wgs84"])
        w.writerow([CARRIER, "晋城市示例危货运输有限公司", "运输", "112.8400", "35.4700", "wgs84"])
        w.writerow([CONSIGNEE, "晋城市示例加油站", "经营(带储存)", "112.8700", "35.5200", "wgs84"])
    return [("enterprises", ents), ("targets", targets),
            ("vehicles", write_rows(d / "vehicles.csv", "vehicles", vehicles)),
            ("crew", write_rows(d / "crew.csv", "crew", crew)),
            ("waybills", write_rows(d / "waybills.csv", "waybills", waybills)),
            ("tags", write_rows(d / "tags.csv", "tags", tags)),
            ("tag_events", write_rows(d / "tag_events.csv", "tag_events", events)),
            ("positions", write_rows(d / "positions.csv", "positions", positions))]


def load_scenario(url: str, d: Path, *, refresh: bool = True):
    from dataclasses import replace

    from etl.run import Source, run_etl
    from hazmap.config import load_settings

    s = replace(load_settings(None, env={}), database_url=url)
    res = run_etl(s, [Source(k, p) for k, p in write_scenario(d)], refresh=refresh, rejects_path=d / "rejects.csv")
    assert res.status == "succeeded", (res.message, res.rejects)
    assert res.rejects == [], res.rejects
    return res
