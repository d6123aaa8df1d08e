"""A network out to ONNX and back: what to_onnx writes, from_onnx reads, with the input scaling
(Network.input_scaling, as `neurograph train --standardize` keeps it) and leaky ReLU, and
onnxruntime agreeing with predict on raw rows."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from neurograph import Network, from_onnx  # noqa: E402
from neurograph.io import ModelFileError  # noqa: E402

TOLERANCE = 1e-5


def scaled_network(activation="leaky_relu"):
    net = Network.layered([4, 6, 5, 3], activation=activation, output_activation="softmax",
                          cost="cross_entropy", init="he", seed=3, bias_clamp=None,
                          dtype="float32")
    net.input_scaling = ([10.0, -2.0, 0.5, 300.0], [2.0, 0.5, 1.0, 40.0])
    return net


def raw_rows(n=200):
    rng = np.random.default_rng(0)
    return (rng.standard_normal((n, 4)) * [2.0, 0.5, 1.0, 40.0] + [10.0, -2.0, 0.5, 300.0])


def test_the_input_scaling_goes_out_as_sub_and_div_and_onnxruntime_reads_raw_rows(tmp_path):
    net, X = scaled_network(), raw_rows()
    path = tmp_path / "scaled.onnx"
    net.to_onnx(path)
    model = onnx.load(str(path))
    assert [n.op_type for n in model.graph.node][:2] == ["Sub", "Div"]
    assert [n.name for n in model.graph.node][:2] == ["input_scaling_centred",
                                                      "input_scaling_scaled"]
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    theirs = session.run(["output"], {"input": X.astype(np.float32)})[0]
    assert np.max(np.abs(theirs - net.predict(X))) <= TOLERANCE
    # without the scaling the same weights give other outputs: the nodes are what matched
    bare = scaled_network()
    bare.input_scaling = None
    assert np.max(np.abs(theirs - bare.predict(X))) > 0.01


def test_out_and_back_keeps_the_scaling_the_activations_and_the_outputs(tmp_path):
    net, X = scaled_network(), raw_rows()
    path = tmp_path / "scaled.onnx"
    net.to_onnx(path)
    back = from_onnx(path)
    mean, scale = back.input_scaling
    np.testing.assert_allclose(mean, net.input_scaling[0], rtol=1e-6)
    np.testing.assert_allclose(scale, net.input_scaling[1], rtol=1e-6)
    assert [layer.activation_function.name for layer in back.receiving_layers] == \
        ["leaky_relu", "leaky_relu", "softmax"]
    assert np.max(np.abs(back.predict(X) - net.predict(X))) <= TOLERANCE


def _model(nodes, initializers, n=3):
    graph = helper.make_graph(
        nodes, "test", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", n])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2])],
        initializer=[numpy_helper.from_array(np.asarray(v, dtype=np.float32), k)
                     for k, v in initializers.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


W = np.arange(6, dtype=np.float32).reshape(2, 3) / 10


@pytest.mark.parametrize("nodes, initializers, match", [
    ([helper.make_node("Gemm", ["x", "W"], ["z"], transB=1),
      helper.make_node("Sub", ["z", "m"], ["y"])], {"W": W, "m": [1.0, 2.0]},
     r"node #1 .*\(Sub\): neurograph reads Sub and Div only as the input's scaling"),
    ([helper.make_node("Div", ["x", "s"], ["d"]), helper.make_node("Div", ["d", "s"], ["e"]),
      helper.make_node("Gemm", ["e", "W"], ["y"], transB=1)], {"W": W, "s": [2.0, 2.0, 2.0]},
     r"\(Div\): neurograph reads Sub and Div only as the input's scaling"),
    ([helper.make_node("Div", ["x", "s"], ["d"]),
      helper.make_node("Gemm", ["d", "W"], ["y"], transB=1)], {"W": W, "s": [2.0, 0.0, 1.0]},
     r"\(Div\): its second input must be a positive scale"),
    ([helper.make_node("Gemm", ["x", "W"], ["z"], transB=1),
      helper.make_node("LeakyRelu", ["z"], ["y"], alpha=0.2)], {"W": W},
     r"\(LeakyRelu\): alpha=0.2: neurograph's leaky_relu has the slope 0.01"),
])
def test_what_is_not_input_scaling_or_neurographs_leaky_relu_is_refused(tmp_path, nodes,
                                                                         initializers, match):
    path = tmp_path / "m.onnx"
    onnx.save(_model(nodes, initializers), str(path))
    with pytest.raises(ModelFileError, match=match):
        from_onnx(path)


def test_a_scaling_by_sub_alone_reads_as_scale_one(tmp_path):
    nodes = [helper.make_node("Sub", ["x", "m"], ["c"]),
             helper.make_node("Gemm", ["c", "W"], ["y"], transB=1)]
    path = tmp_path / "m.onnx"
    model = _model(nodes, {"W": W, "m": [1.0, 2.0, 3.0]})
    onnx.save(model, str(path))
    net = from_onnx(path)
    np.testing.assert_array_equal(net.input_scaling[1], [1.0, 1.0, 1.0])
    X = np.random.default_rng(1).standard_normal((20, 3)).astype(np.float32)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    assert np.max(np.abs(session.run(None, {"x": X})[0] - net.predict(X))) <= TOLERANCE


def test_out_and_back_keeps_the_class_names_and_the_input_column_names(tmp_path):
    net = scaled_network()
    net.output_labels, net.input_labels = ["high", "low", "mid"], ["a", "b", "c", "d"]
    path = tmp_path / "labelled.onnx"
    net.to_onnx(path)
    back = from_onnx(path)
    assert back.output_labels == ["high", "low", "mid"]
    assert back.input_labels == ["a", "b", "c", "d"]


def test_a_skip_connection_going_out_is_refused_coming_back_naming_what_it_is(tmp_path):
    path = tmp_path / "skip.onnx"
    Network.layered([4, 5, 3], connect="all", seed=0).to_onnx(path)
    with pytest.raises(ModelFileError, match=r"\(Concat\): it joins .*a layer reading several "
                                             r"layers \(a skip connection\) is not read"):
        from_onnx(path)


@pytest.mark.parametrize("node, match", [
    (helper.make_node("LogSoftmax", ["z"], ["y"], axis=1),
     r"unsupported ONNX operator 'LogSoftmax' .*gives probabilities, not their logarithms"),
    (helper.make_node("BatchNormalization", ["z", "s", "b", "m", "v"], ["y"]),
     r"unsupported ONNX operator 'BatchNormalization' .*fold it into the layer before"),
])
def test_common_exporter_endings_get_a_hint_not_the_list(tmp_path, node, match):
    ones = np.ones(2, dtype=np.float32)
    model = _model([helper.make_node("Gemm", ["x", "W"], ["z"], transB=1), node],
                   {"W": W, "s": ones, "b": ones, "m": ones, "v": ones})
    path = tmp_path / "m.onnx"
    onnx.save(model, str(path))
    with pytest.raises(ModelFileError, match=match) as caught:
        from_onnx(path)
    assert "neurograph reads Gemm" not in str(caught.value)


def test_a_grouped_convolution_is_refused_for_its_groups(tmp_path):
    kernels = np.ones((4, 1, 3, 3), dtype=np.float32)  # two groups of one channel each
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "K"], ["c"], group=2),
         helper.make_node("Flatten", ["c"], ["f"]),
         helper.make_node("Gemm", ["f", "W"], ["y"], transB=1)], "grouped",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 2, 5, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2])],
        initializer=[numpy_helper.from_array(kernels, "K"),
                     numpy_helper.from_array(np.ones((2, 36), dtype=np.float32), "W")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = tmp_path / "g.onnx"
    onnx.save(model, str(path))
    with pytest.raises(ModelFileError, match=r"\(Conv\): group=2 is not read"):
        from_onnx(path)
