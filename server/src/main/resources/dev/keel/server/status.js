// Keel's status page: fetches one page of /api/databases and shows it. Every value from the server is
// inserted with textContent, never as HTML: a database path may contain anything.
"use strict";
(function () {
  var view = { q: "", state: "all", sort: "state", order: "asc", offset: 0, limit: 50 };
  var timer = null;
  var el = function (id) { return document.getElementById(id); };

  function cell(row, text, cls) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  function lag(seconds) {
    if (!seconds) return "0 s";
    if (seconds < 120) return seconds.toFixed(1) + " s";
    if (seconds < 7200) return (seconds / 60).toFixed(1) + " min";
    return (seconds / 3600).toFixed(1) + " h";
  }

  function bytes(n) {
    if (!n) return "0 B";
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return n.toFixed(i ? 1 : 0) + " " + units[i];
  }

  function ago(iso, now) {
    if (!iso) return "never";
    var s = (Date.parse(now) - Date.parse(iso)) / 1000;
    return lag(Math.max(0, s)) + " ago";
  }

  function render(data) {
    var body = el("databases").tBodies[0];
    var rows = document.createDocumentFragment();
    data.databases.forEach(function (db) {
      var replicas = db.replicas.length ? db.replicas : [null];
      replicas.forEach(function (r, i) {
        var tr = document.createElement("tr");
        tr.className = db.state;
        tr.dataset.db = db.db;
        cell(tr, i === 0 ? db.state : "", "state");
        cell(tr, i === 0 ? db.db : "", "db");
        cell(tr, r ? r.name + " (" + r.location + ")" : "no replica");
        cell(tr, r && r.generation ? r.generation : (i === 0 ? db.generation : ""));
        cell(tr, r ? (r.position || "none yet") : db.position);
        cell(tr, r ? lag(r.lagSeconds) : "");
        cell(tr, r ? bytes(r.lagBytes) : "");
        cell(tr, r ? ago(r.lastUpload, data.now) : "");
        var err = cell(tr, r && r.error ? r.error : (i === 0 && db.error ? db.error : ""), "error");
        var hint = r && r.error ? r.hint : (i === 0 ? db.hint : null);
        if (hint && err.textContent) {
          var h = document.createElement("span");
          h.className = "hint";
          h.textContent = "hint: " + hint;
          err.appendChild(h);
        }
        rows.appendChild(tr);
      });
    });
    body.replaceChildren(rows);
    var counts = el("counts");
    var buttons = document.createDocumentFragment();
    ["failing", "waiting", "lagging", "parked", "ok"].forEach(function (s) {
      var b = document.createElement("button");
      b.type = "button";
      b.dataset.state = s;
      b.textContent = s + ": " + data.counts[s];
      if (view.state === s) b.className = "active";
      b.addEventListener("click", function () { el("state").value = s; view.state = s; view.offset = 0; load(); });
      buttons.appendChild(b);
    });
    counts.replaceChildren(buttons);
    el("summary").textContent = data.total + " databases; " + data.matched + " match; ready means every replica within "
      + data.readyWithinSeconds + " s";
    var last = Math.min(data.offset + data.limit, data.matched);
    el("page").textContent = data.matched ? (data.offset + 1) + "-" + last + " of " + data.matched : "nothing matches";
    el("prev").disabled = data.offset === 0;
    el("next").disabled = last >= data.matched;
    el("updated").textContent = "updated " + new Date().toLocaleTimeString();
    el("error").hidden = true;
  }

  function load() {
    var params = new URLSearchParams({ q: view.q, state: view.state, sort: view.sort, order: view.order,
      offset: String(view.offset), limit: String(view.limit) });
    return fetch("/api/databases?" + params.toString(), { cache: "no-store" })
      .then(function (resp) {
        if (!resp.ok) return resp.text().then(function (t) { throw new Error(t); });
        return resp.json();
      })
      .then(render)
      .catch(function (e) { el("error").textContent = "could not load the status: " + e.message; el("error").hidden = false; })
      .finally(schedule);
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = el("auto").checked ? setTimeout(load, 5000) : null;
  }

  var typing = null;
  el("q").addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { view.q = el("q").value; view.offset = 0; load(); }, 250);
  });
  el("state").addEventListener("change", function () { view.state = el("state").value; view.offset = 0; load(); });
  el("limit").addEventListener("change", function () { view.limit = Number(el("limit").value); view.offset = 0; load(); });
  el("auto").addEventListener("change", schedule);
  el("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  el("prev").addEventListener("click", function () { view.offset = Math.max(0, view.offset - view.limit); load(); });
  el("next").addEventListener("click", function () { view.offset += view.limit; load(); });
  Array.prototype.forEach.call(document.querySelectorAll("th[data-sort]"), function (th) {
    th.addEventListener("click", function () {
      var key = th.dataset.sort;
      view.order = view.sort === key && view.order === "asc" ? "desc" : "asc";
      view.sort = key;
      view.offset = 0;
      Array.prototype.forEach.call(document.querySelectorAll("th[data-sort]"), function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", view.order === "asc" ? "ascending" : "descending");
      load();
    });
  });
  load();
})();
