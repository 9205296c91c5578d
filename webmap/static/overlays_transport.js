/* The transport wing's map overlays: trips (tracks), route alarms, vehicles (latest position),
 * waybills failing 五必查 (at their origin), restricted zones and where transport concentrates.
 * Each loads its /api/v1 collection by viewport (map.js, hz.overlay); labels of kinds and outcomes
 * come from the features' *_label properties; every value from data is escaped. */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc;
  var ALARM_COLOUR = {speed: "#d32f2f", zone: "#6a1b9a", dwell: "#ef6c00", deviation: "#1565c0", driving: "#37474f"};
  function row(label, value) { return value == null || value === "" ? "" : "<div><b>" + esc(label) + "：</b>" + esc(value) + "</div>"; }
  function dot(colour) { return "<span class='hz-dot' style='background:" + colour + "'></span>"; }
  function line(colour, dash) { return "<i class='hz-line' style='border-color:" + colour + (dash ? ";border-top-style:dashed" : "") + "'></i>"; }

  hz.overlay({
    id: "trips", label: "运输行程轨迹", collection: "trips", on: true,
    style: function (f) { return {color: f.properties.alarms ? "#c62828" : "#1565c0", weight: 3, opacity: 0.8}; },
    popup: function (f) {
      var p = f.properties;
      return "<b>运单 " + esc(p.waybill_no) + "</b>" + row("车牌号", p.vehicle_plate) + row("装车", hz.beijing(p.loaded_at)) +
        row("签收", p.closed ? hz.beijing(p.received_at) : "未签收（行程未结束）") + row("定位点", hz.num(p.n_fixes, 0)) +
        row("吨位（t）", hz.num(p.tonnage_t)) + row("类别", p.labels_text) + row("报警", hz.num(p.alarms, 0)) +
        row("未签收标签", p.missing_receipts ? hz.num(p.missing_receipts, 0) : "") + row("标签核对", p.findings_text);
    },
    legend: function () {
      return "<div class='hz-legend-title'>运输行程（装车至签收，WGS-84 轨迹）</div><div>" + line("#1565c0") +
        "无报警行程　" + line("#c62828") + "有报警行程</div>";
    }
  });

  hz.overlay({
    id: "transport-alarms", label: "运输报警", collection: "transport-alarms", on: true,
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, {radius: 7, color: "#ffffff", weight: 2, fillOpacity: 0.95,
        fillColor: ALARM_COLOUR[f.properties.kind] || "#616161"});
    },
    popup: function (f) {
      var p = f.properties;
      return "<b>" + esc(p.kind_label || p.kind) + "</b>（" + esc(p.vehicle_plate) + "，运单 " + esc(p.waybill_no) + "）" +
        row("时间", hz.beijing(p.start_time) + " 至 " + hz.beijing(p.end_time)) + row("属地", p.town) +
        "<div>" + esc(p.text) + "</div>" + row("依据", p.legal_basis);
    },
    legend: function () {
      return "<div class='hz-legend-title'>运输报警（路线检查）</div><div>" + dot(ALARM_COLOUR.speed) + "超速（办法第四十六条：80/60 公里/小时）</div>" +
        "<div>" + dot(ALARM_COLOUR.zone) + "进入限行区域（办法第四十九条）</div><div>" + dot(ALARM_COLOUR.dwell) +
        "异常停车（本地政策阈值）</div><div>" + dot(ALARM_COLOUR.deviation) + "偏离计划路线</div><div>" + dot(ALARM_COLOUR.driving) +
        "连续驾驶超过 4 小时（实施条例第六十二条）</div>";
    }
  });

  hz.overlay({
    id: "vehicles", label: "危货车辆（最新位置）", collection: "vehicles", on: false,
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, {radius: 6, color: "#0d47a1", weight: 2, fillColor: "#ffeb3b", fillOpacity: 1});
    },
    popup: function (f) {
      var p = f.properties;
      return "<b>" + esc(p.plate) + "</b>" + row("承运人", p.carrier) + row("定位时间", hz.beijing(p.position_time)) +
        row("速度（公里/小时）", hz.num(p.speed_kmh)) + row("道路运输证有效期至", p.road_transport_cert_expiry) +
        row("罐体检验有效期至", p.tank_inspection_expiry);
    },
    legend: function () {
      return "<div><span class='hz-dot' style='background:#ffeb3b;border:2px solid #0d47a1'></span>危货车辆最新定位（JT/T 808 / 平台导出）</div>";
    }
  });

  hz.overlay({
    id: "waybills-failed", label: "五必查不通过运单（起运地）", collection: "waybills", on: false,
    params: function () { return {outcome: "fail"}; },
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, {radius: 7, color: "#b71c1c", weight: 3, fillColor: "#ffffff", fillOpacity: 1});
    },
    popup: function (f) {
      var p = f.properties;
      var fails = (p.checks || []).filter(function (c) { return c.outcome !== "pass"; }).map(function (c) {
        return "<li><b>" + esc(c.title) + "：" + esc(c.label) + "</b>" + (c.reasons && c.reasons.length ? "（" + esc(c.reasons.join("；")) + "）" : "") + "</li>";
      }).join("");
      return "<b>运单 " + esc(p.waybill_no) + "</b>（" + esc(p.check_outcome_label || "") + "）" + row("车牌号", p.vehicle_plate) +
        row("装货人", p.loader) + row("承运人", p.carrier) + row("起运日期", p.departure_date) + "<ul>" + fails + "</ul>";
    },
    legend: function () {
      return "<div><span class='hz-dot hz-dot-ring' style='border-color:#b71c1c'></span>五必查不通过的运单（起运地；通报交通运输局、公安分局）</div>";
    }
  });

  hz.overlay({
    id: "restricted-zones", label: "危货车辆限行区域", collection: "restricted-zones", on: false,
    style: function () { return {color: "#6a1b9a", weight: 1.5, dashArray: "4 3", fillColor: "#ce93d8", fillOpacity: 0.25}; },
    popup: function (f) {
      var p = f.properties;
      return "<b>" + esc(p.name) + "</b>" + row("限制类别", p.classes_text) + row("限行时段", p.windows_text) + row("来源", p.source);
    },
    legend: function () {
      var cat = hz.categoryLabel, near = [cat("school"), cat("kindergarten"), cat("hospital")].join("、");
      return "<div><span class='hz-swatch' style='background:#ce93d8;border:1px dashed #6a1b9a'></span>限行区域（" + esc(near) +
        "外扩距离为本地政策；另含导入的区域）</div>";
    }
  });

  hz.overlay({
    id: "transport-cells", label: "运输集中度（吨·趟）", collection: "transport-cells", on: false,
    params: function () { return {"class": "all"}; },
    style: function (f) {
      var r = f.properties.rank;
      return {color: "#5d4037", weight: 0.5, fillOpacity: 0.45, fillColor: r <= 3 ? "#b71c1c" : r <= 10 ? "#ef6c00" : "#ffca28"};
    },
    popup: function (f) {
      var p = f.properties;
      return "<b>第 " + esc(p.rank) + " 名</b>" + row("行程数", hz.num(p.trips, 0)) + row("吨位×趟数（t·趟）", hz.num(p.tonnage_trips_t));
    },
    legend: function () {
      return "<div class='hz-legend-title'>运输集中度（1 km 网格，集中排查用）</div><div><span class='hz-swatch' style='background:#b71c1c'></span>前 3 名　" +
        "<span class='hz-swatch' style='background:#ef6c00'></span>第 4–10 名　<span class='hz-swatch' style='background:#ffca28'></span>其他</div>";
    }
  });
}());
