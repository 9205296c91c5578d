/* The enterprise file's waste section (/enterprises/<id>): stock with FIFO age, findings with their
 * rules, manifests sent and licences held, from /api/v1/enterprises/<id>/waste. */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc, opts = hz.opts;
  var box = document.getElementById("hz-ent-waste-body");
  if (!box) { return; }
  var m = /\/enterprises\/(\d+)/.exec(window.location.pathname), id = opts.enterpriseId || (m && m[1]);
  if (!id) { box.textContent = "未指定企业"; return; }
  function table(head, rows) {
    return "<table class='hz-table'><thead><tr>" + head.map(function (h) { return "<th scope='col'>" + esc(h) + "</th>"; }).join("") +
      "</tr></thead><tbody>" + rows.map(function (r) { return "<tr>" + r.map(function (c) { return "<td>" + c + "</td>"; }).join("") + "</tr>"; }).join("") +
      "</tbody></table>";
  }
  hz.getJSON(opts.api + "/enterprises/" + encodeURIComponent(id) + "/waste").then(function (w) {
    var out = [];
    w.notes.forEach(function (n) { out.push("<p>" + esc(n) + "</p>"); });
    if (w.producer) {
      var p = w.producer;
      out.push("<p>" + esc(p.age_band_label) + "：在库 " + hz.num(p.on_site_t, 3) + " 吨，登记贮存能力 " +
        (p.storage_capacity_t != null ? hz.num(p.storage_capacity_t, 1) + " 吨" : "未登记") + "；核算日期 " + esc(p.as_of || "—") + "</p>");
    }
    if (w.stock.length) {
      out.push("<h3>库存（物料衡算，先进先出）</h3>" + table(["废物代码", "账面库存（吨）", "在库（吨）", "在途（吨）", "最早一批", "已贮存（天）", "期限（天）", "超期量（吨）"],
        w.stock.map(function (s) {
          return [esc(s.waste_code), hz.num(s.stock_t, 3), hz.num(s.on_site_t, 3), hz.num(s.in_transit_t, 3), esc(s.oldest_batch_date || "—"),
            esc(s.oldest_age_days != null ? s.oldest_age_days : "—"), hz.num(s.storage_limit_days, 0), hz.num(s.over_limit_t, 3)];
        })));
    }
    if (w.findings.length) {
      out.push("<h3>问题（" + w.findings.length + " 项）</h3><ul>" + w.findings.map(function (f) {
        return "<li><b>" + esc(f.title) + "</b>：" + esc(f.text) + "<br><small>依据：" + esc(f.rule) + "</small></li>";
      }).join("") + "</ul>");
    }
    if (w.manifests.length) {
      out.push("<h3>转移联单</h3>" + table(["联单编号", "转移日期", "状态", "接受单位", "转移量（吨）", "接受量（吨）", "运单核对"],
        w.manifests.map(function (x) {
          return [esc(x.manifest_no), esc(x.transfer_date), esc(x.state), esc(x.receiver_name), hz.num(x.quantity_t, 3),
            x.received_t != null ? hz.num(x.received_t, 3) : "—", esc(x.waybill_note || "未计算")];
        })));
    }
    w.licences.forEach(function (l) {
      out.push("<p>危险废物经营许可证 " + esc(l.licence_no) + "：范围 " + esc(l.scope_text) + "，有效期至 " + esc(l.valid_until) +
        (l.valid_today ? "" : "（今日不在有效期内）") + "</p>");
    });
    box.innerHTML = out.join("") || "<p>无危险废物数据</p>";
  }).catch(function (e) { box.textContent = "加载失败：" + hz.errorText(e); });
})();
