/* The siting page (/siting): the candidate (clicked or entered in WGS-84, DMS, CGCS2000
 * Gauss-Krüger zones of [area] gauss_kruger_epsg, GCJ-02 or BD-09), its facility type (the server's classes), the
 * check (POST /api/v1/siting/check), the candidate pin, required-distance rings, nearby targets
 * and enterprises with lines to the conflicting ones; the 选址初筛意见 PDF; the feasible zone. */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc, opts = hz.opts, V = hz.vocab;
  var map = hz.createMap("hz-map");
  var result = L.layerGroup().addTo(map), feasible = L.layerGroup().addTo(map);
  var form = document.getElementById("hz-siting-form"), inv = document.querySelector("#hz-inv tbody");
  var lastBody = null, checkSeq = new hz.Sequence();
  window.hazmap = {map: map, layers: {result: result, feasible: feasible}};

  function addRow(chem, q) {
    var i = inv.rows.length, tr = inv.insertRow(-1);
    var kinds = V.unit_kinds || {};
    tr.innerHTML = "<td><input name='chemical' aria-label='第 " + (i + 1) + " 行化学品' value='" + esc(chem || "") + "'></td>" +
      "<td><input name='quantity' type='number' min='0' step='any' aria-label='第 " + (i + 1) + " 行数量（吨）' value='" + esc(q || "") + "'></td>" +
      "<td><select name='unit' aria-label='第 " + (i + 1) + " 行单元'>" + Object.keys(kinds).map(function (k) {
        return "<option value='" + esc(k) + "'" + (k === "storage" ? " selected" : "") + ">" + esc(kinds[k]) + "</option>";
      }).join("") + "</select></td>";
  }
  addRow("液氯", "20");
  document.getElementById("hz-add").addEventListener("click", function () { addRow(); });

  var coords = hz.coordinateFields(form.crs, form.lon, form.lat, document.getElementById("s-lon-label"),
    document.getElementById("s-lat-label"));
  map.on("click", function (e) {
    var c = hz.clicked(e.latlng);  // in the drawn datum
    form.crs.value = c.crs;
    coords.update();
    form.lon.value = c.x.toFixed(6);
    form.lat.value = c.y.toFixed(6);
  });

  function requestBody() {
    var c = coords.read();
    var rows = Array.prototype.map.call(inv.rows, function (tr) {
      var chem = tr.querySelector("[name=chemical]").value.trim(), q = tr.querySelector("[name=quantity]").value;
      var item = /^\d{2,7}-\d{2}-\d$/.test(chem) ? {cas: chem} : {chemical: chem};
      item.quantity_t = q === "" ? null : Number(q);
      item.unit = tr.querySelector("[name=unit]").value;
      return item;
    }).filter(function (x) { return x.chemical || x.cas; });
    var body = {location: {lon: Number(c.x), lat: Number(c.y), crs: c.crs}, inventory: rows,
      facility_type: form.facility_type.value || null, stage: form.stage.value || null,
      in_chemical_park: form.in_chemical_park.value === "" ? null : form.in_chemical_park.value === "true",
      allow_outside_area: form.allow_outside_area.checked, consequence: form.consequence.checked,
      exposed_people: form.people.value === "" ? null : Number(form.people.value)};
    var size = {};
    ["tank_volume_m3", "station_grade", "vapour_recovery", "lpg_tank_buried", "oil_depot_grade"].forEach(function (k) {
      if (form[k].value !== "") { size[k] = Number(form[k].value); }
    });
    if (Object.keys(size).length) { body.size = size; }
    return body;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var out = document.getElementById("hz-result"), body;
    try { body = requestBody(); } catch (e) { out.innerHTML = "<p class='hz-error'>" + esc(e.message) + "</p>"; return; }
    var t = checkSeq.next();
    out.textContent = "核查中…";
    document.getElementById("hz-loading").hidden = false;
    hz.post(opts.api + "/siting/check", body, t.signal).then(function (r) {
      if (!t.current()) { return; }
      lastBody = body;
      document.getElementById("hz-siting-pdf").disabled = false;
      show(r, out);
    }).catch(function (e) {
      if (hz.isAbort(e)) { return; }
      out.innerHTML = "<p class='hz-error' id='hz-siting-error'>输入有误：" + esc(hz.errorText(e)) + "</p>";
    }).then(function () { document.getElementById("hz-loading").hidden = true; });
  });

  document.getElementById("hz-siting-pdf").addEventListener("click", function () {
    if (!lastBody) { return; }
    var out = document.getElementById("hz-result");
    hz.post(opts.api + "/siting/report.pdf", lastBody).then(function (blob) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "选址初筛意见.pdf";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }).catch(function (e) { out.insertAdjacentHTML("beforeend", "<p class='hz-error'>" + esc(hz.errorText(e)) + "</p>"); });
  });

  function show(r, out) {
    result.clearLayers();
    var ll = hz.ll(r.location.lat, r.location.lon);
    var pin = L.marker(ll, {keyboard: true, title: "拟建点"}).bindTooltip("拟建点", {permanent: true, direction: "top", offset: [0, -30]});
    pin.addTo(result);
    var radii = {};
    r.required_distances.forEach(function (d) { (radii[d.required_m] = radii[d.required_m] || []).push(hz.categoryLabel(d.category)); });
    var maxR = 0;
    Object.keys(radii).map(Number).sort(function (a, b) { return a - b; }).forEach(function (m) {
      maxR = Math.max(maxR, m);
      L.circle(ll, {radius: m, color: "#b00020", weight: 1.5, fill: false, dashArray: "6 4"})
        .bindTooltip(esc(radii[m].join("、")) + "：所需 " + hz.num(m, 0) + " 米").addTo(result);
    });
    var bounds = L.latLng(ll).toBounds(Math.max(maxR, 300) * 2.2);
    map.fitBounds(bounds);
    var conflictIds = {};
    r.conflicts.forEach(function (c) { conflictIds[c.target_id] = c; });
    var p = new URLSearchParams({lon: r.location.lon, lat: r.location.lat, radius_m: Math.min(Math.max(maxR, 300) * 1.2, 20000)});
    hz.getJSON(opts.api + "/nearby?" + p).then(function (n) {
      n.targets.forEach(function (t) {
        var c = conflictIds[t.id], tl = hz.ll(t.lat, t.lon);
        L.circleMarker(tl, {radius: c ? 7 : 5, color: c ? "#b00020" : "#546e7a", weight: 2, fillColor: "#fff", fillOpacity: 1})
          .bindTooltip(esc(t.name) + "（" + esc(hz.categoryLabel(t.category)) + "）" + hz.num(t.distance_m) + " 米").addTo(result);
        if (c) {
          L.polyline([ll, tl], {color: "#b00020", weight: 2}).bindTooltip(esc(t.name) + "：" + hz.num(c.distance_m) +
            " 米，所需 " + hz.num(c.required_m, 0) + " 米").addTo(result);
        }
      });
      n.enterprises.forEach(function (e) {  // a provisional grade hollow, as on the map, and said in the tooltip
        L.circleMarker(hz.ll(e.lat, e.lon), {radius: 5, color: e.provisional ? hz.colourHex(e.risk_color) : "#222",
          weight: e.provisional ? 2 : 1, fillColor: e.provisional ? "#fff" : hz.colourHex(e.risk_color), fillOpacity: 1})
          .bindTooltip(esc(e.name) + "（" + esc(hz.colourLabel(e.risk_color)) +
            (e.provisional ? "，" + esc(hz.provisionalText(true, e.risk_color, e.risk_color_worst)) : "") + "）" + hz.num(e.distance_m) + " 米").addTo(result);
      });
    }).catch(function (e) { console.warn("周边：" + e.message); });

    var v = r.verdict, m = r.method;
    out.innerHTML = "<div class='hz-verdict hz-" + esc(v.decision) + "' id='hz-verdict'><b>" + esc(v.label) + "</b><br>" + esc(v.text) + "</div>" +
      ((v.caveats || []).length ? "<ul id='hz-caveats'>" + v.caveats.map(function (x) { return "<li>" + esc(x) + "</li>"; }).join("") + "</ul>" : "") +
      "<p id='hz-method'>外部安全防护距离的确定方法：<b>" + esc(m.label) + "</b>——" + esc(m.text) +
      (m.because ? "（" + esc(m.because) + "）" : "") + "<br><small>依据：" + esc(m.basis) + (m.status !== "standard" ? "（条款待核）" : "") + "</small></p>" +
      "<p>位置（WGS-84）：" + r.location.lon.toFixed(6) + ", " + r.location.lat.toFixed(6) + "；<span id='hz-exposure'>" + esc(r.exposure_text) + "</span></p>" +
      "<table class='hz-table'><caption>重大危险源辨识（GB 18218-2018）</caption><tr><th scope='col'>单元</th><th scope='col'>S</th><th scope='col'>R</th><th scope='col'>α</th><th scope='col'>等级</th></tr>" +
      r.units.map(function (u) {
        return "<tr><td>" + esc((V.unit_kinds || {})[u.unit] || u.unit) + "</td><td>" + hz.num(u.S, 3) + "</td><td>" + hz.num(u.R, 2) +
          "</td><td>" + hz.num(u.alpha, 1) + "</td><td>" + (u.grade ? esc(hz.gradeLabel(u.grade)) : "不构成重大危险源") + "</td></tr>";
      }).join("") + "</table>" +
      consequenceHtml(r.consequence) +
      "<p>风险颜色（初判）：" + hz.chip(r.risk_color) + "（" + hz.num(r.risk_score) + " 分）</p>" +
      "<p>距离不足的防护目标 <b id='hz-conflict-n'>" + r.conflicts.length + "</b> 处</p><ul>" + r.conflicts.slice(0, 10).map(function (c) {
        return "<li>" + esc(c.name) + "（" + esc(hz.categoryLabel(c.category)) + "）" + hz.num(c.distance_m) + " 米，所需 " + hz.num(c.required_m, 0) + " 米</li>";
      }).join("") + "</ul>" +
      "<details><summary>所需防护距离（" + r.required_distances.length + " 类）及依据</summary><table class='hz-table'>" +
      "<tr><th scope='col'>防护目标</th><th scope='col'>距离</th><th scope='col'>依据</th></tr>" + r.required_distances.map(function (d) {
        return "<tr><td>" + esc(hz.categoryLabel(d.category)) + "</td><td>" + hz.num(d.required_m, 0) + " 米</td><td><small>" + esc(d.rule_text) + "</small></td></tr>";
      }).join("") + "</table></details>" +
      ((r.reasons || []).length ? "<details><summary>四色评分依据</summary><ul>" + r.reasons.map(function (x) {
        return "<li>" + esc(x.text) + "</li>"; }).join("") + "</ul></details>" : "");
  }

  // the consequence tier, when asked for: per unit its threat zones (distance, targets and people inside)
  // and the GB 36894 checks that fail
  function consequenceHtml(c) {
    if (!c) { return ""; }
    var html = "<div id='hz-siting-consequence'><p>后果与个人风险：" + esc(c.text) + "</p>";
    (c.units || []).forEach(function (u) {
      html += "<details><summary>" + esc((V.unit_kinds || {})[u.unit] || u.unit) + "：" + esc(u.method_label) +
        "，威胁区 " + u.threat_zones.length + " 个</summary><ul>" + u.threat_zones.map(function (z) {
          return "<li>" + esc(z.chemical) + " " + esc(z.endpoint_label) + "：" + hz.num(z.distance_m, 0) + " 米" +
            (z.lower_bound ? "（下限）" : "") + "，其中防护目标 " + (z.targets || []).length + " 个、人数 " + hz.num(z.people || 0, 0) + "</li>";
        }).join("") + "</ul>" + u.checks.filter(function (k) { return !k.met; }).map(function (k) {
          return "<p class='hz-shortfall'>" + esc(k.text) + "</p>"; }).join("") + "</details>";
    });
    return html + "</div>";
  }

  document.getElementById("hz-feasible").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = ev.target, p = new URLSearchParams({facility_type: f.facility_type.value});
    if (f.major_grade.value) { p.set("major_grade", f.major_grade.value); }
    if (f.hazard.value) { p.set("hazard", f.hazard.value); }
    var out = document.getElementById("hz-feasible-result");
    out.textContent = "计算中…";
    hz.getJSON(opts.api + "/siting/feasible?" + p).then(function (z) {
      feasible.clearLayers();
      L.geoJSON(z, {coordsToLatLng: hz.coordsToLatLng, style: {color: "#2a8a2a", weight: 1, fillColor: "#2a8a2a", fillOpacity: 0.25}})
        .addTo(feasible);
      out.innerHTML = "绿色区域与所有防护目标的距离均满足要求（占全区 " + hz.num((z.properties.feasible_share || 0) * 100, 1) + "%）。<ul>" +
        z.properties.requirements.map(function (r) {
          return "<li>" + esc(hz.categoryLabel(r.category)) + "：" + hz.num(r.required_m, 0) + " 米</li>"; }).join("") + "</ul>";
    }).catch(function (e) { out.innerHTML = "<span class='hz-error'>" + esc(hz.errorText(e)) + "</span>"; });
  });
})();
