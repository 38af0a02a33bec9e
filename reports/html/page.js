// The HTML report's page script (browser JavaScript, inlined into report.html after uPlot).
// It reads the JSON data island built by chart-data.ts and draws the timeline charts with
// uPlot: numbered event markers (a uPlot plugin drawing on the canvas), synchronised cursors
// and zoom, and the keepalive health band. It exposes what it drew on window.__rtsoak so
// tests can check the page without reading pixels.
(function () {
  "use strict";

  var state = { ready: false, charts: [], markers: 0, events: 0 };
  window.__rtsoak = state;

  var island = document.getElementById("rtsoak-data");
  if (!island || typeof uPlot === "undefined") return;
  var data = JSON.parse(island.textContent || "{}");
  state.events = data.events.length;
  if (data.x.length === 0) {
    state.ready = true;
    return;
  }

  var pxRatio = uPlot.pxRatio || window.devicePixelRatio || 1;
  var lastX = data.x[data.x.length - 1];
  var plots = [];

  // ---------------------------------------------------------------- formatting
  function pad2(n) {
    return n < 10 ? "0" + n : String(n);
  }
  function fmtTime(s) {
    var t = Math.max(0, Math.round(s));
    var h = Math.floor(t / 3600);
    var m = Math.floor((t % 3600) / 60);
    return h > 0 ? h + ":" + pad2(m) + ":" + pad2(t % 60) : m + ":" + pad2(t % 60);
  }
  function fmtShare(v) {
    if (v == null) return "–";
    var p = v * 100;
    if (p === 0) return "0 %";
    return (p >= 10 ? p.toFixed(1) : p >= 0.1 ? p.toFixed(2) : p.toFixed(3)) + " %";
  }
  function fmtAxisShare(v) {
    var p = v * 100;
    return (Math.abs(p) >= 1 || p === 0 ? String(Math.round(p * 10) / 10) : p.toPrecision(2)) + "%";
  }
  function fmtNumber(v) {
    if (v == null) return "–";
    return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Math.round(v * 100) / 100);
  }
  var formatters = { share: fmtShare, perSecond: fmtNumber, count: fmtNumber };

  // ---------------------------------------------------------------- event markers
  /** Draws numbered event markers (line at the start, shaded span to the end) on every chart. */
  function eventMarkers(record, withLabels) {
    function draw(u) {
      var ctx = u.ctx;
      var b = u.bbox;
      var min = u.scales.x.min;
      var max = u.scales.x.max;
      var drawn = 0;
      var rowsRight = [];
      ctx.save();
      data.events.forEach(function (ev) {
        if (ev.startS > max || ev.endS < min) return;
        var x0 = Math.round(u.valToPos(Math.max(ev.startS, min), "x", true));
        var x1 = Math.round(u.valToPos(Math.min(Math.max(ev.endS, ev.startS), max), "x", true));
        var color = ev.ok ? "#44546a" : "#d0312d";
        if (x1 > x0) {
          ctx.fillStyle = ev.ok ? "rgba(68, 84, 106, 0.10)" : "rgba(208, 49, 45, 0.12)";
          ctx.fillRect(x0, b.top, x1 - x0, b.height);
        }
        if (ev.startS >= min) {
          ctx.strokeStyle = color;
          ctx.lineWidth = 1.5 * pxRatio;
          ctx.setLineDash([4 * pxRatio, 3 * pxRatio]);
          ctx.beginPath();
          ctx.moveTo(x0 + 0.5, b.top);
          ctx.lineTo(x0 + 0.5, b.top + b.height);
          ctx.stroke();
          ctx.setLineDash([]);
          // numbered badge in the padding above the plot
          var r = 8 * pxRatio;
          var cy = b.top - r - 2 * pxRatio;
          ctx.fillStyle = color;
          ctx.beginPath();
          ctx.arc(x0, cy, r, 0, 2 * Math.PI);
          ctx.fill();
          ctx.fillStyle = "#fff";
          ctx.font = "bold " + 10 * pxRatio + "px system-ui, sans-serif";
          ctx.textAlign = "center";
          ctx.textBaseline = "middle";
          ctx.fillText(String(ev.n), x0, cy + 0.5 * pxRatio);
          if (withLabels) drawLabel(ctx, b, x0, ev, color, rowsRight);
        }
        drawn++;
      });
      ctx.restore();
      record(drawn);
    }
    return { hooks: { draw: [draw] } };
  }

  /** A text label inside the plot, on the first row where it does not overlap another. */
  function drawLabel(ctx, b, x0, ev, color, rowsRight) {
    ctx.font = 11 * pxRatio + "px system-ui, sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    var text = ev.n + " " + ev.label;
    var w = ctx.measureText(text).width + 8 * pxRatio;
    var h = 16 * pxRatio;
    var x = Math.min(x0 + 4 * pxRatio, b.left + b.width - w);
    var row = 0;
    while (row < 3 && rowsRight[row] != null && rowsRight[row] > x) row++;
    if (row === 3) row = 0;
    rowsRight[row] = x + w + 4 * pxRatio;
    var y = b.top + 4 * pxRatio + row * (h + 3 * pxRatio);
    ctx.fillStyle = "rgba(255, 255, 255, 0.88)";
    ctx.fillRect(x, y, w, h);
    ctx.strokeStyle = color;
    ctx.lineWidth = 1 * pxRatio;
    ctx.strokeRect(x, y, w, h);
    ctx.fillStyle = color;
    ctx.fillText(text, x + 4 * pxRatio, y + h / 2);
  }

  // ---------------------------------------------------------------- keepalive band
  var HEALTH = { healthy: "#2e9e5b", degraded: "#e5a50a", critical: "#d0312d", none: "#d9dde3" };

  function healthBand(states) {
    return {
      hooks: {
        drawClear: [
          function (u) {
            var ctx = u.ctx;
            var b = u.bbox;
            ctx.save();
            ctx.beginPath();
            ctx.rect(b.left, b.top, b.width, b.height);
            ctx.clip();
            for (var i = 0; i < data.x.length; i++) {
              var x0 = u.valToPos(data.x[i], "x", true);
              var x1 = u.valToPos(data.x[i] + data.windowS, "x", true);
              ctx.fillStyle = HEALTH[states[i]] || HEALTH.none;
              ctx.fillRect(Math.floor(x0), b.top, Math.max(1, Math.ceil(x1 - x0)), b.height);
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  // ---------------------------------------------------------------- charts
  /** x range: the whole run (so events near the end stay visible) unless zoomed in. */
  function xRange(u, min, max) {
    if (min <= data.x[0] && max >= lastX) return [Math.min(0, min), Math.max(data.durationS, max)];
    return [min, max];
  }

  function yRange(unit) {
    return function (u, min, max) {
      var top = max > 0 ? max * 1.1 : unit === "share" ? 0.01 : 1;
      if (unit === "share") top = Math.min(top, 1);
      return [0, top];
    };
  }

  var syncingZoom = false;
  function syncZoom(u, key) {
    if (key !== "x" || syncingZoom) return;
    syncingZoom = true;
    plots.forEach(function (p) {
      if (p !== u) p.setScale("x", { min: u.scales.x.min, max: u.scales.x.max });
    });
    syncingZoom = false;
  }

  function widthOf(el) {
    return Math.max(320, el.clientWidth);
  }

  function makeChart(id, opts, yData, height, plugins, entry) {
    var fig = document.getElementById("chart-" + id);
    if (!fig) return;
    var target = fig.querySelector(".plot");
    var unit = opts.unit;
    var fmt = formatters[unit] || fmtNumber;
    var series = [{ label: "time", value: function (u, v) { return v == null ? "–" : fmtTime(v); } }].concat(
      opts.series.map(function (s) {
        var out = {
          label: s.label,
          stroke: s.color,
          width: 1.5,
          value: function (u, v) { return fmt(v); },
          points: { show: false },
        };
        if (s.dash) out.dash = s.dash;
        if (opts.hidden) out.paths = function () { return null; };
        return out;
      }),
    );
    var u = new uPlot(
      {
        width: widthOf(target),
        height: height,
        padding: [22, 20, 0, 0],
        cursor: { sync: { key: "rtsoak" }, drag: { x: true, y: false } },
        scales: { x: { time: false, range: xRange }, y: { range: opts.hidden ? [0, 1] : yRange(unit) } },
        axes: [
          { values: function (u, splits) { return splits.map(fmtTime); } },
          opts.hidden
            ? { size: 64, values: function () { return []; }, grid: { show: false }, ticks: { show: false } }
            : {
                size: 64,
                values: function (u, splits) {
                  return splits.map(unit === "share" ? fmtAxisShare : fmtNumber);
                },
              },
        ],
        series: series,
        plugins: plugins,
        hooks: { setScale: [syncZoom] },
      },
      [data.x].concat(yData),
      target,
    );
    plots.push(u);
    entry.id = id;
    entry.series = yData.length;
    entry.points = data.x.length;
    entry.values = yData.reduce(function (n, col) {
      return n + col.filter(function (v) { return v != null; }).length;
    }, 0);
    state.charts.push(entry);
  }

  data.charts.forEach(function (c, i) {
    var entry = { markers: 0 };
    var markers = eventMarkers(function (n) {
      entry.markers = n;
      if (i === 0) state.markers = n;
    }, i === 0);
    makeChart(c.id, c, c.series.map(function (s) { return s.values; }), 230, [markers], entry);
  });

  if (data.keepalive) {
    var bandEntry = { markers: 0 };
    var bandMarkers = eventMarkers(function (n) { bandEntry.markers = n; }, false);
    makeChart(
      "keepalive",
      { unit: "count", series: data.keepalive.series, hidden: true },
      data.keepalive.series.map(function (s) { return s.values; }),
      110,
      [healthBand(data.keepalive.states), bandMarkers],
      bandEntry,
    );
    bandEntry.states = data.keepalive.states.length;
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      plots.forEach(function (u) {
        u.setSize({ width: widthOf(u.root.parentElement), height: u.height });
      });
    }, 100);
  });

  state.ready = true;
})();
