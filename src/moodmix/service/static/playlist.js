// moodmix: make a playlist from the page. POST /v1/playlists, follow its Server-Sent Events
// (through api.js, which sends the API key), then show the tracks and a chart of the mood's
// targets against the playlist's means.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const STAGES = ["queued", "mood", "seeds", "candidates", "scoring", "done"];

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function duration(ms) {
    const s = Math.round((ms || 0) / 1000);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  }

  function showError(message) {
    $("error-message").textContent = message;
    $("error-card").hidden = false;
    // A progress card with nothing but "sending…" says nothing next to the error.
    if ($("progress-log").childElementCount <= 1) $("progress-card").hidden = true;
    $("submit").disabled = false;
  }

  function progress(event) {
    const stage = event.stage || "queued";
    let share = Math.max(0, STAGES.indexOf(stage)) / (STAGES.length - 1);
    if (stage === "candidates" && event.total) {
      const from = STAGES.indexOf("candidates") - 1;
      share = (from + event.current / event.total) / (STAGES.length - 1);
    }
    if (stage !== "waiting") $("progress-bar").style.width = `${Math.round(share * 100)}%`;
    let line = event.message || stage;
    if (event.wait_s && !/about [\d.]+ s/.test(line)) line += ` (about ${event.wait_s} s)`;
    $("progress-stage").textContent = line;
    const log = $("progress-log");
    if (!log.lastChild || log.lastChild.textContent !== line) log.appendChild(el("li", {}, line));
  }

  function render(resource) {
    const playlist = resource.playlist;
    if (!playlist) return showError("the playlist finished without tracks");
    const tracks = playlist.tracks || [];
    progress({ stage: "done", message: `done: ${tracks.length} tracks` });
    $("track-count").textContent = `· ${tracks.length} tracks`;
    const total = tracks.reduce((sum, t) => sum + (t.duration_ms || 0), 0);
    $("total-duration").textContent = duration(total);
    $("cost").textContent = String(playlist.upstream_requests);
    const quality = playlist.quality || {};
    $("distance").textContent =
      quality.mean_distance === undefined ? "–" : quality.mean_distance.toFixed(3);

    const body = $("tracks");
    body.replaceChildren();
    tracks.forEach((t, i) => {
      const row = el("tr", { class: "track" });
      row.appendChild(el("td", { class: "num muted" }, String(i + 1)));
      row.appendChild(el("td", { class: "title" }, t.title));
      row.appendChild(el("td", { class: "artists" }, (t.artists || []).join(", ")));
      row.appendChild(el("td", { class: "num" }, duration(t.duration_ms)));
      row.appendChild(el("td", { class: "reason" }, t.reason || ""));
      const open = el("td", {});
      if (t.spotify_id) {
        open.appendChild(
          el(
            "a",
            {
              class: "spotify",
              href: `https://open.spotify.com/track/${encodeURIComponent(t.spotify_id)}`,
              target: "_blank",
              rel: "noopener",
            },
            "Spotify ↗",
          ),
        );
      }
      row.appendChild(open);
      body.appendChild(row);
    });
    chart((playlist.profile || {}).targets || {}, tracks);
    actions(resource.id, tracks);
    $("result").hidden = false;
    $("submit").disabled = false;
  }

  // Export links, copying the Spotify URIs, and saving to Spotify when signed in.
  function actions(id, tracks) {
    for (const format of ["m3u8", "xspf", "csv"]) {
      $(`export-${format}`).href = `/v1/playlists/${encodeURIComponent(id)}/export?format=${format}`;
    }
    const uris = tracks.filter((t) => t.spotify_id).map((t) => `spotify:track:${t.spotify_id}`);
    $("copy-uris").onclick = async () => {
      try {
        await navigator.clipboard.writeText(uris.join("\n"));
        $("save-state").textContent = `${uris.length} URIs copied`;
      } catch (_) {
        $("save-state").textContent = "the browser would not copy; use the URI export instead";
      }
    };
    $("save-state").textContent = "";
    window.moodmixAccount.me.then((me) => {
      $("save-spotify").hidden = !me;
      $("save-spotify").disabled = false;
    });
    $("save-spotify").onclick = async () => {
      $("save-spotify").disabled = true;
      $("save-state").textContent = "saving to Spotify…";
      const r = await fetch(`/v1/playlists/${encodeURIComponent(id)}/spotify?wait=true`, {
        method: "POST",
        credentials: "same-origin",
      });
      const body = await r.json().catch(() => ({}));
      if (r.ok && body.status === "done") {
        $("save-state").replaceChildren(
          document.createTextNode(`saved ${body.tracks_added} tracks: `),
          el("a", { id: "spotify-link", href: body.spotify_url, target: "_blank", rel: "noopener" }, "open in Spotify ↗"),
        );
      } else {
        $("save-state").textContent = body.message || body.error || `saving is ${body.status || "failed"}`;
        $("save-spotify").disabled = false;
      }
    };
  }

  function scaled(name, value) {
    const [lo, hi] = config.scales[name] || [0, 1];
    return Math.min(1, Math.max(0, (value - lo) / (hi - lo)));
  }

  function chart(targets, tracks) {
    const names = config.features.filter(
      (n) => n in targets || tracks.some((t) => t.features && n in t.features),
    );
    const means = {};
    for (const n of names) {
      const values = tracks.map((t) => (t.features || {})[n]).filter((v) => typeof v === "number");
      if (values.length) means[n] = values.reduce((a, b) => a + b, 0) / values.length;
    }
    const rowH = 30, labelW = 130, barW = 420, valueW = 120;
    const width = labelW + barW + valueW, height = names.length * rowH + 30;
    const root = svg("svg", {
      viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img",
      "aria-label": "target vs achieved features",
    });
    names.forEach((n, i) => {
      const y = i * rowH + 4;
      root.appendChild(svg("text", { x: 0, y: y + 17, class: "chart-label" }, n));
      root.appendChild(svg("rect", { x: labelW, y, width: barW, height: 22, class: "chart-track", rx: 3 }));
      if (n in targets) {
        root.appendChild(svg("rect", {
          x: labelW, y: y + 2, height: 8, rx: 2, class: "bar-target", "data-feature": n,
          width: Math.max(1, scaled(n, targets[n]) * barW),
        }));
      }
      if (n in means) {
        root.appendChild(svg("rect", {
          x: labelW, y: y + 12, height: 8, rx: 2, class: "bar-achieved", "data-feature": n,
          width: Math.max(1, scaled(n, means[n]) * barW),
        }));
      }
      const fmt = (v) => (v === undefined ? "–" : Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(2));
      root.appendChild(svg("text", { x: labelW + barW + 10, y: y + 17, class: "chart-value" },
        `${fmt(targets[n])} → ${fmt(means[n])}`));
    });
    const ly = names.length * rowH + 16;
    root.appendChild(svg("rect", { x: labelW, y: ly - 8, width: 14, height: 8, class: "bar-target" }));
    root.appendChild(svg("text", { x: labelW + 20, y: ly, class: "chart-legend" }, "target"));
    root.appendChild(svg("rect", { x: labelW + 90, y: ly - 8, width: 14, height: 8, class: "bar-achieved" }));
    root.appendChild(svg("text", { x: labelW + 110, y: ly, class: "chart-legend" }, "achieved (mean)"));
    $("chart").replaceChildren(root);
  }

  const RECONNECT_MS = 2000;
  let following = null; // the AbortController of the stream being followed

  // Follow the job's events to the end, reconnecting (like EventSource) when the stream drops
  // or the instance stops; each new connection starts with the job's current state.
  async function follow(id, eventsUrl) {
    if (following) following.abort();
    const controller = new AbortController();
    following = controller;
    $("progress-card").dataset.playlist = id;
    const onEvent = (kind, data) => {
      if (kind === "state" && data.progress) progress(data.progress);
      else if (kind === "progress") progress(data);
      else if (kind === "done") {
        render(data);
        return true;
      } else if (kind === "failed") {
        showError((data.error && data.error.message) || "the playlist failed");
        return true;
      } else if (kind === "interrupted") progress(data);
      return false;
    };
    while (!controller.signal.aborted) {
      try {
        if (await moodmixApi.events(eventsUrl, onEvent, { signal: controller.signal })) return;
      } catch (err) {
        if (controller.signal.aborted) return;
        if (err instanceof moodmixApi.HttpError && err.status < 500) return showError(err.message);
      }
      $("progress-stage").textContent = "connection lost, reconnecting…";
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  }

  window.moodmixAccount.me.then((me) => {
    $("top-seeds-row").hidden = !me;
  });

  $("playlist-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("error-card").hidden = true;
    $("result").hidden = true;
    $("progress-log").replaceChildren();
    $("progress-bar").style.width = "0%";
    $("progress-card").hidden = false;
    $("submit").disabled = true;
    const seeds = $("seeds").value.split(/[\s,]+/).filter(Boolean);
    if ($("top-seeds").checked) seeds.push("me:top");
    const body = { prompt: $("prompt").value.trim(), size: Number($("size").value) || 20 };
    if (seeds.length) body.seeds = seeds;
    progress({ stage: "queued", message: "sending…" });
    try {
      const r = await moodmixApi.fetch("/v1/playlists", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!r.ok) return showError((await moodmixApi.explain(r)).message);
      const answer = await r.json();
      if (answer.status === "done") return render(answer); // made before: answered at once
      const events = (answer.links && answer.links.events) || `/v1/playlists/${answer.id}/events`;
      await follow(answer.id, events);
    } catch (err) {
      showError(String(err));
    }
  });
})();
