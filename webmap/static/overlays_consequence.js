/* The consequence wing's map overlays (issue 17): individual-risk contours, worst-case threat zones
 * and the GB 36894 checks of the protection targets, each loaded by viewport when its box is ticked.
 * Levels, endpoints and verdict texts come from the features (the server's data), not from here. */
(function () {
  "use strict";
  var esc = hz.esc, LB = hz.labels || {};
  var RAMP = ["#8e0016", "#d7301f", "#fc8d59", "#fdcc8a", "#fef0d9"];  // highest individual risk first
  var levels = {};  // level_per_year → label, as the loaded features name them
  function rank(level) {
    var keys = Object.keys(levels).map(Number).sort(function (a, b) { return b - a; });
    return Math.max(0, keys.indexOf(Number(level)));
  }
  function sci(v) { return hz.sci(v, 1); }  // 2.6×10⁻⁸, as the enterprise file writes it
  // the enterprise's name, linking to its file (一企一档)
  function entLink(p) {
    return p.enterprise_id != null ? "<a href='/enterprises/" + encodeURIComponent(p.enterprise_id) + "'>" + esc(p.enterprise) + "</a>"
      : esc(p.enterprise);
  }

  hz.overlay({
    id: "risk-contours", label: "个人风险等值线", collection: "risk-contours", on: false,
    style: function (f) {
      var p = f.properties;
      levels[p.level_per_year] = p.label;
      var c = RAMP[Math.min(rank(p.level_per_year), RAMP.length - 1)];
      return {color: c, weight: 1.5, fillColor: c, fillOpacity: 0.18};
    },
    popup: function (f) {
      var p = f.properties;
      return "<b>" + entLink(p) + "</b> · " + esc(p.unit_name) + "<br>个人风险 ≥ " + esc(p.label) +
        "<br>面积 " + esc(hz.num(p.area_m2, 0)) + " m²（网格 " + esc(hz.num(p.cell_m, 0)) + " m）" +
        "<br>区内防护目标 " + esc(p.targets_inside) + " 处，登记人数 " + esc(p.people_inside) +
        "<br><small>" + esc(p.source) + (p.status === "uncertain" ? "（待核）" : "") + "；模型 " +
        esc(p.consequence_version) + (p.reused ? "（输入未变，沿用上次结果）" : "") + "</small>";
    },
    legend: function () {
      var keys = Object.keys(levels).map(Number).sort(function (a, b) { return b - a; });
      var rows = keys.map(function (k, i) {
        var c = RAMP[Math.min(i, RAMP.length - 1)];
        return "<div><i class='hz-swatch' style='background:" + c + "'></i>个人风险 ≥ " + esc(levels[k]) + "</div>";
      });
      return "<div><b>个人风险等值线</b>（每年，GB 36894 基准值待核）</div>" + (rows.join("") || "<div>视野内无等值线</div>");
    }
  });

  hz.overlay({
    id: "threat-zones", label: "威胁区（最坏情形筛查）", collection: "threat-zones", on: false,
    style: function (f) {
      return {color: f.properties.lower_bound ? "#5e3c99" : "#e66101", weight: 1.5, dashArray: "6 4", fillOpacity: 0.04};
    },
    popup: function (f) {
      var p = f.properties;
      return "<b>" + entLink(p) + "</b> · " + esc(p.unit_name) + "<br>" + esc(p.chemical) + "：" +
        esc(p.endpoint_label) + " " + esc(hz.num(p.distance_m, 0)) + " m" + (p.lower_bound ? "（下限，实际更远）" : "") +
        "<br>区内防护目标 " + esc(p.targets_inside) + " 处，登记人数 " + esc(p.people_inside) +
        "<br><small>" + esc(p.model) + "</small>";
    },
    legend: function () {
      return "<div><i class='hz-line' style='border-color:#e66101;border-style:dashed'></i>威胁区：最坏情形终点距离（筛查，非外部安全防护距离）</div>" +
        "<div><i class='hz-line' style='border-color:#5e3c99;border-style:dashed'></i>威胁区（距离为下限）</div>";
    }
  });

  hz.overlay({
    id: "ir-checks", label: "防护目标个人风险核查", collection: "ir-checks", on: false,
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, {radius: 6, weight: 2, color: f.properties.met ? "#1a9641" : "#ca0020",
        fillOpacity: 0.6});
    },
    popup: function (f) {
      var p = f.properties, verdict = (LB.external_distance || {})[p.met ? "met" : "not_met"] || "";
      return "<b>" + esc(p.target) + "</b>（" + esc(hz.categoryLabel(p.category)) + "）<br>" + entLink(p) + " · " +
        esc(p.unit_name) + "<br>个人风险 " + esc(sci(p.individual_risk_per_year)) + "/年，基准 " +
        esc(sci(p.criterion_per_year)) + "/年（" + esc((LB.installation || {})[p.installation] || p.installation) + "）：" +
        esc(verdict) + (p.required_m ? "<br>该方向所需距离 " + esc(hz.num(p.required_m, 0)) + " m，实际 " +
        esc(hz.num(p.distance_m, 0)) + " m" : "") + (p.class_note ? "<br><small>" + esc(p.class_note) + "</small>" : "");
    },
    legend: function () {
      return "<div><i class='hz-dot' style='background:#ca0020'></i>个人风险超过 GB 36894 基准　" +
        "<i class='hz-dot' style='background:#1a9641'></i>满足基准</div>";
    }
  });
}());
