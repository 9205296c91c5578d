/* The waste layer of the risk map: producers coloured by the age of their oldest stored batch
 * (FIFO) against their storage limit; bands, labels and colours come from the server. */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc, opts = hz.opts, legendData = null;
  hz.getJSON(opts.api + "/waste/legend").then(function (j) { legendData = j; }).catch(function () { legendData = null; });
  hz.overlay({
    id: "waste", label: "危险废物（按贮存天数）", collection: "waste-producers", on: false,
    pointToLayer: function (f, latlng) {
      var p = f.properties;
      return L.circleMarker(latlng, {radius: 7, color: "#333333", weight: 1, fillColor: p.age_band_hex || "#999999", fillOpacity: 0.9});
    },
    popup: function (f) {
      var p = f.properties, who = p.enterprise_id ? "<a href='/enterprises/" + esc(p.enterprise_id) + "'>" + esc(p.name) + "</a>" : esc(p.name);
      return "<b>" + who + "</b><br>" + esc(p.age_band_label) + "<br>在库 " + hz.num(p.on_site_t, 3) + " 吨" +
        (p.oldest_age_days != null ? "；最早一批已贮存 " + esc(p.oldest_age_days) + " 天（期限 " + hz.num(p.storage_limit_days, 0) + " 天）" : "") +
        (p.over_limit_t ? "；超期 " + hz.num(p.over_limit_t, 3) + " 吨" : "") +
        (p.storage_capacity_t != null ? "<br>登记贮存能力 " + hz.num(p.storage_capacity_t, 1) + " 吨" : "<br>贮存能力未登记") +
        (p.findings_count ? "<br><small>问题 " + esc(p.findings_count) + " 项：" + esc(p.findings_text) + "</small>" : "") +
        "<br><small>核算日期 " + esc(p.as_of || "—") + "</small> <a href='/waste/clearance'>动态清零清单</a>";
    },
    legend: function () {
      if (!legendData) { return "<div class='hz-legend-title'>危险废物（按贮存天数）</div>"; }
      return "<div class='hz-legend-title'>危险废物（按贮存天数）</div>" + legendData.bands.map(function (b) {
        return "<div><span class='hz-dot' style='background:" + esc(b.hex) + "'></span>" + esc(b.label) + "</div>";
      }).join("") + "<small>" + esc(legendData.note) + "</small>";
    }
  });
})();
