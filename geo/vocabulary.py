"""The registries' vocabularies: codes, the Chinese labels users read, and the spellings the
departments' files use for them.  One home for each; pages receive them from the server
(:meth:`Vocabulary.as_json`) and never keep a copy.

Identifiers follow the glossary of the design notes (``domain.md``): stages of the whole
process (全流程环节), hazard-unit kinds (GB 18218 §3.5–3.6), protection-target categories
(GB 36894 classes are derived from them).  The four colours' codes are fixed here; their hex
and labels come from the colour model file (``data/rules/risk_model.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass

# 全流程环节: code → label (order = the work plan's order)
# (full-width brackets, as every page writes them; the ASCII spellings stay accepted on input)
STAGE_LABEL = {"production": "生产", "trade_storage": "经营（带储存）", "trade": "经营（不带储存）",
               "storage": "储存", "transport": "运输", "loading": "装卸", "use": "使用",
               "waste": "废弃处置", "pipeline": "长输管道"}
# spellings in the departments' files → code (codes themselves are accepted too)
STAGE_INPUT = {
    "生产": "production", "经营(带储存)": "trade_storage", "经营（带储存）": "trade_storage",
    "带储存经营": "trade_storage", "经营(不带储存)": "trade", "经营（不带储存）": "trade",
    "不带储存经营": "trade", "经营": "trade", "储存": "storage", "运输": "transport", "装卸": "loading",
    "使用": "use", "废弃处置": "waste", "废弃": "waste", "处置": "waste", "长输管道": "pipeline",
    "油气长输管道": "pipeline", **{code: code for code in STAGE_LABEL},
}

# GB 18218 §3.5–3.6: 生产单元 / 储存单元
UNIT_KIND_LABEL = {"production": "生产单元", "storage": "储存单元"}
UNIT_KIND_INPUT = {"生产单元": "production", "生产": "production", "储存单元": "storage", "储存": "storage",
                   **{code: code for code in UNIT_KIND_LABEL}}

# GB 18218 重大危险源 grades and the hazard types of a major hazard source (screening classes)
MAJOR_GRADE_LABEL = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
HAZARD_LABEL = {"toxic": "有毒", "flammable": "易燃易爆", "explosive": "爆炸品"}

# 防护目标类别: code → label
CATEGORY_LABEL = {"school": "学校", "kindergarten": "幼儿园", "hospital": "医院", "nursing_home": "养老院",
                  "residential": "居住区", "mall": "商场", "transit_station": "客运站", "stadium": "体育场馆",
                  "cultural_relic": "文物保护单位", "religious_site": "宗教场所", "office": "办公楼",
                  "other_public": "其他公共场所"}
CATEGORY_INPUT = {
    "学校": "school", "中学": "school", "小学": "school", "幼儿园": "kindergarten", "托儿所": "kindergarten",
    "医院": "hospital", "卫生院": "hospital", "养老院": "nursing_home", "敬老院": "nursing_home",
    "福利院": "nursing_home", "居住区": "residential", "小区": "residential", "村庄": "residential",
    "商场": "mall", "客运站": "transit_station", "车站": "transit_station", "体育场馆": "stadium",
    "文物保护单位": "cultural_relic", "宗教场所": "religious_site", "办公楼": "office",
    "其他公共场所": "other_public", **{code: code for code in CATEGORY_LABEL},
}

COLORS = ("red", "orange", "yellow", "blue")  # most to least severe


def stage_code(text: str) -> str | None:
    """The stage code for a spelling in a department's file (None when unknown)."""
    t = (text or "").strip()
    return STAGE_INPUT.get(t) or STAGE_INPUT.get(t.lower()) or STAGE_INPUT.get(t.replace(" ", ""))


@dataclass(frozen=True)
class Colour:
    code: str  # red | orange | yellow | blue
    label: str  # 重大风险 …
    hex: str  # #RRGGBB


@dataclass(frozen=True)
class Vocabulary:
    """What a page needs to label the data: built by :func:`geo.domain.build_domain`."""

    colours: tuple[Colour, ...]

    def colour(self, code: str | None) -> Colour | None:
        return next((c for c in self.colours if c.code == code), None)

    @property
    def colour_hex(self) -> dict[str, str]:
        return {c.code: c.hex for c in self.colours}

    @property
    def colour_label(self) -> dict[str, str]:
        return {c.code: c.label for c in self.colours}

    def as_json(self) -> dict:
        return {"colours": [{"code": c.code, "label": c.label, "hex": c.hex} for c in self.colours],
                "colour_hex": self.colour_hex, "colour_label": self.colour_label,
                "stages": STAGE_LABEL, "unit_kinds": UNIT_KIND_LABEL, "categories": CATEGORY_LABEL}

# The guide's items (应急〔2018〕19号 评估项) in the colour model's order: each gets a points column
# in the exports (``pts_<item>``) so Shapefile, Excel and QGIS Processing keep the scoring.  A copy
# of the model's item codes and labels for the collections' static declarations — a test keeps
# it equal to ``data/rules/risk_model.toml``.
GUIDE_ITEMS = {"MAJOR_HAZARD": "重大危险源", "SUBSTANCE": "物质危险性", "PROCESSES": "危险化工工艺种类",
               "FIRE": "火灾爆炸危险性", "SURROUNDINGS": "周边环境", "DESIGN": "设计与评估", "EQUIPMENT": "设备",
               "CONTROLS": "自控与安全设施", "PERSONNEL": "人员资质", "MANAGEMENT": "安全管理制度",
               "EMERGENCY": "应急管理", "PERFORMANCE": "安全管理绩效", "HIDDEN_DANGER": "未整改重大事故隐患"}
