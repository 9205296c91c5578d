/* hazmap front end: the four-colour risk map and the siting page.
 * Layers load by viewport from /api/v1 (GeoJSON, WGS-84); nothing is inlined in the page.
 * When the configured basemap is GCJ-02, drawn coordinates are shifted for display only. */
(function () {
  "use strict";
  var STAGES = {production: "生产", trade_storage: "经营(带储存)", trade: "经营(不带储存)", storage: "储存",
    transport: "运输", loading: "装卸", use: "使用", waste: "废弃处置", pipeline: "长输管道"};
  var CATEGORIES = {school: "学校", kindergarten: "幼儿园", hospital: "医院", nursing_home: "养老院",
    residential: "居住区", mall: "商场", transit_station: "客运站", stadium: "体育场馆", cultural_relic: "文物保护单位",
    religious_site: "宗教场所", office: "办公楼", other_public: "其他公共场所"};
  var PRECISION = {source: "登记坐标", address_point: "门牌地址", road: "道路", poi: "兴趣点", village: "村/社区",
    town: "镇/街道", district: "区"};
  var GRADE = {1: "一级", 2: "二级", 3: "三级", 4: "四级"};
  // protection targets by category: high-sensitivity (GB 36894) in purple/magenta, housing green
  var TARGET_COLOUR = {school: "#6a1b9a", kindergarten: "#6a1b9a", hospital: "#c2185b", nursing_home: "#c2185b",
    residential: "#2e7d32", mall: "#455a64", transit_station: "#455a64", stadium: "#455a64", cultural_relic: "#795548",
    religious_site: "#795548", office: "#607d8b", other_public: "#607d8b"};

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  // WGS-84 → GCJ-02 (display only, for a GCJ-02 basemap)
  function gcj(lat, lon) {
    var a = 6378245.0, ee = 0.00669342162296594323, x = lon - 105.0, y = lat - 35.0;
    var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    dLat += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    dLat += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    dLat += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    dLon += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    dLon += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    dLon += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    var rad = lat / 180.0 * Math.PI, magic = Math.sin(rad);
    magic = 1 - ee * magic * magic;
    var sq = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sq) * Math.PI);
    dLon = (dLon * 180.0) / (a / sq * Math.cos(rad) * Math.PI);
    return [lat + dLat, lon + dLon];
  }

  var COLOUR_WORD = {red: "红", orange: "橙", yellow: "黄", blue: "蓝"};

  // times are stored with their offset; users read Beijing time
  function beijing(iso) {
    if (!iso) { return null; }
    try { return new Date(iso).toLocaleString("zh-CN", {timeZone: "Asia/Shanghai", hour12: false}); }
    catch (e) { return iso.replace("T", " "); }
  }

  function csrfToken() {
    var m = document.querySelector("meta[name=csrf-token]");
    return m ? m.getAttribute("content") : "";
  }

  var hazmap = {};
  window.hazmap = hazmap;
  hazmap.gcj = gcj;  // exposed for the test that compares it with geo.crs.wgs84_to_gcj02

  hazmap.init = function (map, opts) {
    hazmap.map = map;
    hazmap.opts = opts;
    // with no tile layer the map has no maxZoom, which marker clustering needs
    map.setMaxZoom(19);
    map.setMinZoom(5);
    hazmap.shift = opts.tileDatum === "gcj02";
    hazmap.ll = function (lat, lon) { return hazmap.shift ? gcj(lat, lon) : [lat, lon]; };
    hazmap.coordsToLatLng = function (c) { var p = hazmap.ll(c[1], c[0]); return L.latLng(p[0], p[1]); };
    addTitle(map, opts);
    loadBoundaries(map);
    if (opts.page === "map") { initRiskMap(map, opts); } else { initSiting(map, opts); }
  };

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error((body.error && body.error.message) || ("HTTP " + r.status)); }
        return body;
      });
    });
  }

  function addTitle(map, opts) {
    var c = L.control({position: "topleft"});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", "hz-title");
      d.innerHTML = "<b>" + esc(opts.title) + "</b><br><small>数据截至：" +
        esc(beijing(opts.dataAsOf) || "尚无计算结果") + "</small>" +
        '<br><small><a href="/">风险地图</a> · <a href="/dashboard">统计看板</a> · <a href="/siting">选址核查</a></small>' +
        (opts.user ? "<form method='post' action='/logout' class='hz-user'><small>" + esc(opts.user.name) + "（" +
          esc(opts.user.role) + "）</small> <button type='submit'>退出</button></form>" : "");
      return d;
    };
    c.addTo(map);
  }

  function loadBoundaries(map) {
    getJSON(hazmap.opts.api + "/boundaries").then(function (fc) {
      var layer = L.geoJSON(fc, {coordsToLatLng: hazmap.coordsToLatLng, style: function (f) {
        return f.properties.level === "district" ? {color: "#333", weight: 3, fill: false}
          : {color: "#777", weight: 1, dashArray: "4 4", fillColor: "#f4f4f0", fillOpacity: 0.5};
      }, onEachFeature: function (f, l) {
        if (f.properties.level === "town") {
          l.bindTooltip(f.properties.name + (f.properties.synthetic ? "（示意边界）" : ""), {sticky: true});
        }
      }}).addTo(map);
      layer.bringToBack();
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
    }).catch(function (e) { console.warn("boundaries:", e.message); });
  }

  // ---- risk map ------------------------------------------------------------------------
  function initRiskMap(map, opts) {
    var colours = opts.colours;
    var state = {filters: {}};
    var layers = {
      enterprises: L.markerClusterGroup({disableClusteringAtZoom: 14, chunkedLoading: true,
        iconCreateFunction: clusterIcon}),
      majors: L.layerGroup(),
      targets: L.layerGroup(),
      rings: L.layerGroup(),
      conflicts: L.layerGroup(),
      towns: L.layerGroup(),
      grid: L.layerGroup(),
      pipelines: L.layerGroup()
    };
    layers.enterprises.addTo(map);
    layers.majors.addTo(map);
    layers.conflicts.addTo(map);
    layers.pipelines.addTo(map);
    layers.towns.addTo(map);
    L.control.layers(null, {
      "涉危企业（四色）": layers.enterprises, "重大危险源": layers.majors, "防护目标": layers.targets,
      "所需防护距离": layers.rings, "距离冲突": layers.conflicts, "镇街风险": layers.towns,
      "网格风险": layers.grid, "长输管道与高后果区": layers.pipelines
    }, {collapsed: false}).addTo(map);
    addLegend(map, opts);
    addFilters(map, state, reload);

    // Layers are fetched for the view padded by half its size, and fetched again only when the
    // view leaves that extent or a filter changes — so opening a popup (which pans the map) does
    // not reload and drop it, and small pans cost nothing.  The API caps the bbox area
    // (max_bbox_area_deg2) and the page size (max_features_per_response): at views larger than
    // the cap nothing is requested and the user is asked to zoom in.
    var loaded = {bounds: null, key: null};
    function extent() {
      var b = map.getBounds().pad(0.5);
      var w = Math.max(b.getWest(), 73), s = Math.max(b.getSouth(), 3), e = Math.min(b.getEast(), 136), n = Math.min(b.getNorth(), 54);
      if ((e - w) * (n - s) > opts.maxBboxArea) {  // fall back to the bare view
        b = map.getBounds();
        w = Math.max(b.getWest(), 73); s = Math.max(b.getSouth(), 3); e = Math.min(b.getEast(), 136); n = Math.min(b.getNorth(), 54);
      }
      return {w: w, s: s, e: e, n: n, ok: w < e && s < n && (e - w) * (n - s) <= opts.maxBboxArea};
    }
    function bbox() {
      var x = loaded.extent || extent();
      return [x.w, x.s, x.e, x.n].map(function (v) { return v.toFixed(5); }).join(",");
    }
    function qs(extra) {
      var p = new URLSearchParams(extra || {});
      p.set("bbox", bbox());
      Object.keys(state.filters).forEach(function (k) { if (state.filters[k]) { p.set(k, state.filters[k]); } });
      return p.toString();
    }
    function setCount(text) {
      var el = document.getElementById("hz-count");
      if (el) { el.textContent = text; }
    }

    function reload(force) {
      var key = JSON.stringify(state.filters);
      if (force !== true && loaded.bounds && loaded.key === key && loaded.bounds.contains(map.getBounds())) { return; }
      var x = extent();
      if (!x.ok) {
        loaded = {bounds: null, key: null};
        setCount("视野过大，请放大地图以加载企业");
        return;
      }
      loaded = {bounds: L.latLngBounds([x.s, x.w], [x.n, x.e]), key: key, extent: x};
      var page = {limit: opts.maxFeatures};
      getJSON(opts.api + "/enterprises?" + qs(page)).then(function (fc) {
        var open = null;  // keep the marker whose popup is open
        layers.enterprises.getLayers().forEach(function (m) { if (m.isPopupOpen && m.isPopupOpen()) { open = m; } });
        layers.enterprises.clearLayers();
        layers.majors.clearLayers();
        if (open) { layers.enterprises.addLayer(open); }
        fc.features.forEach(function (f) {
          var p = f.properties, c = f.geometry.coordinates, ll = hazmap.ll(c[1], c[0]);
          if (open && open.feature.id === f.id) { return; }
          var col = colours[p.risk_color] || "#999";
          var m = L.circleMarker(ll, {radius: 7, color: "#222", weight: 1, fillColor: col, fillOpacity: 0.95,
            className: "hz-ent hz-" + (p.risk_color || "none")});
          m.feature = f;
          m.bindPopup(function () { return enterprisePopup(p); }, {maxWidth: 380, maxHeight: 420});
          m.on("popupopen", function (ev) { showRings(p.id, ev.popup); });
          layers.enterprises.addLayer(m);
          if (p.major_hazard_grade) {
            L.marker(ll, {icon: L.divIcon({className: "hz-major", html: GRADE[p.major_hazard_grade] || "",
              iconSize: [30, 16], iconAnchor: [15, 26]})}).bindTooltip(p.name + "：" + GRADE[p.major_hazard_grade] + "重大危险源")
              .addTo(layers.majors);
          }
        });
        setCount("当前范围 " + fc.numberReturned + " / 共 " + fc.numberMatched + " 家" +
          (fc.numberMatched > fc.numberReturned ? "（仅显示前 " + fc.numberReturned + " 家，请放大）" : ""));
      }).catch(function (e) { console.warn("enterprises:", e.message); });
      getJSON(opts.api + "/conflicts?" + qs(page)).then(function (fc) {
        layers.conflicts.clearLayers();
        L.geoJSON(fc, {coordsToLatLng: hazmap.coordsToLatLng, style: {color: "#b00020", weight: 2, dashArray: "3 3"},
          onEachFeature: function (f, l) {
            var p = f.properties;
            l.bindTooltip(esc(p.enterprise) + " → " + esc(p.target) + "：" + p.distance_m + " m < " + p.required_m + " m");
          }}).addTo(layers.conflicts);
      }).catch(function (e) { console.warn("conflicts:", e.message); });
      if (map.hasLayer(layers.targets)) { loadTargets(); }
      if (map.hasLayer(layers.grid)) { loadAreas("grid", layers.grid); }
    }
    function loadTargets() {
      if (!loaded.bounds) { return; }
      getJSON(opts.api + "/targets?" + new URLSearchParams({bbox: bbox(), limit: opts.maxFeatures})).then(function (fc) {
        layers.targets.clearLayers();
        L.geoJSON(fc, {coordsToLatLng: hazmap.coordsToLatLng,
          pointToLayer: function (f, ll) {
            var c = TARGET_COLOUR[f.properties.category] || "#666";
            return L.circleMarker(ll, {radius: 5, color: c, weight: 2, fillColor: "#fff", fillOpacity: 0.9});
          },
          style: function (f) { return {color: TARGET_COLOUR[f.properties.category] || "#666", weight: 1, fillOpacity: 0.2}; },
          onEachFeature: function (f, l) { l.bindPopup(function () { return targetPopup(f); }); }}).addTo(layers.targets);
      }).catch(function (e) { console.warn("targets:", e.message); });
    }
    function loadAreas(level, group) {
      var p = {level: level, limit: opts.maxFeatures};
      if (level === "grid") {
        if (!loaded.bounds) { return; }
        p.bbox = bbox();
      }
      getJSON(opts.api + "/areas?" + new URLSearchParams(p)).then(function (fc) {
        group.clearLayers();
        L.geoJSON(fc, {coordsToLatLng: hazmap.coordsToLatLng, style: function (f) {
          return {color: colours[f.properties.risk_color] || "#999", weight: level === "grid" ? 0.5 : 2,
            fillColor: colours[f.properties.risk_color] || "#999", fillOpacity: level === "grid" ? 0.45 : 0.15};
        }, onEachFeature: function (f, l) {
          var p = f.properties, c = p.counts || {};
          l.bindTooltip(esc(p.name) + "：" + (opts.labels[p.risk_color] || "无数据") + "（指数 " + (p.risk_index == null ? "-" : p.risk_index) +
            "；红" + (c.red || 0) + " 橙" + (c.orange || 0) + " 黄" + (c.yellow || 0) + " 蓝" + (c.blue || 0) + "）", {sticky: true});
        }}).addTo(group);
      }).catch(function (e) { console.warn("areas:", e.message); });
    }
    function loadPipelines() {
      getJSON(opts.api + "/pipelines?limit=" + Math.min(1000, opts.maxFeatures)).then(function (fc) {
        layers.pipelines.clearLayers();
        L.geoJSON(fc, {coordsToLatLng: hazmap.coordsToLatLng, style: function (f) {
          return {color: f.properties.medium === "gas" ? "#7b3fa0" : "#8a5a00", weight: 3};
        }, onEachFeature: function (f, l) {
          var p = f.properties;
          l.bindPopup("<b>" + esc(p.name) + "</b><br>介质：" + esc(p.medium_label) + "；管径 " + p.diameter_mm +
            " mm；设计压力 " + p.maop_mpa + " MPa<br>高后果区段：" + p.hca_segments.length + " 段");
          p.hca_segments.forEach(function (s) {
            L.geoJSON(s.geometry, {coordsToLatLng: hazmap.coordsToLatLng, style: {color: "#e02020", weight: 7, opacity: 0.5}})
              .bindTooltip("高后果区 " + s.grade_label + "级：" + esc((s.reasons || []).join("；")))
              .addTo(layers.pipelines);
          });
        }}).addTo(layers.pipelines);
      }).catch(function (e) { console.warn("pipelines:", e.message); });
    }
    function showRings(eid, popup) {
      layers.rings.clearLayers();
      getJSON(opts.api + "/enterprises/" + eid).then(function (f) {
        var c = f.geometry.coordinates, ll = hazmap.ll(c[1], c[0]);
        var el = popup && popup.getElement() && popup.getElement().querySelector(".hz-conflicts");
        if (el) {  // the content was built by a function: hand the filled node back (update() would rebuild it)
          el.innerHTML = conflictList(f.properties.conflict_list || []);
          popup.setContent(el.parentNode);
        }
        (f.properties.requirements || []).slice(0, 3).forEach(function (r) {
          L.circle(ll, {radius: r.required_m, color: "#b00020", weight: 1, fill: false, dashArray: "6 4"})
            .bindTooltip((CATEGORIES[r.category] || r.category) + " 所需距离 " + r.required_m + " m").addTo(layers.rings);
        });
        if (!map.hasLayer(layers.rings)) { layers.rings.addTo(map); }
      }).catch(function (e) { console.warn("rings:", e.message); });
    }
    map.on("moveend", reload);
    map.on("overlayadd", function (e) {
      if (e.layer === layers.targets) { loadTargets(); }
      if (e.layer === layers.grid) { loadAreas("grid", layers.grid); }
    });
    loadAreas("town", layers.towns);
    loadPipelines();
    reload();
    hazmap.reload = reload;
    hazmap.layers = layers;
  }

  // a cluster shows its worst colour (not markercluster's count colours, which would read as risk)
  var RANK = {red: 0, orange: 1, yellow: 2, blue: 3};
  function clusterIcon(cluster) {
    var worst = null;
    cluster.getAllChildMarkers().forEach(function (m) {
      var c = m.feature && m.feature.properties.risk_color;
      if (c && (worst === null || RANK[c] < RANK[worst])) { worst = c; }
    });
    var col = (hazmap.opts.colours || {})[worst] || "#999";
    return L.divIcon({html: "<div style='background:" + col + "'><span>" + cluster.getChildCount() + "</span></div>",
      className: "hz-cluster", iconSize: L.point(34, 34)});
  }

  function enterprisePopup(p) {
    var reasons = (p.reasons || []).filter(function (r) { return r.points !== 0 || r.code === "DIRECT_RED"; })
      .map(function (r) { return "<li>" + esc(r.text) + (r.points ? "（" + (r.points > 0 ? "+" : "") + r.points + "）" : "") + "</li>"; }).join("");
    return "<div class='hz-popup'><b>" + esc(p.name) + "</b><br>" +
      "<span class='hz-chip' style='background:" + esc(p.risk_color_hex || "#999") + "'>" + esc(p.risk_label || "未评级") + "</span> 评分 " +
      (p.risk_score == null ? "-" : p.risk_score) + (p.major_hazard_grade ? "；" + GRADE[p.major_hazard_grade] + "重大危险源" : "") +
      "<br>环节：" + esc((p.stages || []).map(function (s) { return STAGES[s] || s; }).join("、")) +
      "<br>监管部门：" + esc(p.department || "-") + "；属地：" + esc(p.town || "-") +
      "<br>定位：" + esc(PRECISION[p.geocode_precision] || p.geocode_precision) +
      (p.geocode_score ? "（匹配度 " + Math.round(p.geocode_score) + "）" : "") +
      (p.licence_expired ? "<br><b style='color:#b00020'>许可证已过期（" + esc(p.licence_expiry) + "）</b>" : "") +
      "<br>距离冲突：" + p.conflicts + " 处" + (p.conflicts ? "<div class='hz-conflicts'>加载中…</div>" : "") +
      (reasons ? "<br>扣分/加分依据：<ul>" + reasons + "</ul>" : "") + "</div>";
  }

  function conflictList(list) {
    if (!list.length) { return ""; }
    return "<ul>" + list.slice(0, 8).map(function (c) {
      return "<li>" + esc(c.name) + "（" + esc(CATEGORIES[c.category] || c.category) + "）" + c.distance_m +
        " m，要求 " + c.required_m + " m，差 " + c.deficit_m + " m<br><small>" + esc(c.rule_text || c.rule) + "</small></li>";
    }).join("") + (list.length > 8 ? "<li>…共 " + list.length + " 处</li>" : "") + "</ul>";
  }

  function targetPopup(f) {
    var p = f.properties, id = f.id;
    var div = document.createElement("div");
    div.innerHTML = "<b>" + esc(p.name) + "</b>（" + esc(CATEGORIES[p.category] || p.category) + "，" + esc(p.gb36894_class || "") +
      "）<br>人数：" + (p.population || "-") + "<br><span class='hz-sources'>加载中…</span>";
    getJSON(hazmap.opts.api + "/targets/" + id).then(function (t) {
      var s = t.properties.sources;
      div.querySelector(".hz-sources").innerHTML = s.length ? "所需距离覆盖本目标的危险源：<ul>" + s.map(function (x) {
        return "<li>" + esc(x.name) + "：" + x.distance_m + " m（要求 " + x.required_m + " m）</li>";
      }).join("") + "</ul>" : "无危险源的所需距离覆盖本目标";
    }).catch(function (e) { div.querySelector(".hz-sources").textContent = e.message; });
    return div;
  }

  function addLegend(map, opts) {
    var c = L.control({position: "bottomright"});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", "hz-legend");
      d.id = "hz-legend";
      d.innerHTML = "<b>风险等级</b>" + ["red", "orange", "yellow", "blue"].map(function (k) {
        return "<div class='hz-legend-" + k + "'><i style='background:" + opts.colours[k] + "'></i>" + COLOUR_WORD[k] + " " +
          opts.labels[k] + "</div>";
      }).join("") + "<div><i class='hz-line'></i>距离冲突</div><div><span class='hz-major-sample'>二级</span>重大危险源</div>" +
      "<div><i style='background:#fff;border:2px solid #6a1b9a'></i>学校/幼儿园</div>" +
      "<div><i style='background:#fff;border:2px solid #c2185b'></i>医院/养老院</div>" +
      "<div><i style='background:#2e7d32;opacity:.4;border-radius:0'></i>居住区</div>" +
      "<div id='hz-count'></div><small>坐标：WGS-84" + (hazmap.shift ? "（显示按GCJ-02底图偏移）" : "") + "</small>";
      return d;
    };
    c.addTo(map);
  }

  function addFilters(map, state, reload) {
    var c = L.control({position: "topright"});
    c.onAdd = function () {
      var d = L.DomUtil.create("form", "hz-filters");
      d.id = "hz-filters";
      d.innerHTML = "<b>筛选</b>" +
        "<label>风险 <select name='risk'><option value=''>全部</option><option value='red'>红（重大）</option>" +
        "<option value='orange'>橙（较大）</option><option value='yellow'>黄（一般）</option><option value='blue'>蓝（低）</option>" +
        "<option value='red,orange'>红+橙</option></select></label>" +
        "<label>属地 <select name='town'><option value=''>全部</option></select></label>" +
        "<label>环节 <select name='stage'><option value=''>全部</option>" + Object.keys(STAGES).map(function (k) {
          return "<option value='" + k + "'>" + STAGES[k] + "</option>"; }).join("") + "</select></label>" +
        "<label>部门 <select name='department'><option value=''>全部</option></select></label>" +
        "<label>名称 <input name='q' placeholder='企业名称关键字' size='10'></label>";
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      d.addEventListener("change", function () {
        var fd = new FormData(d);
        state.filters = {risk: fd.get("risk"), town: fd.get("town"), stage: fd.get("stage"),
          department: fd.get("department"), q: fd.get("q")};
        reload();
      });
      d.addEventListener("submit", function (e) { e.preventDefault(); d.dispatchEvent(new Event("change")); });
      getJSON(hazmap.opts.api + "/stats").then(function (s) {
        var towns = d.querySelector("select[name=town]"), deps = d.querySelector("select[name=department]");
        Object.keys(s.by_town).sort().forEach(function (t) { if (t !== "未知") { towns.add(new Option(t, t)); } });
        Object.keys(s.by_department).sort().forEach(function (t) { if (t !== "未知") { deps.add(new Option(t, t)); } });
      }).catch(function (e) { console.warn("stats:", e.message); });
      return d;
    };
    c.addTo(map);
  }

  // ---- siting ---------------------------------------------------------------------------
  function initSiting(map, opts) {
    var marker = null, zones = L.layerGroup().addTo(map);
    var c = L.control({position: "topright"});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", "hz-siting");
      d.innerHTML = "<b>选址核查</b><p><small>在地图上点击拟建点，或输入坐标。</small></p>" +
        "<form id='hz-siting-form'>" +
        "<label>经度 <input name='lon' size='12' required></label> <label>纬度 <input name='lat' size='12' required></label>" +
        "<label>坐标系 <select name='crs'><option value='wgs84'>WGS-84</option><option value='cgcs2000'>CGCS2000</option>" +
        "<option value='gcj02'>GCJ-02（高德/腾讯）</option><option value='bd09'>BD-09（百度）</option></select></label>" +
        "<table id='hz-inv'><tr><th>化学品（名称或CAS）</th><th>数量 t</th><th>单元</th></tr></table>" +
        "<button type='button' id='hz-add'>添加一行</button> " +
        "<label>暴露人数 <input name='people' size='6' placeholder='自动统计'></label><br>" +
        "<button type='submit'>核查</button></form><div id='hz-result'></div>" +
        "<hr><b>可选址区域</b><form id='hz-feasible'>" +
        "<label>设施类别 <select name='facility_type'><option>加油站</option><option>液化石油气充装站</option>" +
        "<option>油库</option><option>危化品仓库</option><option>化工厂</option><option>气体充装站</option></select></label>" +
        "<label>重大危险源 <select name='major_grade'><option value=''>否</option><option value='1'>一级</option>" +
        "<option value='2'>二级</option><option value='3'>三级</option><option value='4'>四级</option></select></label>" +
        "<label>危险类型 <select name='hazard'><option value=''>-</option><option value='toxic'>有毒</option>" +
        "<option value='flammable'>易燃易爆</option><option value='explosive'>爆炸品</option></select></label>" +
        "<button type='submit'>显示可选址区域</button></form><div id='hz-feasible-result'></div>";
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      return d;
    };
    c.addTo(map);
    var form = document.getElementById("hz-siting-form"), inv = document.getElementById("hz-inv");
    function addRow(chem, q) {
      var tr = inv.insertRow(-1);
      tr.innerHTML = "<td><input name='chemical' value='" + esc(chem || "") + "' size='10'></td>" +
        "<td><input name='quantity' value='" + esc(q || "") + "' size='5'></td>" +
        "<td><select name='unit'><option value='storage'>储存</option><option value='production'>生产</option></select></td>";
    }
    addRow("液氯", "20");
    var feasibleLayer = L.layerGroup().addTo(map);
    document.getElementById("hz-feasible").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = ev.target, p = new URLSearchParams({facility_type: f.facility_type.value});
      if (f.major_grade.value) { p.set("major_grade", f.major_grade.value); }
      if (f.hazard.value) { p.set("hazard", f.hazard.value); }
      var out = document.getElementById("hz-feasible-result");
      out.textContent = "计算中…";
      getJSON(opts.api + "/siting/feasible?" + p.toString()).then(function (z) {
        feasibleLayer.clearLayers();
        L.geoJSON(z, {coordsToLatLng: hazmap.coordsToLatLng, style: {color: "#2a8a2a", weight: 1, fillColor: "#2a8a2a", fillOpacity: 0.25}})
          .addTo(feasibleLayer);
        out.innerHTML = "绿色区域与所有防护目标的距离均满足要求（占全区 " + Math.round(z.properties.feasible_share * 100) + "%）。<ul>" +
          z.properties.requirements.map(function (r) {
            return "<li>" + esc(CATEGORIES[r.category] || r.category) + "：" + r.required_m + " m</li>"; }).join("") + "</ul>";
      }).catch(function (e) { out.innerHTML = "<span class='hz-error'>" + esc(e.message) + "</span>"; });
    });
    document.getElementById("hz-add").addEventListener("click", function () { addRow(); });
    map.on("click", function (e) {
      // the clicked point is in the drawn datum; convert back when the basemap is GCJ-02
      form.lon.value = e.latlng.lng.toFixed(6);
      form.lat.value = e.latlng.lat.toFixed(6);
      form.crs.value = hazmap.shift ? "gcj02" : "wgs84";
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var rows = Array.prototype.slice.call(inv.rows, 1).map(function (tr) {
        var chem = tr.querySelector("[name=chemical]").value.trim(), q = tr.querySelector("[name=quantity]").value;
        var item = /^\d{2,7}-\d{2}-\d$/.test(chem) ? {cas: chem} : {chemical: chem};
        item.quantity_t = q === "" ? null : Number(q);
        item.unit = tr.querySelector("[name=unit]").value;
        return item;
      }).filter(function (x) { return x.chemical || x.cas; });
      var body = {location: {lon: Number(form.lon.value), lat: Number(form.lat.value), crs: form.crs.value},
        inventory: rows, exposed_people: form.people.value === "" ? null : Number(form.people.value)};
      var out = document.getElementById("hz-result");
      out.textContent = "核查中…";
      fetch(opts.api + "/siting/check", {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": csrfToken()},
        body: JSON.stringify(body), credentials: "same-origin"}).then(function (r) {
        return r.json().then(function (b) { return {ok: r.ok, body: b}; });
      }).then(function (res) {
        if (!res.ok) { out.innerHTML = "<p class='hz-error'>输入有误（" + esc(res.body.error.field) + "）：" + esc(res.body.error.message) + "</p>"; return; }
        showResult(res.body, out);
      }).catch(function (e) { out.textContent = "请求失败：" + e.message; });
    });
    function showResult(r, out) {
      var ll = hazmap.ll(r.location.lat, r.location.lon);
      if (marker) { map.removeLayer(marker); }
      zones.clearLayers();
      marker = L.circleMarker(ll, {radius: 9, color: "#000", fillColor: opts.colours[r.risk_color], fillOpacity: 1}).addTo(map);
      r.required_distances.slice(0, 4).forEach(function (d) {
        L.circle(ll, {radius: d.required_m, color: "#b00020", weight: 1, fill: false, dashArray: "6 4"})
          .bindTooltip((CATEGORIES[d.category] || d.category) + " " + d.required_m + " m").addTo(zones);
      });
      var v = r.verdict;
      out.innerHTML = "<div class='hz-verdict hz-" + v.decision + "' id='hz-verdict'><b>" + esc(v.label) + "</b><br>" + esc(v.text) + "</div>" +
        "<p>位置（WGS-84）：" + r.location.lon + ", " + r.location.lat + "；500 m 内暴露人数：" + Math.round(r.exposed_people) +
        (r.exposure === "given" ? "（按输入）" : "（据防护目标数据统计）") + "</p>" +
        "<table class='hz-units'><tr><th>单元</th><th>S</th><th>R</th><th>α</th><th>人数</th><th>等级</th></tr>" + r.units.map(function (u) {
          return "<tr><td>" + (u.unit === "storage" ? "储存" : "生产") + "</td><td>" + u.S + "</td><td>" + (u.R == null ? "-" : u.R) +
            "</td><td>" + u.alpha + "</td><td>" + Math.round(u.exposed_people == null ? r.exposed_people : u.exposed_people) +
            "</td><td>" + (u.grade ? GRADE[u.grade] : "非重大危险源") + "</td></tr>"; }).join("") + "</table>" +
        "<p>风险颜色：<span class='hz-chip' style='background:" + opts.colours[r.risk_color] + "'>" + esc(opts.labels[r.risk_color]) +
        "</span>（" + r.risk_score + " 分）</p>" +
        "<p>距离冲突 " + r.conflicts.length + " 处</p><ul>" + r.conflicts.slice(0, 10).map(function (c) {
          return "<li>" + esc(c.name) + "（" + esc(CATEGORIES[c.category] || c.category) + "）" + c.distance_m + " m，要求 " + c.required_m + " m</li>";
        }).join("") + "</ul>" +
        "<details><summary>所需防护距离（" + r.required_distances.length + " 类）</summary><table class='hz-units'>" +
        "<tr><th>防护目标</th><th>距离 m</th><th>依据</th></tr>" + r.required_distances.map(function (d) {
          return "<tr><td>" + esc(CATEGORIES[d.category] || d.category) + "</td><td>" + d.required_m + "</td><td><small>" +
            esc(d.rule_text || d.rule) + "</small></td></tr>"; }).join("") + "</table></details>" +
        ((r.reasons || []).length ? "<details><summary>四色评分依据</summary><ul>" + r.reasons.map(function (x) {
          return "<li>" + esc(x.text) + "</li>"; }).join("") + "</ul></details>" : "");
    }
  }
})();
