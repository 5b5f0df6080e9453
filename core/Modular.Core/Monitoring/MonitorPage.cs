namespace Modular.Core.Monitoring;

/// <summary>
/// The page at <c>/</c>: links to the endpoints and a live panel that polls <c>varz</c> and
/// <c>routez</c> every 2 s, showing the main counters, the route table and this server's part of
/// the mesh as a picture. Self-contained (no external assets); links are relative so the page also
/// works behind a path prefix. Data is inserted with textContent only, never as markup.
/// </summary>
public static class MonitorPage
{
    public static MonitorResponse Handle(MonitorRequest request) => MonitorResponse.Html(Html);

    public const string Html = """
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Modular monitoring</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px 32px; color: #223; }
  h1 { font-size: 22px; margin: 0 0 4px 0; }
  .sub { color: #667; font-size: 13px; margin-bottom: 16px; }
  nav a { display: inline-block; margin: 0 14px 8px 0; color: #3b32ca; text-decoration: none; font-weight: 600; }
  nav a:hover { text-decoration: underline; }
  nav code { color: #999; font-weight: 400; font-size: 12px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin: 16px 0; }
  .cell { background: #f4f5fa; border-radius: 6px; padding: 8px 10px; }
  .cell .k { font-size: 11px; color: #778; text-transform: uppercase; letter-spacing: .04em; }
  .cell .v { font-size: 17px; font-variant-numeric: tabular-nums; word-break: break-all; }
  table { border-collapse: collapse; font-size: 13px; margin-top: 8px; }
  th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #e3e4ec; }
  th { color: #778; font-weight: 600; }
  .row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
  .muted { color: #889; }
  .err { color: #b3261e; }
  svg text { font-size: 11px; fill: #223; }
</style>
</head>
<body>
<h1>Modular <span id="name"></span></h1>
<div class="sub" id="ident">loading&hellip;</div>
<nav>
  <a href="varz">General <code>/varz</code></a>
  <a href="connz">Connections <code>/connz</code></a>
  <a href="routez">Routes <code>/routez</code></a>
  <a href="subsz">Subscriptions <code>/subsz</code></a>
  <a href="accountz">Accounts <code>/accountz</code></a>
  <a href="healthz">Health <code>/healthz</code></a>
</nav>
<div class="grid" id="stats"></div>
<div class="row">
  <div>
    <h2 style="font-size:16px;margin:8px 0 0 0">Routes</h2>
    <div id="routes" class="muted">loading&hellip;</div>
  </div>
  <div>
    <h2 style="font-size:16px;margin:8px 0 0 0">Mesh</h2>
    <svg id="mesh" width="360" height="300" viewBox="0 0 360 300" role="img" aria-label="route mesh"></svg>
  </div>
</div>
<script>
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function bytes(n) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
    n = Number(n) || 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }

  function renderVarz(v) {
    document.getElementById("name").textContent = v.server_name || "";
    document.getElementById("ident").textContent =
      "v" + v.version + " \u00b7 " + v.server_id + " \u00b7 " + v.go + " \u00b7 clients on " + v.host + ":" + v.port;
    var cells = [
      ["uptime", v.uptime], ["connections", v.connections], ["total connections", v.total_connections],
      ["routes", v.routes], ["remotes", v.remotes], ["subscriptions", v.subscriptions],
      ["in msgs", v.in_msgs], ["out msgs", v.out_msgs], ["in bytes", bytes(v.in_bytes)],
      ["out bytes", bytes(v.out_bytes)], ["slow consumers", v.slow_consumers], ["cpu %", v.cpu],
      ["memory", bytes(v.mem)], ["cluster", (v.cluster && v.cluster.name) || "\u2014"]
    ];
    var grid = document.getElementById("stats");
    grid.replaceChildren();
    cells.forEach(function (c) {
      var cell = el("div", null, "cell");
      cell.appendChild(el("div", c[0], "k"));
      cell.appendChild(el("div", c[1], "v"));
      grid.appendChild(cell);
    });
  }

  function renderRoutes(rz, selfName) {
    var box = document.getElementById("routes");
    box.replaceChildren();
    box.className = "";
    var routes = (rz && rz.routes) || [];
    if (routes.length === 0) {
      box.className = "muted";
      box.textContent = "no routes";
    } else {
      var t = el("table");
      var head = el("tr");
      ["rid", "peer", "address", "dir", "uptime", "rtt", "in msgs", "out msgs", "subs", "account", "compression"]
        .forEach(function (h) { head.appendChild(el("th", h)); });
      t.appendChild(head);
      routes.forEach(function (r) {
        var tr = el("tr");
        [r.rid, r.remote_name || r.remote_id, r.ip + ":" + r.port, r.did_solicit ? "out" : "in", r.uptime,
         r.rtt || "", r.in_msgs, r.out_msgs, r.subscriptions, r.account || "", r.compression || ""]
          .forEach(function (x) { tr.appendChild(el("td", x)); });
        t.appendChild(tr);
      });
      box.appendChild(t);
    }
    renderMesh(selfName, routes);
  }

  function renderMesh(selfName, routes) {
    var svg = document.getElementById("mesh");
    svg.replaceChildren();
    var peers = {};
    routes.forEach(function (r) {
      var key = r.remote_id || r.remote_name || (r.ip + ":" + r.port);
      if (!peers[key]) { peers[key] = { name: r.remote_name || key.substring(0, 8), links: 0 }; }
      peers[key].links++;
    });
    var keys = Object.keys(peers).sort();
    var nodes = [{ name: selfName || "this server", self: true }].concat(keys.map(function (k) { return peers[k]; }));
    var cx = 180, cy = 150, radius = nodes.length > 1 ? 105 : 0;
    nodes.forEach(function (n, i) {
      var a = -Math.PI / 2 + (2 * Math.PI * i) / nodes.length;
      n.x = cx + radius * Math.cos(a);
      n.y = cy + radius * Math.sin(a);
    });
    for (var i = 1; i < nodes.length; i++) {
      var line = document.createElementNS(SVG, "line");
      line.setAttribute("x1", nodes[0].x); line.setAttribute("y1", nodes[0].y);
      line.setAttribute("x2", nodes[i].x); line.setAttribute("y2", nodes[i].y);
      line.setAttribute("stroke", "#8a8fd6");
      line.setAttribute("stroke-width", String(Math.min(1 + nodes[i].links, 8)));
      var title = document.createElementNS(SVG, "title");
      title.textContent = nodes[i].links + " connection(s)";
      line.appendChild(title);
      svg.appendChild(line);
    }
    nodes.forEach(function (n) {
      var c = document.createElementNS(SVG, "circle");
      c.setAttribute("cx", n.x); c.setAttribute("cy", n.y); c.setAttribute("r", n.self ? 16 : 12);
      c.setAttribute("fill", n.self ? "#3b32ca" : "#34a574");
      svg.appendChild(c);
      var label = document.createElementNS(SVG, "text");
      label.setAttribute("x", n.x); label.setAttribute("y", n.y + (n.self ? 30 : 26));
      label.setAttribute("text-anchor", "middle");
      label.textContent = n.name;
      svg.appendChild(label);
    });
  }

  var selfName = "";
  function tick() {
    fetch("varz", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (v) { selfName = v.server_name || ""; renderVarz(v); })
      .catch(function (e) {
        var i = document.getElementById("ident");
        i.className = "sub err";
        i.textContent = "cannot read /varz: " + e;
      })
      .then(function () { return fetch("routez", { cache: "no-store" }); })
      .then(function (r) { return r.status === 404 ? null : r.json(); })
      .then(function (rz) { renderRoutes(rz, selfName); })
      .catch(function () { renderRoutes(null, selfName); });
  }
  tick();
  setInterval(tick, 2000);
})();
</script>
</body>
</html>
""";
}
