/* The dashboard's waste card: on-site stock by town, long-stored count, open manifests (/api/v1/waste/summary). */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc, opts = hz.opts;
  hz.getJSON(opts.api + "/waste/summary").then(function (s) {
    document.getElementById("hz-waste-head").innerHTML = (s.as_of ? "核算日期 " + esc(s.as_of) + "：" : "尚无计算结果：") +
      "超期贮存 <b>" + hz.num(s.long_stored, 0) + "</b> 项（超期量 " + hz.num(s.over_limit_t, 3) + " 吨），动态清零清单 " +
      hz.num(s.clearance, 0) + " 项";
    document.querySelector("#hz-waste-towns tbody").innerHTML = s.stock_by_town.map(function (t) {
      return "<tr><td>" + esc(t.town) + "</td><td>" + hz.num(t.on_site_t, 3) + "</td><td>" + hz.num(t.long_stored, 0) + "</td></tr>";
    }).join("") || "<tr><td colspan='3'>无在库危险废物数据</td></tr>";
    var parts = Object.keys(s.open_by_state).map(function (k) { return esc(k) + " " + hz.num(s.open_by_state[k], 0); });
    document.getElementById("hz-waste-open").innerHTML = "未闭环联单 <b>" + hz.num(s.open_manifests, 0) + "</b> 份（" + parts.join("，") + "）";
  }).catch(function (e) { document.getElementById("hz-waste-head").textContent = "加载失败：" + hz.errorText(e); });
})();
