/* The 动态清零 list (/waste/clearance): the waste-clearance collection, in rank order, page by page. */
(function () {
  "use strict";
  var hz = window.hz, esc = hz.esc, opts = hz.opts;
  var body = document.querySelector("#hz-clear tbody"), more = document.getElementById("hz-clear-more");
  var next = opts.api + "/waste-clearance?limit=200";
  function row(p) {
    var over = p.long_stored ? " class='hz-waste-over'" : "";
    var who = p.enterprise_id ? "<a href='/enterprises/" + esc(p.enterprise_id) + "'>" + esc(p.name) + "</a>" : esc(p.name || p.credit_code);
    return "<tr" + over + "><td>" + esc(p.rank) + "</td><td>" + who + "</td><td>" + esc(p.town || "") + "</td><td>" + esc(p.waste_code) +
      "</td><td>" + hz.num(p.on_site_t, 3) + "</td><td>" + esc(p.oldest_batch_date || "") + "</td><td>" + esc(p.oldest_age_days) +
      "</td><td>" + hz.num(p.storage_limit_days, 0) + "</td><td>" + hz.num(p.over_limit_t, 3) + "</td><td>" + hz.num(p.tonne_days, 1) + "</td></tr>";
  }
  function load() {
    more.hidden = true;
    hz.getJSON(next).then(function (fc) {
      body.insertAdjacentHTML("beforeend", fc.features.map(function (f) { return row(f.properties); }).join(""));
      var asOf = fc.features.length ? fc.features[0].properties.as_of : null;
      document.getElementById("hz-clear-head").textContent = "共 " + fc.numberMatched + " 条在库危险废物" +
        (asOf ? "，核算日期 " + asOf : "") + (fc.run_id ? "（运行 #" + fc.run_id + "）" : "（尚无计算结果）");
      var link = (fc.links || []).filter(function (l) { return l.rel === "next"; })[0];
      next = link ? link.href : null;
      more.hidden = !next;
    }).catch(function (e) { document.getElementById("hz-clear-head").textContent = "加载失败：" + hz.errorText(e); });
  }
  more.addEventListener("click", load);
  load();
})();
