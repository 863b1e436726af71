// moodmix: how the pages call the API. The API key (when the service asks for one) is typed
// into the header's key field and remembered in this browser's localStorage; every call sends
// it as X-API-Key. Server-Sent Events are read with fetch() and a stream reader rather than
// EventSource, which cannot send headers.
//
//   const r = await moodmixApi.fetch("/v1/playlists", { method: "POST", body: ... });
//   await moodmixApi.events(url, (kind, data) => kind === "done", { signal });
"use strict";

window.moodmixApi = (function () {
  const STORE = "moodmix.apiKey";
  const field = document.getElementById("api-key");

  function key() {
    try {
      return localStorage.getItem(STORE) || "";
    } catch (_) {
      return field ? field.value.trim() : "";
    }
  }

  if (field) {
    field.value = key();
    field.addEventListener("input", () => {
      const value = field.value.trim();
      try {
        if (value) localStorage.setItem(STORE, value);
        else localStorage.removeItem(STORE);
      } catch (_) {
        // Private windows may refuse storage: the field still holds the key for this page.
      }
    });
  }

  function headers(extra) {
    const out = Object.assign({}, extra || {});
    const k = (field && field.value.trim()) || key();
    if (k) out["X-API-Key"] = k;
    return out;
  }

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function explain(r) {
    let message = `HTTP ${r.status}`;
    try {
      const body = await r.json();
      if (body && body.message) message = body.message;
    } catch (_) {
      // not JSON: keep the status
    }
    if (r.status === 401) message += " (enter the API key at the top of the page)";
    return new HttpError(r.status, message);
  }

  function call(url, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = headers(opts.headers);
    return fetch(url, opts);
  }

  // Read one event stream until onEvent returns true (the stream is then closed and true is
  // returned) or the server ends it (false). Throws HttpError for an error answer.
  async function events(url, onEvent, { signal } = {}) {
    const r = await call(url, {
      headers: { Accept: "text/event-stream" },
      cache: "no-store",
      signal,
    });
    if (!r.ok) throw await explain(r);
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        buffer += value;
        // A "\r" at the end may be half of a "\r\n": keep it for the next chunk.
        const hold = buffer.endsWith("\r") ? "\r" : "";
        let text = (hold ? buffer.slice(0, -1) : buffer).replace(/\r\n?/g, "\n");
        let cut;
        while ((cut = text.indexOf("\n\n")) >= 0) {
          const block = text.slice(0, cut);
          text = text.slice(cut + 2);
          let kind = "message";
          const data = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) kind = line.slice(6).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
          }
          if (data.length && onEvent(kind, JSON.parse(data.join("\n")))) return true;
        }
        buffer = text + hold;
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  return { fetch: call, events, explain, headers, HttpError };
})();
