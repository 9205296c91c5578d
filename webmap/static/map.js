/* The four-colour risk map (/).  Layers load by viewport from /api/v1; every request kind has
 * its own hz.Sequence, so a late response never overwrites a newer one.  Views with more
 * enterprises than the page draws one by one (max_markers) come back as grid cells from the
 * server; clusters and cells show the mix of colours (a ring), never a single worst colour. */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc, opts = hz.opts, V = hz.vocab, LB = hz.labels;
  var ORDER = (V.colours || []).map(function (c) { return c.code; });
  var map = hz.createMap("hz-map");
  var state = {filters: {}, provisionalSeen: false};
  var seq = {summary: new hz.Sequence(), enterprises: new hz.Sequence(), conflicts: new hz.Sequence(),
    targets: new hz.Sequence(), grid: new hz.Sequence()};
  var layers = {
    enterprises: L.markerClusterGroup({showCoverageOnHover: false, spiderfyOnMaxZoom: true, maxClusterRadius: 45,
      chunkedLoading: true, iconCreateFunction: clusterIcon}),
    cells: L.layerGroup(), conflicts: L.layerGroup(), rings: L.layerGroup(), targets: L.layerGroup(),
    towns: L.layerGroup(), grid: L.layerGroup(), pipelines: L.layerGroup(), tools: L.layerGroup(), changes: L.layerGroup()
  };
  var LAYERS = [  // id, label, on by default
    ["enterprises", "涉危企业（四色）", true], ["conflicts", "距离冲突连线", true], ["targets", "防护目标", false],
    ["towns", "镇街风险（填色）", false], ["grid", "网格风险（500 米）", false], ["pipelines", "长输管道与高后果区", true]];
  window.hazmap = {map: map, layers: layers, state: state, seq: seq};

  // ---- overlays of the other wings (transport, waste, threat zones …) ------------------------
  // A wing's own script (listed in the page's data block, opts.overlayScripts, loaded before this
  // one) calls hz.overlay({id, label, collection, on, style, pointToLayer, popup, legend, params}):
  // the overlay gets a checkbox, loads /api/v1/<collection> by viewport (with its own sequence, so a
  // late response never overwrites a newer one), draws with the wing's style and popup (which must
  // escape every value from data) and adds the wing's legend rows while it is shown.
  var overlays = (hz.overlays || []).slice();
  overlays.forEach(function (o) {
    layers[o.id] = L.layerGroup(); seq[o.id] = new hz.Sequence();
    LAYERS.push([o.id, o.label, !!o.on]);
  });
  function loadOverlay(o) {
    if (!map.hasLayer(layers[o.id]) || !loaded.extent || !loaded.extent.ok) { return; }
    var t = seq[o.id].next(), p = new URLSearchParams(Object.assign({bbox: bboxParam(loaded.extent),
      limit: opts.maxFeatures}, o.params ? o.params(state.filters) : {}));
    busy(1);
    hz.getJSON(opts.api + "/" + o.collection + "?" + p, t.signal).then(function (fc) {
      if (!t.current()) { return; }
      layers[o.id].clearLayers();
      L.geoJSON(fc, {coordsToLatLng: hz.coordsToLatLng, style: o.style, pointToLayer: o.pointToLayer,
        onEachFeature: function (f, l) { if (o.popup) { l.bindPopup(function () { return o.popup(f); }, {maxWidth: 380}); } }
      }).addTo(layers[o.id]);
      if (fc.numberMatched > fc.numberReturned) { hint(o.label + "：视野内 " + fc.numberMatched + " 项，仅显示 " + fc.numberReturned + " 项，请放大"); }
    }).catch(function (e) { if (!hz.isAbort(e)) { hint(o.label + "加载失败：" + e.message); } })
      .then(function () { busy(-1); });
  }

  // ---- styles keyed on properties (one place: provisional grades get a hollow, dashed style) ----
  function enterpriseStyle(p) {
    var hex = hz.colourHex(p.risk_color);
    return {hex: hex, provisional: !!p.provisional, className: "hz-ent hz-" + esc(p.risk_color || "none") +
      (p.provisional ? " hz-provisional" : "")};
  }
  function enterpriseIcon(p) {
    var s = enterpriseStyle(p);
    var dot = s.provisional ? "<span class='hz-dot' style='border-color:" + s.hex + "'></span>"
      : "<span class='hz-dot' style='background:" + s.hex + "'></span>";
    var badge = p.major_hazard_grade ? "<b class='hz-badge' title='重大危险源'>" + esc(hz.gradeLabel(p.major_hazard_grade)) + "</b>" : "";
    return L.divIcon({className: s.className, html: dot + badge, iconSize: [18, 18], iconAnchor: [9, 9]});
  }
  // a ring of the colour mix (conic gradient), the count in the middle, major hazards as a corner badge
  function ringIcon(counts, total, majors) {
    var stops = [], at = 0;
    ORDER.concat(["none"]).forEach(function (c) {
      var n = counts[c] || 0;
      if (!n) { return; }
      var to = at + n / total * 360;
      stops.push(hz.colourHex(c) + " " + at.toFixed(1) + "deg " + to.toFixed(1) + "deg");
      at = to;
    });
    var size = total < 10 ? 34 : total < 100 ? 40 : 48;
    var title = ORDER.map(function (c) { return hz.colourLabel(c) + " " + (counts[c] || 0); }).join("，");
    return L.divIcon({className: "hz-ring", iconSize: [size, size],
      html: "<div class='hz-ring-outer' style='background:conic-gradient(" + stops.join(",") + ")' title='" + esc(title) +
        "'><span class='hz-ring-count'>" + hz.num(total, 0) + "</span></div>" +
        (majors ? "<b class='hz-badge hz-ring-badge' title='重大危险源'>重" + majors + "</b>" : "")});
  }
  function clusterIcon(cluster) {
    var counts = {}, majors = 0;
    cluster.getAllChildMarkers().forEach(function (m) {
      var p = m.feature.properties;
      counts[p.risk_color || "none"] = (counts[p.risk_color || "none"] || 0) + 1;
      if (p.major_hazard_grade) { majors += 1; }
    });
    return ringIcon(counts, cluster.getChildCount(), majors);
  }

  // ---- panel: filters, layers, legend -------------------------------------------------------
  var form = document.getElementById("hz-filters");
  var params = new URLSearchParams(location.search);  // the dashboard links here with filters
  ["risk", "town", "stage", "department", "q"].forEach(function (k) {
    if (params.get(k)) { state.filters[k] = params.get(k); }
  });
  function readFilters() {
    var fd = new FormData(form);
    state.filters = {};
    ["risk", "town", "stage", "department", "q"].forEach(function (k) { if (fd.get(k)) { state.filters[k] = fd.get(k); } });
  }
  function ensureOption(select, value) {
    if (value && !Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
      select.add(new Option(value, value));
    }
  }
  hz.getJSON(opts.api + "/stats").then(function (s) {
    Object.keys(s.by_town).sort().forEach(function (t) { if (t !== "未知") { form.town.add(new Option(t, t)); } });
    Object.keys(s.by_department).sort().forEach(function (t) { if (t !== "未知") { form.department.add(new Option(t, t)); } });
    Object.keys(state.filters).forEach(function (k) { ensureOption(form[k], state.filters[k]); form[k].value = state.filters[k]; });
  }).catch(function (e) { console.warn("统计：" + e.message); });
  Object.keys(state.filters).forEach(function (k) { if (form[k]) { ensureOption(form[k], state.filters[k]); form[k].value = state.filters[k]; } });
  var qTimer = null;
  form.addEventListener("change", function (ev) {
    readFilters();
    if (ev.target.name === "town") { zoomToTown(state.filters.town); }
    reload(true);
  });
  form.addEventListener("input", function (ev) {
    if (ev.target.name !== "q") { return; }
    clearTimeout(qTimer);
    qTimer = setTimeout(function () { readFilters(); reload(true); }, 350);
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); readFilters(); reload(true); });

  function zoomToTown(name) {
    hz.basemapReady.then(function (b) {
      var f = name && b.towns[name];
      if (f) { map.fitBounds(L.geoJSON(f, {coordsToLatLng: hz.coordsToLatLng}).getBounds()); }
      else if (!name && b.bounds) { map.fitBounds(b.bounds); }
    });
  }

  var box = document.getElementById("hz-layers");
  LAYERS.forEach(function (def) {
    var id = "layer-" + def[0], lab = document.createElement("label"), cb = document.createElement("input");
    cb.type = "checkbox"; cb.id = id; cb.checked = def[2]; cb.dataset.layer = def[0];
    lab.htmlFor = id; lab.appendChild(cb); lab.appendChild(document.createTextNode(" " + def[1]));
    box.appendChild(lab);
    if (def[2]) { layers[def[0]].addTo(map); }
    cb.addEventListener("change", function () {
      if (cb.checked) { layers[def[0]].addTo(map); if (def[0] === "enterprises") { layers.cells.addTo(map); } }
      else { map.removeLayer(layers[def[0]]); if (def[0] === "enterprises") { map.removeLayer(layers.cells); } }
      if (cb.checked && def[0] === "targets") { loadTargets(); }
      if (cb.checked && def[0] === "grid") { loadGrid(); }
      overlays.forEach(function (o) { if (cb.checked && def[0] === o.id) { loadOverlay(o); } });
      legend();
    });
  });
  layers.cells.addTo(map);
  layers.rings.addTo(map);
  layers.tools.addTo(map);
  layers.changes.addTo(map);

  var TARGET_STYLE = {school: "#6a1b9a", kindergarten: "#6a1b9a", hospital: "#ad1457", nursing_home: "#ad1457",
    residential: "#2e7d32"};  // other categories: grey
  function targetColour(cat) { return TARGET_STYLE[cat] || "#546e7a"; }

  function legend() {
    var on = function (k) { return map.hasLayer(layers[k]); }, rows = [];
    if (on("enterprises")) {
      rows.push("<div class='hz-legend-title'>企业风险等级（应急〔2018〕19号）</div>");
      (V.colours || []).forEach(function (c) {
        rows.push("<div class='hz-legend-" + esc(c.code) + "'><span class='hz-dot' style='background:" + esc(c.hex) + "'></span>" + esc(c.label) + "</div>");
      });
      if (state.provisionalSeen) {
        rows.push("<div><span class='hz-dot hz-dot-hollow'></span>初步分级（评估覆盖率不足 100%，颜色按已知项计；最不利颜色见弹窗）</div>");
      }
      var sample = ORDER.map(function (c, i) {  // the model's own colours, as the rings draw them
        return hz.colourHex(c) + " " + (i * 90) + "deg " + ((i + 1) * 90) + "deg";
      }).join(",");
      rows.push("<div><span class='hz-ring-sample' style='background:conic-gradient(" + esc(sample) + ")'></span>聚合：环上各色比例即各等级企业占比，中间为企业数</div>");
      rows.push("<div><b class='hz-badge'>二级</b> 重大危险源等级（GB 18218-2018）</div>");
    }
    if (on("conflicts")) { rows.push("<div><i class='hz-line hz-line-conflict'></i>距离冲突：企业→防护目标，距离小于所需距离</div>"); }
    rows.push("<div><i class='hz-line hz-line-ring'></i>点击企业后显示的所需防护距离</div>");
    if (on("targets")) {
      var cat = hz.categoryLabel;
      rows.push("<div><span class='hz-dot hz-dot-ring' style='border-color:#6a1b9a'></span>" + esc(cat("school") + "、" + cat("kindergarten")) + "</div>" +
        "<div><span class='hz-dot hz-dot-ring' style='border-color:#ad1457'></span>" + esc(cat("hospital") + "、" + cat("nursing_home")) + "</div>" +
        "<div><span class='hz-swatch' style='background:#2e7d32'></span>" + esc(cat("residential")) + "</div>" +
        "<div><span class='hz-dot hz-dot-ring' style='border-color:#546e7a'></span>其他防护目标</div>");
    }
    if (on("towns") || on("grid")) {
      rows.push("<div>镇街/网格填色：区域风险指数（由区内各色企业数与暴露人数加权，本地方法）对应的颜色</div>");
    }
    if (on("pipelines")) {
      rows.push("<div><i class='hz-line' style='border-color:#7b3fa0'></i>天然气管道　<i class='hz-line' style='border-color:#8a5a00'></i>输油管道</div>" +
        "<div><i class='hz-line hz-line-hca'></i>高后果区管段（GB 32167，Ⅰ–Ⅲ级）</div>");
    }
    overlays.forEach(function (o) { if (on(o.id) && o.legend) { rows.push(o.legend()); } });
    rows.push("<div><i class='hz-line' style='border-color:#777'></i>镇/街道界线；地名常显</div>");
    rows.push("<small>坐标：WGS-84" + (hz.shift ? "（显示按 GCJ-02 底图偏移）" : "") + "</small>");
    document.getElementById("hz-legend-body").innerHTML = rows.join("");
  }

  // ---- loading by viewport ---------------------------------------------------------------
  var loaded = {bounds: null, key: null, extent: null, ids: {}};
  var markersById = {};
  var pending = 0;
  function busy(delta) {
    pending = Math.max(0, pending + delta);
    document.getElementById("hz-loading").hidden = pending === 0;
  }
  function hint(text) {
    var el = document.getElementById("hz-zoomhint");
    el.textContent = text || "";
    el.hidden = !text;
  }
  // the view padded by a quarter (small pans cost nothing); ok: features may be listed (the API's
  // max_bbox_area_deg2); summary: too large to list, small enough to summarise in grid cells
  function extent() {
    var area = function (x) { return (x.e - x.w) * (x.n - x.s); };
    var clip = function (b) {
      var x = {w: Math.max(b.getWest(), 73), s: Math.max(b.getSouth(), 3), e: Math.min(b.getEast(), 136), n: Math.min(b.getNorth(), 54)};
      if (hz.shift) { x.w -= 0.01; x.s -= 0.01; x.e += 0.01; x.n += 0.01; }  // drawn in GCJ-02, filtered in WGS-84
      return x;
    };
    var x = clip(map.getBounds().pad(0.25));
    if (area(x) > opts.maxBboxArea) { x = clip(map.getBounds()); }
    var valid = x.w < x.e && x.s < x.n;
    x.ok = valid && area(x) <= opts.maxBboxArea;
    x.summary = valid && !x.ok && area(x) <= opts.maxSummaryArea;
    return x;
  }
  function bboxParam(x) { return [x.w, x.s, x.e, x.n].map(function (v) { return v.toFixed(5); }).join(","); }
  function query(extra, withBbox) {
    var p = new URLSearchParams(extra || {});
    if (withBbox !== false && loaded.extent) { p.set("bbox", bboxParam(loaded.extent)); }
    Object.keys(state.filters).forEach(function (k) { p.set(k, state.filters[k]); });
    return p;
  }
  hazmap.query = query;

  function reload(force) {
    var key = JSON.stringify(state.filters) + "|" + map.getZoom();
    if (force !== true && loaded.bounds && loaded.key === key && loaded.bounds.contains(map.getBounds())) { return; }
    var x = extent();
    updatePdfLink();
    if (!x.ok && !x.summary) {
      [seq.summary, seq.enterprises, seq.conflicts].forEach(function (s) { s.next(); });  // drop what is in flight
      loaded = {bounds: null, key: null, extent: null, ids: {}};
      layers.enterprises.clearLayers(); markersById = {}; layers.cells.clearLayers(); layers.conflicts.clearLayers();
      updateExportLinks();
      document.getElementById("hz-count").textContent = "视野过大，未统计";
      hint("视野过大，请放大地图以加载企业");
      return;
    }
    loaded = {bounds: L.latLngBounds([x.s, x.w], [x.n, x.e]), key: key, extent: x, ids: {}};
    updateExportLinks();
    var t = seq.summary.next();
    busy(1);
    var extra = {zoom: Math.round(map.getZoom())};
    if (!x.ok) { extra.aggregate = "1"; }
    hz.getJSON(opts.api + "/map/summary?" + query(extra), t.signal).then(function (s) {
      if (!t.current()) { return; }
      showCounts(s);
      if (s.aggregated) { drawCells(s); } else { loadEnterprises(s); }
    }).catch(function (e) { if (!hz.isAbort(e)) { document.getElementById("hz-count").textContent = "统计失败：" + e.message; } })
      .then(function () { busy(-1); });
    if (x.ok && map.hasLayer(layers.targets)) { loadTargets(); }
    if (x.ok && map.hasLayer(layers.grid)) { loadGrid(); }
    if (x.ok) { overlays.forEach(loadOverlay); }
  }
  hazmap.reload = reload;

  function showCounts(s) {
    var c = s.by_colour;
    document.getElementById("hz-count").innerHTML =
      "<p>当前视野与筛选：共 <b id='hz-total'>" + hz.num(s.total, 0) + "</b> 家</p><ul class='hz-count-list'>" +
      ORDER.map(function (k) {
        return "<li data-colour='" + esc(k) + "'>" + hz.chip(k) + " <b>" + hz.num(c[k], 0) + "</b> 家</li>";
      }).join("") + (c.none ? "<li>未评级 <b>" + hz.num(c.none, 0) + "</b> 家</li>" : "") + "</ul>" +
      "<p>重大危险源 <b id='hz-majors'>" + hz.num(s.major_hazards, 0) + "</b> 家；距离冲突 <b id='hz-conflict-count'>" +
      hz.num(s.conflicts, 0) + "</b> 处；许可证过期 <b id='hz-expired'>" + hz.num(s.expired_licences, 0) + "</b> 家</p>";
  }

  function drawCells(s) {
    seq.enterprises.next(); seq.conflicts.next();  // nothing older may draw markers now
    layers.enterprises.clearLayers(); markersById = {}; layers.conflicts.clearLayers();
    layers.cells.clearLayers();
    s.cells.forEach(function (c) {
      var m = L.marker(hz.ll(c.lat, c.lon), {icon: ringIcon(c.by_colour, c.count, c.major_hazards), keyboard: true,
        title: "该处 " + c.count + " 家企业，放大查看"});
      m.on("click keypress", function () { map.setView(m.getLatLng(), Math.min(map.getZoom() + 2, 19)); });
      m.addTo(layers.cells);
    });
    hint("当前视野" + (s.total > s.max_markers ? "企业较多（" + hz.num(s.total, 0) + " 家）" : "范围较大") +
      "，已按网格汇总；放大地图可查看单个企业与冲突连线");
  }

  function loadEnterprises(s) {
    layers.cells.clearLayers();
    hint("");
    var t = seq.enterprises.next();
    busy(1);
    hz.getJSON(opts.api + "/enterprises?" + query({limit: Math.max(1, s.max_markers)}), t.signal).then(function (fc) {
      if (!t.current()) { return; }
      // update in place: markers that stay keep their state (an open popup survives a pan or zoom)
      var keep = {};
      fc.features.forEach(function (f) { keep[f.id] = f; });
      var gone = [];
      Object.keys(markersById).forEach(function (id) {
        if (!keep[id]) { gone.push(markersById[id]); delete markersById[id]; }
      });
      layers.enterprises.removeLayers(gone);
      loaded.ids = {};
      var added = [];
      fc.features.forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        if (p.provisional) { state.provisionalSeen = true; }
        loaded.ids[f.id] = true;
        if (markersById[f.id]) { return; }
        var m = L.marker(hz.ll(c[1], c[0]), {icon: enterpriseIcon(p), keyboard: true, title: p.name,
          alt: p.name + "，" + hz.colourLabel(p.risk_color)});
        m.feature = f;
        m.bindPopup(function () { return enterprisePopup(p); }, {maxWidth: 380, maxHeight: 420});
        m.on("popupopen", function (ev) { showDetail(p.id, ev.popup); });
        markersById[f.id] = m;
        added.push(m);
      });
      layers.enterprises.addLayers(added);
      legend();
      loadConflicts();
    }).catch(function (e) { if (!hz.isAbort(e)) { hint("企业加载失败：" + e.message); } })
      .then(function () { busy(-1); });
  }

  // conflicts follow every filter: the API filters risk, town and bbox; the rest (stage,
  // department, name) by keeping the lines of the enterprises drawn
  function loadConflicts() {
    var t = seq.conflicts.next(), f = state.filters, p = new URLSearchParams({bbox: bboxParam(loaded.extent), limit: opts.maxFeatures});
    if (f.risk) { p.set("risk", f.risk); }
    if (f.town) { p.set("town", f.town); }
    hz.getJSON(opts.api + "/conflicts?" + p, t.signal).then(function (fc) {
      if (!t.current()) { return; }
      layers.conflicts.clearLayers();
      L.geoJSON({type: "FeatureCollection", features: fc.features.filter(function (x) { return loaded.ids[x.properties.enterprise_id]; })},
        {coordsToLatLng: hz.coordsToLatLng, style: {color: "#b00020", weight: 2, dashArray: "4 3"},
          onEachFeature: function (x, l) {
            var q = x.properties;
            l.bindTooltip(esc(q.enterprise) + " → " + esc(q.target) + "：" + hz.num(q.distance_m) + " 米，所需 " +
              hz.num(q.required_m, 0) + " 米");
          }}).addTo(layers.conflicts);
    }).catch(function (e) { if (!hz.isAbort(e)) { console.warn("冲突：" + e.message); } });
  }

  function loadTargets() {
    if (!loaded.extent) { return; }
    var t = seq.targets.next();
    hz.getJSON(opts.api + "/targets?" + new URLSearchParams({bbox: bboxParam(loaded.extent), limit: opts.maxFeatures}), t.signal)
      .then(function (fc) {
        if (!t.current()) { return; }
        layers.targets.clearLayers();
        L.geoJSON(fc, {coordsToLatLng: hz.coordsToLatLng,
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, {radius: 5, color: targetColour(f.properties.category), weight: 2, fillColor: "#fff", fillOpacity: 0.9});
          },
          style: function (f) { return {color: targetColour(f.properties.category), weight: 1, fillOpacity: 0.2}; },
          onEachFeature: function (f, l) { l.bindPopup(function () { return targetPopup(f); }); }}).addTo(layers.targets);
      }).catch(function (e) { if (!hz.isAbort(e)) { console.warn("防护目标：" + e.message); } });
  }

  function areaLayer(fc, group, level) {
    group.clearLayers();
    L.geoJSON(fc, {coordsToLatLng: hz.coordsToLatLng, style: function (f) {
      var c = hz.colourHex(f.properties.risk_color);
      return {color: c, weight: level === "grid" ? 0.5 : 2, fillColor: c, fillOpacity: level === "grid" ? 0.45 : 0.2};
    }, onEachFeature: function (f, l) {
      var p = f.properties, c = p.counts || {};
      l.bindTooltip(esc(p.name) + "：" + esc(hz.colourLabel(p.risk_color)) + "（指数 " + hz.num(p.risk_index) + "；" +
        ORDER.map(function (k) { return esc(hz.colourLabel(k)) + " " + (c[k] || 0); }).join("，") + "）", {sticky: true});
    }}).addTo(group);
  }
  function loadGrid() {
    if (!loaded.extent) { return; }
    var t = seq.grid.next();
    hz.getJSON(opts.api + "/areas?" + new URLSearchParams({level: "grid", bbox: bboxParam(loaded.extent), limit: opts.maxFeatures}), t.signal)
      .then(function (fc) { if (t.current()) { areaLayer(fc, layers.grid, "grid"); } })
      .catch(function (e) { if (!hz.isAbort(e)) { console.warn("网格：" + e.message); } });
  }
  hz.getJSON(opts.api + "/areas?level=town&limit=1000").then(function (fc) { areaLayer(fc, layers.towns, "town"); })
    .catch(function (e) { console.warn("镇街：" + e.message); });
  hz.getJSON(opts.api + "/pipelines?limit=1000").then(function (fc) {
    layers.pipelines.clearLayers();
    L.geoJSON(fc, {coordsToLatLng: hz.coordsToLatLng, style: function (f) {
      return {color: f.properties.medium === "gas" ? "#7b3fa0" : "#8a5a00", weight: 3};
    }, onEachFeature: function (f, l) {
      var p = f.properties;
      l.bindPopup("<b>" + esc(p.name) + "</b><br>介质：" + esc(p.medium_label) + "；管径 " + hz.num(p.diameter_mm) +
        " 毫米；设计压力 " + hz.num(p.maop_mpa, 2) + " 兆帕<br>高后果区管段：" + p.hca_segments.length + " 段");
      p.hca_segments.forEach(function (s) {
        L.geoJSON(s.geometry, {coordsToLatLng: hz.coordsToLatLng, style: {color: "#e02020", weight: 7, opacity: 0.5}})
          .bindTooltip("高后果区 " + esc(s.grade_label) + " 级：" + esc((s.reasons || []).join("；")))
          .addTo(layers.pipelines);
      });
    }}).addTo(layers.pipelines);
  }).catch(function (e) { console.warn("管道：" + e.message); });

  // ---- popups -----------------------------------------------------------------------------
  function enterprisePopup(p) {
    var reasons = (p.reasons || []).filter(function (r) { return r.points !== 0 || r.code === "DIRECT_RED"; })
      .map(function (r) { return "<li>" + esc(r.text) + (r.points ? "（" + (r.points > 0 ? "+" : "") + hz.num(r.points) + " 分）" : "") + "</li>"; }).join("");
    var prec = (LB.precision || {})[p.geocode_precision] || "";
    var summary = (p.assessment_summary || []).map(function (x) { return "<div class='hz-summary'>" + esc(x) + "</div>"; }).join("");
    return "<div class='hz-popup'><b>" + esc(p.name) + "</b> <a href='/enterprises/" + encodeURIComponent(p.id) +
      "'>一企一档</a>" + summary + "<br>" + hz.chip(p.risk_color) +
      (p.provisional ? "（初步分级，评估覆盖率 " + hz.num((p.assessment_coverage || 0) * 100, 0) + "%）" : "") + " 评分 " + hz.num(p.risk_score) +
      (p.major_hazard_grade ? "；" + esc(hz.gradeLabel(p.major_hazard_grade)) + "重大危险源" : "") +
      "<br>环节：" + esc((p.stages || []).map(hz.stageLabel).join("、")) +
      "<br>监管部门：" + esc(p.department || "—") + "；属地：" + esc(p.town || "—") +
      "<br>定位：" + esc(prec) + (p.geocode_score ? "（匹配度 " + hz.num(p.geocode_score, 0) + "）" : "") +
      (p.licence_expired ? "<br><b class='hz-warn'>许可证已过期（" + esc(p.licence_expiry) + "）</b>" : "") +
      "<br>距离冲突：" + hz.num(p.conflicts, 0) + " 处" + (p.conflicts ? "<div class='hz-conflicts'>加载中…</div>" : "") +
      (reasons ? "<br>扣分与加分依据：<ul>" + reasons + "</ul>" : "") + "</div>";
  }
  function showDetail(id, popup) {
    layers.rings.clearLayers();
    hz.getJSON(opts.api + "/enterprises/" + encodeURIComponent(id)).then(function (f) {
      var c = f.geometry.coordinates, ll = hz.ll(c[1], c[0]);
      var el = popup && popup.getElement() && popup.getElement().querySelector(".hz-conflicts");
      if (el) {
        var list = f.properties.conflict_list || [];
        el.innerHTML = "<ul>" + list.slice(0, 8).map(function (x) {
          return "<li>" + esc(x.name) + "（" + esc(hz.categoryLabel(x.category)) + "）" + hz.num(x.distance_m) +
            " 米，所需 " + hz.num(x.required_m, 0) + " 米，差 " + hz.num(x.deficit_m) + " 米<br><small>" + esc(x.rule_text || "") + "</small></li>";
        }).join("") + (list.length > 8 ? "<li>…共 " + list.length + " 处</li>" : "") + "</ul>";
        popup.setContent(el.parentNode);
      }
      (f.properties.requirements || []).slice(0, 3).forEach(function (r) {
        L.circle(ll, {radius: r.required_m, color: "#b00020", weight: 1, fill: false, dashArray: "6 4"})
          .bindTooltip(esc(hz.categoryLabel(r.category)) + " 所需距离 " + hz.num(r.required_m, 0) + " 米").addTo(layers.rings);
      });
    }).catch(function (e) { if (!hz.isAbort(e)) { console.warn("企业详情：" + e.message); } });
  }
  function targetPopup(f) {
    var p = f.properties, div = document.createElement("div");
    div.className = "hz-popup";
    div.innerHTML = "<b>" + esc(p.name) + "</b>（" + esc(hz.categoryLabel(p.category)) + (p.gb36894_class ? "，" + esc(p.gb36894_class) : "") +
      "）<br>人数：" + hz.num(p.population, 0) + "<br><span class='hz-sources'>加载中…</span>";
    hz.getJSON(opts.api + "/targets/" + encodeURIComponent(f.id)).then(function (t) {
      var s = t.properties.sources;
      div.querySelector(".hz-sources").innerHTML = s.length ? "所需距离覆盖本目标的危险源：<ul>" + s.map(function (x) {
        return "<li>" + esc(x.name) + "：" + hz.num(x.distance_m) + " 米（所需 " + hz.num(x.required_m, 0) + " 米）</li>";
      }).join("") + "</ul>" : "无危险源的所需距离覆盖本目标";
    }).catch(function (e) { div.querySelector(".hz-sources").textContent = e.message; });
    return div;
  }

  // ---- search -------------------------------------------------------------------------------
  var searchSeq = new hz.Sequence();
  document.getElementById("hz-search").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = ev.target.q.value.trim(), out = document.getElementById("hz-search-results");
    if (!q) { return; }
    var t = searchSeq.next();
    out.innerHTML = "<li>搜索中…</li>";
    hz.getJSON(opts.api + "/search?" + new URLSearchParams({q: q}), t.signal).then(function (r) {
      if (!t.current()) { return; }
      out.innerHTML = r.results.length ? "" : "<li>未找到“" + esc(q) + "”</li>";
      r.results.forEach(function (x) {
        var li = document.createElement("li"), b = document.createElement("button");
        b.type = "button";
        b.className = "hz-result";
        b.innerHTML = "<span class='hz-kind'>" + esc(x.kind_label) + "</span> " + esc(x.name) +
          (x.detail ? "<br><small>" + esc(x.detail) + "</small>" : "");
        b.addEventListener("click", function () { zoomTo(x); });
        li.appendChild(b);
        if (x.kind === "enterprise" && x.id != null) {  // the enterprise file (一企一档)
          var a = document.createElement("a");
          a.href = "/enterprises/" + encodeURIComponent(x.id);
          a.textContent = "一企一档";
          a.className = "hz-result-file";
          li.appendChild(a);
        }
        out.appendChild(li);
      });
    }).catch(function (e) { if (!hz.isAbort(e)) { out.innerHTML = "<li class='hz-error'>" + esc(hz.errorText(e)) + "</li>"; } });
  });
  function zoomTo(x) {
    layers.tools.clearLayers();
    if (x.bbox) {
      var a = hz.ll(x.bbox[1], x.bbox[0]), b = hz.ll(x.bbox[3], x.bbox[2]);
      map.fitBounds([a, b]);
    } else {
      map.setView(hz.ll(x.lat, x.lon), 17);
    }
    L.circleMarker(hz.ll(x.lat, x.lon), {radius: 14, color: "#0d47a1", weight: 3, fill: false, interactive: false})
      .bindTooltip(esc(x.name), {permanent: true, direction: "top", offset: [0, -12]}).addTo(layers.tools);
    closeDrawerOnPhone();
  }
  hazmap.zoomTo = zoomTo;
  function closeDrawerOnPhone() {
    var b = document.getElementById("hz-drawer-toggle");
    if (b && b.getAttribute("aria-expanded") === "true" && window.matchMedia("(max-width: 760px)").matches) { b.click(); }
  }

  // ---- planner tools: buffer ("what lies within X m"), measuring, coordinate entry ---------
  var pick = null;  // what the next map click is for
  map.on("click", function (e) {
    if (!pick) { return; }
    var fn = pick;
    pick = null;
    document.getElementById("hz-map").classList.remove("hz-picking");
    fn(e.latlng);
  });
  function picking(fn) { pick = fn; document.getElementById("hz-map").classList.add("hz-picking"); closeDrawerOnPhone(); }
  document.getElementById("hz-buffer").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var radius = Number(ev.target.radius.value), out = document.getElementById("hz-buffer-result");
    out.textContent = "请在地图上点击中心点";
    picking(function (latlng) { buffer(latlng, radius, out); });
  });
  function buffer(latlng, radius, out) {
    var c = hz.clicked(latlng);
    layers.tools.clearLayers();
    L.circle(latlng, {radius: radius, color: "#0d47a1", weight: 2, fillOpacity: 0.06}).addTo(layers.tools);
    out.textContent = "查询中…";
    hz.getJSON(opts.api + "/nearby?" + new URLSearchParams({x: c.x, y: c.y, crs: c.crs, radius_m: radius})).then(function (r) {
      out.innerHTML = "<p>半径 " + hz.num(radius, 0) + " 米内：企业 <b id='hz-buffer-enterprises'>" + r.enterprises.length +
        "</b> 家，防护目标 <b id='hz-buffer-targets'>" + r.targets.length + "</b> 处（登记人数合计 " + hz.num(r.people_in_targets, 0) + " 人）</p>" +
        "<ol class='hz-results'>" + r.enterprises.slice(0, 20).map(function (e) {
          return "<li>" + hz.chip(e.risk_color) + " " + esc(e.name) + "，" + hz.num(e.distance_m) + " 米</li>";
        }).join("") + r.targets.slice(0, 20).map(function (t) {
          return "<li>" + esc(hz.categoryLabel(t.category)) + "：" + esc(t.name) + "，" + hz.num(t.distance_m) + " 米</li>";
        }).join("") + "</ol>";
    }).catch(function (e) { out.innerHTML = "<span class='hz-error'>" + esc(hz.errorText(e)) + "</span>"; });
  }
  document.getElementById("hz-measure").addEventListener("click", function () {
    var out = document.getElementById("hz-measure-result");
    out.textContent = "请点击起点";
    picking(function (a) {
      layers.tools.clearLayers();
      L.circleMarker(a, {radius: 4, color: "#0d47a1"}).addTo(layers.tools);
      out.textContent = "请点击终点";
      picking(function (b) {
        var d = map.distance(a, b);  // great-circle metres (Leaflet's CRS.Earth, R = 6 371 km)
        L.polyline([a, b], {color: "#0d47a1", weight: 2}).addTo(layers.tools);
        out.textContent = "距离约 " + (d >= 1000 ? hz.num(d / 1000, 2) + " 千米" : hz.num(d, 0) + " 米");
      });
    });
  });
  var gotoForm = document.getElementById("hz-goto");
  var gotoFields = hz.coordinateFields(gotoForm.crs, gotoForm.x, gotoForm.y, document.getElementById("g-x-label"),
    document.getElementById("g-y-label"));
  gotoForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var out = document.getElementById("hz-goto-result"), c;
    try { c = gotoFields.read(); } catch (e) { out.innerHTML = "<span class='hz-error'>" + esc(e.message) + "</span>"; return; }
    hz.getJSON(opts.api + "/coordinates?" + new URLSearchParams(c)).then(function (r) {
      var w = r.wgs84, gk = r.gauss_kruger;
      layers.tools.clearLayers();
      map.setView(hz.ll(w.lat, w.lon), 16);
      L.marker(hz.ll(w.lat, w.lon), {keyboard: true, title: "定位点"}).addTo(layers.tools);
      out.innerHTML = "<p id='hz-goto-wgs84'>WGS-84：" + w.lon.toFixed(6) + ", " + w.lat.toFixed(6) + "<br>" + esc(r.dms.lon) + " " +
        esc(r.dms.lat) + Object.keys(gk).map(function (code) {  // the [area] gauss_kruger_epsg zones
          return "<br>" + esc(code) + "：X " + hz.num(gk[code].x, 2) + "，Y " + hz.num(gk[code].y, 2);
        }).join("") + "</p>";
    }).catch(function (e) { out.innerHTML = "<span class='hz-error'>" + esc(hz.errorText(e)) + "</span>"; });
  });

  // ---- time view: compare any two runs and mark the enterprises on the map ----------------
  // one sequence: a second comparison aborts the first one's lookups, and a lookup answered late never
  // draws a ring of a comparison that was cleared
  var compareSeq = new hz.Sequence();
  hz.runView();
  hz.runCompare(function (c) {
    layers.changes.clearLayers();
    var t = compareSeq.next();
    var draw = function (list, colour, label) {
      list.forEach(function (e) {
        hz.getJSON(opts.api + "/enterprises/" + encodeURIComponent(e.id), t.signal).then(function (f) {
          if (!t.current()) { return; }
          var g = f.geometry.coordinates;
          L.circleMarker(hz.ll(g[1], g[0]), {radius: 13, color: colour, weight: 3, fill: false})
            .bindTooltip(label + "：" + esc(e.name)).addTo(layers.changes);
        }).catch(function () { /* removed since: listed only */ });
      });
    };
    draw(c.enterprises_added.slice(0, 100), "#1b5e20", "新增");
    draw(c.enterprises_changed.slice(0, 100), "#0d47a1", "变化");
  });

  // ---- print -------------------------------------------------------------------------------
  function updatePdfLink() {  // the sheet of what is on screen: the filters and the bare view
    var p = query({}, false), b = map.getBounds();
    var v = {w: Math.max(b.getWest(), 73), s: Math.max(b.getSouth(), 3), e: Math.min(b.getEast(), 136), n: Math.min(b.getNorth(), 54)};
    if (v.w < v.e && v.s < v.n && (v.e - v.w) * (v.n - v.s) <= opts.maxBboxArea) { p.set("bbox", bboxParam(v)); }
    if (opts.viewRun) { p.set("run", opts.viewRun); }  // the sheet of the run being viewed
    document.getElementById("hz-pdf").href = "/print/map.pdf?" + p.toString();
  }

  // Leaflet measured its container on screen; the printed sheet's map (A4 landscape, hazmap.css)
  // has another size.  Before printing the page takes the sheet's layout (class hz-printing: the
  // sizes of @media print), Leaflet measures again and what the user looked at — the filtered town,
  // the whole district, or else the view itself — is fitted into the sheet, centred; afterwards the
  // screen view comes back.  beforeprint runs while the screen layout still applies, the print media
  // query's change once the print layout does (Chromium fires both; other browsers one of them).
  var printed = null, basemap = {towns: {}, bounds: null};
  hz.basemapReady.then(function (b) { basemap = b; });
  function printTarget(view) {
    var town = state.filters.town && basemap.towns[state.filters.town];
    var tb = town && L.geoJSON(town, {coordsToLatLng: hz.coordsToLatLng}).getBounds();
    if (tb && tb.isValid() && view.contains(tb)) { return tb; }
    if (basemap.bounds && basemap.bounds.isValid() && view.contains(basemap.bounds)) { return basemap.bounds; }
    return view;
  }
  function toPrint() {
    if (!printed) {
      printed = {centre: map.getCenter(), zoom: map.getZoom(), target: printTarget(map.getBounds())};
      document.documentElement.classList.add("hz-printing");
    }
    map.invalidateSize({pan: false});
    map.fitBounds(printed.target, {animate: false, padding: [8, 8]});
  }
  function fromPrint() {
    if (!printed) { return; }
    var p = printed;
    printed = null;
    document.documentElement.classList.remove("hz-printing");
    map.invalidateSize({pan: false});
    map.setView(p.centre, p.zoom, {animate: false});
  }
  window.addEventListener("beforeprint", toPrint);
  window.addEventListener("afterprint", fromPrint);
  var printMedia = window.matchMedia ? window.matchMedia("print") : null;
  if (printMedia) {
    var onPrintMedia = function (e) { if (e.matches) { toPrint(); } else { fromPrint(); } };
    if (printMedia.addEventListener) { printMedia.addEventListener("change", onPrintMedia); } else { printMedia.addListener(onPrintMedia); }
  }
  hazmap.print = {before: toPrint, after: fromPrint};

  // export links (roles that may download, opts.canExport): the enterprise list request's filters and
  // bbox (what "当前视野统计" counts) as a file; conflicts by the filters their collection has (risk,
  // town). A view too large to list exports the whole area under the filters.
  function updateExportLinks() {
    var links = document.querySelectorAll("#hz-export a[data-layer]");
    if (!links.length) { return; }
    var inView = !!(loaded.extent && loaded.extent.ok), f = state.filters;
    Array.prototype.forEach.call(links, function (a) {
      var p = query({format: a.dataset.format}, inView);
      if (a.dataset.format === "csv") { p.set("labels", "zh"); }  // Chinese column titles for Excel
      if (a.dataset.layer === "conflicts") { ["stage", "department", "q"].forEach(function (k) { p.delete(k); }); }
      a.href = hz.withRun(opts.api + "/" + a.dataset.layer + "?" + p.toString());
    });
    document.getElementById("hz-export-scope").textContent = inView ? "范围：当前视野（与“当前视野统计”一致）"
      : "范围：全部数据（视野过大，不按视野限定）";
    document.getElementById("hz-export-note").hidden = !(f.stage || f.department || f.q);
  }

  document.getElementById("hz-asof").textContent = "数据截至：" + (hz.beijing(opts.dataAsOf) || "尚无计算结果") +
    (opts.runId ? "（运行 #" + opts.runId + "）" : "");
  legend();
  map.on("moveend", function () { reload(); });
  if (state.filters.town) { zoomToTown(state.filters.town); }
  hz.basemapReady.then(function () { reload(true); });
})();
