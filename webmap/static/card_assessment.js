/* Dashboard card: assessed vs provisional grades, could-be-red/orange, the hidden-danger ledger and
 * the 双随机 inspections (GET /api/v1/assessment/summary). */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc, opts = hz.opts;
  var body = document.getElementById("hz-assessment-counts");
  if (!body) { return; }
  function row(label, value, link) {
    var v = link ? "<a href='" + esc(link) + "'>" + esc(value) + "</a>" : esc(value);
    return "<tr><th scope='row'>" + esc(label) + "</th><td>" + v + "</td></tr>";
  }
  hz.getJSON(opts.api + "/assessment/summary").then(function (s) {
    var g = s.grading || {}, h = s.hidden_dangers || {}, i = s.inspections || {};
    body.innerHTML = [
      row("评估完整（非初步分级）", hz.num(g.assessed, 0) + " 家"),
      row("初步分级（评估覆盖率 < 100%）", hz.num(g.provisional, 0) + " 家"),
      row("平均评估覆盖率", g.mean_coverage == null ? "—" : hz.num(g.mean_coverage * 100, 1) + "%"),
      row("当前非红色、最不利可能为红色", hz.num(g.could_be_red, 0) + " 家"),
      row("当前黄/蓝色、最不利可能为橙色", hz.num(g.could_be_orange, 0) + " 家"),
      row("未销号隐患", hz.num(h.open, 0) + " 项（重大 " + hz.num(h.open_major, 0) + " 项）"),
      row("逾期未整改隐患", hz.num(h.overdue, 0) + " 项"),
      row("已销号隐患", hz.num(h.closed, 0) + " 项"),
      row("双随机检查", "待检查 " + hz.num(i.planned, 0) + " 家次，已检查 " + hz.num(i.done, 0) + " 家次")
    ].join("");
  }).catch(function (e) { body.innerHTML = "<tr><td>" + esc("加载失败：" + hz.errorText(e)) + "</td></tr>"; });
})();
