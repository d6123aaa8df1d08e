"""Your own data: neurograph.io.tables (CSV/NPZ read strictly), `neurograph train`, and the
input scaling a network applies at its boundary and its model file keeps (issue 17, point 2)."""
import json
import re

import numpy as np
import pytest

from neurograph import Network, load
from neurograph.io import ModelFileError
from neurograph.io.tables import (MAX_GUESSED_CLASSES, Table, guess_task, read_table,
                                  split_rows, standardization)
from test_cli import assert_one_line_error, run


def blobs(n=240, seed=0):
    """Two inputs on very different scales; the class is which side of a line a row is on."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 10.0, 100.0] + [0.0, 50.0, 1000.0]
    kind = np.where(X[:, 0] + (X[:, 1] - 50) / 10 > 0, "yes", "no")
    return X, kind


def write_csv(path, header, rows):
    path.write_text(",".join(header) + "\n" + "".join(",".join(map(str, row)) + "\n"
                                                      for row in rows))
    return path


@pytest.fixture
def labelled_csv(tmp_path):
    X, kind = blobs()
    return write_csv(tmp_path / "blobs.csv", ["a", "b", "c", "kind"],
                     [[*map(repr, x), k] for x, k in zip(X.tolist(), kind)]), X, kind


# -- reading -----------------------------------------------------------------------------------


def test_a_csv_with_text_labels_is_classification_one_hot_with_class_names(labelled_csv):
    path, X, kind = labelled_csv
    table = read_table(path)
    assert table.task == "classification" and table.classes == ["no", "yes"]
    assert table.input_names == ["a", "b", "c"] and table.target_names == ["kind"]
    np.testing.assert_array_equal(table.X, X)  # repr round-trips every float
    np.testing.assert_array_equal(table.Y[:, 1], (kind == "yes").astype(float))
    np.testing.assert_array_equal(table.Y.sum(axis=1), 1.0)


@pytest.mark.parametrize("cells, task", [
    (["cat", "dog", "cat"], "classification"),
    (["0", "1", "2", "1"], "classification"),
    ([str(k) for k in range(MAX_GUESSED_CLASSES)], "classification"),
    ([str(k) for k in range(MAX_GUESSED_CLASSES + 1)], "regression"),
    (["0.5", "1", "2"], "regression"),
    (["1", "x", "y"], "classification"),  # mostly text: labels
    (["1", "2", "y", "z"], "classification"),  # half text
    (["1", "2.5", "3", "x"], "regression"),  # mostly numbers: "x" is refused as text
])
def test_the_task_guess_follows_the_documented_rule(cells, task):
    assert guess_task([cells]) == task
    assert guess_task([cells, cells]) == "regression"  # several target columns


def test_several_target_columns_and_forced_tasks(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["x", "y1", "y2", "y3"],
                     [[k, k % 3, 2.5 * k, 0.5 + k % 2] for k in range(12)])
    table = read_table(path, target=["y1", "y2"])
    assert table.task == "regression" and table.Y.shape == (12, 2)
    np.testing.assert_array_equal(table.Y[:, 1], 2.5 * np.arange(12))
    assert read_table(path, target="y1").task == "classification"  # 0, 1, 2
    forced = read_table(path, target="y1", task="regression")
    np.testing.assert_array_equal(forced.Y[:, 0], np.arange(12) % 3)
    assert read_table(path, target="y3").task == "regression"
    labels = read_table(path, target="y3", task="classification")
    assert labels.classes == ["0.5", "1.5"]
    np.testing.assert_array_equal(labels.labels, np.arange(12) % 2)
    with pytest.raises(ValueError, match="12 distinct labels in 12 rows"):
        read_table(path, target="y2", task="classification")
    with pytest.raises(ValueError, match="one target column"):
        read_table(path, target=["y1", "y2"], task="classification")


def test_npz_labels_one_hot_and_values(tmp_path):
    X, kind = blobs(60)
    np.savez(tmp_path / "labels.npz", X=X, Y=(kind == "yes").astype(int))
    np.savez(tmp_path / "onehot.npz", X=X, Y=np.eye(3)[np.arange(60) % 3])
    np.savez(tmp_path / "values.npz", X=X, Y=X[:, :2] * 0.5)
    table = read_table(tmp_path / "labels.npz")
    assert table.task == "classification" and table.classes == ["0", "1"]
    np.testing.assert_array_equal(table.Y[:, 1], kind == "yes")
    onehot = read_table(tmp_path / "onehot.npz")
    assert onehot.task == "classification" and onehot.classes == ["0", "1", "2"]
    np.testing.assert_array_equal(onehot.labels, np.arange(60) % 3)
    values = read_table(tmp_path / "values.npz")
    assert values.task == "regression"
    np.testing.assert_array_equal(values.Y, X[:, :2] * 0.5)


BAD_CSV = [  # (file text, --target, what the one line must name)
    ("a,b,y\n1,2,p\n3,,q\n", None, ["row 3", "column 'b'", "missing value"]),
    ("a,b,y\n1,2,p\n3,NA,q\n", None, ["row 3", "column 'b'", "missing value ('NA')"]),
    ("a,b,y\n1,2,p\n3,4,q\n5,abc,p\n", None, ["row 4", "column 'b'", "text 'abc'"]),
    ("a,b,y\n1,2,p\n3,inf,q\n", None, ["row 3", "column 'b'", "not finite"]),
    ("a,b,y\n1,2,p\n3,4\n", None, ["row 3", "2 values", "names 3 columns"]),
    ("a,b,y\n1,2,p\n3,4,q\n", "z", ["target column 'z'", "row 1", "'a', 'b', 'y'"]),
    ("a,b,y\n1,2,p\n3,4,p\n", None, ["column 'y'", "one class only ('p')"]),
    ("a,b,y\n1,2,p\n3,4,\n", None, ["row 3", "column 'y'", "missing value"]),
    ("a,b,y\n", None, ["no data rows", "row 1"]),
    ("", None, ["empty", "header row"]),
    ("1,2,3\n4,5,6\n", None, ["row 1", "header", "number '1'"]),
    ("a,a,y\n1,2,p\n", None, ["row 1", "'a' twice"]),
    ("a;b;y\n1;2;p\n", None, ["row 1", "one column, 'a;b;y'", "separated by commas"]),
    ("a,b,y\n\n1,2,p\n\n3,x,q\n", None, ["row 5", "column 'b'"]),  # blank lines counted
    ("a,y\n" + "".join(f"{k},{k / 7}\n" for k in range(8)) + "9,1.5x\n", None,
     ["row 10", "column 'y'", "text '1.5x' in a numeric column"]),  # mostly numbers
    ("a,y\n" + "".join(f"{k},id{k}\n" for k in range(9)), None,
     ["9 distinct labels in 9 rows", "too many classes"]),
]


@pytest.mark.parametrize("text, target, needles", BAD_CSV)
def test_a_bad_csv_is_refused_in_one_line_and_nothing_is_written(capsys, tmp_path, text,
                                                                 target, needles):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    model = tmp_path / "model.json"
    with pytest.raises(ValueError) as error:
        read_table(path, target)
    assert str(path) in str(error.value)
    argv = ["train", "--data", path, "-o", model, "--quiet"]
    code, out, err = run(capsys, *argv, *(["--target", target] if target else []))
    assert code == 1 and out == ""
    assert_one_line_error(err, str(path), *needles)
    assert not model.exists()


def _npz(path, **arrays):
    with open(path, "wb") as file:
        np.savez(file, **arrays)
    return path


@pytest.mark.parametrize("arrays, needles", [
    ({"X": np.zeros((3, 2))}, ["no array 'Y'", "'X'"]),
    ({"Y": np.zeros(3)}, ["no array 'X'"]),
    ({"X": np.zeros((3, 2)), "Y": np.arange(4) % 2}, ["n = 3 rows of X", "(4,)"]),
    ({"X": np.zeros(3), "Y": np.arange(3) % 2}, ["X must be a 2-D array"]),
    ({"X": np.array([[0.0, 1.0], [np.nan, 2.0]]), "Y": np.arange(2)},
     ["X row 1, column 0", "not a finite number"]),
    ({"X": np.zeros((3, 2)), "Y": np.ones(3, dtype=int)}, ["one class only ('1')"]),
])
def test_a_bad_npz_is_refused_in_one_line(capsys, tmp_path, arrays, needles):
    path = _npz(tmp_path / "bad.npz", **arrays)
    model = tmp_path / "model.json"
    code, out, err = run(capsys, "train", "--data", path, "-o", model, "--quiet")
    assert code == 1
    assert_one_line_error(err, str(path), *needles)
    assert not model.exists()


# -- splitting and scaling ------------------------------------------------------------------------


def test_the_split_is_stratified_disjoint_and_seeded():
    labels = np.repeat([0, 1, 2], [50, 30, 20])
    table = Table(np.zeros((100, 1)), np.eye(3)[labels], ["x"], ["y"], "classification",
                  classes=["a", "b", "c"], labels=labels)
    train, test = split_rows(table, 0.2, seed=3)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(100))
    assert np.bincount(labels[test]).tolist() == [10, 6, 4]
    again = split_rows(table, 0.2, seed=3)[1]
    other = split_rows(table, 0.2, seed=4)[1]
    np.testing.assert_array_equal(again, test)
    assert not np.array_equal(other, test)


def test_many_small_classes_still_hold_out_the_share_asked_for_and_train_on_every_class():
    # 30 classes of 2 rows: rounding each class's fifth alone held out 1 row of 60, not 12
    labels = np.repeat(np.arange(30), 2)
    table = Table(np.zeros((60, 1)), np.eye(30)[labels], ["x"], ["y"], "classification",
                  classes=[str(k) for k in range(30)], labels=labels)
    train, test = split_rows(table, 0.2, seed=0)
    assert len(test) == 12 and len(train) == 48
    assert sorted(set(labels[train].tolist())) == list(range(30))  # every class trains


def test_a_split_that_would_leave_a_class_untrained_is_refused(tmp_path, capsys):
    # two rows of two classes: holding one out left one class to train on, and a 0% score
    path = write_csv(tmp_path / "tworow.csv", ["a", "y"], [[1.0, 0], [2.0, 1]])
    code, out, err = run(capsys, "train", "--data", path, "-o", tmp_path / "m.json")
    assert code == 1 and not (tmp_path / "m.json").exists()
    assert_one_line_error(err, "tworow.csv: every class has a single row")


def test_standardization_takes_a_constant_columns_scale_as_one():
    X = np.array([[1.0, 7.0, 0.0], [3.0, 7.0, 4.0], [8.0, 7.0, 2.0]])
    mean, scale = standardization(X)
    np.testing.assert_allclose(mean, [4.0, 7.0, 2.0])
    np.testing.assert_allclose(scale, [np.sqrt(26 / 3), 1.0, np.sqrt(8 / 3)])


@pytest.mark.parametrize("value, message", [
    (([0.0], [1.0, 1.0]), "mean must be 2 finite"),
    (([0.0, 0.0], [1.0, 0.0]), "scale must be positive"),
    (([0.0, np.nan], [1.0, 1.0]), "mean must be 2 finite"),
    ("mean", "pair"),
])
def test_input_scaling_refuses_bad_values_and_changes_nothing(value, message):
    net = Network.layered([2, 1], seed=0)
    net.input_scaling = ([1.0, 2.0], [3.0, 4.0])
    with pytest.raises(ValueError, match=message):
        net.input_scaling = value
    np.testing.assert_array_equal(net.input_scaling[1], [3.0, 4.0])


def test_fit_predict_and_evaluate_on_raw_rows_equal_the_same_on_scaled_rows():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, 3)) * [1.0, 20.0, 300.0] + [0.0, 5.0, -40.0]
    Y = np.eye(2)[(X[:, 0] > 0).astype(int)]
    mean, scale = X.mean(axis=0), X.std(axis=0)
    raw = Network.layered([3, 5, 2], activation="tanh", output_activation="softmax",
                          cost="cross_entropy", seed=2)
    raw.input_scaling = (mean, scale)
    scaled = Network.layered([3, 5, 2], activation="tanh", output_activation="softmax",
                             cost="cross_entropy", seed=2)
    Z = (X - mean) / scale  # written out here, not by the code under test
    history = raw.fit(X, Y, epochs=3, batch_size=8, learning_rate=0.1, seed=0, progress=False,
                      validation=(X[:16], Y[:16]))
    reference = scaled.fit(Z, Y, epochs=3, batch_size=8, learning_rate=0.1, seed=0,
                           progress=False, validation=(Z[:16], Y[:16]))
    assert history.validation_cost == reference.validation_cost
    for a, b in zip(raw.receiving_layers, scaled.receiving_layers):
        np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(raw.predict(X), scaled.predict(Z))
    assert raw.evaluate(X, Y) == scaled.evaluate(Z, Y)
    np.testing.assert_array_equal(raw.scale_inputs(X), Z)


def test_the_model_file_keeps_the_scaling_and_refuses_a_bad_one(tmp_path):
    net = Network.layered([2, 3, 1], activation="tanh", seed=0, dtype="float32")
    net.input_scaling = ([1.5, -2.0], [0.1, 30.0])
    path = tmp_path / "scaled.json"
    net.save(path)
    again = load(path)
    np.testing.assert_array_equal(again.input_scaling[0], [1.5, -2.0])
    np.testing.assert_array_equal(again.input_scaling[1], [0.1, 30.0])
    X = np.array([[2.0, 100.0], [0.0, -50.0]])
    np.testing.assert_array_equal(again.predict(X), net.predict(X))
    plain = Network.layered([2, 3, 1], activation="tanh", seed=0)
    plain.save(tmp_path / "plain.json")
    assert "input_scaling" not in (tmp_path / "plain.json").read_text()
    assert load(tmp_path / "plain.json").input_scaling is None
    document = json.loads(path.read_text())
    for scaling, message in [({"mean": [0.0, 0.0], "scale": [1.0, -1.0]}, r"scale\[1\]"),
                             ({"mean": [0.0], "scale": [1.0, 1.0]}, "2 numbers"),
                             ({"mean": [0.0, 0.0]}, "lacks the field 'scale'")]:
        document["input_scaling"] = scaling
        (tmp_path / "bad.json").write_text(json.dumps(document))
        with pytest.raises(ModelFileError, match=message):
            load(tmp_path / "bad.json")
    del document["input_scaling"]
    document["input_labels"] = ["u", "v"]
    (tmp_path / "named.json").write_text(json.dumps(document))
    assert load(tmp_path / "named.json").input_labels == ["u", "v"]
    for labels, message in [(["u"], "one label per input neuron"), ([1, 2], "list of strings")]:
        document["input_labels"] = labels
        (tmp_path / "bad.json").write_text(json.dumps(document))
        with pytest.raises(ModelFileError, match=message):
            load(tmp_path / "bad.json")


# -- the command ----------------------------------------------------------------------------------


def test_train_classifies_a_csv_and_the_saved_model_predicts_raw_rows(capsys, tmp_path,
                                                                      labelled_csv):
    path, X, kind = labelled_csv
    model = tmp_path / "blobs.json"
    code, out, err = run(capsys, "train", "--data", path, "--standardize", "--epochs", 30,
                         "--seed", 1, "-o", model, "--quiet")
    assert code == 0, err
    assert "classification of 'kind' into 2 classes: no, yes" in out
    assert f"model written to {model}" in out
    net = load(model)
    assert net.output_labels == ["no", "yes"] and net.sizes == (3, 16, 16, 2)
    assert "input scaling: (x - mean) / scale" in run(capsys, "info", model)[1]
    train, test = split_rows(read_table(path), 0.2, seed=1)
    assert f"({len(train)} to train on, {len(test)} held out)" in out
    np.testing.assert_allclose(net.input_scaling[0], X[train].mean(axis=0))
    np.testing.assert_allclose(net.input_scaling[1], X[train].std(axis=0))
    predicted = np.array(["no", "yes"])[net.predict(X[test]).argmax(axis=1)]
    accuracy = float(re.search(r"test accuracy: ([\d.]+)%", out).group(1)) / 100
    assert accuracy == pytest.approx(np.mean(predicted == kind[test]), abs=5e-5)
    assert accuracy > 0.85  # a line through the middle of two inputs scaled 1 : 10
    net.input_scaling = None  # scaling by hand gives the same outputs
    mean, scale = X[train].mean(axis=0), X[train].std(axis=0)
    np.testing.assert_allclose(net.predict((X[test] - mean) / scale),
                               load(model).predict(X[test]), rtol=1e-12, atol=1e-12)


def test_train_regression_prints_the_rmse_of_the_saved_model(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(300, 2)) * [1.0, 100.0]
    y = np.column_stack([X[:, 0] + X[:, 1] / 100, X[:, 0] - X[:, 1] / 100])
    path = write_csv(tmp_path / "plane.csv", ["u", "v", "s", "d"],
                     [[*map(repr, row)] for row in np.column_stack([X, y]).tolist()])
    model = tmp_path / "plane.json"
    code, out, err = run(capsys, "train", "--data", path, "--target", "s", "d", "--standardize",
                         "--epochs", 40, "--hidden", 8, "-o", model, "--quiet")
    assert code == 0, err
    assert "regression of 's', 'd'" in out
    net = load(model)
    assert net.output_layer.activation_function.name == "identity"
    assert net.cost_function.name == "quadratic"
    _, test = split_rows(read_table(path, ["s", "d"]), 0.2, seed=0)
    rmse = float(re.search(r"test RMSE: ([\d.e-]+)", out).group(1))
    assert rmse == pytest.approx(np.sqrt(np.mean((net.predict(X[test]) - y[test]) ** 2)),
                                 rel=1e-3)
    assert rmse < 0.5 * y.std()  # it learned something: better than predicting the mean


def test_train_on_an_npz_file(capsys, tmp_path):
    X, kind = blobs(200, seed=5)
    path = _npz(tmp_path / "blobs.npz", X=X, Y=(kind == "yes").astype(np.int64))
    model = tmp_path / "npz.json"
    code, out, err = run(capsys, "train", "--data", path, "--standardize", "--optimizer",
                         "adam", "--learning-rate", 0.01, "-o", model, "--quiet")
    assert code == 0, err
    assert "into 2 classes: 0, 1" in out and load(model).optimizer.name == "adam"


@pytest.mark.parametrize("flags, needle", [
    (["--test-fraction", "1.5"], "--test-fraction"),
    (["--learning-rate", "-1"], "--learning-rate"),
    (["--epochs", "0"], "--epochs"),
    (["--hidden", "0"], "--hidden"),
    (["--activation", "wobbly"], "wobbly"),
    (["--activation", "softmax"], "output layer only"),
    (["--hidden", "100000", "1000"], "more than the limit"),
    (["-o", "model.txt"], "must end in .json"),
    (["--task", "clustering"], "--task"),
])
def test_train_refuses_bad_flags_before_reading(capsys, tmp_path, flags, needle):
    # a file that is not there: the flags are refused (exit code 2) before it is looked for
    code, out, err = run(capsys, "train", "--data", tmp_path / "absent.csv", *flags)
    assert code == 2
    assert_one_line_error(err, needle)


def test_train_refuses_a_missing_file_and_an_npz_with_a_target(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--data", tmp_path / "none.csv",
                       "-o", tmp_path / "m.json")
    assert code == 1
    assert_one_line_error(err, "none.csv")
    path = _npz(tmp_path / "d.npz", X=np.zeros((4, 2)), Y=np.arange(4) % 2)
    code, _, err = run(capsys, "train", "--data", path, "--target", "y",
                       "-o", tmp_path / "m.json")
    assert code == 1
    assert_one_line_error(err, "array Y")
    assert not (tmp_path / "m.json").exists()


def test_train_has_help(capsys):
    code, out, _ = run(capsys, "train", "--help")
    assert code == 0 and "--standardize" in out and "--momentum" in out
    assert "by default 0.01 for sgd" in " ".join(out.split())


def test_predict_reads_a_csvs_columns_by_name_and_scales_the_raw_rows(capsys, tmp_path,
                                                                       labelled_csv):
    path, X, kind = labelled_csv
    model = tmp_path / "blobs.json"
    assert run(capsys, "train", "--data", path, "--standardize", "-o", model, "--quiet")[0] == 0
    net = load(model)
    assert net.input_labels == ["a", "b", "c"]
    shuffled = write_csv(tmp_path / "new.csv", ["c", "note", "a", "b"],  # other order, a note
                         [[repr(x[2]), "n", repr(x[0]), repr(x[1])] for x in X[:5].tolist()])
    code, out, err = run(capsys, "predict", model, shuffled, path)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 5 + len(X)
    outputs = net.predict(X)
    for k, line in enumerate(lines[:5]):
        label, probability = re.fullmatch(rf"{re.escape(str(shuffled))} row {k + 2}: "
                                          r"(\w+) \(probability ([\d.]+)\)", line).groups()
        assert label == ["no", "yes"][outputs[k].argmax()]
        assert float(probability) == pytest.approx(outputs[k].max(), abs=5e-5)
    assert lines[5].startswith(f"{path} row 2: ")
    np.savez(tmp_path / "rows.npz", X=X[:3])
    code, out, _ = run(capsys, "predict", model, tmp_path / "rows.npz")
    npz_line = lines[0].replace(f"{shuffled} row 2", f"{tmp_path / 'rows.npz'} X[0]")
    assert code == 0 and out.splitlines()[0] == npz_line


def test_predict_prints_each_regression_output_by_name(capsys, tmp_path):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 2))
    rows = np.column_stack([X, X @ [[1, 1], [1, -1]]]).tolist()
    path = write_csv(tmp_path / "r.csv", ["p", "q", "s", "d"], [[*map(repr, r)] for r in rows])
    model = tmp_path / "r.json"
    assert run(capsys, "train", "--data", path, "--target", "s", "d", "--epochs", 2, "-o", model,
               "--quiet")[0] == 0
    code, out, err = run(capsys, "predict", model, path)
    assert code == 0, err
    outputs = load(model).predict(X)
    first = re.fullmatch(rf"{re.escape(str(path))} row 2: s (\S+), d (\S+)", out.splitlines()[0])
    np.testing.assert_allclose([float(v) for v in first.groups()], outputs[0], rtol=1e-5)


def test_predict_refuses_a_csv_without_the_models_columns(capsys, tmp_path, labelled_csv):
    model = tmp_path / "blobs.json"
    assert run(capsys, "train", "--data", labelled_csv[0], "-o", model, "--quiet")[0] == 0
    wrong = write_csv(tmp_path / "wrong.csv", ["a", "b", "z"], [[1, 2, 3]])
    code, out, err = run(capsys, "predict", model, wrong)
    assert code == 1 and out == ""
    assert_one_line_error(err, str(wrong), "column 'c'", "not in the header (row 1)")
    bad = write_csv(tmp_path / "bad.csv", ["a", "b", "c"], [[1, 2, 3], [1, "x", 3]])
    code, out, err = run(capsys, "predict", model, labelled_csv[0], bad)
    assert code == 1 and out == ""  # every file is read before anything is printed
    assert_one_line_error(err, "row 3", "column 'b'", "text 'x'")
    code, _, err = run(capsys, "predict", model, wrong, tmp_path / "digit.png")
    assert code == 2
    assert_one_line_error(err, "not both")


def test_formats_that_cannot_scale_inputs_refuse_a_scaling_network(capsys, tmp_path):
    from neurograph.web.export import network_spec

    net = Network.layered([2, 1], seed=0)
    net.input_scaling = ([1.0, 2.0], [3.0, 4.0])
    with pytest.raises(ValueError, match="input_scaling"):
        network_spec(net)
    with pytest.raises(ValueError, match="input_scaling"):
        net.save(tmp_path / "post.json", format="post")
    assert not (tmp_path / "post.json").exists()
    net.save(tmp_path / "model.json")
    code, _, err = run(capsys, "convert", tmp_path / "model.json", tmp_path / "post.json",
                       "--format", "post")
    assert code == 1 and not (tmp_path / "post.json").exists()
    assert_one_line_error(err, "input_scaling")
    net.input_scaling = None
    net.save(tmp_path / "post.json", format="post")  # without it, the same network is fine
    assert load(tmp_path / "post.json").sizes == (2, 1)


def test_a_damaged_npz_file_is_named_in_one_line(tmp_path, capsys):
    path = tmp_path / "f.npz"
    path.write_bytes(b"PK\x03\x04garbage")
    code, out, err = run(capsys, "train", "--data", path, "-o", tmp_path / "m.json")
    assert code == 1 and not (tmp_path / "m.json").exists()
    assert_one_line_error(err, "f.npz: not a readable NPZ file")
    assert "unexpected error" not in err


def test_a_non_finite_npz_value_is_shown_as_a_number(tmp_path, capsys):
    X = np.ones((4, 2))
    X[2, 1] = np.nan
    path = tmp_path / "n.npz"
    np.savez(path, X=X, Y=np.array([0, 1, 0, 1]))
    code, out, err = run(capsys, "train", "--data", path, "-o", tmp_path / "m.json")
    assert code == 1
    assert_one_line_error(err, "n.npz: X row 2, column 1 (counted from 0): nan is not a finite")


def test_the_summary_lines_count_in_the_singular_for_one(tmp_path, capsys):
    rows = [[float(k), k % 2] for k in range(10)]
    path = write_csv(tmp_path / "one.csv", ["a", "y"], rows)
    code, out, err = run(capsys, "train", "--data", path, "--epochs", "1", "--test-fraction",
                         "0.1", "--quiet", "-o", tmp_path / "m.json")
    assert code == 0, err
    assert "1 input;" in out and "trained for 1 epoch in" in out
    assert re.search(r"test accuracy: [\d.]+% on 1 held-out row\n", out), out
