/* TEMPORARY stand-in for engineer w1's neurograph/web/engine.js (the lead removes it after the
   merge): dense layers only, the interface of the shared design. */
var neurograph = (function () {
  "use strict";
  function decode(text) {
    var bytes = atob(text), buffer = new ArrayBuffer(bytes.length), view = new Uint8Array(buffer);
    for (var i = 0; i < bytes.length; i++) view[i] = bytes.charCodeAt(i);
    return new Float64Array(buffer);
  }
  var ACT = {
    relu: function (z) { return z.map(function (v) { return v > 0 ? v : 0; }); },
    sigmoid: function (z) { return z.map(function (v) { return 1 / (1 + Math.exp(-v)); }); },
    identity: function (z) { return z; },
    tanh: function (z) { return z.map(Math.tanh); },
    softmax: function (z) {
      var m = Math.max.apply(null, z), e = z.map(function (v) { return Math.exp(v - m); });
      var s = e.reduce(function (a, b) { return a + b; }, 0);
      return e.map(function (v) { return v / s; });
    }
  };
  function load(spec) {
    return {sizes: spec.sizes, spec: spec, layers: spec.layers.map(function (l) {
      return {activation: l.activation, w: decode(l.weights), b: decode(l.biases)};
    })};
  }
  function zOf(net, k, a) {  // z of layer k (1-based) from the activations a of layer k - 1
    var L = net.layers[k - 1], n = net.sizes[k], m = net.sizes[k - 1], z = new Float64Array(n);
    for (var j = 0; j < n; j++) {
      var s = L.b[j];
      for (var i = 0; i < m; i++) s += L.w[j * m + i] * a[i];
      z[j] = s;
    }
    return z;
  }
  function forward(net, x) {
    var acts = [Float64Array.from(x)];
    for (var k = 1; k < net.sizes.length; k++) {
      acts.push(ACT[net.layers[k - 1].activation](zOf(net, k, acts[k - 1])));
    }
    return acts;
  }
  function weights(n, scale) {  // the area-averaging matrix of neurograph.io.digits._area_weights
    var m = Math.max(1, Math.ceil(n * scale - 1e-9)), W = [];
    for (var r = 0; r < m; r++) {
      var row = new Float64Array(n), e0 = Math.min(r / scale, n), e1 = Math.min((r + 1) / scale, n);
      for (var j = 0; j < n; j++) row[j] = Math.max(0, Math.min(e1, j + 1) - Math.max(e0, j)) * scale;
      W.push(row);
    }
    return W;
  }
  function preprocess(values, width, height) {
    var out = new Float64Array(784), r0 = height, r1 = -1, c0 = width, c1 = -1;
    for (var r = 0; r < height; r++) for (var c = 0; c < width; c++) if (values[r * width + c] > 0) {
      r0 = Math.min(r0, r); r1 = Math.max(r1, r); c0 = Math.min(c0, c); c1 = Math.max(c1, c);
    }
    if (r1 < 0) return out;
    var h = r1 - r0 + 1, w = c1 - c0 + 1, scale = 20 / Math.max(h, w);
    var WR = weights(h, scale), WC = weights(w, scale), tmp = [], small = [], mass = 0, cr = 0, cc = 0;
    for (var i = 0; i < WR.length; i++) {  // tmp = WR @ crop
      var t = new Float64Array(w);
      for (r = 0; r < h; r++) if (WR[i][r]) for (c = 0; c < w; c++) t[c] += WR[i][r] * values[(r0 + r) * width + c0 + c];
      tmp.push(t);
    }
    for (i = 0; i < WR.length; i++) {  // small = tmp @ WC.T
      var s = new Float64Array(WC.length);
      for (var q = 0; q < WC.length; q++) {
        var v = 0;
        for (c = 0; c < w; c++) v += tmp[i][c] * WC[q][c];
        s[q] = Math.min(1, Math.max(0, v)); mass += s[q]; cr += i * s[q]; cc += q * s[q];
      }
      small.push(s);
    }
    var top = Math.floor(14 - cr / mass + 0.5), left = Math.floor(14 - cc / mass + 0.5);
    for (i = 0; i < small.length; i++) for (q = 0; q < small[i].length; q++) {
      var R = top + i, C = left + q;
      if (R >= 0 && R < 28 && C >= 0 && C < 28) out[R * 28 + C] = small[i][q];
    }
    return out;
  }
  function explain(net, acts, k, index, maxTerms) {
    var m = net.sizes[k - 1], L = net.layers[k - 1], terms = [], z = L.b[index];
    for (var i = 0; i < m; i++) {
      var w = L.w[index * m + i], a = acts[k - 1][i];
      z += w * a;
      terms.push({layer: k - 1, index: i, weight: w, input: a, product: w * a});
    }
    terms.sort(function (p, q) { return Math.abs(q.product) - Math.abs(p.product); });
    var shown = terms.slice(0, maxTerms), act = acts[k][index];
    var text = "layer " + k + " #" + index + " (" + L.activation + ")\n  z = " +
      shown.map(function (t) { return t.weight.toPrecision(3) + " x " + t.input.toPrecision(3); }).join(" + ") +
      " + ... (" + (m - shown.length) + " more) + bias " + L.b[index].toPrecision(3) + " = " + z.toPrecision(4) +
      "\n  a = " + L.activation + "(" + z.toPrecision(4) + ") = " + act.toPrecision(4);
    return {layer: k, index: index, kind: "dense", activation: act, activationName: L.activation,
            z: z, bias: L.b[index], terms: shown, omitted: m - shown.length, text: text};
  }
  function layout(net) { return net.spec.layout; }
  return {load: load, forward: forward, preprocess: preprocess, explain: explain, layout: layout};
})();
if (typeof module !== "undefined") module.exports = neurograph;
