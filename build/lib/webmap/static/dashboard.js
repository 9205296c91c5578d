(function () {
  "use strict";
  var ORDER = ["red", "orange", "yellow", "blue"], GRADE = {1: "一级", 2: "二级", 3: "三级", 4: "四级"};
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  function stacked(id, groups, s) {
    var labels = Object.keys(groups).sort();
    new Chart(document.getElementById(id), {type: "bar", data: {labels: labels, datasets: ORDER.map(function (c) {
      return {label: s.colour_label[c], backgroundColor: s.colour_hex[c], data: labels.map(function (l) { return groups[l][c] || 0; })};
    })}, options: {animation: false, responsive: true, scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true}}}});
  }
  function beijing(iso) {
    if (!iso) { return null; }
    try { return new Date(iso).toLocaleString("zh-CN", {timeZone: "Asia/Shanghai", hour12: false}); }
    catch (e) { return iso.replace("T", " "); }
  }
  function getJSON(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }
  Promise.all([getJSON("/api/v1/stats"), getJSON("/api/v1/runs?limit=100")]).then(function (res) {
    var s = res[0], runs = res[1].runs;
    // the changes shown are those of the run the figures come from (the current run)
    var current = runs.filter(function (r) { return r.id === s.run_id; })[0] || null;
    document.getElementById("asof").textContent = "数据截至：" + (beijing(s.data_as_of) || "尚无计算结果") +
      (s.run_id ? "（运行 #" + s.run_id + "）" : "");
    document.getElementById("colours").innerHTML = ORDER.map(function (c) {
      return "<span class='hz-chip big' style='background:" + s.colour_hex[c] + "'>" + (s.by_colour[c] || 0) + "</span> " + s.colour_label[c];
    }).join("　");
    new Chart(document.getElementById("c-colour"), {type: "doughnut", data: {labels: ORDER.map(function (c) { return s.colour_label[c]; }),
      datasets: [{data: ORDER.map(function (c) { return s.by_colour[c] || 0; }), backgroundColor: ORDER.map(function (c) { return s.colour_hex[c]; })}]},
      options: {animation: false, aspectRatio: 2}});
    stacked("c-town", s.by_town, s);
    stacked("c-dept", s.by_department, s);
    stacked("c-stage", s.by_stage, s);
    var top = document.getElementById("top");
    s.top_risks.forEach(function (e) {
      var tr = top.insertRow(-1);
      tr.innerHTML = "<td>" + esc(e.name) + "</td><td>" + esc(e.town || "") + "</td><td><span class='hz-chip' style='background:" +
        s.colour_hex[e.risk_color] + "'>" + esc(s.colour_label[e.risk_color]) + "</span></td><td>" + e.risk_score + "</td><td>" +
        (e.major_hazard_grade ? GRADE[e.major_hazard_grade] : "") + "</td>";
    });
    var ch = current && current.changes, out = document.getElementById("changes");
    if (!ch || ch.first_run || !ch.summary) { out.textContent = "首次计算，无上次结果可比较。"; }
    else {
      out.innerHTML = "颜色或等级变化 " + ch.summary.colour_changed + " 家；冲突新增 " + ch.summary.conflicts_added + " 处、消除 " +
        ch.summary.conflicts_removed + " 处；企业新增 " + ch.summary.enterprises_added + "、移除 " + ch.summary.enterprises_removed +
        "<ul>" + (ch.colour_changes || []).slice(0, 10).map(function (c) {
          return "<li>" + esc(c.name) + "：" + esc(s.colour_label[c.old_color] || "-") + " → " + esc(s.colour_label[c.new_color] || "-") + "</li>";
        }).join("") + "</ul>";
    }
    if (!s.run_id) { out.textContent = "尚无计算结果。"; }
  }).catch(function (e) { document.getElementById("asof").textContent = "加载失败：" + e.message; });
})();
