"""neurograph.from_onnx: ONNX graphs as PyTorch's and Keras's exporters write them, built here
with the onnx helper API, read into neurograph and held to onnxruntime's outputs."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import neurograph  # noqa: E402
import neurograph.datasets  # noqa: E402
from neurograph.io import ModelFileError  # noqa: E402

TOLERANCE = 1e-5


# --------------------------------------------------------------------------------------------
# Building models as the exporters do


def make_model(nodes, initializers, input_shape, *, output="y", opset=17,
               elem=TensorProto.FLOAT, extra_outputs=()):
    """A model reading ``x`` of shape ``(batch, *input_shape)`` and giving ``output``."""
    graph = helper.make_graph(
        nodes, "test",
        [helper.make_tensor_value_info("x", elem, ["batch", *input_shape])],
        [helper.make_tensor_value_info(name, elem, ["batch", f"{name}_features"])
         for name in (output, *extra_outputs)],
        initializer=[numpy_helper.from_array(value, name) for name, value in initializers.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="test")
    model.ir_version = 8  # what onnxruntime reads, whatever the onnx package writes by default
    return model


def run(model, X):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": X})


def imported(model, tmp_path, name="model.onnx"):
    path = tmp_path / name
    onnx.save(model, str(path))
    return neurograph.from_onnx(path)


def weights(rng, *shape, scale=None):
    """Normal weights, by default of standard deviation 1 / sqrt(fan-in) (the rows of Gemm's
    (out, in) weights and of Conv's kernels), so every layer's values stay near 1, as in a
    trained network: float32's rounding is relative, and 1e-5 is an absolute tolerance."""
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    return (rng.standard_normal(shape) * (fan_in ** -0.5 if scale is None else scale)
            ).astype(np.float32)


def torch_mlp(rng, sizes=(784, 32, 16, 12, 10)):
    """As ``torch.onnx.export`` writes nn.Sequential(Linear, ReLU, Linear, Sigmoid, Linear,
    Tanh, Linear, Softmax): Gemm with transB=1 (weights stored (out, in))."""
    nodes, initializers, tensor = [], {}, "x"
    activations = ["Relu", "Sigmoid", "Tanh", "Softmax"]
    for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        w, b = f"fc{k}.weight", f"fc{k}.bias"
        initializers[w], initializers[b] = weights(rng, n_out, n_in), weights(rng, n_out)
        nodes.append(helper.make_node("Gemm", [tensor, w, b], [f"/fc{k}/Gemm_output_0"],
                                      name=f"/fc{k}/Gemm", alpha=1.0, beta=1.0, transB=1))
        op = activations[k]
        last = k == len(sizes) - 2
        out = "y" if last else f"/act{k}/{op}_output_0"
        nodes.append(helper.make_node(op, [nodes[-1].output[0]], [out], name=f"/act{k}/{op}",
                                      **({"axis": 1} if op == "Softmax" else {})))
        tensor = out
    return make_model(nodes, initializers, [sizes[0]])


def keras_mlp(rng, sizes=(784, 24, 10)):
    """As tf2onnx writes a Keras Sequential(Flatten, Dense(relu), Dense(softmax)) for 28 x 28
    inputs: Reshape to (-1, 784) with a Constant shape, MatMul then Add, Identity at the end."""
    nodes = [helper.make_node("Constant", [], ["flatten/Const:0"], name="flatten/Const",
                              value=numpy_helper.from_array(np.array([-1, 784], np.int64))),
             helper.make_node("Reshape", ["x", "flatten/Const:0"], ["flatten/Reshape:0"],
                              name="flatten/Reshape")]
    initializers, tensor = {}, "flatten/Reshape:0"
    for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        w, b = f"dense_{k}/MatMul/ReadVariableOp:0", f"dense_{k}/BiasAdd/ReadVariableOp:0"
        initializers[w] = weights(rng, n_in, n_out, scale=n_in ** -0.5)  # (in, out)
        initializers[b] = weights(rng, n_out)
        op = "Relu" if k < len(sizes) - 2 else "Softmax"
        nodes += [helper.make_node("MatMul", [tensor, w], [f"dense_{k}/MatMul:0"],
                                   name=f"dense_{k}/MatMul"),
                  helper.make_node("Add", [f"dense_{k}/MatMul:0", b], [f"dense_{k}/BiasAdd:0"],
                                   name=f"dense_{k}/BiasAdd"),
                  helper.make_node(op, [f"dense_{k}/BiasAdd:0"], [f"dense_{k}/{op}:0"],
                                   name=f"dense_{k}/{op}")]
        tensor = f"dense_{k}/{op}:0"
    nodes.append(helper.make_node("Identity", [tensor], ["y"], name="Identity"))
    return make_model(nodes, initializers, [28, 28], opset=13)


def torch_cnn(rng, pool_then_relu=False):
    """As ``torch.onnx.export`` writes a small CNN on 1 x 12 x 12 images: Conv (padding 1) ->
    Relu -> MaxPool 2 -> Conv (stride 1) -> Relu -> AveragePool 2 -> Flatten -> Gemm -> Relu
    -> Gemm -> Softmax. With ``pool_then_relu``, the first Relu comes after the MaxPool, as in
    PyTorch's MNIST example (``F.relu(F.max_pool2d(self.conv1(x), 2))``)."""
    initializers = {"conv1.weight": weights(rng, 4, 1, 3, 3), "conv1.bias": weights(rng, 4),
                    "conv2.weight": weights(rng, 6, 4, 3, 3), "conv2.bias": weights(rng, 6),
                    "fc1.weight": weights(rng, 16, 24), "fc1.bias": weights(rng, 16),
                    "fc2.weight": weights(rng, 10, 16), "fc2.bias": weights(rng, 10)}
    first = [helper.make_node("Conv", ["x", "conv1.weight", "conv1.bias"], ["c1"],
                              name="/conv1/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                              strides=[1, 1], dilations=[1, 1], group=1)]
    relu = helper.make_node("Relu", ["p1" if pool_then_relu else "c1"],
                            ["r1"], name="/relu1/Relu")
    pool = helper.make_node("MaxPool", ["c1" if pool_then_relu else "r1"], ["p1"],
                            name="/pool1/MaxPool", kernel_shape=[2, 2], strides=[2, 2],
                            pads=[0, 0, 0, 0], ceil_mode=0)
    first += [pool, relu] if pool_then_relu else [relu, pool]
    after_first = "r1" if pool_then_relu else "p1"
    nodes = first + [
        helper.make_node("Conv", [after_first, "conv2.weight", "conv2.bias"], ["c2"],
                         name="/conv2/Conv", kernel_shape=[3, 3], pads=[0, 0, 0, 0],
                         strides=[1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"], name="/relu2/Relu"),
        helper.make_node("AveragePool", ["r2"], ["p2"], name="/pool2/AveragePool",
                         kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0],
                         count_include_pad=0, ceil_mode=0),
        helper.make_node("Flatten", ["p2"], ["f"], name="/flatten/Flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc1.weight", "fc1.bias"], ["g1"], name="/fc1/Gemm",
                         transB=1),
        helper.make_node("Relu", ["g1"], ["r3"], name="/relu3/Relu"),
        helper.make_node("Gemm", ["r3", "fc2.weight", "fc2.bias"], ["g2"], name="/fc2/Gemm",
                         transB=1),
        helper.make_node("Softmax", ["g2"], ["y"], name="/softmax/Softmax", axis=1)]
    return make_model(nodes, initializers, [1, 12, 12])


def keras_cnn(rng):
    """A CNN on flat inputs reshaped to 1 x 8 x 8, a strided Conv without bias and a
    Reshape back to (batch, -1) before MatMul + Add, as a Keras model exported in channels-first
    order reads."""
    initializers = {"kernel": weights(rng, 3, 1, 4, 4), "to_image": np.array([-1, 1, 8, 8]),
                    "to_flat": np.array([0, -1]),
                    "dense/kernel": weights(rng, 48, 5, scale=48 ** -0.5),
                    "dense/bias": weights(rng, 5)}
    nodes = [helper.make_node("Reshape", ["x", "to_image"], ["image"], name="reshape"),
             helper.make_node("Conv", ["image", "kernel"], ["conv"], name="conv2d",
                              strides=[2, 2], pads=[1, 1, 1, 1]),
             helper.make_node("Tanh", ["conv"], ["tanh"], name="conv2d/Tanh"),
             helper.make_node("Reshape", ["tanh", "to_flat"], ["flat"], name="flatten"),
             helper.make_node("MatMul", ["flat", "dense/kernel"], ["mm"], name="dense/MatMul"),
             helper.make_node("Add", ["dense/bias", "mm"], ["y"], name="dense/BiasAdd")]
    return make_model(nodes, initializers, [64])


def keras_channels_last_cnn(rng):
    """As tf2onnx writes a Keras Conv2D(3, 3, relu) -> MaxPooling2D -> Flatten -> Dense(softmax)
    on 8 x 8 x 1 images: the input channels-last, a Transpose to channels-first before the
    convolution and back before the Reshape, so the Dense layer reads (y, x, channel) order."""
    initializers = {"conv2d/kernel": weights(rng, 3, 1, 3, 3), "conv2d/bias": weights(rng, 3),
                    "flatten/shape": np.array([-1, 27], np.int64),
                    "dense/kernel": weights(rng, 27, 4, scale=27 ** -0.5),
                    "dense/bias": weights(rng, 4)}
    nodes = [helper.make_node("Transpose", ["x"], ["nchw"], name="conv2d__6", perm=[0, 3, 1, 2]),
             helper.make_node("Conv", ["nchw", "conv2d/kernel", "conv2d/bias"], ["conv"],
                              name="conv2d/Conv2D", kernel_shape=[3, 3], strides=[1, 1],
                              dilations=[1, 1], pads=[0, 0, 0, 0]),
             helper.make_node("Relu", ["conv"], ["relu"], name="conv2d/Relu"),
             helper.make_node("MaxPool", ["relu"], ["pool"], name="max_pooling2d/MaxPool",
                              kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("Transpose", ["pool"], ["nhwc"], name="max_pooling2d__10",
                              perm=[0, 2, 3, 1]),
             helper.make_node("Reshape", ["nhwc", "flatten/shape"], ["flat"],
                              name="flatten/Reshape"),
             helper.make_node("MatMul", ["flat", "dense/kernel"], ["mm"], name="dense/MatMul"),
             helper.make_node("Add", ["mm", "dense/bias"], ["logits"], name="dense/BiasAdd"),
             helper.make_node("Softmax", ["logits"], ["y"], name="dense/Softmax")]
    return make_model(nodes, initializers, [8, 8, 1], opset=13)


def torch_view_cnn(rng):
    """As ``torch.onnx.export`` (dynamic batch) writes ``fc(relu(conv(x)).view(x.size(0),
    -1))``: the Reshape's shape computed by Shape, Gather, Unsqueeze and Concat."""
    initializers = {"conv.weight": weights(rng, 2, 1, 3, 3), "conv.bias": weights(rng, 2),
                    "fc.weight": weights(rng, 5, 2 * 4 * 4), "fc.bias": weights(rng, 5)}
    constant = lambda name, value: helper.make_node(  # noqa: E731
        "Constant", [], [name], name=name, value=numpy_helper.from_array(np.array(value)))
    nodes = [helper.make_node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], name="/conv/Conv"),
             helper.make_node("Relu", ["c"], ["r"], name="/Relu"),
             helper.make_node("Shape", ["r"], ["shape"], name="/Shape"),
             constant("zero", np.int64(0)),
             helper.make_node("Gather", ["shape", "zero"], ["batch"], name="/Gather", axis=0),
             constant("axes", [0]),
             helper.make_node("Unsqueeze", ["batch", "axes"], ["batch1"], name="/Unsqueeze"),
             constant("minus_one", [-1]),
             helper.make_node("Concat", ["batch1", "minus_one"], ["target"], name="/Concat",
                              axis=0),
             helper.make_node("Reshape", ["r", "target"], ["flat"], name="/Reshape"),
             helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["y"], name="/fc/Gemm",
                              transB=1)]
    return make_model(nodes, initializers, [1, 6, 6])


def largest_difference(model, network, X):
    expected = run(model, X.astype(np.float32))[0]
    return float(np.abs(network.predict(X) - expected).max())


# --------------------------------------------------------------------------------------------
# What is read, and how closely it predicts


def test_a_pytorch_style_mlp_predicts_what_onnxruntime_predicts(tmp_path):
    rng = np.random.default_rng(0)
    model = torch_mlp(rng)
    net = imported(model, tmp_path)
    assert net.sizes == (784, 32, 16, 12, 10)
    assert [layer.activation_function.name for layer in net.receiving_layers] == \
        ["relu", "sigmoid", "tanh", "softmax"]
    assert net.output_layer.dtype == np.float32
    assert net.cost_function.name == "cross_entropy" and net.bias_clamp is None
    # the weights are the file's, row j into neuron j (transB=1 stores (out, in))
    w = numpy_helper.to_array(model.graph.initializer[0])
    assert np.array_equal(net.layers[1].weights, w)
    X = rng.uniform(0, 1, (64, 784)).astype(np.float32)
    assert largest_difference(model, net, X) < TOLERANCE


def test_the_mlp_on_mnist_sample_images(tmp_path):
    rng = np.random.default_rng(1)
    model = torch_mlp(rng)
    net = imported(model, tmp_path)
    X, _ = neurograph.datasets.load_mnist(quiet=True).test_set(dtype="float32", limit=1000)
    expected = run(model, X)[0]
    got = net.predict(X)
    assert np.abs(got - expected).max() < TOLERANCE
    assert np.array_equal(got.argmax(axis=1), expected.argmax(axis=1))


def test_a_keras_style_mlp_matmul_add_reshape_identity(tmp_path):
    rng = np.random.default_rng(2)
    model = keras_mlp(rng)
    net = imported(model, tmp_path)
    assert net.sizes == (784, 24, 10) and net.input_layer.shape == (28, 28)
    X = rng.uniform(0, 1, (32, 28, 28)).astype(np.float32)
    expected = run(model, X)[0]
    assert np.abs(net.predict(X.reshape(32, -1)) - expected).max() < TOLERANCE


@pytest.mark.parametrize("pool_then_relu", [False, True])
def test_a_pytorch_style_cnn(tmp_path, pool_then_relu):
    rng = np.random.default_rng(3)
    model = torch_cnn(rng, pool_then_relu)
    net = imported(model, tmp_path)
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["InputLayer", "ConvolutionLayer", "MaxPoolingLayer", "ConvolutionLayer",
                     "AveragePoolingLayer", "HiddenLayer", "OutputLayer"]
    # the Relu after the max pooling is the first convolution's: max(relu(x)) = relu(max(x))
    assert net.layers[1].activation_function.name == "relu"
    assert [layer.shape for layer in net.layers[1:5]] == [(4, 12, 12), (4, 6, 6), (6, 4, 4),
                                                        (6, 2, 2)]
    assert net.layers[1].learn and net.layers[1].padding == 1
    X = rng.standard_normal((40, 144)).astype(np.float32)
    expected = run(model, X.reshape(40, 1, 12, 12))[0]
    assert np.abs(net.predict(X) - expected).max() < TOLERANCE


def test_feature_maps_are_in_onnx_nchw_order(tmp_path):
    """A Gemm after Flatten reads the right columns: the convolution's neurons, propagated by
    the object engine, are onnxruntime's feature maps flattened in NCHW order."""
    rng = np.random.default_rng(4)
    model = torch_cnn(rng)
    net = imported(model, tmp_path)
    model.graph.output.append(helper.make_tensor_value_info("p1", TensorProto.FLOAT,
                                                            ["batch", "c", "h", "w"]))
    x = rng.standard_normal(144).astype(np.float32)
    _, maps = run(model, x.reshape(1, 1, 12, 12))
    net.propagate(x)
    assert np.abs(net.layers[2].activations - maps.reshape(-1)).max() < TOLERANCE


def test_a_keras_style_cnn_with_strides_padding_and_a_bias_added_first(tmp_path):
    rng = np.random.default_rng(5)
    model = keras_cnn(rng)
    net = imported(model, tmp_path)
    conv = net.layers[1]
    assert (conv.stride, conv.padding, conv.shape) == (2, 1, (3, 4, 4))
    assert not conv.biases.any()  # the Conv has no bias input
    X = rng.standard_normal((30, 64)).astype(np.float32)
    assert largest_difference(model, net, X) < TOLERANCE


def test_a_keras_channels_last_cnn_reads_its_dense_columns_in_the_right_order(tmp_path):
    rng = np.random.default_rng(9)
    model = keras_channels_last_cnn(rng)
    net = imported(model, tmp_path)
    assert net.input_layer.shape == (1, 8, 8) and net.layers[2].shape == (3, 3, 3)
    X = rng.uniform(0, 1, (50, 8, 8, 1)).astype(np.float32)
    expected = run(model, X)[0]
    # one channel: channels-last and channels-first inputs have the same flat order
    assert np.abs(net.predict(X.reshape(50, -1)) - expected).max() < TOLERANCE
    # the Dense kernel's row (y, x, c) is the weight from neuron (c, y, x)
    kernel = numpy_helper.to_array(model.graph.initializer[3])
    assert net.output_layer.weights[2, (1 * 3 + 0) * 3 + 2] == kernel[(0 * 3 + 2) * 3 + 1, 2]


def test_a_torch_view_reshape_with_its_shape_computed(tmp_path):
    rng = np.random.default_rng(10)
    model = torch_view_cnn(rng)
    net = imported(model, tmp_path)
    X = rng.standard_normal((20, 36)).astype(np.float32)
    expected = run(model, X.reshape(20, 1, 6, 6))[0]
    assert np.abs(net.predict(X) - expected).max() < TOLERANCE


@pytest.mark.parametrize("auto_pad, stride, padding", [("SAME_UPPER", 1, 1), ("VALID", 2, 0)])
def test_conv_auto_pad(tmp_path, auto_pad, stride, padding):
    rng = np.random.default_rng(11)
    model = make_model(
        [node("Conv", ["x", "k"], ["c"], auto_pad=auto_pad, strides=[stride, stride]),
         node("Flatten", ["c"], ["f"]), node("MatMul", ["f", "w"], ["y"])],
        {"k": weights(rng, 2, 1, 3, 3), "w": weights(rng, 2 * (7 // stride) ** 2, 3,
                                                    scale=0.2)}, [1, 7, 7])
    net = imported(model, tmp_path)
    assert (net.layers[1].stride, net.layers[1].padding) == (stride, padding)
    X = rng.standard_normal((20, 1, 7, 7)).astype(np.float32)
    assert np.abs(net.predict(X.reshape(20, -1)) - run(model, X)[0]).max() < TOLERANCE


def single_kind_models(rng):
    """One model per layer kind, each the kind alone before a dense output layer."""
    image = [1, 2, 9, 9]
    dense = {"b": weights(rng, 5)}
    head = lambda tensor, n: [  # noqa: E731
        helper.make_node("Flatten", [tensor], ["f"]),
        helper.make_node("Gemm", ["f", f"w{n}", "b"], ["y"], transB=1)]
    conv = {"k": weights(rng, 3, 2, 3, 3), "kb": weights(rng, 3)}
    return {
        "dense (Gemm, alpha/beta, transB=0)": (make_model(
            [helper.make_node("Gemm", ["x", "w", "b"], ["y"], alpha=0.5, beta=2.0)],
            {"w": weights(rng, 20, 6, scale=20 ** -0.5), "b": weights(rng, 6)}, [20]), [20]),
        "dense (MatMul+Add)": (make_model(
            [helper.make_node("MatMul", ["x", "w"], ["m"]),
             helper.make_node("Add", ["m", "b"], ["y"])],
            {"w": weights(rng, 20, 6, scale=20 ** -0.5), "b": weights(rng, 6)}, [20]), [20]),
        "convolution": (make_model(
            [helper.make_node("Conv", ["x", "k", "kb"], ["c"], pads=[1, 1, 1, 1])]
            + head("c", 1), {**conv, "w1": weights(rng, 5, 3 * 9 * 9), "b": dense["b"]},
            image[1:]), image[1:]),
        "max pooling": (make_model(
            [helper.make_node("MaxPool", ["x"], ["p"], kernel_shape=[3, 3], strides=[2, 2])]
            + head("p", 2), {"w2": weights(rng, 5, 2 * 4 * 4), "b": dense["b"]}, image[1:]),
            image[1:]),
        "average pooling": (make_model(
            [helper.make_node("AveragePool", ["x"], ["p"], kernel_shape=[3, 3])]
            + head("p", 3), {"w3": weights(rng, 5, 2 * 7 * 7), "b": dense["b"]}, image[1:]),
            image[1:]),
        **{f"activation {op}": (make_model(
            [helper.make_node("Gemm", ["x", "w", "b"], ["g"], transB=1),
             helper.make_node(op, ["g"], ["y"])],
            {"w": weights(rng, 6, 20, scale=1.0), "b": weights(rng, 6)}, [20]), [20])
           for op in ("Relu", "Sigmoid", "Tanh", "Softmax")},
    }


def test_every_layer_kind_alone_is_within_the_tolerance(tmp_path):
    rng = np.random.default_rng(6)
    differences = {}
    for kind, (model, shape) in single_kind_models(rng).items():
        net = imported(model, tmp_path)
        X = rng.standard_normal((200, *shape)).astype(np.float32)
        expected = run(model, X)[0]
        differences[kind] = float(np.abs(net.predict(X.reshape(200, -1)) - expected).max())
    print(differences)  # the figures for the README: pytest -s shows them
    assert len(differences) == 9
    assert max(differences.values()) < TOLERANCE, differences


def test_a_float64_model_gives_a_float64_network(tmp_path):
    rng = np.random.default_rng(7)
    model = make_model([helper.make_node("Gemm", ["x", "w", "b"], ["g"], transB=1),
                        helper.make_node("Sigmoid", ["g"], ["y"])],
                       {"w": rng.standard_normal((3, 4)), "b": rng.standard_normal(3)}, [4],
                       elem=TensorProto.DOUBLE)
    net = imported(model, tmp_path)
    assert net.output_layer.dtype == np.float64 and net.cost_function.name == "quadratic"
    X = rng.standard_normal((10, 4))
    assert np.abs(net.predict(X) - run(model, X)[0]).max() < 1e-12


# --------------------------------------------------------------------------------------------
# The teaching tools work on what was read


def test_explain_draw_and_trace_on_an_imported_cnn(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(8)
    model = torch_cnn(rng)
    net = imported(model, tmp_path)
    X = rng.standard_normal((2, 144)).astype(np.float32)
    predicted = net.predict(X)
    net.propagate(X[0])
    out = net.output_layer[3]
    assert abs(out.activation - predicted[0, 3]) < TOLERANCE
    text = out.explain()
    assert text.startswith("OutputNeuron(layer 6, #3") and "softmax(z)" in text
    # a convolution neuron: map 0, row 0, column 5, against onnxruntime's first Relu output
    model.graph.output.append(helper.make_tensor_value_info("r1", TensorProto.FLOAT,
                                                            ["batch", "c", "h", "w"]))
    maps = run(model, X[:1].reshape(1, 1, 12, 12))[1]
    neuron = net.layers[1][5]
    assert abs(neuron.activation - maps[0, 0, 0, 5]) < TOLERANCE
    text = neuron.explain()
    assert "map 0, row 0, column 5: kernel 0 on rows 0-1, columns 4-6" in text
    assert "a = relu(" in text and len(neuron.inputs) == 6  # the padding cuts the window
    ax = neurograph.draw_network(net)
    assert len(ax.patches) + len(ax.collections) + len(ax.images) > 0
    plt.close(ax.figure)
    Y = np.eye(10)[[1, 7]]
    t = net.trace(X, Y, step_size=0.1)
    propagated = [s for s in t.steps if s.title.startswith("3. propagate sample")]
    assert len(propagated) == 2
    for k, step in enumerate(propagated):
        assert np.abs(step.neuron_values[-1] - predicted[k]).max() < TOLERANCE


# --------------------------------------------------------------------------------------------
# What is refused, in one line


def node(op, inputs, outputs=("y",), **attributes):
    return helper.make_node(op, list(inputs), list(outputs), name=f"the_{op.lower()}",
                            **attributes)


def gemm_after(tensor, n_in, out="y"):
    return (node("Gemm", [tensor, "w", "b"], [out], transB=1),
            {"w": np.ones((2, n_in), np.float32), "b": np.zeros(2, np.float32)})


def image_case(nodes_before, tensor, n_flat, shape=(1, 6, 6)):
    """``nodes_before`` on a ``shape`` image, then Flatten and Gemm."""
    gemm, initializers = gemm_after("flat", n_flat)
    return nodes_before + [node("Flatten", [tensor], ["flat"]), gemm], initializers, list(shape)


def refused_cases():
    k = {"k": np.ones((2, 1, 3, 3), np.float32)}
    cases = {
        "LSTM": ([helper.make_node("LSTM", ["x", "w", "r"], ["y"], name="lstm_1", hidden_size=2)],
                 {}, [4], r"unsupported ONNX operator 'LSTM' \(node 'lstm_1'\); neurograph reads "
                          r"Gemm, MatMul\+Add, Relu"),
        "custom domain": ([helper.make_node("Foo", ["x"], ["y"], name="f", domain="com.example")],
                          {}, [4], r"unsupported ONNX operator 'com.example.Foo' \(node 'f'\)"),
        "transA": ([node("Gemm", ["x", "w", "b"], transA=1)],
                   {"w": np.ones((4, 2), np.float32), "b": np.zeros(2, np.float32)}, [4],
                   r"node 'the_gemm' \(Gemm\): transA=1"),
    }
    convs = {
        "group": (dict(group=2), r"group=2"),
        "dilations": (dict(dilations=[2, 2]), r"dilations \[2, 2\]"),
        "asymmetric pads": (dict(pads=[0, 0, 1, 1]), r"pads \[0, 0, 1, 1\] differ"),
        "uneven strides": (dict(strides=[1, 2]), r"strides \[1, 2\] differ"),
        "SAME with an even kernel": (dict(auto_pad="SAME_UPPER", kernel_shape=[2, 2]),
                                     r"auto_pad=SAME_UPPER pads one side more"),
    }
    for name, (attributes, match) in convs.items():
        side = 2 if name.startswith("SAME") else 3
        kernels = np.ones((2, 2 if name == "group" else 1, side, side), np.float32)
        cases[f"Conv {name}"] = (*image_case([node("Conv", ["x", "k"], ["c"], **attributes)],
                                             "c", 2 * 16, (2 if name == "group" else 1, 6, 6)),
                                 match)
        cases[f"Conv {name}"][1]["k"] = kernels
    pools = {
        "MaxPool with pads": (node("MaxPool", ["x"], ["p"], kernel_shape=[2, 2],
                                   pads=[1, 1, 1, 1]), r"pooling has no padding"),
        "AveragePool not square": (node("AveragePool", ["x"], ["p"], kernel_shape=[2, 3]),
                                   r"kernel_shape \[2, 3\] is not square"),
        "AveragePool ceil_mode": (node("AveragePool", ["x"], ["p"], kernel_shape=[4, 4],
                                       strides=[4, 4], ceil_mode=1), r"ceil_mode=1"),
        "MaxPool indices": (helper.make_node("MaxPool", ["x"], ["p", "i"], name="the_maxpool",
                                             kernel_shape=[2, 2]), r"second output"),
    }
    for name, (pool, match) in pools.items():
        cases[name] = (*image_case([pool], "p", 9), match)
    gemm, dense = gemm_after("x", 4, "g")
    cases.update({
        "Softmax axis 0": ([gemm, node("Softmax", ["g"], axis=0)], dense, [4], r"axis 0"),
        "two activations": ([gemm, node("Relu", ["g"], ["r"]), node("Sigmoid", ["r"])], dense,
                            [4], r"node 'the_sigmoid' \(Sigmoid\): it follows relu"),
        "Add not a bias": ([gemm, node("Relu", ["g"], ["r"]), node("Add", ["r", "b"])], dense,
                           [4], r"Add only as the bias right after a MatMul"),
        "branch": ([gemm, node("Relu", ["g"], ["r"]), node("Sigmoid", ["g"])], dense, [4],
                   r"it reads 'g', not 'r'.*a chain of operators"),
        "weights computed": ([node("Gemm", ["x", "x", "b"], transB=1)], dense, [4],
                             r"its weights B 'x' is computed in the graph"),
        "Reshape to 3-D": ([node("Reshape", ["x", "s"], ["r"]), *gemm_after("r", 4)[:1]],
                           {**dense, "s": np.array([0, 2, 2])}, [4],
                           r"shape \[0, 2, 2\] is not read"),
        "ends in a convolution": ([node("Conv", ["x", "k"])], k, [1, 6, 6],
                                  r"ends with node 'the_conv' \(Conv\), not a fully connected"),
        "activation after average pooling": (
            *image_case([node("AveragePool", ["x"], ["p"], kernel_shape=[2, 2]),
                         node("Relu", ["p"], ["r"])], "r", 9),
            r"it follows node 'the_averagepool' \(AveragePool\), a pooling layer"),
        "Softmax on a hidden layer": (
            [gemm, node("Softmax", ["g"], ["s"]), node("Gemm", ["s", "w2", "b"], transB=1)],
            {**dense, "w2": np.ones((2, 2), np.float32)}, [4],
            r"node 'the_softmax' \(Softmax\) ends a hidden layer"),
        "Flatten axis 2": (*image_case([node("Flatten", ["x"], ["f2"], axis=2)], "f2", 36),
                           r"axis=2 is not read"),
        "Transpose of a 3-channel input": (
            *image_case([node("Transpose", ["x"], ["t"], perm=[0, 3, 1, 2])], "t", 108,
                        (6, 6, 3)), r"perm \[0, 3, 1, 2\] on \[None, 6, 6, 3\].*one-channel"),
        "Transpose elsewhere": (
            *image_case([node("Transpose", ["x"], ["t"], perm=[0, 1, 3, 2])], "t", 36),
            r"perm \[0, 1, 3, 2\] on \[None, 1, 6, 6\] is not read"),
        "Conv on channels-last": (
            *image_case([node("Transpose", ["x"], ["t"], perm=[0, 2, 3, 1]),
                         node("Conv", ["t", "k"], ["c"])], "c", 2 * 16),
            r"a channels-last image \(after a Transpose\)"),
        "Gather on data": (
            [node("Gather", ["x", "i"], ["g"], axis=1), *gemm_after("g", 4)[:1]],
            {**dense, "i": np.arange(4)}, [4], r"it reads 'x', which is not a shape"),
        "invalid attribute (the checker's line)": (
            [node("Relu", ["x"], ["r"], alpha=0.1)], {}, [4],
            r"not a valid ONNX model \(Unrecognized attribute: alpha for operator Relu\)"),
    })
    cases["Conv on channels-last"][1].update(k)
    return cases


CASES = refused_cases()


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_in_one_line_naming_the_problem(tmp_path, case):
    nodes, initializers, shape, match = CASES[case]
    model = make_model(nodes, initializers, shape)
    path = tmp_path / "refused.onnx"
    onnx.save(model, str(path))
    with pytest.raises(ModelFileError, match=match) as caught:
        neurograph.from_onnx(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message


def test_two_outputs_an_integer_input_and_too_many_dimensions(tmp_path):
    gemm, dense = gemm_after("x", 4, "g")
    cases = [
        (make_model([gemm, node("Relu", ["g"])], dense, [4], extra_outputs=("g",)),
         r"outputs are \['y', 'g'\].*one output"),
        (make_model([node("Relu", ["x"])], {}, [4], elem=TensorProto.INT64), r"holds INT64"),
        (make_model([node("Relu", ["x"])], {}, [1, 2, 3, 4]), r"has shape \['\?', 1, 2, 3, 4\]"),
    ]
    for k, (model, match) in enumerate(cases):
        path = tmp_path / f"m{k}.onnx"
        onnx.save(model, str(path))
        with pytest.raises(ModelFileError, match=match):
            neurograph.from_onnx(path)


def test_not_an_onnx_file_and_a_missing_file(tmp_path):
    text = tmp_path / "notes.onnx"
    text.write_text("this is not a model\n" * 20)
    with pytest.raises(ModelFileError, match=r"notes.onnx: not an ONNX model") as caught:
        neurograph.from_onnx(text)
    assert "\n" not in str(caught.value)
    json_file = tmp_path / "model.json"
    neurograph.Network.layered([2, 2], seed=0).save(json_file)
    with pytest.raises(ModelFileError, match=r"model.json: not an ONNX model"):
        neurograph.from_onnx(json_file)
    with pytest.raises(FileNotFoundError, match="missing.onnx"):
        neurograph.from_onnx(tmp_path / "missing.onnx")
    with pytest.raises(TypeError, match="`path` must be a str"):
        neurograph.from_onnx(42)
