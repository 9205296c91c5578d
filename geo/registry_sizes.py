"""The sizes an enterprise's registry rows give the separation rules (issue 11), as
:class:`geo.separation.SourceProfile` fields.

The enterprise's own registered numbers win (储罐总容积, 站级, 油气回收, 储罐埋地, 油库等级).  When
it registers no total tank volume but some of its hazard units register theirs (储罐容积), the
total is their sum — the units without one count nothing, so the sum is a lower bound and its
basis says so.  What stays unknown is left None: :func:`geo.source_profile.with_derived_sizes`
may still derive it from the stored quantities, else the rule takes the smallest band (下限).
Pure: no database.
"""

from __future__ import annotations


def _g(x: float) -> str:
    return f"{x:g}"


def registered_sizes(*, tank_volume_m3=None, station_grade=None, vapour_recovery=None, lpg_tank_buried=None,
                     oil_depot_grade=None, unit_tank_volumes=()) -> dict:
    """``SourceProfile`` keyword arguments from the registry (None values left out).

    ``unit_tank_volumes``: the 储罐容积 (m³ or None) of each of the enterprise's hazard units.
    """
    out: dict = {}
    if tank_volume_m3 is not None:
        out["tank_volume_m3"] = float(tank_volume_m3)
    else:
        vols = [float(v) for v in unit_tank_volumes if v is not None]
        if vols:
            missing = sum(1 for v in unit_tank_volumes if v is None)
            total = sum(vols)
            text = f"储罐总容积由{len(vols)}个危险单元登记的储罐容积合计（{' + '.join(_g(v) for v in vols)}）= {_g(total)} m³"
            if missing:
                text += f"（另有{missing}个单元未登记储罐容积，合计为下限）"
            out["tank_volume_m3"] = total
            out["size_basis"] = (("tank_volume_m3", text),)
    if station_grade is not None:
        out["station_grade"] = int(station_grade)
    if vapour_recovery is not None:
        out["vapour_recovery"] = int(vapour_recovery)
    if lpg_tank_buried is not None:
        out["lpg_tank_buried"] = 1 if lpg_tank_buried else 0
    if oil_depot_grade is not None and str(oil_depot_grade).strip():
        out["oil_depot_grade"] = int(str(oil_depot_grade).strip())
    return out
