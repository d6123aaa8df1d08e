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
  var diagram = document.getElementById("diagram");
  var W = diagram.clientWidth || 560, H = diagram.clientHeight || 520, scale = window.devicePixelRatio || 1;
  diagram.width = Math.round(W * scale);
  diagram.height = Math.round(H * scale);
  var context = diagram.getContext("2d");
  var TOP = 30, BOTTOM = 12, RIGHT = 40;
  var sy = (H - TOP - BOTTOM) / (layout.ylim[1] - layout.ylim[0] || 1);
  // A layer drawn as an image keeps square pixels: its width follows its height on screen.
  var gridBoxes = layout.layers.map(function (L) {
    if (!L.image) return null;
    var h = (L.image.y1 - L.image.y0) * sy;
    return {h: h, w: h * L.image.cols / L.image.rows};
  });
  // room on the left for the input's grid, centred on its column
  var LEFT = 12;
  gridBoxes.forEach(function (g) { if (g) LEFT = Math.max(LEFT, g.w / 2 + 8); });
  var xs = layout.layers.map(function (L) { return L.x; });
  var xMin = Math.min.apply(null, xs), xMax = Math.max.apply(null, xs);
  function px(x) { return LEFT + (x - xMin) / ((xMax - xMin) || 1) * (W - LEFT - RIGHT); }
  function py(y) { return TOP + (layout.ylim[1] - y) * sy; }

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
  function gridRect(k) {
    var L = layout.layers[k], g = gridBoxes[k];
    return {left: px(L.x) - g.w / 2, top: py(L.image.y1), w: g.w, h: g.h};
  }
  function endOf(layer, index) {
    var point = where[layer + "," + index];
    if (point) return point;
    var L = layout.layers[layer];
    if (!L.image) return null;
    var box = gridRect(layer), cols = L.image.cols, rows = L.image.rows;
    var r = Math.floor(index / cols) % rows, c = index % cols;
    return {x: box.left + (c + 0.5) * box.w / cols, y: box.top + (r + 0.5) * box.h / rows};
  }

  // Connections, labels and notes do not change while drawing: drawn once, then copied.
  var still = document.createElement("canvas");
  still.width = diagram.width;
  still.height = diagram.height;
  (function drawStill() {
    var c = still.getContext("2d");
    c.scale(scale, scale);
    c.fillStyle = "#fff";
    c.fillRect(0, 0, W, H);
    var biggest = 0;
    layout.connections.forEach(function (e) { biggest = Math.max(biggest, Math.abs(e.weight)); });
    biggest = biggest || 1;
    // as draw_network: coolwarm ends, red positive and blue negative, stronger = more opaque, wider
    layout.connections.forEach(function (e) {
      var a = endOf(e.from[0], e.from[1]), b = endOf(e.to[0], e.to[1]);
      if (!a || !b) return;
      var strength = Math.abs(e.weight) / biggest;
      c.strokeStyle = (e.weight >= 0 ? "rgba(180,4,38," : "rgba(59,76,192,") + (0.25 + 0.75 * strength).toFixed(3) + ")";
      c.lineWidth = 0.3 + 2.2 * strength;
      c.beginPath();
      c.moveTo(a.x, a.y);
      c.lineTo(b.x, b.y);
      c.stroke();
    });
    c.fillStyle = "#222";
    c.font = "13px sans-serif";
    c.textAlign = "center";
    layout.layers.forEach(function (L) {
      c.fillText(L.label, px(L.x), 16);
      if (L.summary) {
        c.save();
        c.font = "12px sans-serif";
        var text = L.summary.text, w = c.measureText(text).width;
        c.fillStyle = "rgba(255,255,255,0.85)";  // the note stays readable over the lines
        c.fillRect(px(L.summary.x) - w / 2 - 3, py(L.summary.y) - 9, w + 6, 17);
        c.fillStyle = "#555";
        c.fillText(text, px(L.summary.x), py(L.summary.y) + 4);
        c.restore();
      }
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

  function viridis(v) {  // v in [0, 1] -> a colour of the table, linearly between its entries
    var f = Math.min(1, Math.max(0, v)) * (VIRIDIS.length - 1), i = Math.min(Math.floor(f), VIRIDIS.length - 2);
    var p = parseInt(VIRIDIS[i].slice(1), 16), q = parseInt(VIRIDIS[i + 1].slice(1), 16), t = f - i;
    var mix = function (shift) { return Math.round(((p >> shift) & 255) * (1 - t) + ((q >> shift) & 255) * t); };
    return "rgb(" + mix(16) + "," + mix(8) + "," + mix(0) + ")";
  }

  var pictures = {};  // layer index -> a small canvas of its values, rows x cols
  function layerPicture(k, values) {  // grey, white 0 to black at the layer's largest value
    var L = layout.layers[k].image, c = pictures[k];
    if (!c) {
      c = pictures[k] = document.createElement("canvas");
      c.width = L.cols;
      c.height = L.rows;
    }
    var g = c.getContext("2d"), picture = g.createImageData(L.cols, L.rows), top = 0;
    for (var i = 0; i < values.length; i++) top = Math.max(top, Math.abs(values[i]));
    for (i = 0; i < L.rows * L.cols; i++) {
      var grey = Math.round(255 * (1 - Math.abs(values[i] || 0) / (top || 1)));
      picture.data[4 * i] = picture.data[4 * i + 1] = picture.data[4 * i + 2] = grey;
      picture.data[4 * i + 3] = 255;
    }
    g.putImageData(picture, 0, 0);
    return c;
  }

  function drawDiagram(acts, best) {
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.drawImage(still, 0, 0);
    context.setTransform(scale, 0, 0, scale, 0, 0);
    layout.layers.forEach(function (L, k) {  // layers drawn as images: their current values
      if (!L.image) return;
      var box = gridRect(k);
      context.imageSmoothingEnabled = false;
      if (k === 0) context.drawImage(small, box.left, box.top, box.w, box.h);
      else if (L.image.channels === 1) context.drawImage(layerPicture(k, acts[k]), box.left, box.top, box.w, box.h);
      context.strokeStyle = "#888";
      context.lineWidth = 1;
      context.strokeRect(box.left, box.top, box.w, box.h);
    });
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
    context.font = "12px sans-serif";
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
      var s = endOf(selected.layer, selected.index);
      context.beginPath();
      context.arc(s.x, s.y, selected.layer === 0 ? 4 : radius + 3, 0, 2 * Math.PI);
      context.lineWidth = 2;
      context.strokeStyle = "#e6550d";
      context.stroke();
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
    for (var k = 0; k < nLayers; k++) {  // a pixel of a layer drawn as an image
      var L = layout.layers[k];
      if (!L.image) continue;
      var box = gridRect(k);
      if (x >= box.left && x < box.left + box.w && y >= box.top && y < box.top + box.h) {
        var c = Math.floor((x - box.left) * L.image.cols / box.w), r = Math.floor((y - box.top) * L.image.rows / box.h);
        return {layer: k, index: r * L.image.cols + c};
      }
    }
    return null;
  }
  function explainSelected() {
    if (!selected) return;
    if (selected.layer === 0) {
      var cols = layout.layers[0].image ? layout.layers[0].image.cols : 1;
      explainBox.textContent = "input #" + selected.index + " (row " + Math.floor(selected.index / cols) +
        ", column " + (selected.index % cols) + ")\n  a = " + activations[0][selected.index].toFixed(4) +
        ", set from the drawing (inputs have no bias and no activation function)";
      return;
    }
    var e = ng.explain(net, activations, selected.layer, selected.index, MAX_TERMS);
    explainBox.textContent = e.text;
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
