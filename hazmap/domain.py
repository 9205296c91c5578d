"""The shell's side of the domain bundle: find the data files and build :class:`geo.domain.Domain`.

The reference tables and rules ship with the package (``hazmap_data``, the repository's
``data/`` directory), so an installed wheel works outside the checkout.  The CLI builds the
domain once per command and the web app once per process (``app.config["HAZMAP_DOMAIN"]``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from geo.domain import Domain, build_domain


def data_dir(name: str) -> Path:
    """``reference``, ``rules``, ``templates`` … of the installed package data."""
    path = Path(str(resources.files("hazmap_data") / name))
    if not path.is_dir():
        raise FileNotFoundError(f"数据目录缺失：{path}")
    return path


def load_domain(settings) -> Domain:
    """The domain for ``settings`` (its ``[[rules.overrides]]`` applied)."""
    return build_domain(data_dir("reference"), data_dir("rules"),
                        overrides=tuple(getattr(settings, "rules_overrides", ()) or ()))


def siting_area(settings):
    """Where siting candidates may be checked (:class:`geo.postgis.siting.SitingArea`), from the settings."""
    from geo.postgis.siting import SitingArea

    return SitingArea(settings.area.name, settings.etl.area_bbox, settings.area.siting_margin_m)
