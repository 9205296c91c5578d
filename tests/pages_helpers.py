"""Helpers for the page tests (Flask client and browser): what a page loads, its data block,
and the Chinese-only text scan."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

# Latin words a professional Chinese page may show: CRS and standard names, units of the GB 18218 method
ALLOWED_LATIN = {"WGS-84", "CGCS2000", "EPSG", "GCJ-02", "BD-09", "CAS", "PDF", "GB", "GB/T", "T", "S", "R", "X", "Y",
                 "E", "N", "W", "Q", "q", "CSV", "GeoJSON", "GeoPackage",  # file formats by their names
                 "LPG", "CNG", "LNG"}  # the fuels as GB 50156 names them (LPG加气站、CNG加气站、LNG加气站)
_FILE = re.compile(r"\.(csv|xlsx|geojson|gpkg|shp|json)$")  # a source file's name is data, shown as it is
_TEST_USER = re.compile(r"t-[a-z]+-[0-9a-f]{8}")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_\-/\.\[\]]*")


class Page(HTMLParser):
    """Scripts, fetched URLs and the visible text of an HTML page."""

    def __init__(self, html: str):
        super().__init__()
        self.scripts: list[dict] = []
        self.refs: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._skip = 0
        self._script: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "script":
            self._script = {"src": a.get("src"), "type": a.get("type"), "body": ""}
            self.scripts.append(self._script)
            if a.get("src"):
                self.refs.append((tag, a["src"]))
        elif tag == "link" and a.get("href"):
            self.refs.append((tag, a["href"]))
        elif tag in ("img", "iframe", "source", "embed") and a.get("src"):
            self.refs.append((tag, a["src"]))
        for k, v in attrs:
            if k.startswith("on"):
                self.text.append(f"<inline handler {k}>")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script["body"] += data
        elif not self._skip:
            self.text.append(data)

    def data_block(self) -> dict:
        block = [s for s in self.scripts if s["type"] == "application/json"]
        assert len(block) == 1, block
        return json.loads(block[0]["body"])

    def visible_text(self) -> str:
        return " ".join(t.strip() for t in self.text if t.strip())


def foreign_words(text: str, *, ignore: tuple[str, ...] = ()) -> list[str]:
    """Latin words in ``text`` that a Chinese user should not see (codes, English, field paths)."""
    for s in ignore:
        text = text.replace(s, " ")
    text = _TEST_USER.sub(" ", text)  # accounts made by tests.helpers.make_user are data, not page text
    return [w for w in _LATIN.findall(text) if w.rstrip(".") not in ALLOWED_LATIN and not _FILE.search(w)]
