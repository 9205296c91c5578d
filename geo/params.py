"""Parsing and checking of collection filters (API query parameters and `hazmap export` options).

Bad input → InvalidInput naming the parameter."""

from __future__ import annotations

import math

from geo.errors import InvalidInput

COLOURS = ("red", "orange", "yellow", "blue")


def bbox(value: str | None, *, max_area_deg2: float) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    parts = value.split(",")
    if len(parts) != 4:
        raise InvalidInput("bbox", "bbox 应为 minlon,minlat,maxlon,maxlat")
    try:
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError:
        raise InvalidInput("bbox", "bbox 应为 4 个数字") from None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise InvalidInput("bbox", "bbox 含非有限数值")
    if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise InvalidInput("bbox", "bbox 范围无效（须 minlon<maxlon, minlat<maxlat，WGS-84 经纬度）")
    if (x1 - x0) * (y1 - y0) > max_area_deg2:
        # the limit in Chinese, not the setting's name (max_bbox_area_deg2, in the README for operators)
        raise InvalidInput("bbox", f"查询范围面积超过上限 {max_area_deg2:g} 平方度，请缩小范围")
    return x0, y0, x1, y1


def integer(value: str | None, name: str, *, default: int, minimum: int = 0, maximum: int | None = None,
            limit_name: str | None = None) -> int:
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except ValueError:
        raise InvalidInput(name, f"{name} 应为整数") from None
    if n < minimum:
        raise InvalidInput(name, f"{name} 不能小于 {minimum}")
    if maximum is not None and n > maximum:
        raise InvalidInput(name, f"{name} 超过上限 {maximum}" + (f"（{limit_name}）" if limit_name else ""))
    return n


def colours(value: str | None) -> list[str] | None:
    if not value:
        return None
    out = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in out if v not in COLOURS]
    if bad:
        raise InvalidInput("risk", f"未知风险颜色 {bad[0]}（可用：red, orange, yellow, blue）")
    return out


def text(value: str | None, name: str, *, max_len: int = 100) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > max_len:
        raise InvalidInput(name, f"{name} 过长")
    if "\x00" in value:
        raise InvalidInput(name, f"{name} 含非法字符（NUL）")
    return value
