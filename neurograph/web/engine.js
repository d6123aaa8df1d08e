/* neurograph's engine for the web page: forward propagation, MNIST-style preparation of a
 * drawing, and the arithmetic of one neuron, on the network that `neurograph web` exported
 * (window.NEUROGRAPH_NETWORK; the format is in neurograph/web/export.py's docstring).
 *
 * Every receiving layer computes z from its inputs a_in (its sources' activations side by
 * side) and then a = f(z), as neurograph's vectorized engine does: dense z = W a_in + b;
 * convolution z[m,y,x] = b[m] + sum K[m,c,i,j] a[c, y s + i - p, x s + j - p]; pooling the
 * window's mean or largest value; dropout passes a_in on. Arithmetic is in float64 (a float32
 * network's weights are read exactly and widened). No dependencies; works in node too.
 */
(function (root) {
  "use strict";

  // -- arrays: {dtype, shape, data} with data base64, little-endian ----------------------------

  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  var LOOKUP = new Int16Array(128).fill(-1);
  for (var c = 0; c < ALPHABET.length; c++) LOOKUP[ALPHABET.charCodeAt(c)] = c;

  function base64Bytes(text) {
    var clean = text.replace(/=+$/, "");
    var bytes = new Uint8Array(Math.floor(clean.length * 3 / 4));
    var bits = 0, value = 0, k = 0;
    for (var i = 0; i < clean.length; i++) {
      var v = LOOKUP[clean.charCodeAt(i)];
      if (v < 0) throw new Error("bad base64 character in the network's data");
      value = (value << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        bytes[k++] = (value >> bits) & 255;
      }
    }
    return bytes;
  }

  /** The values of an exported array: Float64Array (floats) or Uint8Array of 0/1 (bits). */
  function decode(array) {
    var bytes = base64Bytes(array.data);
    var n = array.shape.reduce(function (p, s) { return p * s; }, 1);
    var view = new DataView(bytes.buffer);
    var out, i;
    if (array.dtype === "bits") {
      out = new Uint8Array(n);
      for (i = 0; i < n; i++) out[i] = (bytes[i >> 3] >> (i & 7)) & 1;
      return out;
    }
    out = new Float64Array(n);
    if (array.dtype === "float32") {
      for (i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
    } else if (array.dtype === "float64") {
      for (i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
    } else {
      throw new Error("unknown array dtype " + array.dtype);
    }
    return out;
  }

  // -- activations -----------------------------------------------------------------------------

  function activationOf(name, slope) {
    switch (name) {
      case "sigmoid": return function (z) { return 0.5 * (1 + Math.tanh(0.5 * z)); };
      case "tanh": return Math.tanh;
      case "relu": return function (z) { return z > 0 ? z : 0; };
      case "leaky_relu": return function (z) { return z > 0 ? z : slope * z; };
      case "identity": return function (z) { return z; };
      case "softmax": return null;  // over the whole layer
      default: throw new Error("the page cannot compute the activation " + name);
    }
  }

  function softmax(z) {
    var max = -Infinity, sum = 0, a = new Float64Array(z.length), i;
    for (i = 0; i < z.length; i++) if (z[i] > max) max = z[i];
    for (i = 0; i < z.length; i++) { a[i] = Math.exp(z[i] - max); sum += a[i]; }
    for (i = 0; i < z.length; i++) a[i] /= sum;
    return a;
  }

  // -- the network -----------------------------------------------------------------------------

  /** A network object from the exported spec (window.NEUROGRAPH_NETWORK). */
  function load(spec) {
    if (!spec || spec.format !== "neurograph-web") {
      throw new Error("not a neurograph web network (format " + (spec && spec.format) + ")");
    }
    var slope = spec.leaky_relu_slope;
    var layers = spec.layers.map(function (s) {
      var layer = {index: s.index, kind: s.kind, size: s.size, shape: s.shape,
                   caption: s.caption, op: s.op || null};
      if (!s.op) return layer;
      layer.activation = s.activation;
      layer.f = activationOf(s.activation, slope);
      layer.sources = s.sources;
      layer.offsets = s.offsets;
      layer.nInputs = s.n_inputs;
      layer.weights = s.weights ? decode(s.weights) : null;
      layer.biases = s.biases ? decode(s.biases) : null;
      layer.mask = s.mask ? decode(s.mask) : null;
      layer.static = s.static || [];
      ["input_shape", "kernel_size", "stride", "padding", "weight"].forEach(function (k) {
        if (k in s) layer[k] = s[k];
      });
      return layer;
    });
    return {spec: spec, dtype: spec.dtype, layers: layers, outputLabels: spec.output_labels,
            inputSize: layers[0].size};
  }

  function inputsOf(layer, activations) {
    if (layer.sources.length === 1) return activations[layer.sources[0]];
    var a = new Float64Array(layer.nInputs);
    layer.sources.forEach(function (source, k) { a.set(activations[source], layer.offsets[k]); });
    return a;
  }

  function dense(layer, a) {
    var n = layer.size, m = layer.nInputs, w = layer.weights, z = new Float64Array(n);
    for (var j = 0; j < n; j++) {
      var sum = 0, row = j * m;
      for (var i = 0; i < m; i++) sum += w[row + i] * a[i];
      z[j] = sum + layer.biases[j];
    }
    return z;
  }

  // Calls visit(outputIndex, map, inputIndex, kernelEntry) for every connection of a window
  // layer (convolution: every channel; pooling: the neuron's own channel).
  function windows(layer, visit, only) {
    var C = layer.input_shape[0], H = layer.input_shape[1], W = layer.input_shape[2];
    var kh = layer.kernel_size[0], kw = layer.kernel_size[1];
    var s = layer.stride, p = layer.padding || 0;
    var Ho = layer.shape[1], Wo = layer.shape[2];
    var pooling = layer.op !== "convolution";
    var first = only === undefined ? 0 : only, last = only === undefined ? layer.size : only + 1;
    for (var o = first; o < last; o++) {
      var m = Math.floor(o / (Ho * Wo)), y = Math.floor(o / Wo) % Ho, x = o % Wo;
      for (var c = pooling ? m : 0; c < (pooling ? m + 1 : C); c++) {
        for (var i = 0; i < kh; i++) {
          var row = y * s + i - p;
          if (row < 0 || row >= H) continue;
          for (var j = 0; j < kw; j++) {
            var col = x * s + j - p;
            if (col < 0 || col >= W) continue;
            visit(o, m, (c * H + row) * W + col, ((m * C + c) * kh + i) * kw + j);
          }
        }
      }
    }
  }

  function convolution(layer, a) {
    var z = new Float64Array(layer.size), w = layer.weights;
    windows(layer, function (o, m, input, entry) { z[o] += w[entry] * a[input]; });
    var per = layer.size / layer.shape[0];
    for (var o = 0; o < layer.size; o++) z[o] += layer.biases[Math.floor(o / per)];
    return z;
  }

  function averagePooling(layer, a) {
    var z = new Float64Array(layer.size);
    windows(layer, function (o, m, input) { z[o] += a[input]; });
    for (var o = 0; o < layer.size; o++) z[o] *= layer.weight;
    return z;
  }

  function maxPooling(layer, a) {
    var z = new Float64Array(layer.size).fill(-Infinity);
    windows(layer, function (o, m, input) { if (a[input] > z[o]) z[o] = a[input]; });
    return z;
  }

  var OPS = {dense: dense, convolution: convolution, average_pooling: averagePooling,
             max_pooling: maxPooling, identity: function (layer, a) { return Float64Array.from(a); }};

  /** z of every neuron of receiving layer `layer` from the activations of the layers before. */
  function weightedSums(net, activations, layer) {
    return OPS[layer.op](layer, inputsOf(layer, activations));
  }

  /** Every layer's activations for input x (index 0 = x), as Float64Arrays. */
  function forward(net, x) {
    if (!x || x.length !== net.inputSize) {
      throw new Error("the input must hold " + net.inputSize + " numbers, got " +
                      (x ? x.length : x));
    }
    var activations = [Float64Array.from(x)];
    for (var k = 1; k < net.layers.length; k++) {
      var layer = net.layers[k], z = weightedSums(net, activations, layer), a;
      if (layer.f === null) {
        a = softmax(z);
      } else {
        a = new Float64Array(z.length);
        for (var j = 0; j < z.length; j++) a[j] = layer.f(z[j]);
      }
      activations.push(a);
    }
    return activations;
  }

  // -- MNIST-style preparation (neurograph.digits.preprocess_digit) ----------------------------

  var SIZE = 28, BOX = 20;

  // numpy's pairwise sum of a contiguous run (as .sum() adds a row): eight running sums.
  function pairwiseSum(values, start, n) {
    var i, res;
    if (n < 8) {
      res = 0;
      for (i = 0; i < n; i++) res += values[start + i];
      return res;
    }
    if (n <= 128) {
      var r = [0, 0, 0, 0, 0, 0, 0, 0];
      for (i = 0; i < 8; i++) r[i] = values[start + i];
      for (i = 8; i < n - (n % 8); i += 8) {
        for (var k = 0; k < 8; k++) r[k] += values[start + i + k];
      }
      res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) res += values[start + i];
      return res;
    }
    var half = Math.floor(n / 2);
    half -= half % 8;
    return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, n - half);
  }

  function areaWeights(n, scale) {
    var m = Math.max(1, Math.ceil(n * scale - 1e-9));
    var w = new Float64Array(m * n);
    for (var i = 0; i < m; i++) {
      var lo = Math.min(i / scale, n), hi = Math.min((i + 1) / scale, n);
      for (var j = 0; j < n; j++) {
        var overlap = Math.min(hi, j + 1) - Math.max(lo, j);
        w[i * n + j] = overlap > 0 ? overlap * scale : 0;
      }
    }
    return {rows: m, cols: n, w: w};
  }

  /** The 784 inputs (row by row, 0..1) that preprocess_digit makes of a canvas of `width` x
   * `height` values row by row (0 background .. 1 ink): crop to the ink, scale the longer side
   * to 20 pixels by area averaging, move the centre of mass to (14, 14) by whole pixels. */
  function preprocess(values, width, height) {
    if (!(width >= 1 && height >= 1) || values.length !== width * height) {
      throw new Error("the canvas must hold width x height = " + width * height +
                      " values, got " + values.length);
    }
    var image = new Float64Array(SIZE * SIZE);
    var top = -1, bottom = -1, left = width, right = -1, y, x;
    for (y = 0; y < height; y++) {
      for (x = 0; x < width; x++) {
        if (values[y * width + x] !== 0) {
          if (top < 0) top = y;
          bottom = y;
          if (x < left) left = x;
          if (x > right) right = x;
        }
      }
    }
    if (top < 0) return image;
    var h = bottom - top + 1, w = right - left + 1;
    var scale = BOX / Math.max(h, w);
    var R = areaWeights(h, scale), C = areaWeights(w, scale);
    // (R.w @ crop) @ C.w^T, as numpy evaluates it
    var tmp = new Float64Array(R.rows * w), i, j, k, sum;
    for (i = 0; i < R.rows; i++) {
      for (j = 0; j < w; j++) {
        sum = 0;
        for (k = 0; k < h; k++) sum += R.w[i * h + k] * values[(top + k) * width + left + j];
        tmp[i * w + j] = sum;
      }
    }
    var rows = R.rows, cols = C.rows, small = new Float64Array(rows * cols);
    for (i = 0; i < rows; i++) {
      for (j = 0; j < cols; j++) {
        sum = 0;
        for (k = 0; k < w; k++) sum += tmp[i * w + k] * C.w[j * w + k];
        small[i * cols + j] = Math.min(1, Math.max(0, sum));
      }
    }
    var mass = pairwiseSum(small, 0, small.length);
    var rowMoment = 0, colMoment = 0, columnSums = new Float64Array(cols);
    for (i = 0; i < rows; i++) {
      rowMoment += pairwiseSum(small, i * cols, cols) * i;
      for (j = 0; j < cols; j++) columnSums[j] += small[i * cols + j];
    }
    for (j = 0; j < cols; j++) colMoment += columnSums[j] * j;
    var shiftTop = Math.floor(SIZE / 2 - rowMoment / mass + 0.5);
    var shiftLeft = Math.floor(SIZE / 2 - colMoment / mass + 0.5);
    for (i = 0; i < rows; i++) {
      var r = i + shiftTop;
      if (r < 0 || r >= SIZE) continue;
      for (j = 0; j < cols; j++) {
        var cc = j + shiftLeft;
        if (cc >= 0 && cc < SIZE) image[r * SIZE + cc] = small[i * cols + j];
      }
    }
    return image;
  }

  // -- one neuron's arithmetic -----------------------------------------------------------------

  /** Python's f"{v:.<precision>g}". */
  function general(v, precision) {
    if (v === 0) return "0";
    if (!isFinite(v)) return isNaN(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    var parts = v.toExponential(precision - 1).split("e"), exp = parseInt(parts[1], 10);
    if (exp < -4 || exp >= precision) {
      var mantissa = parts[0].indexOf(".") >= 0 ? parts[0].replace(/\.?0+$/, "") : parts[0];
      return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") +
             Math.abs(exp);
    }
    var text = v.toFixed(Math.max(0, precision - 1 - exp));
    return text.indexOf(".") >= 0 ? text.replace(/\.?0+$/, "") : text;
  }

  /** A number as explain() writes it: 3 significant digits, negative ones in brackets. */
  function number(v) {
    var text = general(v, 3);
    return v < 0 ? "(" + text + ")" : text;
  }

  // The source layer and index of input column `column` of `layer`.
  function sourceOf(layer, column) {
    for (var k = layer.sources.length - 1; k >= 0; k--) {
      if (column >= layer.offsets[k]) return [layer.sources[k], column - layer.offsets[k]];
    }
    throw new Error("column " + column + " is outside the layer's inputs");
  }

  // Every term [column, weight] of neuron j's z, and its bias.
  function termsOf(layer, j, a) {
    var terms = [], bias = 0;
    if (layer.op === "dense") {
      var m = layer.nInputs;
      for (var i = 0; i < m; i++) {
        if (!layer.mask || layer.mask[j * m + i]) terms.push([i, layer.weights[j * m + i]]);
      }
      bias = layer.biases[j];
    } else if (layer.op === "convolution") {
      windows(layer, function (o, map, input, entry) {
        terms.push([input, layer.weights[entry]]);
      }, j);
      bias = layer.biases[Math.floor(j / (layer.size / layer.shape[0]))];
    } else if (layer.op === "average_pooling") {
      windows(layer, function (o, map, input) { terms.push([input, layer.weight]); }, j);
    } else if (layer.op === "max_pooling") {
      var best = -1;  // the first of equal inputs wins, as in neurograph
      windows(layer, function (o, map, input) {
        terms.push([input, 0]);
        if (best < 0 || a[input] > a[terms[best][0]]) best = terms.length - 1;
      }, j);
      terms[best][1] = 1;
    } else {
      terms.push([j, 1]);
    }
    return {terms: terms, bias: bias};
  }

  var NEURON_NAMES = {input: "InputNeuron", output: "OutputNeuron", max_pooling: "MaxPoolingNeuron",
                      average_pooling: "AveragePoolingNeuron", dropout: "DropoutNeuron"};

  /** How neuron `index` of layer `layerIndex` got its activation for the current input: the
   * largest `maxTerms` terms w x a of z = sum w a + b by |w a|, the bias, z and a = f(z). */
  function explain(net, activations, layerIndex, index, maxTerms) {
    var layer = net.layers[layerIndex];
    if (!layer) throw new Error("there is no layer " + layerIndex);
    if (!(index >= 0 && index < layer.size)) {
      throw new Error("layer " + layerIndex + " has no neuron " + index);
    }
    maxTerms = maxTerms === undefined ? 8 : maxTerms;
    var activation = activations[layerIndex][index];
    if (!layer.op) {
      return {layer: layerIndex, index: index, kind: layer.kind, activation: activation,
              activationName: null, z: null, bias: null, terms: [], omitted: 0,
              text: "InputNeuron(layer 0, #" + index + ", activation=" +
                    general(activation, 4) + ")\n  a = " + number(activation) +
                    ", set from the sample (inputs have no bias and no activation function)"};
    }
    var a = inputsOf(layer, activations), found = termsOf(layer, index, a);
    var terms = found.terms.map(function (t) {
      var from = sourceOf(layer, t[0]);
      return {layer: from[0], index: from[1], weight: t[1], input: a[t[0]],
              product: t[1] * a[t[0]]};
    });
    var z = layer.op === "max_pooling" ? weightedSums(net, activations, layer)[index] :
      terms.reduce(function (s, t) { return s + t.product; }, 0) + found.bias;
    var sorted = terms.slice().sort(function (p, q) {
      return Math.abs(q.product) - Math.abs(p.product);
    });
    var shown = sorted.slice(0, maxTerms), rest = sorted.slice(maxTerms);
    // as explain() writes it: in connection order when every term is shown
    var written = (rest.length ? shown : terms).map(function (t) {
      return number(t.weight) + " x " + number(t.input);
    });
    var text = written.join(" + ");
    if (rest.length) {
      text += " + ... and " + rest.length + " more terms summing to " +
              number(rest.reduce(function (s, t) { return s + t.product; }, 0));
    }
    var hasBias = layer.op === "dense" || layer.op === "convolution";
    var isStatic = layer.static.indexOf(index) >= 0 || /pooling|identity/.test(layer.op);
    var name = NEURON_NAMES[layer.kind] || (layer.static.indexOf(index) >= 0 ? "StaticNeuron" :
                                              "HiddenNeuron");
    var lines = [name + "(layer " + layerIndex + ", #" + index + ", bias=" +
                 general(found.bias, 4) + ", " + layer.activation +
                 (isStatic ? ", static" : "") + ")"];
    if (layer.op === "max_pooling") {
      lines.push("  z = max(" + terms.map(function (t) { return number(t.input); }).join(", ") +
                 ") = " + number(z));
    } else {
      lines.push("  z = " + [text, hasBias ? "bias " + number(found.bias) : ""].filter(
        function (s) { return s; }).join(" + ") + " = " + number(z));
    }
    lines.push(layer.f === null ?
      "  a = " + layer.activation + "(z) over the whole layer = " + number(activation) :
      "  a = " + layer.activation + "(" + general(z, 3) + ") = " +
      number(activation));
    return {layer: layerIndex, index: index, kind: layer.kind, activation: activation,
            activationName: layer.activation, z: z, bias: found.bias, terms: shown,
            omitted: rest.length, text: lines.join("\n")};
  }

  /** The diagram's layout, as network_layout placed it (see export.py). */
  function layout(net) {
    return net.spec.layout;
  }

  /** The outputs for 784 inputs (or any input) of `net`, by default the page's network. */
  function predict(pixels, net) {
    net = net || neurograph.network;
    if (!net) throw new Error("no network is loaded (neurograph.network)");
    var activations = forward(net, pixels);
    return Array.prototype.slice.call(activations[activations.length - 1]);
  }

  var neurograph = root.neurograph || {};
  neurograph.decode = decode;
  neurograph.load = load;
  neurograph.forward = forward;
  neurograph.weightedSums = weightedSums;
  neurograph.preprocess = preprocess;
  neurograph.explain = explain;
  neurograph.layout = layout;
  neurograph.predict = predict;
  neurograph.formatNumber = number;
  root.neurograph = neurograph;
  if (typeof module !== "undefined" && module.exports) module.exports = neurograph;
})(typeof window !== "undefined" ? window : (typeof globalThis !== "undefined" ? globalThis : this));
