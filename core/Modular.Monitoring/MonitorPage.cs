namespace Modular.Monitoring;

/// <summary>
/// The page at <c>/</c>: a live view of this server, refreshed every second from <c>varz</c>,
/// <c>routez</c> and <c>healthz</c>: the main counters, the mesh as a picture (the servers on a
/// circle, this one highlighted, one line to each peer whose width follows its traffic, and the
/// peers' own routes read from their <c>/routez</c> through the <c>monitor_url</c> they announce, so
/// a route missing between two peers shows as a dashed red line), a table of peers (connections,
/// msgs/s each way from the difference of two samples, RTT, compression, and the last five minutes
/// of msgs/s and bytes/s as small charts) and the route connections. Plain HTML and JavaScript, no external assets, no build step; links are
/// relative so the page also works behind a path prefix (a peer's name links to its own page when
/// it gave its monitoring URL); data goes in with textContent only.
/// Elements carry data-server / data-remote / data-rid attributes so tests can find them.
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
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 20px 28px; color: #223; background: #fff; }
  h1 { font-size: 22px; margin: 0 0 2px 0; }
  h2 { font-size: 15px; margin: 14px 0 6px 0; color: #334; }
  .sub { color: #667; font-size: 13px; margin-bottom: 10px; }
  nav a { display: inline-block; margin: 0 12px 6px 0; color: #3b32ca; text-decoration: none; font-weight: 600; font-size: 13px; }
  nav a:hover { text-decoration: underline; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; vertical-align: middle; margin-left: 8px; }
  .ok { background: #dff3e7; color: #1d6b3f; }
  .bad { background: #fbe3e1; color: #9b1c12; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: 6px; margin: 10px 0; }
  .cell { background: #f4f5fa; border-radius: 6px; padding: 6px 9px; }
  .cell .k { font-size: 10px; color: #778; text-transform: uppercase; letter-spacing: .04em; }
  .cell .v { font-size: 16px; font-variant-numeric: tabular-nums; word-break: break-all; }
  table { border-collapse: collapse; font-size: 12.5px; }
  th, td { text-align: left; padding: 3px 9px; border-bottom: 1px solid #e3e4ec; white-space: nowrap; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  th { color: #778; font-weight: 600; }
  .row { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
  .muted { color: #889; }
  .err { color: #b3261e; }
  svg { background: #fafbff; border: 1px solid #e6e7f0; border-radius: 8px; }
  svg text { font-size: 11px; fill: #223; }
  svg .rate { font-size: 10px; fill: #556; }
  svg.spark { background: none; border: none; border-radius: 0; vertical-align: middle; }
</style>
</head>
<body data-ticks="0">
<h1>Modular <span id="name"></span><span id="health" class="badge"></span></h1>
<div class="sub" id="ident">loading&hellip;</div>
<nav>
  <a href="varz">/varz</a><a href="connz">/connz</a><a href="routez">/routez</a>
  <a href="subsz">/subsz</a><a href="accountz">/accountz</a><a href="healthz">/healthz</a>
</nav>
<div class="grid" id="stats"></div>
<div class="row">
  <div>
    <h2>Mesh <span class="muted" id="meshnote"></span></h2>
    <svg id="mesh" width="400" height="300" viewBox="0 0 400 300" role="img" aria-label="cluster mesh"></svg>
  </div>
  <div>
    <h2>Peers</h2>
    <div id="peers" class="muted">loading&hellip;</div>
  </div>
</div>
<h2>Route connections</h2>
<div id="routes" class="muted">loading&hellip;</div>
<h2>Gateways <span class="muted" id="gwnote"></span></h2>
<div id="gateways" class="muted">loading&hellip;</div>
<h2>Leaf nodes</h2>
<div id="leafs" class="muted">loading&hellip;</div>
<div class="sub" id="updated"></div>
<script>
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var previous = {};      // rid -> {inMsgs, outMsgs, inBytes, outBytes, at}
  var rates = {};         // rid -> {inRate, outRate, inBytesRate, outBytesRate}
  var HISTORY = 300;      // samples kept per peer for the charts: five minutes at one a second
  var history = {};       // peer id -> [{msgs, bytes}] oldest first
  var peerRoutes = {};    // peer id -> {ids: {remote id: name}} from the peer's own /routez
  var selfId = "";
  var selfName = "", clusterName = "", ticks = 0;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = String(text); }
    return e;
  }
  function bytes(n) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
    n = Number(n) || 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }
  function rate(n) {
    n = Number(n) || 0;
    return n >= 1e6 ? (n / 1e6).toFixed(1) + "M" : n >= 1e4 ? (n / 1e3).toFixed(1) + "k" : n.toFixed(n < 10 && n > 0 ? 1 : 0);
  }
  function getJson(path) {
    return fetch(path, { cache: "no-store" }).then(function (r) {
      return r.status === 404 ? null : r.json();
    });
  }

  function renderVarz(v) {
    selfName = v.server_name || v.server_id || "";
    selfId = v.server_id || "";
    clusterName = (v.cluster && v.cluster.name) || "";
    document.getElementById("name").textContent = selfName;
    document.getElementById("ident").textContent =
      "v" + v.version + " \u00b7 " + v.server_id + " \u00b7 clients on " + v.host + ":" + v.port +
      (clusterName ? " \u00b7 cluster " + clusterName : " \u00b7 no cluster");
    var cells = [
      ["uptime", v.uptime], ["connections", v.connections], ["routes", v.routes], ["remotes", v.remotes],
      ["subscriptions", v.subscriptions], ["in msgs", v.in_msgs], ["out msgs", v.out_msgs],
      ["in bytes", bytes(v.in_bytes)], ["out bytes", bytes(v.out_bytes)], ["slow consumers", v.slow_consumers],
      ["cpu %", v.cpu], ["memory", bytes(v.mem)]
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

  function renderHealth(h) {
    var b = document.getElementById("health");
    var ok = h && h.status === "ok";
    b.className = "badge " + (ok ? "ok" : "bad");
    b.textContent = ok ? "healthy" : ((h && h.error) || "unhealthy");
  }

  // msgs/s per route connection: the difference with the previous sample over the server's own
  // clock ("now" of routez), once at least 200 ms apart.
  function updateRates(routes, now) {
    var next = {};
    routes.forEach(function (r) {
      var p = previous[r.rid];
      if (p && now - p.at < 200) { next[r.rid] = p; return; }
      if (p) {
        var dt = (now - p.at) / 1000;
        rates[r.rid] = { inRate: Math.max(0, (r.in_msgs - p.inMsgs) / dt), outRate: Math.max(0, (r.out_msgs - p.outMsgs) / dt),
                         inBytesRate: Math.max(0, (r.in_bytes - p.inBytes) / dt), outBytesRate: Math.max(0, (r.out_bytes - p.outBytes) / dt) };
      } else if (!rates[r.rid]) {
        rates[r.rid] = { inRate: 0, outRate: 0, inBytesRate: 0, outBytesRate: 0 };
      }
      next[r.rid] = { inMsgs: r.in_msgs, outMsgs: r.out_msgs, inBytes: r.in_bytes, outBytes: r.out_bytes, at: now };
    });
    previous = next;
  }

  function peersOf(routes) {
    var peers = {}, order = [];
    routes.forEach(function (r) {
      var key = r.remote_id || (r.ip + ":" + r.port);
      if (!peers[key]) {
        peers[key] = { id: key, name: r.remote_name || key.substring(0, 8), conns: 0, inRate: 0, outRate: 0, bytesRate: 0, rtt: "", compression: {}, subs: 0 };
        order.push(key);
      }
      var p = peers[key], rr = rates[r.rid] || { inRate: 0, outRate: 0, inBytesRate: 0, outBytesRate: 0 };
      p.conns++; p.inRate += rr.inRate; p.outRate += rr.outRate; p.bytesRate += rr.inBytesRate + rr.outBytesRate; p.subs += r.subscriptions || 0;
      if (r.rtt && (!p.rtt || parseFloat(r.rtt) < parseFloat(p.rtt))) { p.rtt = r.rtt; }
      p.compression[r.compression || "off"] = true;
      // A Modular peer gives its monitoring URL (not nats-server): its own page is one click away.
      if (!p.monitor && /^https?:\/\/[^\s"<>]+$/.test(r.monitor_url || "")) { p.monitor = r.monitor_url; }
    });
    return order.sort(function (a, b) { return peers[a].name < peers[b].name ? -1 : 1; }).map(function (k) { return peers[k]; });
  }

  function table(headers, rows) {
    var t = el("table"), head = el("tr");
    headers.forEach(function (h) { head.appendChild(el("th", h)); });
    t.appendChild(head);
    rows.forEach(function (r) { t.appendChild(r); });
    return t;
  }
  function row(cells, attrs) {
    var tr = el("tr");
    Object.keys(attrs || {}).forEach(function (k) { tr.setAttribute(k, attrs[k]); });
    cells.forEach(function (c) { tr.appendChild(el("td", c[0], c[1] ? "n" : "")); });
    return tr;
  }

  function renderPeers(peers) {
    var box = document.getElementById("peers");
    box.replaceChildren();
    box.className = peers.length ? "" : "muted";
    if (!peers.length) { box.textContent = "no routes"; return; }
    box.appendChild(table(["peer", "conns", "msgs/s in", "msgs/s out", "rtt", "compression", "subs", "msgs/s, 5 min", "bytes/s, 5 min"],
      peers.map(function (p) {
        var tr = row([[p.name], [p.conns, 1], [rate(p.inRate), 1], [rate(p.outRate), 1], [p.rtt || "\u2014"],
                      [Object.keys(p.compression).join(", ")], [p.subs, 1]],
                     { "class": "peer", "data-remote": p.name });
        var samples = history[p.id] || [];
        [["msgs", "#3b32ca"], ["bytes", "#c2185b"]].forEach(function (c) {
          var td = el("td");
          td.appendChild(spark(samples.map(function (x) { return x[c[0]]; }), c[1], p.name, c[0]));
          tr.appendChild(td);
        });
        if (p.monitor) {
          var link = el("a", p.name);
          link.href = p.monitor.replace(/\/+$/, "") + "/";
          tr.firstChild.replaceChildren(link);
        }
        return tr;
      })));
  }

  // One sample per peer per tick (msgs/s and bytes/s both ways), the last HISTORY kept.
  function record(peers) {
    var seen = {};
    peers.forEach(function (p) {
      var h = history[p.id] || (history[p.id] = []);
      h.push({ msgs: p.inRate + p.outRate, bytes: p.bytesRate });
      if (h.length > HISTORY) { h.shift(); }
      seen[p.id] = true;
    });
    Object.keys(history).forEach(function (id) { if (!seen[id]) { delete history[id]; } });
  }

  // A small line chart of the samples, scaled to their maximum; the title says the latest and the peak.
  function spark(values, colour, peer, what) {
    var w = 150, h = 26, svg = svgEl("svg", { width: w, height: h, viewBox: "0 0 " + w + " " + h, "class": "spark",
                                              "data-remote": peer, "data-chart": what, "data-samples": values.length });
    var max = Math.max.apply(null, [1].concat(values));
    var points = values.map(function (v, i) {
      return ((w - 2) * (i + HISTORY - values.length) / (HISTORY - 1) + 1).toFixed(1) + "," + (h - 2 - (h - 4) * v / max).toFixed(1);
    });
    if (points.length > 1) {
      svg.appendChild(svgEl("polyline", { points: points.join(" "), fill: "none", stroke: colour, "stroke-width": 1.3 }));
    }
    svg.appendChild(svgEl("title", {}, what + "/s now " + rate(values.length ? values[values.length - 1] : 0) + ", peak " + rate(max)));
    return svg;
  }

  // Each peer's own routes, read from its /routez at the monitor_url it announced (JSON endpoints
  // allow any origin); a peer that gave none, or cannot be read, leaves its routes unknown.
  function readPeerRoutes(peers) {
    var wanted = {};
    peers.forEach(function (p) {
      wanted[p.id] = true;
      if (!p.monitor) { delete peerRoutes[p.id]; return; }
      getJson(p.monitor.replace(/\/+$/, "") + "/routez").then(function (rz) {
        var ids = {};
        ((rz && rz.routes) || []).forEach(function (r) { if (r.remote_id) { ids[r.remote_id] = r.remote_name || r.remote_id.substring(0, 8); } });
        peerRoutes[p.id] = { ids: ids };
      }).catch(function () { delete peerRoutes[p.id]; });
    });
    Object.keys(peerRoutes).forEach(function (id) { if (!wanted[id]) { delete peerRoutes[id]; } });
  }

  function renderRoutes(routes) {
    var box = document.getElementById("routes");
    box.replaceChildren();
    box.className = routes.length ? "" : "muted";
    if (!routes.length) { box.textContent = "no routes"; return; }
    box.appendChild(table(["rid", "peer", "address", "dir", "uptime", "rtt", "msgs/s in", "msgs/s out", "in msgs", "out msgs", "account", "compression"],
      routes.map(function (r) {
        var rr = rates[r.rid] || { inRate: 0, outRate: 0 };
        return row([[r.rid, 1], [r.remote_name || r.remote_id], [r.ip + ":" + r.port], [r.did_solicit ? "out" : "in"], [r.uptime],
                    [r.rtt || ""], [rate(rr.inRate), 1], [rate(rr.outRate), 1], [r.in_msgs, 1], [r.out_msgs, 1], [r.account || ""], [r.compression || ""]],
                   { "class": "route", "data-rid": r.rid, "data-remote": r.remote_name || r.remote_id });
      })));
  }

  // One row per gateway connection (from /gatewayz): outbound ones carry messages to the other
  // cluster, inbound ones bring its messages; "no gateways" when this cluster stands alone.
  function renderGateways(gz) {
    var box = document.getElementById("gateways");
    var note = document.getElementById("gwnote");
    box.replaceChildren();
    var rows = [];
    if (gz) {
      Object.keys(gz.outbound_gateways || {}).sort().forEach(function (name) {
        rows.push({ cluster: name, dir: "out", g: gz.outbound_gateways[name] });
      });
      Object.keys(gz.inbound_gateways || {}).sort().forEach(function (name) {
        (gz.inbound_gateways[name] || []).forEach(function (g) { rows.push({ cluster: name, dir: "in", g: g }); });
      });
    }
    note.textContent = gz && gz.name ? "(this cluster: " + gz.name + ")" : "";
    box.className = rows.length ? "" : "muted";
    if (!rows.length) { box.textContent = gz && gz.name ? "no gateway connections yet" : "no gateways"; return; }
    box.appendChild(table(["cluster", "dir", "server", "address", "uptime", "rtt", "in msgs", "out msgs", "subs"],
      rows.map(function (r) {
        var c = r.g.connection || {};
        return row([[r.cluster], [r.dir + (r.g.configured ? "" : r.dir === "out" ? " (learned)" : "")], [c.name || ""], [(c.ip || "") + ":" + (c.port || "")],
                    [c.uptime || ""], [c.rtt || ""], [c.in_msgs || 0, 1], [c.out_msgs || 0, 1], [c.subscriptions || 0, 1]],
                   { "class": "gateway", "data-cluster": r.cluster, "data-dir": r.dir });
      })));
  }

  // One row per leaf node connection (from /leafz): "hub" when the leaf dialed us, "spoke" when we
  // dialed a hub; "no leaf nodes" without any.
  function renderLeafs(lz) {
    var box = document.getElementById("leafs");
    box.replaceChildren();
    var leafs = (lz && lz.leafs) || [];
    box.className = leafs.length ? "" : "muted";
    if (!leafs.length) { box.textContent = "no leaf nodes"; return; }
    box.appendChild(table(["server", "we are", "account", "address", "rtt", "in msgs", "out msgs", "subs"],
      leafs.map(function (l) {
        return row([[l.name || ""], [l.is_spoke ? "spoke" : "hub"], [l.account || ""], [(l.ip || "") + ":" + (l.port || "")],
                    [l.rtt || ""], [l.in_msgs || 0, 1], [l.out_msgs || 0, 1], [l.subscriptions || 0, 1]],
                   { "class": "leaf", "data-name": l.name || "" });
      })));
  }

  // The servers on a circle, this one first (highlighted); a line from it to each peer, wider
  // with more traffic and labelled with msgs/s each way and the RTT.
  function renderMesh(peers) {
    var svg = document.getElementById("mesh");
    svg.replaceChildren();
    var cx = 200, cy = 150, radius = peers.length ? 105 : 0;
    // Servers our peers route to that we do not: in the picture, with the route we lack.
    var known = {}, others = [];
    known[selfId] = true;
    peers.forEach(function (p) { known[p.id] = true; });
    Object.keys(peerRoutes).forEach(function (id) {
      Object.keys(peerRoutes[id].ids).forEach(function (rid) {
        if (!known[rid]) { known[rid] = true; others.push({ id: rid, name: peerRoutes[id].ids[rid], other: true }); }
      });
    });
    if (others.length) { radius = 105; }
    var nodes = [{ id: selfId, name: selfName || "this server", self: true }].concat(peers, others);
    nodes.forEach(function (n, i) {
      var a = -Math.PI / 2 + (2 * Math.PI * i) / nodes.length;
      n.x = cx + radius * Math.cos(a);
      n.y = cy + radius * Math.sin(a);
    });
    var self = nodes[0], maxRate = 1, missing = 0;
    // Lines between the other servers first (under ours): a route one of them reports, else a
    // dashed red line where one of them was read and lacks the other.
    function lists(a, b) { return !!(peerRoutes[a.id] && peerRoutes[a.id].ids[b.id]); }
    for (var i = 1; i < nodes.length; i++) {
      for (var j = i + 1; j < nodes.length; j++) {
        var a = nodes[i], b = nodes[j];
        var up = lists(a, b) || lists(b, a), read = !!(peerRoutes[a.id] || peerRoutes[b.id]);
        if (!up && !read) { continue; }
        if (!up) { missing++; }
        var pair = svgEl("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: up ? "#b9bce6" : "#d93025", "stroke-width": up ? 1.5 : 2,
                                   "stroke-dasharray": up ? "" : "6 4", "class": up ? "peerlink" : "missing", "data-between": [a.name, b.name].sort().join(" ") });
        pair.appendChild(svgEl("title", {}, up ? a.name + " \u2194 " + b.name : "no route between " + a.name + " and " + b.name));
        svg.appendChild(pair);
      }
    }
    others.forEach(function (o) {
      missing++;
      var gap = svgEl("line", { x1: self.x, y1: self.y, x2: o.x, y2: o.y, stroke: "#d93025", "stroke-width": 2, "stroke-dasharray": "6 4",
                                "class": "missing", "data-between": [self.name, o.name].sort().join(" ") });
      gap.appendChild(svgEl("title", {}, "no route between " + self.name + " and " + o.name));
      svg.appendChild(gap);
    });
    peers.forEach(function (p) { maxRate = Math.max(maxRate, p.inRate + p.outRate); });
    peers.forEach(function (p) {
      var width = 1.5 + 6 * (p.inRate + p.outRate) / maxRate;
      var line = svgEl("line", { x1: self.x, y1: self.y, x2: p.x, y2: p.y, stroke: "#8a8fd6", "stroke-width": width.toFixed(1),
                                 "class": "link", "data-remote": p.name });
      line.appendChild(svgEl("title", {}, p.conns + " connection(s), rtt " + (p.rtt || "?") + ", compression " + Object.keys(p.compression).join(", ")));
      svg.appendChild(line);
      var left = p.x < self.x - 1;
      svg.appendChild(svgEl("text", { x: self.x + 0.55 * (p.x - self.x) + (left ? -8 : 8), y: self.y + 0.55 * (p.y - self.y),
                                      "text-anchor": left ? "end" : "start", "class": "rate" },
        "\u2193" + rate(p.inRate) + " \u2191" + rate(p.outRate) + "/s" + (p.rtt ? " \u00b7 " + p.rtt : "")));
    });
    nodes.forEach(function (n) {
      var g = svgEl("g", { "class": n.self ? "server self" : "server", "data-server": n.name });
      g.appendChild(svgEl("circle", { cx: n.x, cy: n.y, r: n.self ? 18 : 13, fill: n.self ? "#3b32ca" : n.other ? "#e8a33d" : "#34a574" }));
      g.appendChild(svgEl("text", { x: n.x, y: n.y + (n.self ? 33 : 28), "text-anchor": "middle" }, n.name));
      svg.appendChild(g);
    });
    var note = document.getElementById("meshnote");
    note.setAttribute("data-missing", String(missing));
    note.textContent = nodes.length > 1
      ? "(" + nodes.length + " servers, as " + selfName + " and its peers see them" + (missing ? "; " + missing + " missing route" + (missing > 1 ? "s" : "") : "") + ")"
      : "(no peers)";
  }

  function tick() {
    var now = Date.now();
    Promise.all([getJson("varz"), getJson("routez"), getJson("healthz").catch(function () { return null; }), getJson("gatewayz").catch(function () { return null; }), getJson("leafz").catch(function () { return null; })])
      .then(function (res) {
        var v = res[0], rz = res[1], h = res[2];
        renderGateways(res[3]);
        renderLeafs(res[4]);
        renderVarz(v);
        renderHealth(h);
        var routes = (rz && rz.routes) || [];
        var serverNow = rz && rz.now ? Date.parse(rz.now) : NaN;
        updateRates(routes, isNaN(serverNow) ? now : serverNow);
        var peers = peersOf(routes);
        record(peers);
        readPeerRoutes(peers);
        renderPeers(peers);
        renderRoutes(routes);
        renderMesh(peers);
        ticks++;
        document.body.setAttribute("data-ticks", String(ticks));
        document.getElementById("updated").textContent = "updated " + new Date(now).toLocaleTimeString() + " \u00b7 every second";
      })
      .catch(function (e) {
        var i = document.getElementById("ident");
        i.className = "sub err";
        i.textContent = "cannot read the monitoring endpoints: " + e;
      });
  }
  tick();
  setInterval(tick, 1000);
})();
</script>
</body>
</html>
""";
}
