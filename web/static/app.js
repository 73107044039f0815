/* After-sales service: the little script every page loads (no inline scripts: see the CSP).
 *
 * 1. Remembers the browser's time zone in the `tz` cookie so that the server can show times in it
 *    (the server checks the name against its zone database; an account's own zone wins).
 * 2. Ticks every <time datetime="..." data-countdown> (rendered by web/common/timefmt.py countdown()).
 * 3. Labels each cell of a table with a header row with its column's header (data-label), unless
 *    the template did: on phones app.css shows such tables as cards (issue 11 item 3).
 */
(function () {
  "use strict";

  function rememberTimeZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
    var current = document.cookie.split("; ").filter(function (c) {
      return c.indexOf("tz=") === 0;
    })[0];
    // Zone names are cookie-safe (checked above): stored as they are, not URL-encoded.
    if (current === "tz=" + zone) return;
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie =
      "tz=" + zone + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
  }

  var texts = {};
  try {
    texts = JSON.parse(document.getElementById("app-texts").textContent || "{}");
  } catch (e) {
    texts = {};
  }

  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key];
    });
  }

  // The two largest units, as web/common/timefmt.py _duration() does.
  function duration(seconds) {
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var secs = seconds % 60;
    if (days) return fill(texts.d, { n: days }) + " " + fill(texts.h, { n: hours });
    if (hours) return fill(texts.h, { n: hours }) + " " + fill(texts.m, { n: minutes });
    return fill(texts.m, { n: minutes }) + " " + fill(texts.s, { n: secs });
  }

  // Trust the server's clock over the device's: measure the difference once.
  var serverNow = Date.parse(document.documentElement.getAttribute("data-server-now") || "");
  var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();

  function tick() {
    var now = Date.now() + skew;
    var clocks = document.querySelectorAll("time[data-countdown]");
    for (var i = 0; i < clocks.length; i++) {
      var el = clocks[i];
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) continue;
      var seconds = Math.floor((due - now) / 1000);
      var overdue = seconds < 0;
      var text = fill(overdue ? texts.overdue : texts.left, {
        time: duration(Math.abs(seconds)),
      });
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("countdown--overdue", overdue);
      el.classList.toggle("countdown--running", !overdue);
    }
  }

  function labelCells() {
    var tables = document.querySelectorAll("table");
    for (var t = 0; t < tables.length; t++) {
      var head = tables[t].tHead;
      if (!head || !head.rows.length) continue;
      var labels = [];
      var headers = head.rows[head.rows.length - 1].cells;
      for (var h = 0; h < headers.length; h++) {
        var text = (headers[h].getAttribute("data-label") || headers[h].textContent || "").trim();
        for (var span = 0; span < (headers[h].colSpan || 1); span++) labels.push(text);
      }
      var bodies = tables[t].querySelectorAll(":scope > tbody > tr, :scope > tfoot > tr");
      for (var r = 0; r < bodies.length; r++) {
        var column = 0;
        for (var c = 0; c < bodies[r].cells.length; c++) {
          var cell = bodies[r].cells[c];
          if (!cell.hasAttribute("data-label") && labels[column] !== undefined) {
            cell.setAttribute("data-label", labels[column]);
          }
          column += cell.colSpan || 1;
        }
      }
    }
  }

  rememberTimeZone();
  labelCells();
  if (texts.left && document.querySelector("time[data-countdown]")) {
    tick();
    setInterval(tick, 1000);
  }
})();
