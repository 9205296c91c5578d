/* Shared helpers of every hazmap page (window.hz).  Pages carry no inline script: what a script
 * needs comes in the JSON data block <script type="application/json" id="hz-page"> (the domain
 * vocabulary and labels included — no page keeps a copy of them). */
(function () {
  "use strict";
  var hz = {};
  window.hz = hz;
  var block = typeof document !== "undefined" ? document.getElementById("hz-page") : null;
  hz.opts = block ? JSON.parse(block.textContent) : {};
  var V = hz.opts.vocabulary || {}, LB = hz.opts.labels || {};
  hz.vocab = V;
  hz.labels = LB;
  // the wings' map overlays (see map.js): a wing's script registers them before map.js runs
  hz.overlays = [];
  hz.overlay = function (o) { hz.overlays.push(o); };

  // every value that came from data goes through esc() before it is put into HTML
  hz.esc = function (s) {
    return String(s == null ? "" : s).replace(/[&<>"'`]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;"}[c];
    });
  };
  // numbers as users read them: grouped, at most `digits` decimals (no 35014.899999999994)
  hz.num = function (v, digits) {
    if (v == null || v === "" || isNaN(Number(v))) { return "—"; }
    return Number(v).toLocaleString("zh-CN", {maximumFractionDigits: digits == null ? 1 : digits});
  };
  // a small frequency as a Chinese page writes it — 2.64×10⁻⁸, not 2.64e-8 — as the server's
  // geo.consequence.risk.per_year does; digits after the point (default 2)
  var SUP = {"-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹"};
  hz.sci = function (v, digits) {
    if (v == null || v === "") { return ""; }
    if (Number(v) === 0) { return "0"; }
    var p = Number(v).toExponential(digits == null ? 2 : digits).split("e");
    return p[0] + "×10" + String(Number(p[1])).replace(/./g, function (c) { return SUP[c] || c; });
  };
  hz.beijing = function (iso) {
    if (!iso) { return null; }
    try {
      return new Date(iso).toLocaleString("zh-CN", {timeZone: "Asia/Shanghai", hour12: false, year: "numeric",
        month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"});
    } catch (e) { return String(iso).replace("T", " "); }
  };
  hz.colourLabel = function (code) { return (V.colour_label || {})[code] || "未评级"; };
  hz.colourHex = function (code) { return (V.colour_hex || {})[code] || "#9e9e9e"; };
  hz.stageLabel = function (code) { return (V.stages || {})[code] || code; };
  hz.categoryLabel = function (code) { return (V.categories || {})[code] || code; };
  hz.gradeLabel = function (g) { return (LB.grades || {})[String(g)] || ""; };
  // a chip with readable text on any colour: dark text on light colours, white on dark (WCAG ≥ 4.5:1)
  hz.textOn = function (hex) {
    var h = String(hex || "#999999").replace("#", ""), c = [0, 2, 4].map(function (i) {
      var v = parseInt(h.substr(i, 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    return (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) ? "#000000" : "#ffffff";
  };
  hz.chip = function (code) {
    var bg = hz.colourHex(code);
    return "<span class='hz-chip' style='background:" + hz.esc(bg) + ";color:" + hz.textOn(bg) + "'>" +
      hz.esc(hz.colourLabel(code)) + "</span>";
  };
  // "inventory[0].quantity_t" → "化学品清单第 1 行的数量（吨）"
  hz.fieldLabel = function (path) {
    if (!path) { return ""; }
    return String(path).split(".").map(function (piece) {
      var m = /^([a-z_]+)(?:\[(\d+)\])?$/.exec(piece), f = LB.fields || {};
      if (!m) { return piece; }
      var label = f[m[1]] || m[1];
      return m[2] != null ? label + "第 " + (Number(m[2]) + 1) + " 行" : label;
    }).join("的");
  };
  hz.csrf = function () {
    var m = document.querySelector("meta[name=csrf-token]");
    return m ? m.getAttribute("content") : "";
  };
  // a session that expired (or was ended elsewhere) leads to the login page with a message
  hz.sessionExpired = function () {
    location.assign("/login?expired=1&next=" + encodeURIComponent(location.pathname + location.search));
  };
  function handle(r) {
    if (r.status === 401) {  // a logged-in user whose session ended; an anonymous viewer just lacks access
      if (hz.opts.user) { hz.sessionExpired(); throw new Error("登录已过期"); }
      throw new Error("需要登录");
    }
    var type = r.headers.get("Content-Type") || "";
    if (type.indexOf("json") < 0) {
      if (!r.ok) { throw new Error("请求失败（" + r.status + "）"); }
      return r.blob();
    }
    return r.json().then(function (body) {
      if (!r.ok) {
        var e = body.error || {}, err = new Error(e.message || ("请求失败（" + r.status + "）"));
        err.field = e.field;
        throw err;
      }
      return body;
    });
  }
  // the pages say who they are, so a 401 never carries a Basic challenge (the browser would prompt for it)
  var PAGE = {"X-Requested-With": "hazmap-page"};
  // fetch rejects with the browser's English ("TypeError: Failed to fetch", "NetworkError when attempting
  // to fetch resource") when no answer came at all: the pages say it in Chinese; an abort stays an abort
  hz.NETWORK_ERROR = "网络连接失败，请检查网络后重试";
  function network(e) {
    if (hz.isAbort(e)) { throw e; }
    var err = new Error(hz.NETWORK_ERROR);
    err.network = true;
    err.cause = e;
    throw err;
  }
  // the time view: a page opened with ?run=N reads run N — every /api/v1 read carries it (the server pins
  // the response to that run); the run list, the comparison and the history are about runs and do not
  var UNPINNED = /\/(runs|trends|changes)(\?|$)|\/history(\?|$)/;
  hz.withRun = function (url) {
    var run = hz.opts && hz.opts.viewRun;
    if (!run || url.indexOf("/api/v1/") !== 0 || UNPINNED.test(url)) { return url; }
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "run=" + encodeURIComponent(run);
  };
  hz.getJSON = function (url, signal) {
    return fetch(hz.withRun(url), {credentials: "same-origin", signal: signal, headers: PAGE}).then(handle, network);
  };
  hz.post = function (url, body, signal) {
    return fetch(url, {method: "POST", credentials: "same-origin", signal: signal,
      headers: Object.assign({"Content-Type": "application/json", "X-CSRF-Token": hz.csrf()}, PAGE),
      body: JSON.stringify(body)}).then(handle, network);
  };
  // a provisional grade says so, and what it could be at worst (every unassessed item deducted): "初步分级，最不利可能为红色"
  hz.provisionalText = function (provisional, colour, worst) {
    if (!provisional) { return ""; }
    return "初步分级" + (worst && worst !== colour ? "，最不利可能为" + hz.colourLabel(worst) : "");
  };
  hz.patch = function (url, body, signal) {
    return fetch(url, {method: "PATCH", credentials: "same-origin", signal: signal,
      headers: Object.assign({"Content-Type": "application/json", "X-CSRF-Token": hz.csrf()}, PAGE),
      body: JSON.stringify(body)}).then(handle, network);
  };
  // a server message in Chinese with any field path in it (location.lon, inventory[0].quantity_t) shown as its label;
  // the field is named first only when it has a label (a limit's name, siting_checks_per_minute, is for operators)
  hz.errorText = function (e) {
    var f = LB.fields || {}, known = function (path) { return !!f[String(path).split(/[.\[]/)[0]]; };
    var msg = String(e.message || "").replace(/\b[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*/g,
      function (path) { return known(path) ? hz.fieldLabel(path) : path; });
    return (e.field && known(e.field) && msg.indexOf(hz.fieldLabel(e.field)) < 0 ? "（" + hz.fieldLabel(e.field) + "）" : "") + msg;
  };
  hz.isAbort = function (e) { return e && e.name === "AbortError"; };

  // One sequence per kind of request: next() aborts the request before it and hands out a token
  // whose current() is false once a newer request started — so a slow earlier response can never
  // overwrite a newer one, even if the abort arrived too late.
  hz.Sequence = function () { this.n = 0; this.ctrl = null; };
  hz.Sequence.prototype.next = function () {
    if (this.ctrl) { this.ctrl.abort(); }
    this.ctrl = new AbortController();
    var mine = ++this.n, self = this;
    return {signal: this.ctrl.signal, current: function () { return mine === self.n; }};
  };

  // degrees ↔ degrees-minutes-seconds
  hz.dms = function (v, pos, neg) {
    var hemi = v >= 0 ? pos : neg, t = Math.round(Math.abs(v) * 360000) / 100;
    var d = Math.floor(t / 3600), m = Math.floor((t - d * 3600) / 60), s = t - d * 3600 - m * 60;
    return d + "°" + (m < 10 ? "0" : "") + m + "′" + (s < 10 ? "0" : "") + s.toFixed(2) + "″" + hemi;
  };
  // "112°51′0.5″E", "112 51 0.5", "112度51分0.5秒" → 112.8501…; null when unreadable
  hz.parseDMS = function (text) {
    var t = String(text || "").trim(), neg = /[WSws西南]$/.test(t) || /^-/.test(t);
    var parts = t.replace(/[^0-9.]+/g, " ").trim().split(/\s+/).map(Number);
    if (!parts.length || parts.some(isNaN) || parts.length > 3) { return null; }
    if ((parts[1] || 0) >= 60 || (parts[2] || 0) >= 60) { return null; }
    var v = parts[0] + (parts[1] || 0) / 60 + (parts[2] || 0) / 3600;
    return neg ? -v : v;
  };

  // a coordinate form: the labels and hints follow the chosen CRS; read() gives {x, y, crs} for the
  // server (DMS converted to decimal WGS-84 here; Gauss-Krüger and GCJ-02/BD-09 converted there)
  hz.coordinateFields = function (select, xInput, yInput, xLabel, yLabel) {
    function update() {
      var crs = select.value, metric = crs.indexOf("EPSG") === 0;
      xLabel.textContent = metric ? "横坐标 X（东，米）" : "经度";
      yLabel.textContent = metric ? "纵坐标 Y（北，米）" : "纬度";
      xInput.placeholder = crs === "dms" ? "如 112°51′00″E" : metric ? "如 395658.90" : "如 112.85";
      yInput.placeholder = crs === "dms" ? "如 35°30′00″N" : metric ? "如 3930673.60" : "如 35.50";
    }
    select.addEventListener("change", update);
    update();
    return {update: update, read: function () {
      var crs = select.value, x = xInput.value.trim(), y = yInput.value.trim();
      if (crs === "dms") {
        x = hz.parseDMS(x); y = hz.parseDMS(y); crs = "wgs84";
        if (x === null || y === null) { throw new Error("度分秒格式有误，例如 112°51′00″E、35°30′00″N"); }
      }
      return {x: x, y: y, crs: crs};
    }};
  };

  // WGS-84 → GCJ-02, for drawing on a GCJ-02 basemap (display only; the data stay WGS-84)
  hz.gcj = function (lat, lon) {
    var a = 6378245.0, ee = 0.00669342162296594323, x = lon - 105.0, y = lat - 35.0;
    var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    dLat += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    dLat += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    dLat += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    dLon += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    dLon += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    dLon += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    var rad = lat / 180.0 * Math.PI, magic = Math.sin(rad);
    magic = 1 - ee * magic * magic;
    var sq = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sq) * Math.PI);
    dLon = (dLon * 180.0) / (a / sq * Math.cos(rad) * Math.PI);
    return [lat + dLat, lon + dLon];
  };

  // drawer toggles (phone layout): a button with aria-controls opens/closes its panel
  if (typeof document !== "undefined" && document.querySelectorAll) {
    Array.prototype.forEach.call(document.querySelectorAll(".hz-drawer-toggle"), function (b) {
      b.addEventListener("click", function () {
        var open = b.getAttribute("aria-expanded") !== "true";
        b.setAttribute("aria-expanded", String(open));
        document.getElementById(b.getAttribute("aria-controls")).classList.toggle("hz-open", open);
      });
    });
    var printBtn = document.getElementById("hz-print-btn");
    if (printBtn) { printBtn.addEventListener("click", function () { window.print(); }); }
    Array.prototype.forEach.call(document.querySelectorAll(".hz-print-date"), function (el) {
      el.textContent = hz.beijing(new Date().toISOString());
    });
    Array.prototype.forEach.call(document.querySelectorAll(".hz-print-asof"), function (el) {
      el.textContent = hz.beijing(hz.opts.dataAsOf) || "尚无计算结果";
    });
  }
})();
