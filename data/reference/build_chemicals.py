"""Build data/reference/chemicals.csv (the chemical catalogue) from GB 18218 Table 1 plus the
non-Table-1 chemicals the registries use.  Deterministic; run it after editing the tables
below: ``python data/reference/build_chemicals.py``.

Sources of each fact (cited per row in the CSV ``source`` column, only those that apply):
- names, aliases, CAS, critical quantity: GB 18218-2018 表1 (row N);
- hazard class symbols (Table 2 / Table 4 of GB 18218-2018) assigned from the GHS
  classification in 《危险化学品目录(2015版)实施指南(试行)》; ``class_status`` says
  ``uncertain`` where the classification should be confirmed against the guide;
- 剧毒: 《危险化学品目录(2015版)》 备注“剧毒”;
- 易制爆: 《易制爆危险化学品名录(2017年版)》;
- 重点监管: 《重点监管的危险化学品名录》首批 (安监总管三〔2011〕95号) or 第二批
  (安监总管三〔2013〕12号) — the flag column holds 1 for either; the source names the batch;
- 吸入性剧毒 (toxic_inhalation: 剧毒 and toxic by inhalation, gases or volatile liquids, as
  “氯气、光气等吸入性剧毒化学品” in 应急〔2018〕19号 物质危险性) and 爆炸品 (explosive: GHS
  爆炸物, GB 18218 表2 W1.x) — project judgement from the classes above.
Aliases added beyond GB 18218 表1 (e.g. 丙烷/丁烷 for row 52, whose CAS list names them) are
listed in EXTRA_ALIASES and cited as such.  A deployment that imported the official 《危险化学品目录》
(``hazmap reference import-catalogue``) must import it again after running this script.
"""

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Table-1 row → (classes, highly_toxic, explosive_precursor, key_supervised batch (0/1/2),
#                toxic_inhalation, explosive, class_status)
T1 = {
    1: ("J3;W2", 0, 0, 1, 0, 0, "standard"), 2: ("J1;W4", 1, 0, 0, 1, 0, "uncertain"),
    3: ("J3;W4", 0, 0, 0, 0, 0, "uncertain"), 4: ("J3", 0, 0, 1, 0, 0, "standard"),
    5: ("J1;W4", 1, 0, 0, 1, 0, "standard"), 6: ("J1", 1, 0, 1, 1, 0, "standard"),
    7: ("W2;J3", 0, 0, 1, 0, 0, "standard"), 8: ("J3;W2", 0, 0, 0, 0, 0, "uncertain"),
    9: ("J1;W2", 1, 0, 1, 1, 0, "standard"), 10: ("J3;W2", 0, 0, 1, 0, 0, "uncertain"),
    11: ("J3", 0, 0, 0, 0, 0, "standard"), 12: ("J3;W4", 1, 0, 1, 1, 0, "standard"),
    13: ("W2;J3", 0, 0, 1, 0, 0, "uncertain"), 14: ("J1;W2", 1, 0, 0, 1, 0, "standard"),
    15: ("J1;W2", 1, 0, 0, 1, 0, "uncertain"), 16: ("J1;W2", 1, 0, 0, 1, 0, "uncertain"),
    17: ("J3", 0, 0, 0, 0, 0, "standard"), 18: ("J2", 1, 0, 1, 0, 0, "uncertain"),
    19: ("J2;W5.3", 1, 0, 1, 0, 0, "uncertain"), 20: ("J3", 0, 0, 1, 0, 0, "uncertain"),
    21: ("J5;W5.3", 0, 0, 1, 0, 0, "uncertain"), 22: ("J5;W5.3", 0, 0, 0, 0, 0, "uncertain"),
    23: ("J5", 0, 0, 1, 0, 0, "uncertain"), 24: ("J5", 0, 0, 0, 0, 0, "uncertain"),
    25: ("J1;W5.1", 1, 0, 1, 1, 0, "standard"), 26: ("J5", 0, 0, 1, 0, 0, "uncertain"),
    27: ("W5.3;J5", 0, 0, 1, 0, 0, "uncertain"), 28: ("J5", 0, 0, 0, 0, 0, "uncertain"),
    29: ("J2;W5.1", 1, 0, 0, 0, 0, "uncertain"), 30: ("J3;W5.1", 1, 0, 1, 1, 0, "standard"),
    31: ("W1.1", 0, 0, 0, 0, 1, "standard"), 32: ("W1.1", 0, 0, 0, 0, 1, "standard"),
    33: ("W1.1", 0, 0, 0, 0, 1, "standard"), 34: ("W1.1", 0, 0, 0, 0, 1, "standard"),
    35: ("W1.1", 0, 0, 0, 0, 1, "standard"), 36: ("W1.1", 0, 0, 2, 0, 1, "standard"),
    37: ("W1.1", 0, 1, 2, 0, 1, "standard"), 38: ("W1.1", 0, 1, 2, 0, 1, "standard"),
    39: ("W10", 0, 1, 2, 0, 0, "uncertain"), 40: ("W10", 0, 1, 2, 0, 0, "uncertain"),
    41: ("W10", 0, 1, 2, 0, 0, "uncertain"), 42: ("W5.3", 0, 1, 2, 0, 0, "uncertain"),
    43: ("W1.1", 0, 1, 1, 0, 1, "standard"), 44: ("W9.2", 0, 1, 1, 0, 0, "standard"),
    45: ("W9.2", 0, 1, 0, 0, 0, "uncertain"), 46: ("W9.2", 0, 1, 0, 0, 0, "standard"),
    47: ("W2", 0, 0, 1, 0, 0, "standard"), 48: ("W2", 0, 0, 1, 0, 0, "standard"),
    49: ("W2", 0, 0, 1, 0, 0, "standard"), 50: ("W2", 0, 0, 1, 0, 0, "standard"),
    51: ("W2", 0, 0, 1, 0, 0, "standard"), 52: ("W2", 0, 0, 1, 0, 0, "standard"),
    53: ("W2;J3", 0, 1, 1, 0, 0, "standard"), 54: ("W2", 0, 0, 1, 0, 0, "standard"),
    55: ("W2", 0, 0, 1, 0, 0, "standard"), 56: ("W4", 0, 0, 0, 0, 0, "standard"),
    57: ("W5.3", 0, 0, 1, 0, 0, "standard"), 58: ("W5.4", 0, 0, 1, 0, 0, "standard"),
    59: ("W5.3", 0, 0, 0, 0, 0, "standard"), 60: ("W5.3;J5", 0, 0, 1, 0, 0, "uncertain"),
    61: ("W5.1", 0, 0, 1, 0, 0, "standard"), 62: ("W5.3", 0, 0, 0, 0, 0, "standard"),
    63: ("W5.1", 0, 0, 1, 0, 0, "standard"), 64: ("W5.3", 0, 0, 1, 0, 0, "standard"),
    65: ("W5.3", 0, 0, 1, 0, 0, "standard"), 66: ("W5.1", 0, 0, 1, 0, 0, "uncertain"),
    67: ("W5.3", 0, 0, 0, 0, 0, "standard"), 68: ("W5.1", 0, 0, 2, 0, 0, "standard"),
    69: ("W5.3", 0, 0, 1, 0, 0, "standard"), 70: ("W5.3", 0, 0, 0, 0, 0, "standard"),
    71: ("W7.2", 0, 1, 1, 0, 0, "uncertain"), 72: ("W7.1", 0, 0, 2, 0, 0, "uncertain"),
    73: ("W8", 0, 0, 0, 0, 0, "standard"), 74: ("W8;W11", 0, 0, 0, 0, 0, "uncertain"),
    75: ("W8;J2", 1, 0, 0, 0, 0, "uncertain"), 76: ("W9.1", 0, 1, 0, 0, 0, "standard"),
    77: ("W9.1", 0, 1, 0, 0, 0, "standard"), 78: ("W9.1", 0, 1, 2, 0, 0, "standard"),
    79: ("W9.1", 0, 1, 2, 0, 0, "standard"), 80: ("W9.1", 0, 1, 0, 0, 0, "standard"),
    81: ("W9.2", 0, 1, 0, 0, 0, "uncertain"), 82: ("W9.2", 0, 1, 2, 0, 0, "uncertain"),
    83: ("W11", 0, 0, 0, 0, 0, "standard"), 84: ("W11", 0, 1, 0, 0, 0, "standard"),
    85: ("W11", 0, 1, 0, 0, 0, "standard"),
}

# Names users type for a Table-1 row that GB 18218 表1 does not list as aliases.
EXTRA_ALIASES = {
    13: ("焦炉煤气;水煤气;发生炉煤气;高炉煤气",
         "组分判定：焦炉煤气(H₂约55%～60%、CH₄约23%～27%、CO约5%～8%)、水煤气(CO与H₂)、发生炉煤气与"
         "高炉煤气(含CO)均为第13项“CO和H₂、CH₄的混合物等”（待核组分以实际化验为准）"),
    49: ("液化天然气;LNG;压缩天然气;CNG;煤层气",
         "液化/压缩天然气为第49项天然气的储存形态；组分判定：煤层气以甲烷为主（沁水盆地煤层气甲烷含量通常>90%），"
         "按第49项甲烷、天然气（以实际组分为准）"),
    52: ("液化气;丙烷;丁烷;正丁烷;异丁烷",
         "丙烷、丁烷据表1第52项名称及其CAS号(74-98-6、106-97-8)"),
    66: ("乙醇汽油;甲醇汽油;车用汽油", "乙醇汽油、甲醇汽油据表1第66项名称"),
}

# Chemicals outside Table 1 that the registries use:
# (name, aliases, cas, classes, highly_toxic, explosive_precursor, key_supervised batch,
#  toxic_inhalation, explosive, class_status)
EXTRA = [
    ("柴油", "柴油[闭杯闪点≤60℃]", "68334-30-5", "W5.4", 0, 0, 0, 0, 0, "uncertain"),
    ("二甲苯", "二甲苯异构体混合物;混合二甲苯", "1330-20-7", "W5.4", 0, 0, 0, 0, 0, "standard"),
    ("2-丁酮", "甲乙酮;丁酮;甲基乙基酮", "78-93-3", "W5.3", 0, 0, 0, 0, 0, "standard"),
    ("乙酸正丁酯", "乙酸丁酯;醋酸丁酯;醋酸正丁酯", "123-86-4", "W5.4", 0, 0, 0, 0, 0, "standard"),
    ("氰化钠", "山奈", "143-33-9", "J2", 1, 0, 1, 0, 0, "standard"),
    ("过氧化氢溶液[含量>8%]", "双氧水;过氧化氢", "7722-84-1", "W9.2", 0, 1, 0, 0, 0, "uncertain"),
    ("硫酸", "", "7664-93-9", "", 0, 0, 0, 0, 0, "standard"),
    ("盐酸", "氢氯酸", "7647-01-0", "", 0, 0, 0, 0, 0, "standard"),
    ("氢氧化钠", "烧碱;苛性钠;火碱", "1310-73-2", "", 0, 0, 0, 0, 0, "standard"),
    ("硝酸[含硝酸≤70%]", "稀硝酸", "7697-37-2", "W9.2", 0, 1, 0, 0, 0, "uncertain"),
    ("甲醛溶液", "福尔马林;甲醛水溶液;甲醛(含量≤90%)", "50-00-0", "", 0, 0, 0, 0, 0, "uncertain"),
    ("乙酸[含量>80%]", "冰醋酸;醋酸;乙酸", "64-19-7", "W5.4", 0, 0, 0, 0, 0, "standard"),
    ("异丙醇", "2-丙醇;二甲基甲醇", "67-63-0", "W5.3", 0, 0, 0, 0, 0, "standard"),
    ("正丁醇", "1-丁醇;丁醇", "71-36-3", "W5.4", 0, 0, 0, 0, 0, "standard"),
    ("磷酸", "正磷酸", "7664-38-2", "", 0, 0, 0, 0, 0, "standard"),
    ("氢氧化钾", "苛性钾", "1310-58-3", "", 0, 0, 0, 0, 0, "standard"),
    ("次氯酸钠溶液[含有效氯>5%]", "次氯酸钠", "7681-52-9", "", 0, 0, 0, 0, 0, "uncertain"),
    ("氨溶液[含氨>10%]", "氨水", "1336-21-6", "", 0, 0, 0, 0, 0, "uncertain"),
    ("氮[压缩的或液化的]", "氮气;液氮;氮", "7727-37-9", "", 0, 0, 0, 0, 0, "standard"),
    ("二氧化碳[压缩的或液化的]", "二氧化碳;液态二氧化碳;碳酸气", "124-38-9", "", 0, 0, 0, 0, 0, "standard"),
    ("氩[压缩的或液化的]", "氩气;液氩;氩", "7440-37-1", "", 0, 0, 0, 0, 0, "standard"),
]

# Entries keyed other than T1-<row> / CAS-<cas>: (key, name, aliases, cas, table1_row, classes,
# highly_toxic, explosive_precursor, key_supervised batch, toxic_inhalation, explosive, class_status, note)
SPECIAL = [
    ("T1-13-CO", "一氧化碳", "CO", "630-08-0", 13, "W2;J3", 0, 0, 1, 0, 0, "standard",
     "一氧化碳为表1第13项“煤气(CO,…)”所列组分，临界量取第13项；β取表3（CAS 630-08-0）"),
    ("CAS-68334-30-5-FP60", "柴油[闭杯闪点>60℃]", "", "68334-30-5", None, "", 0, 0, 0, 0, 0, "standard",
     "2022年调整：自2023年1月1日起所有柴油列入《危险化学品目录》（应急管理部等十部门2022年10月13日公告）；"
     "闭杯闪点>60℃的柴油不属GHS易燃液体，无GB 18218表2类别"),
]

# Concentration ranges of entries that cover part of a substance only (geo.chemicals).
CONCENTRATION = {"T1-08": ">90", "T1-81": ">70", "CAS-7697-37-2": "<=70", "CAS-50-00-0": "<=90",
                 "CAS-7722-84-1": ">8", "CAS-64-19-7": ">80", "CAS-1336-21-6": ">10"}
DIESEL_NOTE = ("2022年调整：自2023年1月1日起所有柴油列入《危险化学品目录》（应急管理部等十部门2022年10月13日公告）；"
               "此条目按闭杯闪点≤60℃（GHS易燃液体类别3，W5.4）计，未登记闪点的柴油按此计入（偏于不漏计）；"
               "闪点>60℃者请登记为“柴油[闭杯闪点>60℃]”")

GUIDE = "《危险化学品目录(2015版)实施指南(试行)》"
BATCH = {1: "首批《重点监管的危险化学品名录》(安监总管三〔2011〕95号)",
         2: "第二批《重点监管的危险化学品名录》(安监总管三〔2013〕12号)"}

FIELDS = ["key", "name", "aliases", "cas", "table1_row", "hazard_classes", "highly_toxic",
          "explosive_precursor", "key_supervised", "toxic_inhalation", "explosive",
          "class_status", "concentration", "source"]


def source(*, row, classes, status, ht, ep, ks, ti, ex, alias_note=None, note=None) -> str:
    parts = []
    if note:
        parts.append(note)
    if row:
        parts.append(f"名称/CAS/临界量：GB 18218-2018 表1第{row}项")
    else:
        parts.append("名称/CAS：《危险化学品目录(2015版)》")
    if alias_note:
        parts.append(f"别名补充：{alias_note}")
    if classes:
        tag = "（待核）" if status == "uncertain" else ""
        parts.append(f"危险类别{classes.replace(';', '、')}：{GUIDE}GHS分类→GB 18218-2018 表2{tag}")
    else:
        parts.append(f"无GB 18218-2018 表2危险类别：{GUIDE}GHS分类中无表2所列类别")
    if ht:
        parts.append("剧毒：《危险化学品目录(2015版)》")
    if ep:
        parts.append("易制爆：《易制爆危险化学品名录(2017年版)》")
    if ks:
        parts.append(f"重点监管：{BATCH[ks]}")
    if ti:
        parts.append("吸入性剧毒：剧毒且经吸入致害(应急〔2018〕19号 物质危险性)")
    if ex:
        parts.append("爆炸品：GB 18218-2018 表2 W1")
    return "；".join(parts)


def main() -> None:
    rows = []
    with open(HERE / "gb18218_table1_named.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            n = int(r["row"])
            classes, ht, ep, ks, ti, ex, status = T1[n]
            aliases, note = r["aliases"], None
            if n in EXTRA_ALIASES:
                more, note = EXTRA_ALIASES[n]
                aliases = ";".join(x for x in (aliases, more) if x)
            rows.append({"key": f"T1-{n:02d}", "name": r["name"], "aliases": aliases, "concentration": "",
                         "cas": r["cas"], "table1_row": n, "hazard_classes": classes,
                         "highly_toxic": ht, "explosive_precursor": ep, "key_supervised": int(ks > 0),
                         "toxic_inhalation": ti, "explosive": ex, "class_status": status,
                         "source": source(row=n, classes=classes, status=status, ht=ht, ep=ep,
                                          ks=ks, ti=ti, ex=ex, alias_note=note)})
    for name, aliases, cas, classes, ht, ep, ks, ti, ex, status in EXTRA:
        rows.append({"key": f"CAS-{cas}", "name": name, "aliases": aliases, "cas": cas,
                     "table1_row": "", "hazard_classes": classes, "highly_toxic": ht,
                     "explosive_precursor": ep, "key_supervised": int(ks > 0),
                     "toxic_inhalation": ti, "explosive": ex, "class_status": status, "concentration": "",
                     "source": source(row=None, classes=classes, status=status, ht=ht, ep=ep,
                                      ks=ks, ti=ti, ex=ex, note=DIESEL_NOTE if cas == "68334-30-5" else None)})
    for key, name, aliases, cas, row, classes, ht, ep, ks, ti, ex, status, note in SPECIAL:
        rows.append({"key": key, "name": name, "aliases": aliases, "cas": cas, "table1_row": row or "",
                     "hazard_classes": classes, "highly_toxic": ht, "explosive_precursor": ep,
                     "key_supervised": int(ks > 0), "toxic_inhalation": ti, "explosive": ex,
                     "class_status": status, "concentration": "",
                     "source": source(row=row, classes=classes, status=status, ht=ht, ep=ep, ks=ks,
                                      ti=ti, ex=ex, note=note)})
    for r in rows:
        r["concentration"] = CONCENTRATION.get(r["key"], "")
    with open(HERE / "chemicals.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
