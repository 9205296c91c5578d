/* Dashboard card of the transport wing: /api/v1/transport/summary (labels from the server). */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc;
  function rows(id, html) { document.querySelector("#" + id + " tbody").innerHTML = html || "<tr><td colspan='3'>无</td></tr>"; }
  hz.getJSON(hz.opts.api + "/transport/summary").then(function (s) {
    var w = s.week, wb = s.waybills, L = s.outcome_labels;
    document.getElementById("tr-week").innerHTML = "最近 7 天行程 <b>" + hz.num(w.trips, 0) + "</b> 趟（未结束 " + hz.num(w.open, 0) +
      "，" + hz.num(w.tonnage_t) + " 吨）" + (w.until ? "，截至 " + esc(hz.beijing(w.until)) : "") + "；运单五必查：" +
      esc(L.fail) + " <b>" + hz.num(wb.fail, 0) + "</b>，" + esc(L.not_checked) + " " + hz.num(wb.not_checked, 0) + "，" +
      esc(L.pass) + " " + hz.num(wb.pass, 0) + "。<small>" + esc(w.note) + "</small>";
    rows("tr-checks", s.checks.map(function (c) {
      return "<tr><td>" + esc(c.title) + "</td><td>" + hz.num(c.failed, 0) + "</td><td>" + hz.num(c.not_checked, 0) + "</td></tr>";
    }).join(""));
    rows("tr-kinds", s.alarms_by_kind.map(function (k) {
      return "<tr><td><a href='/#transport-alarms'>" + esc(k.label) + "</a></td><td>" + hz.num(k.count, 0) + "</td></tr>";
    }).join(""));
    rows("tr-towns", s.alarms_by_town.map(function (t) {
      return "<tr><td>" + esc(t.town) + "</td><td>" + hz.num(t.count, 0) + "</td></tr>";
    }).join(""));
  }).catch(function (e) { document.getElementById("tr-week").textContent = "运输统计加载失败：" + hz.errorText(e); });
}());
