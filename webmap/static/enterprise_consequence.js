/* 一企一档: the consequence section — finding, F–N chart (Chart.js, log–log), and per major-hazard unit its
 * scenarios, threat zones, IR contours and GB 36894 checks with every input and its source.
 * All texts of results come from the server (GET /api/v1/enterprises/<id>/consequence). */
(function () {
  "use strict";
  var box = document.getElementById("hz-consequence");
  if (!box) { return; }
  var esc = hz.esc, LB = hz.labels || {};
  var id = box.getAttribute("data-enterprise") || (location.pathname.match(/\/enterprises\/(\d+)/) || [])[1];
  var api = (hz.opts.api || "/api/v1");
  var sci = hz.sci;  // 2.64×10⁻⁸, as the server writes frequencies
  function inputsTable(list) {
    if (!list || !list.length) { return ""; }
    return "<table class='hz-table'><thead><tr><th scope='col'>输入</th><th scope='col'>值</th><th scope='col'>单位</th>" +
      "<th scope='col'>来源</th></tr></thead><tbody>" + list.map(function (i) {
        var v = typeof i.value === "number" ? (Math.abs(i.value) >= 1e4 || (i.value !== 0 && Math.abs(i.value) < 1e-2)
          ? sci(i.value) : hz.num(i.value, 3)) : i.value;
        return "<tr><td>" + esc(i.name) + "</td><td>" + esc(v) + "</td><td>" + esc(i.unit) + "</td><td>" + esc(i.source) + "</td></tr>";
      }).join("") + "</tbody></table>";
  }
  function unitHtml(u) {
    var h = "<h3>" + esc(u.name) + "</h3><p>" + esc((LB.installation || {})[u.installation] || u.installation) +
      "；影响范围 " + esc(hz.num(u.reach_m, 0)) + " m；个人风险网格 " + esc(hz.num(u.cell_m, 0)) + " m" +
      (u.reused ? "（输入未变，沿用运行 #" + esc(u.computed_run_id) + " 的结果）" : "") + "</p>" +
      // the model descriptions (package, literature, parameters), versions and the input hash as stored, on demand;
      // the tables below name each model in Chinese (model_label, the description also in the cell's title)
      "<details><summary>模型与数据版本</summary><p>模型 " + esc(u.model_version) + "，数据 " + esc(u.data_version) +
      "，输入摘要 " + esc(u.input_hash) + "</p><ul>" + u.threat_zones.map(function (z) {
        return "<li>" + esc(z.chemical_name) + " · " + esc(z.endpoint_label) + "：" + esc(z.model_label) + "（" + esc(z.model) + "）</li>";
      }).join("") + "</ul></details>";
    if (u.not_computed && u.not_computed.length) {
      h += "<p>未计算：" + u.not_computed.map(function (n) { return esc(n.chemical) + "（" + esc(n.reason) + "）"; }).join("；") + "</p>";
    }
    h += "<details><summary>位置、库存与气象（输入及来源）</summary><ul><li>位置：" + esc(u.inputs.location.lon) + ", " +
      esc(u.inputs.location.lat) + "（" + esc(u.inputs.location.source) + "）</li><li>装置类别：" +
      esc(u.inputs.installation.source) + "</li>" + (u.inputs.items || []).map(function (i) {
        return "<li>" + esc(i.chemical) + " " + esc(i.quantity_t) + " 吨（" + esc(i.source) + "）</li>";
      }).join("") + "<li>气象：" + esc(u.inputs.weather.source) + "</li></ul></details>";
    h += "<table class='hz-table'><caption>威胁区（最坏情形筛查）</caption><thead><tr><th scope='col'>化学品</th><th scope='col'>终点</th>" +
      "<th scope='col'>距离（m）</th><th scope='col'>区内目标</th><th scope='col'>登记人数</th><th scope='col'>模型</th></tr></thead><tbody>" +
      (u.threat_zones.map(function (z) {
        return "<tr><td>" + esc(z.chemical_name) + "</td><td>" + esc(z.endpoint_label) + "</td><td>" + esc(hz.num(z.distance_m, 0)) +
          (z.lower_bound ? "（下限）" : "") + "</td><td>" + esc(z.targets_inside) + "</td><td>" + esc(z.people_inside) +
          "</td><td title='" + esc(z.model) + "'>" + esc(z.model_label) + "</td></tr>";
      }).join("") || "<tr><td colspan='6'>无</td></tr>") + "</tbody></table>";
    h += "<table class='hz-table'><caption>个人风险等值线</caption><thead><tr><th scope='col'>水平</th><th scope='col'>面积（m²）</th>" +
      "<th scope='col'>区内目标</th><th scope='col'>依据</th></tr></thead><tbody>" + u.contours.map(function (c) {
        return "<tr><td>≥ " + esc(c.label) + "</td><td>" + esc(hz.num(c.area_m2, 0)) + "</td><td>" + esc(c.targets_inside) +
          "</td><td>" + esc(c.source) + (c.status === "uncertain" ? "（待核）" : "") + "</td></tr>";
      }).join("") + "</tbody></table>";
    h += "<table class='hz-table'><caption>防护目标个人风险核查</caption><thead><tr><th scope='col'>防护目标</th><th scope='col'>距离（m）</th>" +
      "<th scope='col'>个人风险（/年）</th><th scope='col'>基准（/年）</th><th scope='col'>结论</th></tr></thead><tbody>" +
      (u.checks.map(function (k) {
        return "<tr><td>" + esc(k.name) + "</td><td>" + esc(hz.num(k.distance_m, 0)) + "</td><td>" + esc(sci(k.individual_risk_per_year)) +
          "</td><td>" + esc(sci(k.criterion_per_year)) + "</td><td>" + esc(k.text) + "</td></tr>";
      }).join("") || "<tr><td colspan='5'>影响范围内无防护目标</td></tr>") + "</tbody></table>";
    h += "<details><summary>事故场景 " + esc(u.scenarios.length) + " 个（频率、释放、后果及全部输入的来源）</summary>" +
      u.scenarios.map(function (s) {
        return "<h4>" + esc(s.chemical_name) + " · " + esc(s.hole_label) + "</h4><p>频率 " + esc(sci(s.frequency_per_year)) +
          "/年（" + esc(s.frequency_source) + "）；释放质量 " + esc(hz.num(s.mass_kg, 0)) + " 千克" +
          (s.rate_kg_s ? "，速率 " + esc(hz.num(s.rate_kg_s, 2)) + " 千克/秒，持续 " + esc(hz.num(s.duration_s, 0)) + " 秒" : "（瞬时）") +
          "</p><ul>" + s.outcomes.map(function (o) {
            return "<li>" + esc(o.label) + "：条件概率 " + esc(hz.num(o.conditional_probability, 3)) + "，频率 " +
              esc(sci(o.frequency_per_year)) + "/年，致死影响距离 " + esc(hz.num(o.reach_m, 0)) + " m；" + esc(o.model_label) + "（" + esc(o.model) + "）</li>";
          }).join("") + "</ul>" + inputsTable(s.inputs);
      }).join("") + "</details>";
    return h;
  }
  function chart(fn) {
    var canvas = document.getElementById("hz-cq-fn");
    if (!window.Chart || !canvas) { return; }
    var sets = [{label: "本企业 F(N)", data: fn.points.map(function (p) { return {x: p.n, y: p.f_per_year}; }),
      borderColor: "#b2182b", stepped: "after", pointRadius: 3}];
    (fn.lines || []).forEach(function (ln, i) {
      sets.push({label: ln.label + (ln.status === "uncertain" ? "（待核）" : ""), data: ln.points.map(function (p) {
        return {x: p.n, y: p.f_per_year}; }), borderColor: i ? "#1a9641" : "#ca0020", borderDash: [6, 4], pointRadius: 0});
    });
    new window.Chart(canvas, {type: "line", data: {datasets: sets}, options: {parsing: false, animation: false,
      scales: {x: {type: "logarithmic", title: {display: true, text: "死亡人数 N"}},
               y: {type: "logarithmic", title: {display: true, text: "累积频率 F（/年）"}}}}});
  }
  if (!id) { document.getElementById("hz-cq-finding").textContent = "未指定企业"; return; }
  hz.getJSON(api + "/enterprises/" + encodeURIComponent(id) + "/consequence").then(function (d) {
    var f = d.external_distance;
    document.getElementById("hz-cq-finding").innerHTML = f ? "<b>外部安全防护距离：" +
      esc((LB.external_distance || {})[f.status] || f.status) + "</b>。" + esc(f.text) : esc(d.text);
    document.getElementById("hz-cq-fn-note").textContent = d.fn.verdict ? "社会风险：" + d.fn.verdict +
      "（由影响范围内已登记人数计算；未登记人数的目标不计，结果为下限）" : "";
    document.getElementById("hz-cq-units").innerHTML = d.units.map(unitHtml).join("");
    chart(d.fn);
  }).catch(function (e) { document.getElementById("hz-cq-finding").textContent = "加载失败：" + hz.errorText(e); });
}());
