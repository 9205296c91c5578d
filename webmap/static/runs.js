/* Compare any two runs (the map's time view and the dashboard): two run selectors filled from
 * /api/v1/runs, the comparison from /api/v1/changes?from=&to= (enterprises added, removed,
 * changed in colour, score, grade or conflicts). */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc;
  var FIELD = {risk_color: "颜色", risk_score: "评分", major_hazard_grade: "重大危险源等级", conflicts: "冲突数"};

  function value(field, v) {
    if (v == null) { return "—"; }
    if (field === "risk_color") { return esc(hz.colourLabel(v)); }
    if (field === "major_hazard_grade") { return esc(hz.gradeLabel(v)); }
    return hz.num(v);
  }

  hz.renderComparison = function (c) {
    var s = c.summary, item = function (e) { return "<li>" + esc(e.name) + (e.town ? "（" + esc(e.town) + "）" : "") + "</li>"; };
    return "<p id='hz-compare-summary'>运行 #" + c.from_run + " → #" + c.to_run + "：新增企业 <b>" + s.enterprises_added +
      "</b> 家，移除 <b>" + s.enterprises_removed + "</b> 家，变化 <b>" + s.enterprises_changed + "</b> 家（其中颜色或等级变化 " +
      s.colour_changed + " 家）；冲突新增 " + s.conflicts_added + " 处、消除 " + s.conflicts_removed + " 处。</p>" +
      (c.enterprises_changed.length ? "<details open><summary>变化的企业</summary><ul>" + c.enterprises_changed.slice(0, 50).map(function (e) {
        return "<li>" + esc(e.name) + "：" + e.fields.map(function (f) {
          return FIELD[f] + " " + value(f, e.old[f]) + " → " + value(f, e.new[f]);
        }).join("；") + "</li>";
      }).join("") + "</ul></details>" : "") +
      (c.enterprises_added.length ? "<details><summary>新增的企业</summary><ul>" + c.enterprises_added.slice(0, 50).map(item).join("") + "</ul></details>" : "") +
      (c.enterprises_removed.length ? "<details open><summary>移除的企业</summary><ul>" + c.enterprises_removed.slice(0, 50).map(item).join("") + "</ul></details>" : "");
  };

  // "查看运行": #t-view lists the runs; choosing one reopens the page on it (?run=N: every read of the page is
  // then that run's — the server pins it); #hz-viewrun says which run is shown, or why the choice failed
  hz.runView = function () {
    var sel = document.getElementById("t-view"), note = document.getElementById("hz-viewrun"), o = hz.opts;
    if (note && (o.viewRun || o.viewRunError)) {
      note.hidden = false;
      note.textContent = o.viewRunError || ("正在查看历史运行 #" + o.viewRun + "（数据截至 " + (hz.beijing(o.dataAsOf) || "—") +
        "）：颜色、评分、冲突与区域为该次运行的结果；企业名称、位置等登记信息为当前登记。");
    }
    if (!sel) { return null; }
    return hz.getJSON(o.api + "/trends?limit=100").then(function (t) {
      var runs = t.runs.slice().reverse();
      runs.forEach(function (r, i) {
        var text = "#" + r.run_id + "（" + (hz.beijing(r.finished) || "—") + "）" + (i === 0 ? "（当前）" : "");
        sel.add(new Option(text, i === 0 ? "" : r.run_id, false, o.viewRun ? r.run_id === o.viewRun : i === 0));
      });
      sel.addEventListener("change", function () {
        var u = new URL(window.location.href);
        if (sel.value) { u.searchParams.set("run", sel.value); } else { u.searchParams.delete("run"); }
        window.location.assign(u.toString());
      });
    }).catch(function (e) { if (note) { note.hidden = false; note.textContent = "运行列表加载失败：" + hz.errorText(e); } });
  };

  // fills #t-from / #t-to, wires #hz-compare; onCompared(comparison) after each comparison
  hz.runCompare = function (onCompared) {
    var from = document.getElementById("t-from"), to = document.getElementById("t-to"), btn = document.getElementById("hz-compare");
    var out = document.getElementById("hz-compare-result"), seq = new hz.Sequence();
    if (!from || !to || !btn) { return null; }
    var ready = hz.getJSON(hz.opts.api + "/trends?limit=100").then(function (t) {
      var runs = t.runs.slice().reverse();
      runs.forEach(function (r, i) {
        var text = "#" + r.run_id + "（" + (hz.beijing(r.finished) || "—") + "）";
        from.add(new Option(text, r.run_id, false, i === 1));
        to.add(new Option(text, r.run_id, false, i === 0));
      });
      btn.disabled = runs.length < 2;
      if (runs.length < 2) { out.textContent = "只有一次计算结果，暂无可对比的运行。"; }
      return t.runs;
    }).catch(function (e) { out.textContent = "运行列表加载失败：" + e.message; return []; });
    btn.addEventListener("click", function () {
      var t = seq.next();
      out.textContent = "对比中…";
      hz.getJSON(hz.opts.api + "/changes?" + new URLSearchParams({from: from.value, to: to.value}), t.signal).then(function (c) {
        if (!t.current()) { return; }
        out.innerHTML = hz.renderComparison(c);
        if (onCompared) { onCompared(c); }
      }).catch(function (e) { if (!hz.isAbort(e)) { out.innerHTML = "<span class='hz-error'>" + esc(hz.errorText(e)) + "</span>"; } });
    });
    return ready;
  };
})();
