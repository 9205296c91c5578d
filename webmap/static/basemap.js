/* The map every map page starts from (hz.createMap): Leaflet with a metric scale bar, the
 * attribution without Leaflet's flag prefix (basemap source and 审图号 instead), a cursor
 * coordinate readout (WGS-84 degrees and DMS), and the basemap — a local MBTiles file, an
 * intranet tile proxy, or one drawn from the data (district and town boundaries, town and
 * village names always labelled, roads). */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc;

  hz.createMap = function (el) {
    var mo = hz.opts.map || {};
    var map = L.map(el, {attributionControl: false, preferCanvas: false, maxZoom: 19, minZoom: 5,
      zoomSnap: 0.5, keyboard: true}).setView([mo.centre[1], mo.centre[0]], mo.zoom);  // [area] centre, zoom
    hz.shift = mo.datum === "gcj02";
    hz.ll = function (lat, lon) { return hz.shift ? hz.gcj(lat, lon) : [lat, lon]; };
    hz.coordsToLatLng = function (c) { var p = hz.ll(c[1], c[0]); return L.latLng(p[0], p[1]); };
    // a clicked point in the drawn datum, with the CRS to send to the server
    hz.clicked = function (latlng) { return {x: latlng.lng, y: latlng.lat, crs: hz.shift ? "gcj02" : "wgs84"}; };
    L.control.attribution({prefix: false}).addAttribution(
      "底图：" + esc(mo.attribution) + (mo.reviewNumber ? "　审图号：" + esc(mo.reviewNumber) : "")).addTo(map);
    var scale = L.control.scale({metric: true, imperial: false, maxWidth: 160});
    scale._updateMetric = function (maxMeters) {  // Chinese units: 米 / 千米
      var m = this._getRoundNum(maxMeters);
      this._updateScale(this._mScale, m < 1000 ? m + " 米" : (m / 1000) + " 千米", m / maxMeters);
    };
    scale.addTo(map);
    if (mo.kind === "mbtiles" || mo.kind === "tiles") {
      L.tileLayer(mo.url, {maxZoom: 19, className: "hz-tiles"}).addTo(map);
    }
    hz.basemapReady = drawBasemap(map, mo.kind === "data");
    readout(map);
    return map;
  };

  function drawBasemap(map, withRoads) {
    var panes = [["hz-areas", 200], ["hz-roads", 250], ["hz-labels", 640]];
    panes.forEach(function (p) { map.createPane(p[0]).style.zIndex = p[1]; });
    map.getPane("hz-labels").style.pointerEvents = "none";
    return hz.getJSON(hz.opts.api + "/basemap").then(function (fc) {
      var areas = [], roads = [], labels = [];
      fc.features.forEach(function (f) {
        var l = f.properties.layer;
        if (l === "road") { roads.push(f); } else if (l === "label") { labels.push(f); } else { areas.push(f); }
      });
      var areaLayer = L.geoJSON({type: "FeatureCollection", features: areas}, {pane: "hz-areas", interactive: false,
        coordsToLatLng: hz.coordsToLatLng, style: function (f) {
          return f.properties.layer === "district" ? {color: "#333333", weight: 3, fill: false}
            : {color: "#777777", weight: 1, dashArray: "4 4", fillColor: "#f1f3ec", fillOpacity: withRoads ? 0.9 : 0};
        }}).addTo(map);
      if (withRoads) {
        L.geoJSON({type: "FeatureCollection", features: roads}, {pane: "hz-roads", interactive: false,
          coordsToLatLng: hz.coordsToLatLng, style: {color: "#c9b48a", weight: 3, opacity: 0.9}}).addTo(map);
        roads.forEach(function (f) {
          var c = f.geometry.coordinates, mid = c[Math.floor(c.length / 2)];
          L.marker(hz.coordsToLatLng(mid), {pane: "hz-labels", interactive: false, keyboard: false,
            icon: L.divIcon({className: "hz-road-label", html: esc(f.properties.name), iconSize: null})}).addTo(map);
        });
      }
      labels.forEach(function (f) {  // town and village names: always shown, never hover-only
        L.marker(hz.coordsToLatLng(f.geometry.coordinates), {pane: "hz-labels", interactive: false, keyboard: false,
          icon: L.divIcon({className: "hz-place-label hz-" + esc(f.properties.level), html: esc(f.properties.name),
            iconSize: null})}).addTo(map);
      });
      var towns = {};
      areas.forEach(function (f) { if (f.properties.layer === "town") { towns[f.properties.name] = f; } });
      if (areaLayer.getBounds().isValid()) { map.fitBounds(areaLayer.getBounds()); }
      return {towns: towns, bounds: areaLayer.getBounds()};
    }).catch(function (e) { console.warn("底图：" + e.message); return {towns: {}, bounds: null}; });
  }

  function readout(map) {
    var c = L.control({position: "bottomleft"});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", "hz-readout");
      d.id = "hz-readout";
      d.setAttribute("aria-hidden", "true");
      d.textContent = "移动鼠标查看坐标";
      return d;
    };
    c.addTo(map);
    map.on("mousemove", function (e) {
      var el = document.getElementById("hz-readout");
      if (!el) { return; }
      var lat = e.latlng.lat, lon = e.latlng.lng;
      el.textContent = (hz.shift ? "GCJ-02 " : "WGS-84 ") + lon.toFixed(6) + ", " + lat.toFixed(6) + "　" +
        hz.dms(lon, "E", "W") + " " + hz.dms(lat, "N", "S");
    });
  }
})();
