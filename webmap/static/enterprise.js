/* The enterprise file (一企一档, /enterprises/<id>): assessment items with coverage and the entry form
 * (inspectors and operators), hidden dangers, inspections and the colour/score history, each from
 * its endpoint.  Every value from data is escaped. */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc, opts = hz.opts, id = opts.enterpriseId;
  var base = opts.api + "/enterprises/" + encodeURIComponent(id);
  var STATUS = {assessed: "已评估", derived: "数据推算", unassessed: "未评估"};
  var SOURCE = {inspection: "检查", self_assessment: "企业自评", import: "导入"};
  function table(head, rows, empty) {
    return "<table class='hz-ef-table'><thead><tr>" + head.map(function (h) { return "<th scope='col'>" + esc(h) + "</th>"; }).join("") +
      "</tr></thead><tbody>" + (rows.length ? rows.join("") : "<tr><td colspan='" + head.length + "'>" + esc(empty) + "</td></tr>") +
      "</tbody></table>";
  }
  function td(v) { return "<td>" + esc(v == null || v === "" ? "—" : v) + "</td>"; }
  function fail(el) { return function (e) { el.textContent = "加载失败：" + hz.errorText(e); }; }

  // ---- assessment items -------------------------------------------------------------------
  var itemsEl = document.getElementById("hz-ef-items"), form = document.getElementById("hz-ef-form");
  function loadItems() {
    hz.getJSON(base + "/assessment").then(function (a) {
      var cur = a.current, items = (cur && cur.assessment && cur.assessment.items) || [];
      var head = cur ? "<p>评估覆盖率 " + hz.num((cur.assessment_coverage || 0) * 100, 0) + "%；未评估 " +
        hz.num(cur.assessment.unassessed_points, 1) + " 分" + (cur.provisional ? "（初步分级）" : "（评估完整）") + "</p>" : "<p>尚无计算结果</p>";
      var rows = items.map(function (i) {
        return "<tr>" + td(i.label) + td(STATUS[i.status] || i.status) + td(hz.num(i.points, 2)) +
          td(i.status === "unassessed" ? hz.num(-i.max_deduction, 1) : hz.num(i.worst_points, 2)) + td(i.source_label) +
          td(i.evidence) + td(i.by) + td(i.at) + "</tr>";
      });
      var label = {};
      a.model.items.forEach(function (i) { label[i.code] = i.label; });
      a.model.conditions.forEach(function (d) { label[d.code] = "直接判定红色：" + d.label; });
      var hist = (a.entries || []).map(function (x) {
        return "<tr>" + td(label[x.item_code] || x.item_code) + td(x.met == null ? hz.num(x.points, 2) : (x.met ? "存在" : "不存在")) +
          td(SOURCE[x.source] || x.source) + td(x.evidence) + td(x.assessed_by) + td(x.assessed_on) + td(x.recorded_by) + "</tr>";
      });
      itemsEl.innerHTML = head + table(["评估项", "状态", "分值", "最不利分值", "来源", "证据", "评估人", "日期"], rows, "无") +
        "<h3>评估记录（含历史，同一项以最新为准）</h3>" +
        table(["评估项", "分值/情形", "来源", "证据", "评估人", "评估日期", "录入人"], hist, "尚无评估记录");
      if (opts.canAssess && !form.dataset.ready) {
        var sel = form.code;
        a.model.items.forEach(function (i) { sel.add(new Option(i.label + "（最多扣 " + i.max_deduction + " 分" + (i.max_bonus ? "，最多加 " + i.max_bonus + " 分" : "") + "）", i.code)); });
        a.model.conditions.forEach(function (d) { sel.add(new Option("直接判定红色：" + d.label, d.code)); });
        form.assessed_on.value = new Date().toISOString().slice(0, 10);
        form.dataset.ready = "1";
        form.hidden = false;
      }
    }).catch(fail(itemsEl));
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var msg = document.getElementById("hz-ef-form-msg"), code = form.code.value;
    var item = {code: code, evidence: form.evidence.value, assessed_on: form.assessed_on.value, source: form.source.value};
    if ((opts.conditions || []).indexOf(code) >= 0) {
      if (form.met.value) { item.met = form.met.value === "true"; }
    } else if (form.points.value !== "") {
      item.points = Number(form.points.value);
    }
    msg.className = "";
    msg.textContent = "提交中…";
    hz.post(base + "/assessment", {items: [item]}).then(function (r) {
      msg.className = "hz-ef-msg";
      msg.textContent = r.note;
      form.evidence.value = "";
      loadItems();
    }).catch(function (e) { msg.className = "hz-ef-err"; msg.textContent = hz.errorText(e); });
  });
  loadItems();

  // ---- hidden dangers ---------------------------------------------------------------------
  var hdEl = document.getElementById("hz-ef-dangers"), hdForm = document.getElementById("hz-ef-hd-form");
  if (opts.canAssess) {
    hdForm.found_on.value = new Date().toISOString().slice(0, 10);
    hdForm.hidden = false;
    hdForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var msg = document.getElementById("hz-ef-hd-msg"), body = {enterprise_id: id};
      ["found_on", "source", "grade", "description", "place", "measures", "responsible", "deadline", "plan"].forEach(function (k) {
        if (hdForm[k].value.trim()) { body[k] = hdForm[k].value.trim(); }
      });
      if (hdForm.major_item.value) { body.major_item = Number(hdForm.major_item.value); }
      if (hdForm.funds_yuan.value) { body.funds_yuan = Number(hdForm.funds_yuan.value); }
      msg.className = "";
      msg.textContent = "提交中…";
      hz.post(opts.api + "/hidden-dangers", body).then(function (r) {
        msg.className = "hz-ef-msg";
        msg.textContent = "已登记（" + r.state_label + "）";
        hdForm.description.value = "";
        loadDangers();
      }).catch(function (e) { msg.className = "hz-ef-err"; msg.textContent = hz.errorText(e); });
    });
  }
  // updating a record: 五落实 filled in later, the next state (the ledger's rules decide; a refused change
  // comes back as the server's Chinese message naming the rule)
  var upForm = document.getElementById("hz-ef-hd-update"), openDangers = {};
  function fillUpdate(features) {
    openDangers = {};
    var open = features.filter(function (f) { return f.properties.state !== "已销号"; });
    open.forEach(function (f) { openDangers[f.id] = f.properties; });
    upForm.hidden = !opts.canAssess || !open.length;
    upForm.id.innerHTML = open.map(function (f) {
      var p = f.properties;
      return "<option value='" + esc(f.id) + "'>" + esc(p.found_on + " " + p.grade + "：" + p.description + "（" + p.state_label + "）") + "</option>";
    }).join("");
    upForm.id.dispatchEvent(new Event("change"));
  }
  if (opts.canAssess) {
    upForm.id.addEventListener("change", function () {
      var p = openDangers[upForm.id.value];
      var next = p ? (opts.nextStates || {})[p.state] || [] : [];
      upForm.state.innerHTML = "<option value=''>不变更</option>" + next.map(function (s) {
        return "<option>" + esc(s) + "</option>"; }).join("");
      ["measures", "responsible", "funds_yuan", "deadline", "plan"].forEach(function (k) {
        upForm[k].value = p && p[k] != null ? p[k] : "";
      });
    });
    upForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var msg = document.getElementById("hz-ef-hdu-msg"), body = {}, p = openDangers[upForm.id.value] || {};
      ["measures", "responsible", "deadline", "plan"].forEach(function (k) {
        var v = upForm[k].value.trim();
        if (v && v !== String(p[k] == null ? "" : p[k])) { body[k] = v; }
      });
      if (upForm.funds_yuan.value && Number(upForm.funds_yuan.value) !== p.funds_yuan) { body.funds_yuan = Number(upForm.funds_yuan.value); }
      if (upForm.state.value) { body.state = upForm.state.value; }
      if (upForm.on.value) { body.on = upForm.on.value; }
      if (upForm.reviewer.value.trim()) { body.reviewer = upForm.reviewer.value.trim(); }
      msg.className = "";
      msg.textContent = "提交中…";
      hz.patch(opts.api + "/hidden-dangers/" + encodeURIComponent(upForm.id.value), body).then(function (r) {
        msg.className = "hz-ef-msg";
        msg.textContent = "已更新（" + r.state_label + "；五落实" + (r.missing_five.length ? "缺：" + r.missing_five.join("、") : "齐全") + "）";
        loadDangers();
      }).catch(function (e) { msg.className = "hz-ef-err"; msg.textContent = hz.errorText(e); });
    });
  }
  function loadDangers() {
  hz.getJSON(opts.api + "/hidden-dangers?" + new URLSearchParams({enterprise: id, limit: 500})).then(function (fc) {
    fillUpdate(fc.features);
    hdEl.innerHTML = table(["发现日期", "等级", "描述", "地点", "来源", "状态", "整改时限", "五落实缺项", "验收"],
      fc.features.map(function (f) {
        var p = f.properties;
        return "<tr>" + td(p.found_on) + td(p.grade + (p.major_item ? "（121号第" + p.major_item + "项）" : "")) + td(p.description) +
          td(p.place) + td(p.source + "（" + p.found_by + "）") + (p.overdue ? "<td><b class='hz-warn'>" + esc(p.state_label) + "</b></td>" : td(p.state_label)) +
          td(p.deadline) + td((p.five_missing || []).join("、") || "齐全") + td(p.accepted_on ? p.accepted_on + " " + (p.reviewer || "") : "") + "</tr>";
      }), "隐患台账中无本企业记录");
  }).catch(fail(hdEl));
  }
  loadDangers();

  // ---- inspections ------------------------------------------------------------------------
  var insEl = document.getElementById("hz-ef-inspections");
  hz.getJSON(opts.api + "/inspections?" + new URLSearchParams({enterprise: id, limit: 500})).then(function (fc) {
    insEl.innerHTML = table(["抽查期间", "抽取批次", "分层", "检查人员", "状态", "检查日期", "结果", "发现隐患"],
      fc.features.map(function (f) {
        var p = f.properties;
        return "<tr>" + td(p.period) + td(p.draw_id ? "第 " + p.draw_id + " 批" : "") +
          td([hz.colourLabel(p.stratum_colour), p.stratum_standardisation, p.stratum_credit].join(" / ")) +
          td((p.inspectors || []).join("、")) + td(p.status === "done" ? "已检查" : "待检查") + td(p.inspected_on) + td(p.result) +
          td(hz.num(p.hidden_dangers, 0)) + "</tr>";
      }), "尚未被抽取检查");
  }).catch(fail(insEl));

  // ---- history ----------------------------------------------------------------------------
  var hEl = document.getElementById("hz-ef-history");
  hz.getJSON(base + "/history").then(function (h) {
    hEl.innerHTML = table(["运行", "完成时间（北京时间）", "颜色", "评分", "最不利颜色", "最不利评分", "评估覆盖率", "重大危险源", "距离冲突"],
      h.runs.slice().reverse().map(function (r) {
        return "<tr>" + td("#" + r.run_id) + td(hz.beijing(r.finished_at)) + "<td>" + hz.chip(r.risk_color) + "</td>" + td(hz.num(r.risk_score)) +
          td(r.risk_color_worst ? hz.colourLabel(r.risk_color_worst) : "—") + td(hz.num(r.risk_score_min)) +
          td(r.assessment_coverage == null ? "—" : hz.num(r.assessment_coverage * 100, 0) + "%") +
          td(r.major_hazard_grade ? hz.gradeLabel(r.major_hazard_grade) : "—") + td(hz.num(r.conflicts, 0)) + "</tr>";
      }), "尚无运行记录");
  }).catch(fail(hEl));
})();
