/* Enterprise file (一企一档) section of the transport wing: /api/v1/enterprises/<id>/transport —
 * the waybills failing 五必查 (or not checked) where the enterprise is the loader or the carrier. */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc;
  var box = document.getElementById("hz-enterprise-transport");
  if (!box) { return; }
  var id = box.dataset.enterprise;
  hz.getJSON(hz.opts.api + "/enterprises/" + encodeURIComponent(id) + "/transport").then(function (d) {
    document.getElementById("et-summary").textContent = "作为装货人或承运人的运单 " + d.waybills_total + " 张：五必查不通过 " +
      d.failing + " 张，未核查 " + d.not_checked + " 张（通报：" + d.departments.join("、") + "）。";
    var body = d.waybills.map(function (w) {
      var checks = w.checks.map(function (c) {
        return "<div><b>" + esc(c.title) + "：" + esc(c.label) + "</b>" + (c.reasons.length ? "（" + esc(c.reasons.join("；")) + "）" : "") + "</div>";
      }).join("");
      return "<tr><td>" + esc(w.waybill_no) + "</td><td>" + esc(w.departure_date) + "</td><td>" + esc(w.vehicle_plate) + "</td><td>" +
        esc(w.roles.join("、")) + "</td><td>" + esc(w.outcome_label) + "</td><td>" + checks + "</td></tr>";
    }).join("");
    document.querySelector("#et-waybills tbody").innerHTML = body || "<tr><td colspan='6'>无五必查不通过或未核查的运单</td></tr>";
  }).catch(function (e) { document.getElementById("et-summary").textContent = "运输记录加载失败：" + hz.errorText(e); });
}());
