// moodmix: the listener's page. Make a playlist (POST /v1/playlists, its Server-Sent Events
// followed through api.js as one line of progress), show it at its own address (/p/{id}) with
// its title, cover and tracks, change it (refine, remove, replace, pin, add more, undo, redo),
// export it, and list the listener's playlists. The technical figures (distance, upstream
// requests, the target-vs-achieved chart) wait behind "Details".
//
// A change the service cannot make (an older service without that route: 404 or 405) is said
// on the status line under the toolbar; the playlist on screen stays as it was.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const $ = (id) => document.getElementById(id);
  const STAGES = ["queued", "mood", "seeds", "candidates", "scoring", "done"];
  const EXPORTS = ["m3u8", "xspf", "jspf", "csv", "uris"];
  const RECONNECT_MS = 2000;
  const MORE = 5;
  let current = null; // the playlist resource on screen
  let following = null; // the AbortController of the event stream being followed

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function duration(ms) {
    const s = Math.round((ms || 0) / 1000);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  }

  function spoken(ms) {
    const minutes = Math.round((ms || 0) / 60000);
    if (minutes < 60) return `${minutes} min`;
    const rest = minutes % 60;
    return rest ? `${Math.floor(minutes / 60)} h ${rest} min` : `${minutes / 60} h`;
  }

  function ago(iso) {
    if (!iso) return "";
    const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (s < 60) return "just now";
    if (s < 3600) return `${Math.round(s / 60)} min ago`;
    if (s < 86400) return `${Math.round(s / 3600)} h ago`;
    return new Date(iso).toLocaleDateString();
  }

  const base = (id) => `/v1/playlists/${encodeURIComponent(id)}`;

  // ----- progress, errors, the status line ------------------------------------------------

  function showError(message) {
    $("error-message").textContent = message;
    $("error-card").hidden = false;
    $("progress-card").hidden = true;
    $("submit").disabled = false;
  }

  function say(message) {
    $("edit-state").textContent = message;
  }

  // One line that updates: what is happening now, in plain words, the wait said once.
  function progress(event) {
    const stage = event.stage || "queued";
    let share = Math.max(0, STAGES.indexOf(stage)) / (STAGES.length - 1);
    if (stage === "candidates" && event.total) {
      const from = STAGES.indexOf("candidates") - 1;
      share = (from + event.current / event.total) / (STAGES.length - 1);
    }
    if (stage !== "waiting") $("progress-bar").style.width = `${Math.round(share * 100)}%`;
    let line;
    if (stage === "waiting") line = `Waiting for the music service, about ${Math.max(1, Math.round(event.wait_s || 1))} s`;
    else if (stage === "mood") line = "Reading your mood…";
    else if (stage === "seeds") line = "Finding songs to start from…";
    else if (stage === "candidates") {
      line = event.total ? `Looking for songs (${event.current} of ${event.total})…` : "Looking for songs…";
    } else if (stage === "scoring") line = "Picking the songs that fit best…";
    else if (stage === "done") line = event.message || "Done";
    else line = event.message || "In the queue…";
    $("progress-stage").textContent = line;
    $("progress-stage").dataset.stage = stage;
  }

  // ----- showing a playlist ---------------------------------------------------------------

  function fit(distance) {
    if (typeof distance !== "number") return "";
    if (distance < 0.06) return "a very close match to the mood";
    if (distance < 0.12) return "a close match to the mood";
    return "a loose match to the mood";
  }

  function render(resource, earlier) {
    const playlist = resource.playlist;
    if (!playlist) return showError("the playlist finished without tracks");
    current = resource;
    const id = resource.id;
    const tracks = playlist.tracks || [];
    const request = resource.request || {};
    const quality = playlist.quality || {};
    const total = tracks.reduce((sum, t) => sum + (t.duration_ms || 0), 0);
    const version = resource.version || playlist.version;

    progress({ stage: "done", message: `Done: ${tracks.length} tracks` });
    $("progress-card").hidden = true;
    $("error-card").hidden = true;
    $("playlist-name").textContent = resource.name || playlist.name || request.prompt || "Your playlist";
    $("playlist-description").textContent = resource.description || playlist.description || "";
    $("playlist-prompt").textContent = request.prompt || "";
    $("playlist-from").hidden = !request.prompt || $("playlist-name").textContent === request.prompt;
    $("summary").textContent = [`${tracks.length} tracks`, spoken(total), fit(quality.mean_distance)]
      .filter(Boolean).join(" · ");

    // Covers and versions come with versioned playlists: a service whose playlists have no
    // version has neither, and is not asked.
    const cover = $("cover");
    cover.hidden = true;
    cover.onload = () => { cover.hidden = false; };
    cover.onerror = () => { cover.hidden = true; };
    if (version) cover.src = `${base(id)}/cover.jpg?v=${version}`;
    else cover.removeAttribute("src");

    $("cost").textContent = String(playlist.upstream_requests ?? "–");
    $("distance").textContent =
      typeof quality.mean_distance === "number" ? quality.mean_distance.toFixed(3) : "–";
    $("diversity").textContent =
      typeof quality.artist_diversity === "number" ? `${Math.round(quality.artist_diversity * 100)}%` : "–";
    $("candidates").textContent = String(quality.candidates ?? "–");
    $("version").textContent = version ? String(version) : "–";
    $("undo").disabled = version === 1;

    const list = $("tracks");
    list.replaceChildren(...tracks.map((t, i) => trackItem(t, i)));
    drawChart();
    actions(id, tracks);
    const address = `/p/${encodeURIComponent(id)}`;
    $("permalink").href = address;
    const here = window.location.pathname + window.location.search;
    if (!earlier && here !== address) window.history.pushState({ id }, "", address);
    document.title = `${$("playlist-name").textContent} — moodmix`;
    $("result").hidden = false;
    $("submit").disabled = false;
    $("refine").disabled = false;
    loadHistory();
    if ($("details").open) loadVersions(id);
  }

  function trackItem(t, i) {
    const item = el("li", { class: "track", "data-id": t.id || "" });
    if (t.pinned) item.classList.add("pinned");
    item.appendChild(el("span", { class: "pos", "aria-hidden": "true" }, String(i + 1)));
    const what = el("div", { class: "what" });
    what.appendChild(el("span", { class: "title" }, t.title));
    what.appendChild(el("span", { class: "artists" }, (t.artists || []).join(", ")));
    if (t.reason) what.appendChild(reason(t.reason));
    item.appendChild(what);
    item.appendChild(el("span", { class: "time" }, duration(t.duration_ms)));
    const tools = el("div", { class: "track-actions" });
    if (t.spotify_id) {
      tools.appendChild(el("a", {
        class: "spotify",
        href: `https://open.spotify.com/track/${encodeURIComponent(t.spotify_id)}`,
        target: "_blank",
        rel: "noopener",
        "aria-label": `Open ${t.title} on Spotify`,
      }, "Spotify ↗"));
    }
    const button = (cls, text, label, onClick) => {
      const b = el("button", { type: "button", class: `small ${cls}`, "aria-label": `${label} ${t.title}` }, text);
      b.addEventListener("click", onClick);
      tools.appendChild(b);
      return b;
    };
    const pin = button("pin", t.pinned ? "Pinned" : "Pin", t.pinned ? "Unpin" : "Pin", () =>
      change(`${base(current.id)}/tracks/${encodeURIComponent(t.id)}/pin`, {
        method: t.pinned ? "DELETE" : "POST",
      }, t.pinned ? "unpinning…" : "pinning…"));
    pin.setAttribute("aria-pressed", t.pinned ? "true" : "false");
    const count = (current.playlist.tracks || []).length;
    const move = (to, cls, text, label) => {
      const b = button(cls, text, label, () =>
        change(`${base(current.id)}/tracks/${encodeURIComponent(t.id)}/move`, json({ to }),
          `moving “${t.title}”…`, to));
      if (to < 0 || to >= count) b.disabled = true;
    };
    move(i - 1, "up", "↑", "Move up");
    move(i + 1, "down", "↓", "Move down");
    button("replace", "Replace", "Replace", () =>
      change(`${base(current.id)}/tracks/${encodeURIComponent(t.id)}/replace`, { method: "POST" },
        `replacing “${t.title}”…`));
    button("remove", "Remove", "Remove", () =>
      change(`${base(current.id)}/tracks/${encodeURIComponent(t.id)}`, { method: "DELETE" },
        `removing “${t.title}”…`));
    item.appendChild(tools);
    return item;
  }

  // "calm (energy 0.29), close to the target": the words for everyone, the figures in
  // brackets only with the details open.
  function reason(text) {
    const box = el("span", { class: "reason" });
    const figure = /\s*\([a-z_]+ -?\d+(?:\.\d+)?[^()]*\)/g;
    let at = 0;
    for (const match of text.matchAll(figure)) {
      box.appendChild(document.createTextNode(text.slice(at, match.index)));
      box.appendChild(el("span", { class: "figure" }, match[0]));
      at = match.index + match[0].length;
    }
    box.appendChild(document.createTextNode(text.slice(at)));
    return box;
  }

  function drawChart() {
    if (!current || !current.playlist) return;
    const playlist = current.playlist;
    window.moodmixChart.draw($("chart"), config, (playlist.profile || {}).targets || {}, playlist.tracks || []);
  }

  // Export links, copying the Spotify URIs, copying the link, saving to Spotify when signed in.
  function actions(id, tracks) {
    for (const format of EXPORTS) {
      $(`export-${format}`).href = `${base(id)}/export?format=${format}`;
    }
    const uris = tracks.filter((t) => t.spotify_id).map((t) => `spotify:track:${t.spotify_id}`);
    $("copy-uris").onclick = () => copy(uris.join("\n"), `${uris.length} Spotify URIs copied`);
    $("copy-link").onclick = () => copy($("permalink").href, "link copied");
    $("save-state").textContent = "";
    window.moodmixAccount.me.then((me) => {
      $("save-spotify").hidden = !me;
      $("save-spotify").disabled = false;
    });
    $("save-spotify").onclick = async () => {
      $("save-spotify").disabled = true;
      $("save-state").textContent = "saving to Spotify…";
      const r = await fetch(`${base(id)}/spotify?wait=true`, { method: "POST", credentials: "same-origin" });
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

  async function copy(text, done) {
    try {
      await navigator.clipboard.writeText(text);
      say(done);
    } catch (_) {
      say("the browser would not copy; select the text instead");
    }
  }

  // ----- following a job, loading, changing -----------------------------------------------

  // Follow the job's events to the end, reconnecting (like EventSource) when the stream drops
  // or the instance stops; each new connection starts with the job's current state.
  async function follow(id, eventsUrl) {
    if (following) following.abort();
    const controller = new AbortController();
    following = controller;
    $("progress-card").dataset.playlist = id;
    $("progress-card").hidden = false;
    const onEvent = (kind, data) => {
      if (kind === "state" && data.progress) progress(data.progress);
      else if (kind === "progress") progress(data);
      else if (kind === "done") {
        render(data);
        return true;
      } else if (kind === "failed") {
        const message = (data.error && data.error.message) || "the playlist failed";
        if (current && current.id === id && !$("result").hidden) {
          // A change to the playlist on screen could not be made: it stays as it was.
          $("progress-card").hidden = true;
          say(message);
        } else showError(message);
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
      $("progress-stage").textContent = "Connection lost, reconnecting…";
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  }

  // An answer shaped like creating a playlist's: the finished resource, or a job to follow.
  // A change that could not be made ends "done" at the same version with an error saying why.
  async function settle(answer, fallbackId) {
    const id = (answer && answer.id) || fallbackId;
    const status = answer && answer.status;
    if (status === "queued" || status === "running") {
      if (answer.playlist && !(current && current.id === id)) render(answer);
      const events = (answer.links && answer.links.events) || `${base(id)}/events`;
      return follow(id, events);
    }
    if (answer && answer.playlist) {
      render(answer);
      if (answer.error && answer.error.message) say(answer.error.message);
      return;
    }
    if (status === "failed") {
      return showError((answer.error && answer.error.message) || "the playlist failed");
    }
    return load(id); // an answer without the resource: read the latest version
  }

  async function read(url) {
    const r = await moodmixApi.fetch(url, { cache: "no-store" });
    if (!r.ok) throw await moodmixApi.explain(r);
    return r.json();
  }

  // The playlist at its address: the latest version, or with ``version`` an earlier one
  // (shown as it was; a change made from there applies to the latest).
  async function load(id, version) {
    try {
      const resource = await read(base(id));
      if (!version) return await settle(resource, id);
      const earlier = await read(`${base(id)}/versions/${encodeURIComponent(version)}`);
      render(Object.assign({}, resource, { playlist: earlier.playlist, version: earlier.number }), true);
      if (!earlier.current) {
        say(`This is version ${earlier.number} (${earlier.change || "as it was"}); ` +
          `the latest is version ${resource.version}.`);
      }
    } catch (err) {
      showError(err.message || String(err));
    }
  }

  // A change to the playlist on screen. Nothing on screen changes until the service answers
  // with the new version; a service without the route says so on the status line.
  // ``focusAt``: the position whose button keeps the focus afterwards (a moved track's new
  // place); by default the focused track's own.
  async function change(url, options, doing, focusAt) {
    if (!current) return;
    const id = current.id;
    const held = focusedTrack();
    if (held && focusAt !== undefined) held.index = focusAt;
    say(doing);
    $("result").setAttribute("aria-busy", "true");
    try {
      const r = await moodmixApi.fetch(url, options);
      if (r.status === 404 || r.status === 405) {
        // A bare "Not Found" is a route this service does not have; the API's own 404s say
        // which playlist, track or version is unknown.
        const why = (await moodmixApi.explain(r)).message;
        const missing = r.status === 405 || /^(Not Found|HTTP 404)$/.test(why);
        say(missing ? "this service cannot change playlists that way" : `could not do that: ${why}`);
        return;
      }
      if (!r.ok) return say(`could not do that: ${(await moodmixApi.explain(r)).message}`);
      const answer = r.status === 204 ? null : await r.json().catch(() => null);
      say("");
      await settle(answer, id);
      refocus(held);
    } catch (err) {
      say(`could not do that: ${err.message || err}`);
    } finally {
      $("result").removeAttribute("aria-busy");
    }
  }

  // Where keyboard focus was among the tracks' buttons ({index, kind}), so that a change that
  // redraws the list puts it back on the same place rather than losing it to the page.
  function focusedTrack() {
    const active = document.activeElement;
    const item = active && active.closest ? active.closest("li.track") : null;
    if (!item) return null;
    const index = Array.prototype.indexOf.call($("tracks").children, item);
    return { index, kind: active.className };
  }

  function refocus(held) {
    if (!held) return;
    const items = $("tracks").children;
    const item = items[Math.min(held.index, items.length - 1)];
    if (!item) return;
    const again = item.querySelector(`button.${held.kind.split(" ").filter(Boolean).join(".")}`);
    (again || item.querySelector("button")).focus();
  }

  function json(body) {
    return { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  }

  $("undo").addEventListener("click", () => change(`${base(current.id)}/undo`, { method: "POST" }, "undoing…"));
  $("redo").addEventListener("click", () => change(`${base(current.id)}/redo`, { method: "POST" }, "redoing…"));
  $("extend").addEventListener("click", () =>
    change(`${base(current.id)}/extend`, json({ count: MORE }), `adding ${MORE} more…`));
  $("refine-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("refine-text").value.trim();
    if (!text || !current) return;
    $("refine").disabled = true;
    await change(`${base(current.id)}/refine?wait=true`, json(Object.assign({ text }, shaping())), "changing it…");
    $("refine").disabled = false;
    if (!$("edit-state").textContent) $("refine-text").value = "";
  });

  // ----- the listener's playlists, and this one's versions --------------------------------

  async function loadHistory() {
    try {
      const r = await moodmixApi.fetch("/v1/playlists?limit=10&status=done", { cache: "no-store" });
      if (!r.ok) return;
      const items = (await r.json()).items || [];
      $("history").replaceChildren(...items.map((p) => {
        const item = el("li");
        const link = el("a", { href: `/p/${encodeURIComponent(p.id)}` }, p.name || p.prompt || p.id);
        if (current && current.id === p.id) link.setAttribute("aria-current", "page");
        link.addEventListener("click", (event) => {
          event.preventDefault();
          window.history.pushState({ id: p.id }, "", link.getAttribute("href"));
          load(p.id);
        });
        item.appendChild(link);
        item.appendChild(el("span", { class: "muted" }, ` ${p.tracks ?? "?"} tracks · ${ago(p.finished_at || p.created_at)}`));
        return item;
      }));
      $("history-empty").hidden = items.length > 0;
    } catch (_) {
      // The list is a convenience: the page works without it.
    }
  }

  async function loadVersions(id) {
    const box = $("versions");
    const versioned = current && (current.version || (current.playlist || {}).version);
    const r = !versioned ? null : await moodmixApi.fetch(`${base(id)}/versions`, { cache: "no-store" }).catch(() => null);
    if (!r || !r.ok) {
      box.replaceChildren();
      $("versions-none").hidden = false;
      return;
    }
    $("versions-none").hidden = true;
    const body = await r.json();
    const items = body.items || [];
    box.replaceChildren(...items.map((v) => {
      const n = v.number;
      const item = el("li");
      const link = el("a", { href: `/p/${encodeURIComponent(id)}?version=${n}` }, `version ${n}`);
      if (v.current) link.setAttribute("aria-current", "true");
      item.appendChild(link);
      item.appendChild(el("span", { class: "muted" }, ` ${v.change || ""} · ${v.tracks} tracks`));
      return item;
    }));
  }

  $("details").addEventListener("toggle", () => {
    $("result").classList.toggle("figures", $("details").open);
    if (!$("details").open || !current) return;
    drawChart();
    loadVersions(current.id);
  });

  // ----- making a playlist ----------------------------------------------------------------

  // The shaping options, only those the listener set (create and refine take the same).
  function shaping() {
    const out = {};
    const artists = $("exclude-artists").value.split(",").map((s) => s.trim()).filter(Boolean);
    if (artists.length) out.exclude_artists = artists;
    if ($("clean").checked) out.explicit = false;
    const longest = Number($("max-minutes").value);
    if (longest > 0) out.max_track_seconds = Math.round(longest * 60);
    const from = Number($("year-from").value), to = Number($("year-to").value);
    if (from || to) out.years = [from || 1900, to || new Date().getFullYear()];
    return out;
  }

  window.moodmixAccount.me.then((me) => {
    $("top-seeds-row").hidden = !me;
  });

  $("playlist-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("error-card").hidden = true;
    $("result").hidden = true;
    $("progress-bar").style.width = "0%";
    $("progress-card").hidden = false;
    $("submit").disabled = true;
    const seeds = $("seeds").value.split(/[\s,]+/).filter(Boolean);
    if ($("top-seeds").checked) seeds.push("me:top");
    const body = Object.assign({ prompt: $("prompt").value.trim(), order: $("order").value }, shaping());
    if ($("duration").value) body.duration = $("duration").value;
    else body.size = Number($("size").value) || 20;
    if (seeds.length) body.seeds = seeds;
    progress({ stage: "queued" });
    try {
      const r = await moodmixApi.fetch("/v1/playlists", json(body));
      if (!r.ok) return showError((await moodmixApi.explain(r)).message);
      await settle(await r.json());
    } catch (err) {
      showError(String(err));
    }
  });

  function fromAddress() {
    const match = window.location.pathname.match(/^\/p\/([^/]+)$/);
    const id = match ? decodeURIComponent(match[1]) : config.playlist;
    const version = new URLSearchParams(window.location.search).get("version");
    return { id, version };
  }

  window.addEventListener("popstate", () => {
    const { id, version } = fromAddress();
    if (id) load(id, version);
    else $("result").hidden = true;
  });

  const start = fromAddress();
  if (start.id) load(start.id, start.version);
  else loadHistory();
})();
