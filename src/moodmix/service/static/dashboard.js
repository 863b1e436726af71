// moodmix dashboard: poll /system/status, /system/cache/stats and /system/id-registry/stats
// every 2 s and draw the gateway's numbers and a sparkline of upstream requests per poll.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const INTERVAL_MS = 2000;
  const KEEP = 150; // 5 minutes of 2 s polls
  const history = []; // {t, requests} deltas per poll
  let last = null;

  const pct = (x) => `${(100 * (x || 0)).toFixed(1)}%`;

  async function get(url) {
    const r = await moodmixApi.fetch(url, { cache: "no-store" });
    if (!r.ok) throw await moodmixApi.explain(r);
    return r.json();
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  }

  function sparkline() {
    const w = 900, h = 90, pad = 4;
    const root = svg("svg", { viewBox: `0 0 ${w} ${h}`, width: "100%", role: "img",
      "aria-label": "upstream requests per poll" });
    root.appendChild(svg("rect", { x: 0, y: 0, width: w, height: h, class: "spark-bg", rx: 4 }));
    if (history.length >= 1) {
      const max = Math.max(1, ...history.map((p) => p.requests));
      const step = (w - 2 * pad) / Math.max(1, KEEP - 1);
      const start = w - pad - (history.length - 1) * step;
      const points = history.map((p, i) => [start + i * step, h - pad - (p.requests / max) * (h - 2 * pad)]);
      const line = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
      root.appendChild(svg("polyline", { points: line, class: "spark-line" }));
      const [lx, ly] = points[points.length - 1];
      root.appendChild(svg("circle", { cx: lx, cy: ly, r: 3, class: "spark-dot" }));
      const label = svg("text", { x: pad + 4, y: 14, class: "spark-label" });
      label.textContent = `max ${max} / 2 s`;
      root.appendChild(label);
    }
    $("sparkline").replaceChildren(root);
  }

  async function poll() {
    try {
      const [status, cache, registry] = await Promise.all([
        get("/system/status"),
        get("/system/cache/stats"),
        get("/system/id-registry/stats"),
      ]);
      const g = status.gateway;
      const up = status.upstream;
      $("m-hit-rate").textContent = pct(cache.hit_rate);
      $("m-lookups").textContent = `${g.cache_lookups} lookups · ${cache.l1_entries} in memory`;
      const rate429 = g.upstream_requests ? g.upstream_429 / g.upstream_requests : 0;
      $("m-429-rate").textContent = pct(rate429);
      $("m-429").textContent = `${g.upstream_429} of ${g.upstream_requests} · ${g.retries} retries`;
      const quota = config.quota_per_min;
      const rate = up.rate_per_min;
      $("m-rate").textContent = `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)}/min`;
      $("m-quota").textContent = `quota ${quota}/min · ${pct(up.rate_per_min / quota)} of it`;
      $("m-rate-bar").style.width = `${Math.min(100, (100 * up.rate_per_min) / quota)}%`;
      $("m-registry").textContent = pct(registry.efficiency);
      const lookups = registry.answered + registry.requested;
      $("m-registry-sub").textContent =
        `${registry.answered} of ${lookups} lookups answered locally · ${registry.validated} known`;
      $("m-upstream").textContent = String(g.upstream_requests);
      $("m-upstream-sub").textContent =
        `${g.dedup_joins} deduplicated · ${g.coalesced_items} coalesced in ${g.batches} batches`;
      $("m-breaker").textContent = up.breaker;
      const queued = Object.values(up.queued || {}).reduce((a, b) => a + b, 0);
      $("m-queue").textContent = `${up.in_flight} in flight · ${queued} queued · wait ${up.expected_wait_s} s`;
      const stored = status.jobs.stored || {};
      $("m-jobs").textContent =
        `${status.jobs.here} running here (max ${status.jobs.max_running}) · stored: ` +
        (Object.entries(stored).map(([k, v]) => `${k} ${v}`).join(", ") || "none");

      const now = g.upstream_requests;
      history.push({ t: Date.now(), requests: last === null ? 0 : Math.max(0, now - last) });
      last = now;
      while (history.length > KEEP) history.shift();
      sparkline();
      $("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
      document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
    } catch (err) {
      $("updated").textContent = `cannot reach the service: ${err.message}`;
    }
  }

  poll();
  setInterval(poll, INTERVAL_MS);
})();
