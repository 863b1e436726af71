// moodmix: the "target vs achieved" chart behind the playlist's details. An SVG drawn at the
// width of its box (so its text stays the page's size on a phone), one row per feature: the
// mood's target and the playlist's mean, each scaled to the feature's range.
//
//   moodmixChart.draw(box, { features, scales }, targets, tracks);
"use strict";

window.moodmixChart = (function () {
  const SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function scaled(scales, name, value) {
    const [lo, hi] = scales[name] || [0, 1];
    return Math.min(1, Math.max(0, (value - lo) / (hi - lo)));
  }

  function draw(box, config, targets, tracks) {
    const names = config.features.filter(
      (n) => n in targets || tracks.some((t) => t.features && n in t.features),
    );
    const means = {};
    for (const n of names) {
      const values = tracks.map((t) => (t.features || {})[n]).filter((v) => typeof v === "number");
      if (values.length) means[n] = values.reduce((a, b) => a + b, 0) / values.length;
    }
    const width = Math.max(280, Math.min(680, box.clientWidth || 640));
    const narrow = width < 480;
    const rowH = 30, labelW = narrow ? 96 : 130, valueW = narrow ? 84 : 120;
    const barW = Math.min(420, width - labelW - valueW - 10);
    const height = names.length * rowH + 30;
    const root = svg("svg", {
      viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
      "aria-label": "target vs achieved features",
    });
    const fmt = (v) => (v === undefined ? "–" : Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(2));
    names.forEach((n, i) => {
      const y = i * rowH + 4;
      root.appendChild(svg("text", { x: 0, y: y + 17, class: "chart-label" }, n));
      root.appendChild(svg("rect", { x: labelW, y, width: barW, height: 22, class: "chart-track", rx: 3 }));
      if (n in targets) {
        root.appendChild(svg("rect", {
          x: labelW, y: y + 2, height: 8, rx: 2, class: "bar-target", "data-feature": n,
          width: Math.max(1, scaled(config.scales, n, targets[n]) * barW),
        }));
      }
      if (n in means) {
        root.appendChild(svg("rect", {
          x: labelW, y: y + 12, height: 8, rx: 2, class: "bar-achieved", "data-feature": n,
          width: Math.max(1, scaled(config.scales, n, means[n]) * barW),
        }));
      }
      root.appendChild(svg("text", { x: labelW + barW + 8, y: y + 17, class: "chart-value" },
        `${fmt(targets[n])} → ${fmt(means[n])}`));
    });
    const ly = names.length * rowH + 16;
    root.appendChild(svg("rect", { x: labelW, y: ly - 8, width: 14, height: 8, class: "bar-target" }));
    root.appendChild(svg("text", { x: labelW + 20, y: ly, class: "chart-legend" }, "target"));
    root.appendChild(svg("rect", { x: labelW + 84, y: ly - 8, width: 14, height: 8, class: "bar-achieved" }));
    root.appendChild(svg("text", { x: labelW + 104, y: ly, class: "chart-legend" }, "achieved (mean)"));
    box.replaceChildren(root);
  }

  return { draw };
})();
