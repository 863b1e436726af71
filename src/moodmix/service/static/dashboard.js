// moodmix dashboard: poll /system/status, /system/cache/stats, /system/id-registry/stats and
// /v1/playlists every 2 s; draw the gateway's figures, each saying what it counts, two charts
// over the last five minutes on a time axis (upstream requests per poll; the learned rate
// against the configured limit), and the recent playlists with links to them.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const INTERVAL_MS = 2000;
  const WINDOW_MS = 5 * 60 * 1000;
  const requests = []; // {t, v}: upstream requests sent since the previous poll
  const rates = []; // {t, v}: the learned rate, per minute
  let last = null;

  const pct = (x) => `${(100 * (x || 0)).toFixed(1)}%`;
  const perMin = (r) => `${r >= 100 ? r.toFixed(0) : r.toFixed(1)}/min`;
  const short = (v) => (v >= 10000 ? `${Math.round(v / 1000)}k` : String(Math.round(v)));

  async function get(url) {
    const r = await moodmixApi.fetch(url, { cache: "no-store" });
    if (!r.ok) throw await moodmixApi.explain(r);
    return r.json();
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // A line over the last five minutes: minutes ago along the bottom, the largest value (or
  // the limit, if higher) at the top; an optional dashed line for the limit.
  function timeChart(box, points, { label, unit, limit }) {
    // Drawn at the box's width, so the axis text stays legible on a phone.
    const w = Math.max(300, Math.min(1200, box.clientWidth || 900));
    const h = 150, left = 46, right = 10, top = 10, bottom = 24;
    const now = Date.now();
    const max = Math.max(1, limit || 0, ...points.map((p) => p.v)) * 1.05;
    const x = (t) => left + (1 - (now - t) / WINDOW_MS) * (w - left - right);
    const y = (v) => top + (1 - v / max) * (h - top - bottom);
    const root = svg("svg", { viewBox: `0 0 ${w} ${h}`, width: w, height: h, role: "img", "aria-label": label });
    root.appendChild(svg("rect", { x: left, y: top, width: w - left - right, height: h - top - bottom, class: "spark-bg" }));
    for (let m = 5; m >= 0; m--) {
      const tx = x(now - m * 60000);
      root.appendChild(svg("line", { x1: tx, x2: tx, y1: top, y2: h - bottom, class: "spark-grid" }));
      if (w < 560 && m % 2) continue; // every other minute where the labels would touch
      root.appendChild(svg("text", {
        x: tx, y: h - 6, class: "spark-axis", "text-anchor": m === 0 ? "end" : m === 5 ? "start" : "middle",
      }, m === 0 ? "now" : `−${m} min`));
    }
    root.appendChild(svg("text", { x: left - 6, y: top + 10, class: "spark-axis", "text-anchor": "end" },
      short(max / 1.05)));
    root.appendChild(svg("text", { x: left - 6, y: h - bottom, class: "spark-axis", "text-anchor": "end" }, "0"));
    root.appendChild(svg("text", { x: left + 6, y: h - bottom - 6, class: "spark-label" }, unit));
    if (limit) {
      root.appendChild(svg("polyline", {
        points: `${left},${y(limit).toFixed(1)} ${w - right},${y(limit).toFixed(1)}`, class: "spark-limit",
      }));
    }
    const shown = points.filter((p) => now - p.t <= WINDOW_MS);
    if (shown.length) {
      const line = shown.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
      root.appendChild(svg("polyline", { points: line, class: "spark-line" }));
      const end = shown[shown.length - 1];
      root.appendChild(svg("circle", { cx: x(end.t), cy: y(end.v), r: 3, class: "spark-dot" }));
    }
    box.replaceChildren(root);
  }

  function ago(iso) {
    if (!iso) return "";
    const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (s < 60) return `${Math.round(s)} s ago`;
    if (s < 3600) return `${Math.round(s / 60)} min ago`;
    return new Date(iso).toLocaleString();
  }

  function took(job) {
    if (!job.finished_at || !job.created_at) return "";
    const s = (Date.parse(job.finished_at) - Date.parse(job.created_at)) / 1000;
    return ` · took ${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  }

  function jobs(page, status) {
    const stored = status.jobs.stored || {};
    $("m-jobs").textContent =
      `${status.jobs.here} running here (at most ${status.jobs.max_running}) · stored: ` +
      (Object.entries(stored).map(([k, v]) => `${v} ${k}`).join(", ") || "none");
    $("jobs").replaceChildren(...(page.items || []).map((job) => {
      const item = el("li");
      const link = el("a", { class: "prompt", href: `/p/${encodeURIComponent(job.id)}` }, job.name || job.prompt || job.id);
      item.appendChild(link);
      item.appendChild(el("span", { class: `state ${job.status}` }, job.status));
      const size = job.tracks === null || job.tracks === undefined ? "" : `${job.tracks} tracks · `;
      item.appendChild(el("span", { class: "when" }, `${size}${ago(job.created_at)}${took(job)}`));
      return item;
    }));
  }

  function figures(status, cache, registry) {
    const g = status.gateway;
    const up = status.upstream;
    const kinds = Object.values(cache.kinds || {});
    const lookups = kinds.reduce((a, k) => a + k.lookups, 0);
    const hits = kinds.reduce((a, k) => a + k.l1.hits + k.l2.hits, 0);
    $("m-hit-rate").textContent = pct(cache.hit_rate);
    $("m-lookups").textContent = lookups
      ? `${hits} of ${lookups} ReccoBeats lookups (tracks, features, searches) since start; ` +
        `${cache.l1_entries} entries in memory`
      : `no ReccoBeats lookups since start; ${cache.l1_entries} entries in memory`;

    const results = (status.jobs && status.jobs.results) || {};
    const asked = (results.hits || 0) + (results.joins || 0) + (results.misses || 0);
    $("m-repeats").textContent = asked ? pct(((results.hits || 0) + (results.joins || 0)) / asked) : "–";
    $("m-repeats-sub").textContent = asked
      ? `${results.hits || 0} answered at once with a finished playlist, ${results.joins || 0} joined ` +
        `one being made, ${results.misses || 0} made new (of ${asked} since start)`
      : "no playlist requests since start";

    const quota = config.quota_per_min;
    const rate = up.rate_per_min;
    $("m-rate").textContent = perMin(rate);
    $("m-quota").textContent = `limit ${perMin(quota)} · ${pct(rate / quota)} of it`;
    $("limit").textContent = perMin(quota);
    $("m-rate-bar").style.width = `${Math.min(100, (100 * rate) / quota)}%`;

    const rate429 = g.upstream_requests ? g.upstream_429 / g.upstream_requests : 0;
    $("m-429-rate").textContent = pct(rate429);
    $("m-429").textContent = `${g.upstream_429} of ${g.upstream_requests} requests · ${g.retries} retried`;

    $("m-registry").textContent = String(registry.validated + registry.missing);
    const idLookups = registry.answered + registry.requested;
    $("m-registry-sub").textContent =
      `${registry.validated} with a ReccoBeats id, ${registry.missing} known to have none; ` +
      (idLookups
        ? `since start ${registry.answered} of ${idLookups} id lookups needed no request (${pct(registry.efficiency)})`
        : "no id lookups since start");

    $("m-upstream").textContent = String(g.upstream_requests);
    $("m-upstream-sub").textContent =
      `${g.dedup_joins} deduplicated · ${g.coalesced_items} coalesced in ${g.batches} batches`;
    $("m-breaker").textContent = up.breaker;
    const queued = Object.values(up.queued || {}).reduce((a, b) => a + b, 0);
    $("m-queue").textContent = `${up.in_flight} in flight · ${queued} queued · wait ${up.expected_wait_s} s`;
  }

  async function poll() {
    try {
      const [status, cache, registry, page] = await Promise.all([
        get("/system/status"),
        get("/system/cache/stats"),
        get("/system/id-registry/stats"),
        get("/v1/playlists?limit=10"),
      ]);
      figures(status, cache, registry);
      jobs(page, status);

      const t = Date.now();
      const sent = status.gateway.upstream_requests;
      requests.push({ t, v: last === null ? 0 : Math.max(0, sent - last) });
      rates.push({ t, v: status.upstream.rate_per_min });
      last = sent;
      for (const series of [requests, rates]) while (series.length && t - series[0].t > WINDOW_MS) series.shift();
      timeChart($("sparkline"), requests, { label: "upstream requests per poll, last 5 minutes", unit: "requests per 2 s" });
      timeChart($("ratechart"), rates, {
        label: "learned rate against the limit, last 5 minutes", unit: "per minute", limit: config.quota_per_min,
      });
      $("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
      document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
    } catch (err) {
      $("updated").textContent = `cannot reach the service: ${err.message}`;
    }
  }

  poll();
  setInterval(poll, INTERVAL_MS);
})();
