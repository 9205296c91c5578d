"""Local metric frame around a source and conversion of zones and contours to WGS-84.

Metric work happens in a local azimuthal equidistant projection centred on the source
(``+proj=aeqd`` on the WGS-84 ellipsoid): distances from the centre are exact geodesic metres,
and within the few tens of kilometres of a threat zone the distortion elsewhere is below 0.1 %.
Outputs are shapely geometries in WGS-84 lon/lat (EPSG:4326), longitude first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer

from geo.crs import to_wgs84


@dataclass(frozen=True, eq=False)
class LocalFrame:
    """The source (WGS-84) and transformers to/from its local AEQD frame (metres, x east, y north)."""

    lon: float
    lat: float
    crs: CRS
    to_local: Transformer
    to_lonlat: Transformer

    def geometry_to_wgs84(self, geom):
        """A shapely geometry in local metres → WGS-84 lon/lat."""
        return shapely.transform(geom, lambda xy: np.column_stack(self.to_lonlat.transform(xy[:, 0], xy[:, 1])))

    def points_to_local(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.to_local.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.asarray(x), np.asarray(y)


def local_frame(*, lon: float, lat: float, crs: str) -> LocalFrame:
    """Local AEQD frame at a source given in ``crs`` (wgs84, cgcs2000, gcj02, bd09 or EPSG:…)."""
    lon84, lat84 = to_wgs84(lon, lat, crs)
    aeqd = CRS.from_proj4(f"+proj=aeqd +lat_0={lat84} +lon_0={lon84} +datum=WGS84 +units=m +no_defs")
    wgs = CRS.from_epsg(4326)
    return LocalFrame(lon84, lat84, aeqd, Transformer.from_crs(wgs, aeqd, always_xy=True),
                      Transformer.from_crs(aeqd, wgs, always_xy=True))


def circle_wgs84(frame: LocalFrame, *, radius_m: float, segments: int = 64):
    """A circle of ``radius_m`` around the source, drawn in the local frame, returned in WGS-84."""
    return frame.geometry_to_wgs84(shapely.Point(0.0, 0.0).buffer(radius_m, quad_segs=max(segments // 4, 4)))
