/* The dashboard (/dashboard): headline counts, charts with the number on every bar (a click
 * opens the map with that filter), the top list by colour then score, trends across runs and
 * a comparison of any two runs.  Local Chart.js; labels and colours from the server. */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc, V = hz.vocab, opts = hz.opts;
  var ORDER = (V.colours || []).map(function (c) { return c.code; });
  var RANK = {};
  ORDER.forEach(function (c, i) { RANK[c] = i; });
  function provisionalNote(provisional, colour, worst) {
    var t = hz.provisionalText(provisional, colour, worst);
    return t ? "（" + esc(t) + "）" : "";
  }

  // numbers on every bar segment (small red/orange counts stay readable next to large blue ones)
  var barLabels = {
    id: "hzBarLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = "bold 11px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      chart.data.datasets.forEach(function (ds, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) { return; }
        meta.data.forEach(function (el, j) {
          var v = ds.data[j];
          if (!v) { return; }
          var pos = el.tooltipPosition(), h = Math.abs((el.base || 0) - el.y);
          var inside = chart.config.type === "bar" && h >= 14;
          ctx.fillStyle = inside ? hz.textOn(ds.backgroundColor) : "#000000";
          ctx.fillText(hz.num(v, 0), pos.x, inside ? (el.y + el.base) / 2 : el.y - 8);
        });
      });
      ctx.restore();
    }
  };

  function stacked(id, groups, filterKey, mapValue) {
    var labels = Object.keys(groups).sort();
    var chart = new Chart(document.getElementById(id), {type: "bar", plugins: [barLabels],
      data: {labels: labels, datasets: ORDER.map(function (c) {
        return {label: hz.colourLabel(c), backgroundColor: hz.colourHex(c), data: labels.map(function (l) { return groups[l][c] || 0; })};
      })},
      options: {animation: false, responsive: true, layout: {padding: {top: 14}},
        scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true}},
        onClick: function (ev, els) {
          if (!els.length) { return; }
          var p = new URLSearchParams(), label = labels[els[0].index];
          if (filterKey && label !== "未知") { p.set(filterKey, mapValue ? mapValue(label) : label); }
          p.set("risk", ORDER[els[0].datasetIndex]);
          location.assign("/?" + p.toString());
        }}});
    return chart;
  }

  var stageCode = {};
  Object.keys(V.stages || {}).forEach(function (k) { stageCode[V.stages[k]] = k; });

  Promise.all([hz.getJSON(opts.api + "/stats"), hz.getJSON(opts.api + "/trends?limit=50"),
    hz.getJSON(opts.api + "/runs?limit=100"), hz.getJSON(opts.api + "/map/summary?zoom=0")]).then(function (res) {
    var s = res[0], trend = res[1].runs, runs = res[2].runs, sum = res[3];
    document.getElementById("asof").textContent = "数据截至：" + (hz.beijing(s.data_as_of) || "尚无计算结果") +
      (s.run_id ? "（运行 #" + s.run_id + "）" : "");
    var total = Object.keys(s.by_colour).reduce(function (a, k) { return a + s.by_colour[k]; }, 0);
    document.getElementById("hz-headline").innerHTML =
      "<div class='hz-stat'><span class='hz-stat-n' id='hz-total'>" + hz.num(total, 0) + "</span><span>涉危企业</span></div>" +
      ORDER.map(function (c) {
        var bg = hz.colourHex(c);
        return "<a class='hz-stat' href='/?risk=" + encodeURIComponent(c) + "' style='background:" + esc(bg) + ";color:" + hz.textOn(bg) +
          "'><span class='hz-stat-n' data-colour='" + esc(c) + "'>" + hz.num(s.by_colour[c] || 0, 0) + "</span><span>" + esc(hz.colourLabel(c)) + "</span></a>";
      }).join("") + (s.by_colour.none ? "<div class='hz-stat'><span class='hz-stat-n'>" + hz.num(s.by_colour.none, 0) + "</span><span>未评级</span></div>" : "") +
      "<div class='hz-stat'><span class='hz-stat-n' id='hz-majors'>" + hz.num(sum.major_hazards, 0) + "</span><span>重大危险源企业</span></div>" +
      "<div class='hz-stat'><span class='hz-stat-n' id='hz-conflicts'>" + hz.num(sum.conflicts, 0) + "</span><span>距离冲突（处）</span></div>" +
      "<div class='hz-stat'><span class='hz-stat-n' id='hz-expired'>" + hz.num(sum.expired_licences, 0) + "</span><span>许可证过期</span></div>";
    document.getElementById("colours").innerHTML = ORDER.map(function (c) {
      return hz.chip(c) + " " + hz.num(s.by_colour[c] || 0, 0) + " 家";
    }).join("　");
    new Chart(document.getElementById("c-colour"), {type: "doughnut", plugins: [barLabels],
      data: {labels: ORDER.map(hz.colourLabel), datasets: [{data: ORDER.map(function (c) { return s.by_colour[c] || 0; }),
        backgroundColor: ORDER.map(hz.colourHex)}]}, options: {animation: false, aspectRatio: 2,
        onClick: function (ev, els) { if (els.length) { location.assign("/?risk=" + ORDER[els[0].index]); } }}});
    stacked("c-town", s.by_town, "town");
    stacked("c-dept", s.by_department, "department");
    stacked("c-stage", s.by_stage, "stage", function (label) { return stageCode[label] || label; });
    var top = document.querySelector("#top tbody");
    s.top_risks.slice().sort(function (a, b) {
      return (RANK[a.risk_color] - RANK[b.risk_color]) || (a.risk_score - b.risk_score);
    }).forEach(function (e) {
      var tr = top.insertRow(-1);
      tr.innerHTML = "<td><a href='/enterprises/" + encodeURIComponent(e.id) + "'>" + esc(e.name) + "</a>" +
        provisionalNote(e.provisional, e.risk_color, e.risk_color_worst) + "</td><td>" + esc(e.town || "") + "</td><td>" +
        hz.chip(e.risk_color) + "</td><td>" + hz.num(e.risk_score) + "</td><td>" + esc(e.major_hazard_grade ? hz.gradeLabel(e.major_hazard_grade) : "") + "</td>";
    });
    new Chart(document.getElementById("c-trend"), {type: "line", plugins: [barLabels],
      data: {labels: trend.map(function (r) { return "#" + r.run_id; }), datasets: ["red", "orange"].map(function (c) {
        return {label: hz.colourLabel(c), borderColor: hz.colourHex(c), backgroundColor: hz.colourHex(c),
          data: trend.map(function (r) { return r.by_colour[c] || 0; })};
      })}, options: {animation: false, scales: {y: {beginAtZero: true}}, layout: {padding: {top: 14}}}});
    changeBox(s.run_id);
  }).catch(function (e) { document.getElementById("asof").textContent = "加载失败：" + e.message; });
  hz.runCompare(null);
  hz.runView();

  // the change box: the period the user picks; "最近一次有变化的运行" (default) is not wiped by a run
  // that changed nothing (GET /api/v1/changes?period=changed says how many quiet runs followed)
  var changeSeq = new hz.Sequence(), periodSel = document.getElementById("hz-change-period");
  function changeBox(runId) {
    var out = document.getElementById("changes");
    if (!runId) { out.textContent = "尚无计算结果。"; return; }
    var t = changeSeq.next();
    out.textContent = "加载中…";
    hz.getJSON(opts.api + "/changes?" + new URLSearchParams({period: periodSel.value}), t.signal).then(function (c) {
      if (!t.current()) { return; }
      if (c.first_run) { out.textContent = c.note + "。"; return; }
      var m = c.summary, colour = c.enterprises_changed.filter(function (e) {
        return e.fields.indexOf("risk_color") >= 0 || e.fields.indexOf("major_hazard_grade") >= 0; });
      out.innerHTML = "<p>运行 #" + esc(c.from_run) + " → #" + esc(c.to_run) +
        (c.quiet_runs_after ? "（此后 " + esc(c.quiet_runs_after) + " 次运行无变化）" : "") + "：颜色或等级变化 " + m.colour_changed +
        " 家；冲突新增 " + m.conflicts_added + " 处、消除 " + m.conflicts_removed + " 处；企业新增 " + m.enterprises_added +
        " 家、移除 " + m.enterprises_removed + " 家</p><ul>" + colour.slice(0, 10).map(function (e) {
          return "<li>" + esc(e.name) + "：" + esc(e.old.risk_color ? hz.colourLabel(e.old.risk_color) : "—") + " → " +
            esc(e.new.risk_color ? hz.colourLabel(e.new.risk_color) : "—") + provisionalNote(e.provisional, e.new.risk_color, e.risk_color_worst) + "</li>";
        }).join("") + c.enterprises_removed.slice(0, 10).map(function (e) { return "<li>移除：" + esc(e.name) + "</li>"; }).join("") +
        "</ul>";
    }).catch(function (e) {
      if (hz.isAbort(e)) { return; }
      out.textContent = "加载失败：" + hz.errorText(e);
    });
  }
  periodSel.addEventListener("change", function () { changeBox(opts.runId); });
})();
