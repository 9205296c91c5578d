"""Synthetic hazardous-waste registries for the demo (issue 16), deterministic.

Called from ``data/generate_demo.py`` with the built demo (its enterprises); writes
``waste_producers.csv``, ``waste_records.csv``, ``waste_facilities.csv`` and
``waste_manifests.csv`` in ``data/demo/``.  It draws from its own seeded generator, so the rest of
the demo stays byte-identical.  Everything is invented: the producers are the demo's chemical
plants, the licensed receiver is one of its 危废处置 enterprises, a second receiver outside the
district holds a licence for HW34 only.  The data show: manifests in every state of the life
cycle, one long-stored stock (an opening batch of 2025-01-15 never transferred), one manifest with
a 重大差异, one producer above its storage capacity, one far below its 管理计划, one manifest to a
receiver whose licence does not cover the code, one manifest open too long, and manifests naming
electronic waybills (checked against the transport wing's waybills when those are loaded).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

PRODUCER_H = ["统一社会信用代码", "单位名称", "计划年度", "废物代码", "废物名称", "计划产生量", "计量单位", "贮存能力（吨）",
              "贮存场所经度", "贮存场所纬度", "坐标系"]
RECORD_H = ["统一社会信用代码", "日期", "记录类型", "废物代码", "废物名称", "数量", "计量单位"]
FACILITY_H = ["危险废物经营许可证编号", "单位名称", "统一社会信用代码", "行政区划代码", "经营范围", "经营规模（吨/年）",
              "有效期起", "有效期至"]
MANIFEST_H = ["联单编号", "转移日期", "移出单位名称", "移出单位统一社会信用代码", "移出地行政区划代码", "接受单位名称",
              "接受单位危险废物经营许可证编号", "接受地行政区划代码", "承运单位名称", "道路运输证号", "途经城市", "废物名称",
              "废物类别", "废物代码", "利用处置方式", "转移数量", "计量单位", "接受数量", "接受日期", "接受意见",
              "是否存在重大差异", "联单状态", "电子运单号"]
# (code, name, disposal method) — codes of 《国家危险废物名录（2025年版）》 in data/reference/hw_codes.csv
WASTES = [("900-249-08", "废矿物油", "R9 废油再提炼"), ("900-041-49", "废包装桶", "R4 再循环/再利用"),
          ("900-252-12", "废涂料", "D10 焚烧"), ("900-402-06", "废有机溶剂", "R2 溶剂回收"),
          ("900-300-34", "废酸", "D9 物化处理")]
NAME = {c: n for c, n, _ in WASTES}
METHOD = {c: m for c, _, m in WASTES}
OUTSIDE = ("晋危废1407-2022-003", "晋中市示例酸处理有限公司", "140702", "HW34", "2022-03-01", "2027-02-28")


def _write(path: Path, headers, rows) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(headers)
        w.writerows(rows)


def _t(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".")


def build(enterprises: list[dict]) -> dict[str, list[list]]:
    """The four files' rows; the generator is seeded by the plants' credit codes (so by the demo's seed)."""
    plants = [e for e in enterprises if e["ftype"] == "化工厂"][:6]
    rng = random.Random("waste|" + "|".join(e["credit"] for e in plants))
    receiver = next(e for e in enterprises if e["ftype"] == "危废处置")
    carrier = next(e for e in enterprises if e["ftype"] == "运输企业")
    # -- producers: plan per code for 2026, storage capacity; plant 0 long-stored, 1 over capacity,
    #    2 far below its plan
    mix = [["900-249-08", "900-041-49"], ["900-252-12", "900-041-49"], ["900-402-06"], ["900-249-08", "900-300-34"],
           ["900-041-49"], ["900-402-06", "900-252-12"]]
    capacity = [30, 4, 20, 25, 10, 15]
    producers, records, plans = [], [], {}
    for i, (e, codes) in enumerate(zip(plants, mix)):
        for code in codes:
            monthly = round(rng.uniform(0.4, 1.6), 2)
            plan = round(monthly * 12 * (5 if i == 2 else 1.0), 1)
            plans[(i, code)] = plan
            producers.append([e["credit"], e["name"], "2026", code, NAME[code], _t(plan), "吨", str(capacity[i]), "", "", ""])
            for month in range(1, 12):
                q = monthly * rng.uniform(0.8, 1.2) * (3 if i == 1 else 1)
                records.append([e["credit"], f"2026-{month:02d}-{rng.randint(3, 26):02d}", "产生", code, NAME[code],
                                _t(q * 1000), "kg"])
    p0 = plants[0]
    records.append([p0["credit"], "2025-01-15", "期初库存", "900-249-08", NAME["900-249-08"], "6.5", "吨"])
    records.append([plants[3]["credit"], "2026-06-10", "自行利用", "900-300-34", NAME["900-300-34"], "0.8", "吨"])
    facilities = [[receiver["lic_no"], receiver["name"], receiver["credit"], "140502", "HW06、HW08、HW12、HW49、900-300-34",
                   "20000", "2024-01-01", "2029-12-31"],
                  [OUTSIDE[0], OUTSIDE[1], "", OUTSIDE[2], OUTSIDE[3], "5000", OUTSIDE[4], OUTSIDE[5]]]
    # -- manifests: every state; numbers 2026 1405 + serial
    lic, permit = receiver["lic_no"], carrier["lic_no"]
    serial = iter(range(1, 1000))

    def manifest(e, code, qty, date, state, *, received=None, receipt="", decision="", disc="", waybill="",
                 to=None):
        rec_name, rec_lic, rec_admin = (receiver["name"], lic, "140502") if to is None else (to[1], to[0], to[2])
        return [f"20261405{next(serial):06d}", date, e["name"], e["credit"], "140502", rec_name, rec_lic, rec_admin,
                carrier["name"], permit, "晋城市" if to is None else "晋城市、长治市、晋中市", NAME[code], "HW" + code[-2:],
                code, METHOD[code], _t(qty), "吨", "" if received is None else _t(received), receipt, decision, disc,
                state, waybill]

    p = plants
    manifests = []
    # closed, received in full (monthly transfers of each producer, none of plant 0's oil: its old batch stays)
    for i, (e, codes) in enumerate(zip(p, mix)):
        for code in codes:
            if i == 0 and code == "900-249-08":
                continue
            for month in (3, 6, 9):
                q = round(plans[(i, code)] / 12 * (2.2 if i != 2 else 0.3), 3)
                d = f"2026-{month:02d}-{10 + i:02d}"
                manifests.append(manifest(e, code, q, d, "已接收", received=q, receipt=d, decision="接受", disc="否",
                                          waybill=f"YD1405022026{month:02d}{10 + i:02d}{i:02d}"))
    manifests += [
        manifest(p[0], "900-041-49", 0.8, "2026-11-26", "草稿"),
        manifest(p[1], "900-252-12", 1.2, "2026-11-25", "已提交"),
        manifest(p[3], "900-249-08", 2.0, "2026-09-01", "已提交"),  # open since September: over 30 days
        manifest(p[4], "900-041-49", 0.6, "2026-11-27", "已启运", waybill="YD140502202611270001"),
        manifest(p[5], "900-402-06", 1.1, "2026-11-27", "运输中", waybill="YD140502202611270002"),
        manifest(p[1], "900-041-49", 0.9, "2026-11-26", "已送达", waybill="YD140502202611260003"),
        manifest(p[5], "900-252-12", 1.5, "2026-10-20", "部分接收", received=1.1, receipt="2026-10-21",
                 decision="部分接受", disc="是", waybill="YD140502202610200004"),  # the 重大差异
        manifest(p[3], "900-300-34", 0.7, "2026-11-20", "拒收", receipt="2026-11-21", decision="拒绝接受", disc="否"),
        manifest(p[2], "900-402-06", 0.5, "2026-10-05", "退回", received=0, receipt="2026-10-06", decision="拒绝接受",
                 disc="否"),
        manifest(p[4], "900-041-49", 0.4, "2026-11-18", "作废"),
        # oil to the acid plant outside the district: its licence covers HW34 only
        manifest(p[3], "900-249-08", 1.0, "2026-08-15", "已接收", received=1.0, receipt="2026-08-16", decision="接受",
                 disc="否", to=OUTSIDE),
    ]
    return {"waste_producers": producers, "waste_records": records, "waste_facilities": facilities,
            "waste_manifests": manifests}


def write(demo: dict, out: Path) -> None:
    files = build(demo["enterprises"])
    _write(out / "waste_producers.csv", PRODUCER_H, files["waste_producers"])
    _write(out / "waste_records.csv", RECORD_H, files["waste_records"])
    _write(out / "waste_facilities.csv", FACILITY_H, files["waste_facilities"])
    _write(out / "waste_manifests.csv", MANIFEST_H, files["waste_manifests"])
