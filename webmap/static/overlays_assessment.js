/* The assessment wing's map overlay: the hidden-danger ledger (隐患台账) — every open record; one without
 * its own place is drawn at its enterprise (dashed outline, the popup says so).
 * Red triangles for 重大, amber for 一般; a thick outline when overdue (逾期); closed records (已销号)
 * are not drawn.  Every value from data is escaped. */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc;
  function colour(p) { return p.grade === "重大" ? "#b00020" : "#e08a00"; }
  hz.overlay({
    id: "hidden_dangers", label: "隐患台账（未销号）", collection: "hidden-dangers", on: false,
    params: function () { return {open: "true"}; },
    pointToLayer: function (f, ll) {
      var p = f.properties;
      return L.marker(ll, {keyboard: true, title: p.description, icon: L.divIcon({
        className: "hz-hd" + (p.overdue ? " hz-hd-overdue" : "") + (p.located ? "" : " hz-hd-unplaced"), iconSize: [16, 16], iconAnchor: [8, 8],
        html: "<span class='hz-hd-mark' style='border-bottom-color:" + colour(p) + "'></span>"})});
    },
    popup: function (f) {
      var p = f.properties;
      var missing = (p.five_missing || []).length ? "<br><b class='hz-warn'>五落实缺：" + esc(p.five_missing.join("、")) + "</b>" : "";
      return "<div class='hz-popup'><b>" + esc(p.grade) + "隐患</b>" +
        (p.major_item ? "（安监总管三〔2017〕121号第" + esc(p.major_item) + "项）" : "") +
        "：" + esc(p.description) + "<br>企业：<a href='/enterprises/" + encodeURIComponent(p.enterprise_id) + "'>" +
        esc(p.enterprise) + "</a><br>地点：" + esc(p.place || "—") +
        (p.located ? "" : "（未登记坐标，标在企业位置）") + "<br>发现：" + esc(p.found_on) + "，" + esc(p.source) +
        "（" + esc(p.found_by) + "）<br>状态：" + (p.overdue ? "<b class='hz-warn'>" + esc(p.state_label) + "</b>" : esc(p.state_label)) +
        "；整改时限：" + esc(p.deadline || "未定") + missing + "</div>";
    },
    legend: function () {
      return "<div class='hz-legend-title'>隐患台账（未销号）</div>" +
        "<div><span class='hz-hd-mark' style='border-bottom-color:#b00020'></span> 重大隐患　" +
        "<span class='hz-hd-mark' style='border-bottom-color:#e08a00'></span> 一般隐患</div>" +
        "<div><span class='hz-hd hz-hd-unplaced hz-hd-sample'><span class='hz-hd-mark' style='border-bottom-color:#777'></span></span> 未登记坐标（标在企业位置）</div>" +
        "<div><span class='hz-hd hz-hd-overdue hz-hd-sample'><span class='hz-hd-mark' style='border-bottom-color:#777'></span></span> 逾期（超过整改时限未完成整改）</div>";
    }
  });
})();
