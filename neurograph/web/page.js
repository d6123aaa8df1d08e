/* neurograph's page: draw a digit on the pad, watch the network read it and light up.
 *
 * Runs after engine.js, which defines the global `neurograph` (load, forward, preprocess, explain,
 * layout), and after network.js, which sets window.NEUROGRAPH_NETWORK. Plain JavaScript, no
 * libraries. Each update (at most one per animation frame) does:
 *   ink (280 x 280, 0..1) -> neurograph.preprocess -> x (784) -> neurograph.forward -> activations,
 * then redraws the 28 x 28 image, the output bars and the diagram's neurons.
 * Hooks for tests and other pages: neurograph.predict(pixels), neurograph.preprocess(values, w, h),
 * neurograph.update() (one update now; neurograph.lastUpdateMs is how long it took),
 * neurograph.ink (the pad's values, row by row), neurograph.ready.
 */
(function () {
  "use strict";
  var ng = window.neurograph;
  var SIZE = 280;  // the pad's pixels per side
  // The brush of examples/draw_digit.py: full ink within BRUSH - SOFTNESS / 2 of the stroke,
  // fading linearly to none at BRUSH + SOFTNESS / 2 (pad pixels), so strokes are as thick.
  var BRUSH = 12, SOFTNESS = 6, REACH = BRUSH + SOFTNESS / 2;
  var MAX_TERMS = 8;  // terms of z = sum w x a shown when a neuron is clicked
  var VIRIDIS = ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962",
                 "#addc30", "#fde725"];  // matplotlib's viridis at 0, 1/8, ..., 1

  var net = ng.load(window.NEUROGRAPH_NETWORK);
  ng.network = net;
  if (typeof ng.predict !== "function") {
    ng.predict = function (pixels) {
      var acts = ng.forward(ng.network, Float64Array.from(pixels));
      return Array.from(acts[acts.length - 1]);
    };
  }
  var layout = ng.layout(net);
  var nLayers = layout.layers.length;
  var outputLayer = layout.layers[nLayers - 1];
  var spec = window.NEUROGRAPH_NETWORK;
  var nOutputs = (function () {
    var acts = ng.forward(net, new Float64Array(784));
    return acts[acts.length - 1].length;
  })();
  var labels = (spec.output_labels && spec.output_labels.length === nOutputs) ? spec.output_labels
    : Array.from({length: nOutputs}, function (_, i) { return String(i); });

  var ink = new Float64Array(SIZE * SIZE);  // 0 background .. 1 ink, row by row
  ng.ink = ink;
  var activations = null, selected = null;
  ng.updateTimes = [];

  // -- the pad -----------------------------------------------------------------------------------
  var pad = document.getElementById("pad");
  pad.width = pad.height = SIZE;
  var padContext = pad.getContext("2d");
  var padImage = padContext.createImageData(SIZE, SIZE);
  clearPad();

  function clearPad() {
    ink.fill(0);
    for (var p = 0; p < padImage.data.length; p++) padImage.data[p] = 255;
    padContext.putImageData(padImage, 0, 0);
  }

  // Ink every pixel near the segment (x0, y0)-(x1, y1): ink = max(ink, profile(distance)).
  function paint(x0, y0, x1, y1) {
    var c0 = Math.max(Math.floor(Math.min(x0, x1) - REACH), 0);
    var c1 = Math.min(Math.ceil(Math.max(x0, x1) + REACH), SIZE);
    var r0 = Math.max(Math.floor(Math.min(y0, y1) - REACH), 0);
    var r1 = Math.min(Math.ceil(Math.max(y0, y1) + REACH), SIZE);
    if (c0 >= c1 || r0 >= r1) return;
    var dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy;
    for (var r = r0; r < r1; r++) {
      for (var c = c0; c < c1; c++) {
        var px = c + 0.5, py = r + 0.5;  // the pixel's centre
        // the nearest point of the segment: start + t (end - start), t in [0, 1]
        var t = length2 === 0 ? 0 : Math.min(1, Math.max(0, ((px - x0) * dx + (py - y0) * dy) / length2));
        var distance = Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
        var value = Math.min(1, Math.max(0, (REACH - distance) / SOFTNESS));
        var i = r * SIZE + c;
        if (value > ink[i]) {
          ink[i] = value;
          var grey = Math.round(255 * (1 - value));
          padImage.data[4 * i] = padImage.data[4 * i + 1] = padImage.data[4 * i + 2] = grey;
        }
      }
    }
    padContext.putImageData(padImage, 0, 0, c0, r0, c1 - c0, r1 - r0);
  }

  var last = null, pending = false;
  function padPoint(event) {  // the event in pad pixels, whatever size CSS gives the canvas
    var box = pad.getBoundingClientRect();  // the border box: the drawing starts inside the border
    return [(event.clientX - box.left - pad.clientLeft) * SIZE / pad.clientWidth,
            (event.clientY - box.top - pad.clientTop) * SIZE / pad.clientHeight];
  }
  function scheduleUpdate() {  // at most one update per animation frame
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; update(); });
  }
  pad.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) return;
    pad.setPointerCapture(event.pointerId);
    last = padPoint(event);
    paint(last[0], last[1], last[0], last[1]);
    scheduleUpdate();
    event.preventDefault();
  });
  pad.addEventListener("pointermove", function (event) {
    if (last === null) return;
    // a fast pen or finger sends several points per event
    var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    if (!events.length) events = [event];
    for (var e = 0; e < events.length; e++) {
      var point = padPoint(events[e]);
      paint(last[0], last[1], point[0], point[1]);
      last = point;
    }
    scheduleUpdate();
  });
  function endStroke() { last = null; }
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);
  document.getElementById("clear").addEventListener("click", function () {
    clearPad();
    last = null;
    update();
  });

  // -- the 28 x 28 image and the bars -------------------------------------------------------------
  var small = document.getElementById("input");
  small.width = small.height = 28;
  var smallContext = small.getContext("2d");
  var smallImage = smallContext.createImageData(28, 28);

  function drawInput(x) {
    for (var i = 0; i < 784; i++) {
      var grey = Math.round(255 * (1 - x[i]));
      smallImage.data[4 * i] = smallImage.data[4 * i + 1] = smallImage.data[4 * i + 2] = grey;
      smallImage.data[4 * i + 3] = 255;
    }
    smallContext.putImageData(smallImage, 0, 0);
  }

  var bars = document.getElementById("bars"), barRows = [];
  labels.forEach(function (label) {
    var row = document.createElement("div");
    row.className = "bar";
    row.innerHTML = '<span class="digit"></span><span class="track"><span class="fill"></span></span>' +
      '<span class="value"></span>';
    row.querySelector(".digit").textContent = label;
    bars.appendChild(row);
    barRows.push({row: row, fill: row.querySelector(".fill"), value: row.querySelector(".value")});
  });
  var prediction = document.getElementById("prediction");
  var confidence = document.getElementById("confidence");

  function drawBars(outputs, drawn) {
    var best = 0;
    for (var j = 1; j < outputs.length; j++) if (outputs[j] > outputs[best]) best = j;
    var sum = 0, low = Infinity, high = 0;
    for (j = 0; j < outputs.length; j++) {
      sum += outputs[j]; low = Math.min(low, outputs[j]); high = Math.max(high, Math.abs(outputs[j]));
    }
    var probabilities = Math.abs(sum - 1) < 1e-4 && low >= 0;  // softmax outputs
    var top = probabilities ? 1 : Math.max(1, high);
    for (j = 0; j < outputs.length; j++) {
      var value = drawn ? outputs[j] : 0;
      barRows[j].fill.style.width = (100 * Math.max(0, value) / top).toFixed(1) + "%";
      barRows[j].value.textContent = drawn ? value.toFixed(2) : "";
      barRows[j].row.classList.toggle("winner", drawn && j === best);
    }
    prediction.textContent = drawn ? labels[best] : "";
    confidence.textContent = !drawn ? "(nothing drawn yet)" : probabilities
      ? Math.round(100 * outputs[best]) + "% sure" : "output " + outputs[best].toFixed(2);
  }

  // -- the diagram --------------------------------------------------------------------------------
  // Placed as draw_network places it (the layout comes from Python, in data coordinates, y up):
  // scaled to fill the canvas, x and y apart, or by one scale when the layout has feature maps
  // (draw_network draws those at equal aspect); each column's words under it, as its tick labels.
  var diagram = document.getElementById("diagram");
  var W = diagram.clientWidth || 560, H = diagram.clientHeight || 520, scale = window.devicePixelRatio || 1;
  diagram.width = Math.round(W * scale);
  diagram.height = Math.round(H * scale);
  var context = diagram.getContext("2d");
  var FONT = "12px sans-serif", LINE = 14, LABEL_GAP = 10;  // the columns' words, CSS pixels
  var ORANGE = "#e6550d", FIELD = "rgba(253,141,60,0.22)";  // receptive fields, as draw_network's
  var sx = 1, sy = 1, ox = 0, oy = 0;  // data -> CSS pixels: x' = ox + (x - xlim[0]) sx
  function px(x) { return ox + (x - layout.xlim[0]) * sx; }
  function py(y) { return oy + (layout.ylim[1] - y) * sy; }
  function rectOf(x0, x1, y0, y1) { return {left: px(x0), top: py(y1), w: (x1 - x0) * sx, h: (y1 - y0) * sy}; }

  context.font = FONT;
  var RIGHT = 10;  // room right of the outputs for their names
  labels.forEach(function (label) { RIGHT = Math.max(RIGHT, context.measureText(label).width + 16); });
  var labelBoxes = [], labelArea = 0;
  function placeDiagram(area) {  // fit the layout above `area` CSS pixels of column words
    var left = 6, top = 8, right = W - RIGHT, bottom = H - area - 4;
    var dx = layout.xlim[1] - layout.xlim[0] || 1, dy = layout.ylim[1] - layout.ylim[0] || 1;
    sx = (right - left) / dx;
    sy = (bottom - top) / dy;
    if (layout.equal_aspect) sx = sy = Math.min(sx, sy);
    ox = left + (right - left - dx * sx) / 2;
    oy = top + (bottom - top - dy * sy) / 2;
  }
  // Each column's words centred under it, in the first band (row of words) where they overprint
  // nothing; the diagram is placed again if the words need more bands than it left room for.
  function placeLabels() {
    var lines = layout.columns.map(function (column) { return column.label.split("\n"); });
    var most = Math.max.apply(null, lines.map(function (l) { return l.length; }));
    var bandHeight = most * LINE + 4, bands = [];
    labelBoxes = layout.columns.map(function (column, i) {
      var w = Math.max.apply(null, lines[i].map(function (t) { return context.measureText(t).width; }));
      var x = Math.min(Math.max(px(column.x), w / 2 + 2), W - w / 2 - 2);
      for (var b = 0; ; b++) {
        bands[b] = bands[b] || [];
        var free = bands[b].every(function (o) { return x - w / 2 >= o[1] + LABEL_GAP || x + w / 2 <= o[0] - LABEL_GAP; });
        if (free) break;
      }
      bands[b].push([x - w / 2, x + w / 2]);
      return {x: x, w: w, band: b, lines: lines[i]};
    });
    var area = bands.length * bandHeight + 4;
    labelBoxes.forEach(function (box) {
      box.top = H - area + box.band * bandHeight;
      box.h = box.lines.length * LINE;
    });
    return area;
  }
  placeDiagram(2 * LINE + 8);
  for (var attempt = 0; attempt < 3; attempt++) {
    var area = placeLabels();
    if (area === labelArea) break;
    labelArea = area;
    placeDiagram(labelArea);
  }

  // Layers drawn as pictures: one box per map (tiles) or one grid. In a layout without maps the
  // grid is drawn square-pixelled on screen, at most a column apart wide, as draw_network does.
  var pictureBoxes = layout.layers.map(function (L) {
    if (!L.image) return null;
    if (L.tiles) return L.tiles.map(function (t) { return rectOf(t[0], t[1], t[2], t[3]); });
    var I = L.image, box = rectOf(I.x0, I.x1, I.y0, I.y1);
    if (layout.equal_aspect) return [box];
    var h = box.h, w = h * I.cols / I.rows;
    if (w > sx) { h = h * sx / w; w = sx; }
    return [{left: px(L.x) - w / 2, top: box.top + (box.h - h) / 2, w: w, h: h}];
  });
  function pixelOf(k, index) {  // the box of neuron `index` of a layer drawn as pictures
    var I = layout.layers[k].image, per = I.rows * I.cols, m = Math.floor(index / per);
    var rest = index - m * per, r = Math.floor(rest / I.cols), c = rest % I.cols, box = pictureBoxes[k][m];
    return {left: box.left + c * box.w / I.cols, top: box.top + r * box.h / I.rows,
            w: box.w / I.cols, h: box.h / I.rows, map: m, row: r, column: c};
  }

  var neurons = [];  // {layer, index, x, y} in CSS pixels, for drawing and clicking
  layout.layers.forEach(function (L) {
    L.neurons.forEach(function (n) { neurons.push({layer: L.index, index: n.index, x: px(n.x), y: py(n.y)}); });
  });
  var radius = 8;
  layout.layers.forEach(function (L) {
    for (var i = 1; i < L.neurons.length; i++) {
      radius = Math.min(radius, 0.42 * Math.abs(py(L.neurons[i].y) - py(L.neurons[i - 1].y)));
    }
  });
  radius = Math.max(radius, 2.5);
  var where = {};  // "layer,index" -> pixel point, where connections end
  neurons.forEach(function (n) { where[n.layer + "," + n.index] = n; });
  function endOf(layer, index) {
    var point = where[layer + "," + index];
    if (point) return point;
    if (!pictureBoxes[layer]) return null;
    var p = pixelOf(layer, index);
    return {x: p.left + p.w / 2, y: p.top + p.h / 2};
  }
  var fields = layout.fields.map(function (f) {  // a receptive field: its window and its pixel
    return {source: rectOf(f.source[0], f.source[1], f.source[2], f.source[3]),
            target: rectOf(f.target[0], f.target[1], f.target[2], f.target[3])};
  });

  function coolwarm(v) {  // v in [-1, 1] -> blue, light grey, red (the ends and middle of coolwarm)
    var t = Math.min(1, Math.max(-1, v)), end = t < 0 ? [59, 76, 192] : [180, 4, 38], u = Math.abs(t);
    return [0, 1, 2].map(function (i) { return Math.round(221 * (1 - u) + end[i] * u); });
  }
  function drawKernels(c, k) {  // a convolution's kernels beside its maps, channels side by side
    var L = layout.layers[k], layer = net.layers[k];
    if (!L.kernels || !layer.weights || !layer.kernel_size) return;
    var kh = layer.kernel_size[0], kw = layer.kernel_size[1], channels = layer.input_shape[0];
    var w = layer.weights, top = 0;
    for (var i = 0; i < w.length; i++) top = Math.max(top, Math.abs(w[i]));
    var picture = document.createElement("canvas");
    picture.width = kw * channels;
    picture.height = kh;
    var g = picture.getContext("2d"), image = g.createImageData(kw * channels, kh);
    L.kernels.forEach(function (extent, m) {
      for (var ch = 0; ch < channels; ch++) {
        for (var r = 0; r < kh; r++) {
          for (var col = 0; col < kw; col++) {
            var rgb = coolwarm(w[((m * channels + ch) * kh + r) * kw + col] / (top || 1));
            var p = 4 * (r * kw * channels + ch * kw + col);
            image.data[p] = rgb[0]; image.data[p + 1] = rgb[1]; image.data[p + 2] = rgb[2]; image.data[p + 3] = 255;
          }
        }
      }
      g.putImageData(image, 0, 0);
      var box = rectOf(extent[0], extent[1], extent[2], extent[3]);
      c.imageSmoothingEnabled = false;
      c.drawImage(picture, box.left, box.top, box.w, box.h);
      c.strokeStyle = "#888";
      c.lineWidth = 0.5;
      c.strokeRect(box.left, box.top, box.w, box.h);
    });
  }

  // Connections, kernels, words and notes do not change while drawing: drawn once, then copied.
  var still = document.createElement("canvas");
  still.width = diagram.width;
  still.height = diagram.height;
  (function drawStill() {
    var c = still.getContext("2d");
    c.scale(scale, scale);
    c.fillStyle = "#fff";
    c.fillRect(0, 0, W, H);
    c.fillStyle = FIELD;  // each receptive field's window joined to its pixel by a light band
    fields.forEach(function (f) {
      var s = f.source, t = f.target;
      c.beginPath();
      c.moveTo(s.left + s.w, s.top);
      c.lineTo(t.left, t.top);
      c.lineTo(t.left, t.top + t.h);
      c.lineTo(s.left + s.w, s.top + s.h);
      c.closePath();
      c.fill();
    });
    var biggest = 0;
    layout.connections.forEach(function (e) { biggest = Math.max(biggest, Math.abs(e.weight)); });
    biggest = biggest || 1;
    // as draw_network: coolwarm ends, red positive and blue negative, stronger = more opaque,
    // wider; a connection that skips columns as an arc through its control point
    layout.connections.forEach(function (e) {
      var a = endOf(e.from[0], e.from[1]), b = endOf(e.to[0], e.to[1]);
      if (!a || !b) return;
      var strength = Math.abs(e.weight) / biggest;
      c.strokeStyle = (e.weight >= 0 ? "rgba(180,4,38," : "rgba(59,76,192,") + (0.25 + 0.75 * strength).toFixed(3) + ")";
      c.lineWidth = 0.3 + 2.2 * strength;
      c.beginPath();
      c.moveTo(a.x, a.y);
      if (e.curve) c.quadraticCurveTo(px(e.curve[0]), py(e.curve[1]), b.x, b.y);
      else c.lineTo(b.x, b.y);
      c.stroke();
    });
    layout.layers.forEach(function (L, k) { drawKernels(c, k); });
    c.fillStyle = "#222";
    c.font = FONT;
    c.textAlign = "center";
    labelBoxes.forEach(function (box) {
      box.lines.forEach(function (line, i) { c.fillText(line, box.x, box.top + (i + 1) * LINE - 3); });
    });
    layout.layers.forEach(function (L) {
      if (!L.summary) return;
      c.save();
      c.font = "12px sans-serif";
      var text = L.summary.text, w = c.measureText(text).width;
      c.fillStyle = "rgba(255,255,255,0.85)";  // the note stays readable over the lines
      c.fillRect(px(L.summary.x) - w / 2 - 3, py(L.summary.y) - 9, w + 6, 17);
      c.fillStyle = "#555";
      c.fillText(text, px(L.summary.x), py(L.summary.y) + 4);
      c.restore();
    });
  })();
  var notes = document.getElementById("notes");
  if (notes) {
    layout.notes.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      notes.appendChild(item);
    });
  }

  function viridisRGB(v) {  // v in [0, 1] -> [r, g, b] of the table, linearly between its entries
    var f = Math.min(1, Math.max(0, v || 0)) * (VIRIDIS.length - 1), i = Math.min(Math.floor(f), VIRIDIS.length - 2);
    var p = parseInt(VIRIDIS[i].slice(1), 16), q = parseInt(VIRIDIS[i + 1].slice(1), 16), t = f - i;
    return [16, 8, 0].map(function (shift) { return Math.round(((p >> shift) & 255) * (1 - t) + ((q >> shift) & 255) * t); });
  }
  function viridis(v) { return "rgb(" + viridisRGB(v).join(",") + ")"; }

  var pictures = {};  // layer index -> a canvas of its values, its maps one under another
  // A layer's values as pixels, coloured as draw_network colours a layer's picture: viridis from
  // min(0, lowest) to its highest value.
  function layerPicture(k, values) {
    var I = layout.layers[k].image, c = pictures[k], height = I.rows * I.channels;
    if (!c) {
      c = pictures[k] = document.createElement("canvas");
      c.width = I.cols;
      c.height = height;
    }
    var low = 0, high = -Infinity, n = I.cols * height;
    for (var i = 0; i < n; i++) {
      if (isFinite(values[i])) { low = Math.min(low, values[i]); high = Math.max(high, values[i]); }
    }
    if (!(high > low)) high = low + 1;
    var g = c.getContext("2d"), picture = g.createImageData(I.cols, height);
    for (i = 0; i < n; i++) {
      var rgb = viridisRGB((values[i] - low) / (high - low));
      picture.data[4 * i] = rgb[0]; picture.data[4 * i + 1] = rgb[1]; picture.data[4 * i + 2] = rgb[2];
      picture.data[4 * i + 3] = 255;
    }
    g.putImageData(picture, 0, 0);
    return c;
  }

  function drawPictures(acts) {
    context.imageSmoothingEnabled = false;
    layout.layers.forEach(function (L, k) {
      if (!pictureBoxes[k]) return;
      var source = k === 0 ? small : layerPicture(k, acts[k]), rows = k === 0 ? 28 : L.image.rows;
      pictureBoxes[k].forEach(function (box, m) {
        if (k === 0) context.drawImage(small, box.left, box.top, box.w, box.h);
        else context.drawImage(source, 0, m * rows, L.image.cols, rows, box.left, box.top, box.w, box.h);
        context.strokeStyle = "#888";
        context.lineWidth = 0.6;
        context.strokeRect(box.left, box.top, box.w, box.h);
      });
    });
    context.strokeStyle = ORANGE;  // receptive fields over the pictures
    context.lineWidth = 1;
    fields.forEach(function (f) {
      [f.source, f.target].forEach(function (b) { context.strokeRect(b.left, b.top, Math.max(b.w, 2), Math.max(b.h, 2)); });
    });
  }

  function drawDiagram(acts, best) {
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.drawImage(still, 0, 0);
    context.setTransform(scale, 0, 0, scale, 0, 0);
    drawPictures(acts);
    // The neurons' colour scale, as draw_network's: from min(0, lowest) to max(1, highest).
    var low = 0, high = 1;
    neurons.forEach(function (n) {
      var a = acts[n.layer][n.index];
      if (isFinite(a)) { low = Math.min(low, a); high = Math.max(high, a); }
    });
    neurons.forEach(function (n) {
      context.beginPath();
      context.arc(n.x, n.y, radius, 0, 2 * Math.PI);
      context.fillStyle = viridis((acts[n.layer][n.index] - low) / (high - low));
      context.fill();
      context.lineWidth = 0.8;
      context.strokeStyle = "#333";
      context.stroke();
    });
    context.font = FONT;
    context.textAlign = "left";
    outputLayer.neurons.forEach(function (n) {  // the outputs' names, the winner ringed
      var x = px(n.x), y = py(n.y);
      context.fillStyle = n.index === best ? "#b40426" : "#222";
      context.fillText(labels[n.index], x + radius + 4, y + 4);
      if (n.index === best) {
        context.beginPath();
        context.arc(x, y, radius + 3, 0, 2 * Math.PI);
        context.lineWidth = 2;
        context.strokeStyle = "#b40426";
        context.stroke();
      }
    });
    if (selected) {
      context.lineWidth = 2;
      context.strokeStyle = ORANGE;
      if (where[selected.layer + "," + selected.index]) {
        var s = where[selected.layer + "," + selected.index];
        context.beginPath();
        context.arc(s.x, s.y, radius + 3, 0, 2 * Math.PI);
        context.stroke();
      } else if (pictureBoxes[selected.layer]) {
        var p = pixelOf(selected.layer, selected.index);
        context.strokeRect(p.left - 2, p.top - 2, p.w + 4, p.h + 4);
      }
    }
  }

  // -- clicking a neuron: its arithmetic for the current drawing ----------------------------------
  var explainBox = document.getElementById("explain");
  function neuronAt(x, y) {
    var best = null, bestDistance = radius + 4;
    neurons.forEach(function (n) {
      var d = Math.hypot(n.x - x, n.y - y);
      if (d <= bestDistance) { best = n; bestDistance = d; }
    });
    if (best) return {layer: best.layer, index: best.index};
    for (var k = 0; k < nLayers; k++) {  // a pixel of a layer drawn as pictures
      var I = layout.layers[k].image, boxes = pictureBoxes[k] || [];
      for (var m = 0; m < boxes.length; m++) {
        var box = boxes[m];
        if (x >= box.left && x < box.left + box.w && y >= box.top && y < box.top + box.h) {
          var c = Math.min(Math.floor((x - box.left) * I.cols / box.w), I.cols - 1);
          var r = Math.min(Math.floor((y - box.top) * I.rows / box.h), I.rows - 1);
          return {layer: k, index: m * I.rows * I.cols + r * I.cols + c};
        }
      }
    }
    return null;
  }
  function explainSelected() {
    if (!selected) return;
    var place = "";
    if (pictureBoxes[selected.layer]) {  // which pixel of which picture was clicked
      var p = pixelOf(selected.layer, selected.index), I = layout.layers[selected.layer].image;
      place = (I.channels > 1 ? "map " + p.map + ", " : "") + "row " + p.row + ", column " + p.column;
    }
    if (selected.layer === 0) {
      explainBox.textContent = "input #" + selected.index + " (" + place + ")\n  a = " +
        activations[0][selected.index].toFixed(4) +
        ", set from the drawing (inputs have no bias and no activation function)";
      return;
    }
    var e = ng.explain(net, activations, selected.layer, selected.index, MAX_TERMS);
    explainBox.textContent = (place ? "layer " + selected.layer + ", " + place + ":\n" : "") + e.text;
  }
  ng.select = function (layer, index) {  // what a click on that neuron does
    selected = {layer: layer, index: index};
    drawDiagram(activations, currentBest);
    explainSelected();
  };
  diagram.addEventListener("click", function (event) {
    var box = diagram.getBoundingClientRect();
    var hit = neuronAt((event.clientX - box.left) * W / box.width, (event.clientY - box.top) * H / box.height);
    if (hit) ng.select(hit.layer, hit.index);
  });
  function arcs() {  // each skip connection's ends and the arc's highest (or lowest) point
    return layout.connections.filter(function (e) { return e.curve; }).map(function (e) {
      var a = endOf(e.from[0], e.from[1]), b = endOf(e.to[0], e.to[1]);
      // a quadratic Bezier with its control point halfway across peaks at t = 1/2
      return {from: e.from, to: e.to, start: [a.x, a.y], end: [b.x, b.y],
              apex: [(a.x + b.x) / 4 + px(e.curve[0]) / 2, (a.y + b.y) / 4 + py(e.curve[1]) / 2]};
    });
  }
  /** What the diagram draws, in CSS pixels of the canvas ([left, top, right, bottom] boxes): the
   * columns' words, the neurons drawn as circles, and the pictures (the input grid, each map's
   * tile, each grid of a shaped layer) with their layer and map; and the skip connections'
   * arcs (their ends and apex points). For tests. */
  ng.diagramBoxes = function () {
    var pictureList = [];
    pictureBoxes.forEach(function (boxes, k) {
      (boxes || []).forEach(function (b, m) {
        pictureList.push({layer: k, map: m, box: [b.left, b.top, b.left + b.w, b.top + b.h]});
      });
    });
    return {width: W, height: H, scale: scale,
            labels: labelBoxes.map(function (b) { return [b.x - b.w / 2, b.top, b.x + b.w / 2, b.top + b.h]; }),
            neurons: neurons.map(function (n) { return [n.x - radius, n.y - radius, n.x + radius, n.y + radius]; }),
            pictures: pictureList, arcs: arcs()};
  };

  // -- one update ---------------------------------------------------------------------------------
  var currentBest = -1;
  function update() {
    var started = performance.now();
    var x = ng.preprocess(ink, SIZE, SIZE);  // (784,): the drawing as the network is given it
    var drawn = false;
    for (var i = 0; i < x.length && !drawn; i++) drawn = x[i] > 0;
    activations = ng.forward(net, x);
    var outputs = activations[activations.length - 1];
    drawInput(x);
    drawBars(outputs, drawn);
    currentBest = -1;
    if (drawn) {
      currentBest = 0;
      for (i = 1; i < outputs.length; i++) if (outputs[i] > outputs[currentBest]) currentBest = i;
    }
    drawDiagram(activations, currentBest);
    explainSelected();
    ng.lastUpdateMs = performance.now() - started;
    ng.updateTimes.push(ng.lastUpdateMs);
    if (ng.updateTimes.length > 1000) ng.updateTimes.shift();
    return ng.lastUpdateMs;
  }
  ng.update = update;
  ng.neuronPoint = function (layer, index) {  // where neuron (layer, index) is drawn, CSS pixels
    var p = endOf(layer, index);
    return p ? {x: p.x, y: p.y} : null;
  };
  update();
  ng.ready = true;
})();
