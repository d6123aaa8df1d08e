"""MNIST loading: the IDX reader, checksums, the search order, downloads, the bundled sample.

Every test runs with its own empty cache folder, no ``$NEUROGRAPH_DATA`` and a default mirror that
does not exist, so nothing here reads the user's files or the network. Tiny synthetic sets (three
training and two test images of 28 x 28) stand in for MNIST, with ``SHA256`` patched to match.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import re
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from neurograph.io import datasets
from neurograph.io.datasets import MNIST, DatasetError, load_mnist, read_idx, write_sample

NAMES = datasets.FILES
TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


# --------------------------------------------------------------------------------------------
# Helpers: IDX bytes written by hand (not with the module's own writer) and tiny sets


def idx_bytes(array: np.ndarray, dtype_byte: int = 0x08) -> bytes:
    array = np.asarray(array, dtype=np.uint8)
    return (bytes([0, 0, dtype_byte, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
            + array.tobytes())


def synthetic(seed: int = 0, n_train: int = 3, n_test: int = 2) -> dict:
    """The raw IDX content of a tiny MNIST-shaped set, by file name."""
    rng = np.random.default_rng(seed)
    return {
        "train-images-idx3-ubyte": idx_bytes(rng.integers(0, 256, (n_train, 28, 28))),
        "train-labels-idx1-ubyte": idx_bytes(rng.integers(0, 10, n_train)),
        "t10k-images-idx3-ubyte": idx_bytes(rng.integers(0, 256, (n_test, 28, 28))),
        "t10k-labels-idx1-ubyte": idx_bytes(rng.integers(0, 10, n_test)),
    }


def write_set(folder: Path, contents: dict, compress: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in contents.items():
        if compress:
            (folder / (name + ".gz")).write_bytes(gzip.compress(content))
        else:
            (folder / name).write_bytes(content)
    return folder


def leftovers(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """A private cache folder, no $NEUROGRAPH_DATA, no proxies, and a default mirror that fails."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("NEUROGRAPH_DATA", raising=False)
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                     "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(datasets, "MIRRORS", ((tmp_path / "no-default-mirror").as_uri() + "/",))


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "xdg" / "neurograph" / "mnist"


@pytest.fixture
def tiny(monkeypatch) -> dict:
    """The tiny set's contents, with the module's checksums patched to match them."""
    contents = synthetic()
    monkeypatch.setattr(datasets, "SHA256",
                        {name: hashlib.sha256(c).hexdigest() for name, c in contents.items()})
    return contents


def arrays_of(contents: dict) -> list:
    return [read_idx_bytes(contents[name]) for name in NAMES]


def read_idx_bytes(content: bytes) -> np.ndarray:
    ndim = content[3]
    shape = struct.unpack(f">{ndim}I", content[4:4 + 4 * ndim])
    return np.frombuffer(content[4 + 4 * ndim:], dtype=np.uint8).reshape(shape)


def assert_holds(data: MNIST, contents: dict) -> None:
    expected = arrays_of(contents)
    for got, want in zip((data.train_images, data.train_labels, data.test_images,
                          data.test_labels), expected):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


# --------------------------------------------------------------------------------------------
# read_idx


@pytest.mark.parametrize("compress", [True, False])
def test_read_idx_reads_gzip_and_raw_by_content_not_name(tmp_path, compress):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    content = idx_bytes(images)
    # The names lie on purpose: compression is told by the magic bytes.
    path = tmp_path / ("images.idx" if compress else "images.gz")
    path.write_bytes(gzip.compress(content) if compress else content)
    array = read_idx(path)
    assert array.shape == (2, 3, 4) and array.dtype == np.uint8
    np.testing.assert_array_equal(array, images)
    array[0, 0, 0] = 99                      # a writable copy, not a view of the file's bytes
    labels_path = tmp_path / "labels"
    labels_path.write_bytes(idx_bytes(np.array([7, 0, 9])))
    assert read_idx(str(labels_path)).tolist() == [7, 0, 9]


GOOD = idx_bytes((np.arange(2 * 28 * 28) % 256).reshape(2, 28, 28))


@pytest.mark.parametrize("case, content, reason", [
    ("wrong-magic", b"\x12\x34" + GOOD[2:], r"magic number must be 0x000008NN.*got 0x12340803"),
    ("zero-dimensions", b"\x00\x00\x08\x00", r"magic number"),
    ("wrong-dtype", GOOD[:2] + b"\x0d" + GOOD[3:], r"data type byte must be 0x08.*got 0x0D"),
    ("truncated", GOOD[:-1], r"is truncated: .*2 x 28 x 28 = 1,568 bytes of data, got 1,567"),
    ("too-long", GOOD + b"\x00", r"is too long: .*1,568 bytes of data, got 1,569"),
    ("truncated-header", GOOD[:10], r"is truncated: its header must hold 3 dimension sizes"),
    ("empty", b"", r"is not an IDX file: .*got 0 bytes"),
    ("truncated-gzip", gzip.compress(GOOD)[:200], r"damaged or truncated gzip file"),
    ("corrupt-gzip", gzip.compress(GOOD)[:20] + b"\xff" * 50, r"damaged or truncated gzip file"),
    ("gzip-of-truncated", gzip.compress(GOOD[:-5]), r"is truncated"),
])
def test_read_idx_rejects_malformed_files_naming_them(tmp_path, case, content, reason):
    path = tmp_path / f"bad-{case}-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=re.escape(str(path)) + ".*" + reason):
        read_idx(path)


def test_dataset_error_is_a_value_error_and_missing_files_are_os_errors(tmp_path):
    assert issubclass(DatasetError, ValueError)
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "absent")


# --------------------------------------------------------------------------------------------
# Checksums and consistency


def test_real_checksums_reject_a_well_formed_but_different_set(tmp_path):
    folder = write_set(tmp_path / "fake", synthetic())
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte\.gz: the SHA-256 .* must be "
                                           r"ba891046e6505d7a"):
        load_mnist(folder, quiet=True)


@pytest.mark.parametrize("name", NAMES)
def test_a_file_with_other_content_is_named(tmp_path, tiny, name):
    contents = dict(tiny)
    last = tiny[name][-1]
    contents[name] = tiny[name][:-1] + bytes([(last + 1) % 10])   # one digit or pixel changed
    folder = write_set(tmp_path / "set", contents, compress=False)
    with pytest.raises(DatasetError, match=re.escape(str(folder / name)) + ": the SHA-256"):
        load_mnist(folder, quiet=True)


def test_a_matching_tiny_set_loads_from_gzip_or_raw(tmp_path, tiny):
    for compress in (True, False):
        folder = write_set(tmp_path / f"set-{compress}", tiny, compress=compress)
        data = load_mnist(folder, quiet=True)
        assert_holds(data, tiny)
        assert data.source == str(folder) and data.is_sample is False
        assert (len(data.train_labels), len(data.test_labels)) == (3, 2)


def test_image_and_label_counts_must_agree(tmp_path, monkeypatch):
    contents = synthetic()
    contents["t10k-labels-idx1-ubyte"] = idx_bytes(np.array([1, 2, 3]))     # 3 labels, 2 images
    monkeypatch.setattr(datasets, "SHA256",
                        {name: hashlib.sha256(c).hexdigest() for name, c in contents.items()})
    folder = write_set(tmp_path / "set", contents)
    with pytest.raises(DatasetError, match=r"t10k-labels-idx1-ubyte\.gz must hold one label per "
                                           r"image .* \(2\), got 3"):
        load_mnist(folder, quiet=True)


def test_labels_must_be_digits(tmp_path, monkeypatch):
    contents = synthetic()
    contents["train-labels-idx1-ubyte"] = idx_bytes(np.array([1, 12, 3]))
    monkeypatch.setattr(datasets, "SHA256",
                        {name: hashlib.sha256(c).hexdigest() for name, c in contents.items()})
    folder = write_set(tmp_path / "set", contents)
    with pytest.raises(DatasetError, match=r"train-labels-idx1-ubyte\.gz must hold digits 0-9, "
                                           r"got 12 at index 1"):
        load_mnist(folder, quiet=True)


# --------------------------------------------------------------------------------------------
# Where the set is looked for


@pytest.mark.parametrize("present, expected", [
    (("folder", "env", "env/mnist", "cache"), "folder"),
    (("env", "env/mnist", "cache"), "env"),
    (("env/mnist", "cache"), "env/mnist"),
    (("cache",), "cache"),
])
def test_search_order(tmp_path, monkeypatch, tiny, cache, capsys, present, expected):
    places = {"folder": tmp_path / "given", "env": tmp_path / "env",
              "env/mnist": tmp_path / "env" / "mnist", "cache": cache,
              "empty-folder": tmp_path / "given"}
    for place in present:
        if place == "empty-folder":
            places[place].mkdir()
        else:
            write_set(places[place], tiny)
    monkeypatch.setenv("NEUROGRAPH_DATA", str(tmp_path / "env"))
    given = places["folder"] if {"folder", "empty-folder"} & set(present) else None
    data = load_mnist(given)
    assert data.source == str(places[expected])
    assert data.is_sample is False
    assert_holds(data, tiny)
    assert capsys.readouterr().err == ""


def test_only_the_first_complete_place_is_read(tmp_path, monkeypatch, tiny, cache):
    # The lower place holds garbage and a higher one only part of the set: in the default
    # search, neither is an error.
    write_set(tmp_path / "env", {k: v for k, v in tiny.items() if "train" in k})
    write_set(tmp_path / "env" / "mnist", tiny)
    write_set(cache, {name: b"garbage" for name in NAMES})
    monkeypatch.setenv("NEUROGRAPH_DATA", str(tmp_path / "env"))
    assert load_mnist().source == str(tmp_path / "env" / "mnist")


def test_a_folder_named_by_the_user_is_the_only_place_looked_at(tmp_path, monkeypatch, tiny,
                                                                cache):
    # (issue 15: a mistyped or incomplete folder used to fall back silently to another set)
    write_set(tmp_path / "given", {k: v for k, v in tiny.items() if "train" in k})
    write_set(tmp_path / "env", tiny)
    monkeypatch.setenv("NEUROGRAPH_DATA", str(tmp_path / "env"))
    with pytest.raises(DatasetError, match=r"given: the MNIST folder asked for lacks "
                                           r"t10k-images-idx3-ubyte\[.gz\], t10k-labels"):
        load_mnist(tmp_path / "given")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match=r"empty: the MNIST folder asked for lacks "
                                           r"train-images-idx3-ubyte"):
        load_mnist(tmp_path / "empty")
    assert load_mnist(tmp_path / "env").source == str(tmp_path / "env")


def test_default_cache_is_under_home(tmp_path, monkeypatch, tiny):
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    folder = write_set(tmp_path / "home" / ".cache" / "neurograph" / "mnist", tiny)
    assert load_mnist().source == str(folder)


# --------------------------------------------------------------------------------------------
# Downloads


@pytest.fixture
def mirror(tmp_path, tiny) -> Path:
    """A folder serving the tiny set as <name>.gz."""
    return write_set(tmp_path / "mirror", tiny)


def test_download_from_a_file_mirror_lands_verified_files_in_the_cache(mirror, cache, tiny,
                                                                        capsys):
    data = load_mnist(download=True, mirrors=[mirror.as_uri()])        # no trailing slash
    assert data.source == str(cache) and data.is_sample is False
    assert_holds(data, tiny)
    assert leftovers(cache) == sorted(name + ".gz" for name in NAMES)  # no temporary files
    for name in NAMES:
        assert gzip.decompress((cache / (name + ".gz")).read_bytes()) == tiny[name]
    err = capsys.readouterr().err
    assert err.count("downloading ") == 4 and "train-images-idx3-ubyte.gz [" in err
    assert "100%" in err and "bundled sample" not in err
    # Next time the cache is found: no mirror is needed.
    assert load_mnist(download=True, mirrors=["file:///nonexistent/"]).source == str(cache)


def test_download_fetches_only_missing_files_and_skips_when_found(mirror, cache, tiny, tmp_path):
    write_set(cache, {k: v for k, v in tiny.items() if "train" in k})
    partial = tmp_path / "partial-mirror"
    write_set(partial, {k: v for k, v in tiny.items() if "t10k" in k})
    data = load_mnist(download=True, quiet=True, mirrors=[partial.as_uri() + "/"])
    assert data.source == str(cache)
    assert_holds(data, tiny)


def test_a_corrupt_mirror_leaves_nothing_and_the_next_mirror_is_used(tmp_path, mirror, cache,
                                                                     tiny, capsys):
    bad = write_set(tmp_path / "bad-mirror", synthetic(seed=1))
    mirrors = [bad.as_uri() + "/", mirror.as_uri() + "/"]
    data = load_mnist(download=True, quiet=True, mirrors=mirrors)
    assert data.source == str(cache)
    assert_holds(data, tiny)
    assert leftovers(cache) == sorted(name + ".gz" for name in NAMES)
    assert capsys.readouterr().err == ""


def test_only_a_corrupt_mirror_leaves_no_file_and_falls_back_to_the_sample(tmp_path, tiny, cache,
                                                                          capsys):
    bad = write_set(tmp_path / "bad-mirror", synthetic(seed=1))
    data = load_mnist(download=True, mirrors=[bad.as_uri() + "/"])
    assert data.is_sample and data.source == "bundled sample"
    assert leftovers(cache) == []                     # no final file and no temporary file
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("neurograph: could not download MNIST into " + str(cache))
    assert "SHA-256" in lines[0] and "using the bundled sample of 10,000 training and 2,000 test" \
        in lines[0]


def test_a_truncated_gzip_download_leaves_nothing(tmp_path, tiny, cache):
    bad = tmp_path / "bad-mirror"
    bad.mkdir()
    for name, content in tiny.items():
        (bad / (name + ".gz")).write_bytes(gzip.compress(content)[:-30])
    data = load_mnist(download=True, quiet=True, mirrors=[bad.as_uri()])
    assert data.is_sample
    assert leftovers(cache) == []


def test_a_failing_download_falls_back_to_the_sample_with_one_line(tmp_path, cache, capsys):
    missing = (tmp_path / "does-not-exist").as_uri() + "/"
    data = load_mnist(download=True, mirrors=[missing])
    assert data.is_sample and len(data.train_labels) == 10_000
    assert leftovers(cache) == []
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "could not download MNIST" in lines[0] and "does-not-exist" in lines[0]
    assert "bundled sample" in lines[0] and "NEUROGRAPH_DATA" in lines[0]


def test_not_found_without_download_says_where_it_looked_and_how_to_get_it(tmp_path, cache,
                                                                           capsys):
    data = load_mnist()  # (a folder named by the user is never fallen back from: issue 15)
    assert data.is_sample
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"neurograph: full MNIST not found (looked in {cache}); using the "
        "bundled sample of 10,000 training and 2,000 test images (for the full set, call "
        "load_mnist(download=True), or set NEUROGRAPH_DATA to a folder holding the four files)"
    ]
    assert not cache.exists()                         # nothing created without download=True
    load_mnist(quiet=True)
    assert capsys.readouterr().err == ""


def test_an_interrupted_download_leaves_nothing_under_the_final_name(mirror, cache, monkeypatch):
    def interrupt(self, done):
        raise KeyboardInterrupt

    monkeypatch.setattr(datasets._Progress, "update", interrupt)
    with pytest.raises(KeyboardInterrupt):
        load_mnist(download=True, quiet=True, mirrors=[mirror.as_uri()])
    assert leftovers(cache) == []


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _ShortBody(http.server.BaseHTTPRequestHandler):
    """Promises 10,000 bytes and sends 10: a connection cut off mid-download."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "10000")
        self.end_headers()
        self.wfile.write(b"\x1f\x8b" + b"\x00" * 8)
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    servers = []

    def start(handler) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_download_over_loopback_http(serve, mirror, cache, tiny):
    url = serve(functools.partial(_Quiet, directory=str(mirror)))
    data = load_mnist(download=True, quiet=True, mirrors=[url])
    assert data.source == str(cache)
    assert_holds(data, tiny)
    assert leftovers(cache) == sorted(name + ".gz" for name in NAMES)


def test_http_errors_and_short_bodies_fall_back(serve, tmp_path, cache, tiny, capsys):
    not_found = serve(functools.partial(_Quiet, directory=str(tmp_path / "empty")))
    short = serve(_ShortBody)
    data = load_mnist(download=True, mirrors=[not_found, short])
    assert data.is_sample and leftovers(cache) == []
    line, = capsys.readouterr().err.splitlines()
    assert "404" in line and "ended after 10 of 10,000 bytes" in line


def test_a_silent_mirror_times_out(monkeypatch, cache, tiny, capsys):
    monkeypatch.setattr(datasets, "TIMEOUT", 0.3)
    with socket.socket() as listener:                 # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        data = load_mnist(download=True, mirrors=[url])
    assert data.is_sample and leftovers(cache) == []
    assert "timed out" in capsys.readouterr().err


def test_argument_checks():
    with pytest.raises(ValueError, match=r"`mirrors` must be a non-empty sequence"):
        load_mnist(download=True, mirrors=[])
    with pytest.raises(TypeError, match=r"`folder` must be a path or None, got int"):
        load_mnist(3)


# --------------------------------------------------------------------------------------------
# The bundled sample and the array helpers


@pytest.fixture(scope="module")
def sample() -> MNIST:
    return datasets._load_sample()


def test_the_bundled_sample_is_small_real_gzip_idx():
    files = sorted(datasets.SAMPLE_FOLDER.glob("*.gz"))
    assert [f.name for f in files] == sorted(name + ".gz" for name in NAMES)
    assert sum(f.stat().st_size for f in files) <= 2_500_000
    assert all(f.read_bytes()[:2] == b"\x1f\x8b" for f in files)


def test_the_bundled_sample_loads(sample):
    assert sample.is_sample and sample.source == "bundled sample"
    assert sample.train_images.shape == (10_000, 28, 28)
    assert sample.test_images.shape == (2_000, 28, 28)
    assert sample.train_labels.shape == (10_000,) and sample.test_labels.shape == (2_000,)
    for labels in (sample.train_labels, sample.test_labels):
        assert labels.dtype == np.uint8
        assert sorted(set(labels.tolist())) == list(range(10))
    # The start of the real files: the first test digits are 7 2 1 0 4, the first training 5 0 4.
    assert sample.test_labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert sample.train_labels[:3].tolist() == [5, 0, 4]
    assert sample.train_images.max() == 255 and sample.train_images.min() == 0


def test_a_damaged_sample_is_an_error(monkeypatch):
    monkeypatch.setitem(datasets.SAMPLE_SHA256, "t10k-labels-idx1-ubyte", "0" * 64)
    with pytest.raises(DatasetError, match=r"t10k-labels-idx1-ubyte\.gz: the SHA-256 .*"
                                           r"installation is damaged"):
        load_mnist(quiet=True)


@pytest.mark.parametrize("which", ["training_set", "test_set"])
def test_rows_and_one_hot_labels(sample, which):
    X, Y = getattr(sample, which)()
    images, labels = ((sample.train_images, sample.train_labels) if which == "training_set"
                      else (sample.test_images, sample.test_labels))
    n = len(labels)
    assert X.shape == (n, 784) and Y.shape == (n, 10)
    assert X.dtype == np.float64 and Y.dtype == np.float64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(X[0] * 255, images[0].reshape(-1))
    assert set(np.unique(Y).tolist()) == {0.0, 1.0}
    np.testing.assert_array_equal(Y.sum(axis=1), 1.0)
    np.testing.assert_array_equal(Y.argmax(axis=1), labels)


def test_dtype_and_limit(sample):
    X, Y = sample.test_set(dtype="float32", limit=7)
    assert X.shape == (7, 784) and Y.shape == (7, 10)
    assert X.dtype == np.float32 and Y.dtype == np.float32
    np.testing.assert_array_equal(Y.argmax(axis=1), sample.test_labels[:7])
    X, Y = sample.test_set(limit=1_000_000)               # more than there are: all of them
    assert X.shape == (2_000, 784)
    X[:] = -1                                              # fresh arrays, the images untouched
    assert sample.test_images.min() == 0
    with pytest.raises(ValueError, match=r"`limit` must be a positive integer or None, got 0"):
        sample.training_set(limit=0)
    with pytest.raises(ValueError, match=r"`dtype` must be a floating-point type, got int32"):
        sample.training_set(dtype="int32")


def test_mnist_checks_its_arrays():
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    labels = np.array([1, 2], dtype=np.uint8)
    with pytest.raises(ValueError, match=r"`train_labels` must hold one label per image \(2\), "
                                         r"got 1"):
        MNIST(images, labels[:1], images, labels, source="x")
    with pytest.raises(ValueError, match=r"`test_images` must be a uint8 array of shape "
                                         r"\(n, 28, 28\), got float64"):
        MNIST(images, labels, images.astype(float), labels, source="x")
    assert repr(MNIST(images, labels, images, labels, source="x")) == \
        "MNIST(2 training and 2 test images from 'x')"


def test_write_sample_keeps_the_first_images(tmp_path, tiny):
    source = write_set(tmp_path / "full", tiny)
    written = write_sample(source, tmp_path / "sample", n_train=2, n_test=1)
    assert [p.name for p in written] == [name + ".gz" for name in NAMES]
    full = arrays_of(tiny)
    for path, array, n in zip(written, full, (2, 2, 1, 1)):
        assert path.read_bytes()[:2] == b"\x1f\x8b"
        np.testing.assert_array_equal(read_idx(path), array[:n])
    again = write_sample(source, tmp_path / "again", n_train=2, n_test=1)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in written]  # reproducible
    with pytest.raises(ValueError, match=r"`n_train` must be an integer from 1 to 3, got 4"):
        write_sample(source, tmp_path / "x", n_train=4)


def test_import_neurograph_does_not_load_datasets():
    code = ("import sys, neurograph; "
            "print(sorted(m for m in sys.modules if m in ('neurograph.datasets', "
            "'urllib.request')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert "neurograph.datasets" not in out.stdout
    assert "urllib.request" not in out.stdout


# --------------------------------------------------------------------------------------------
# The real set, when it is beside the project


@pytest.fixture(scope="module")
def full(mnist_folder) -> MNIST:
    return load_mnist(mnist_folder, quiet=True)


def test_the_full_set(full, mnist_folder):
    assert full.is_sample is False and full.source == str(mnist_folder)
    assert full.train_images.shape == (60_000, 28, 28)
    assert full.test_images.shape == (10_000, 28, 28)
    assert np.bincount(full.train_labels, minlength=10).tolist() == TRAIN_LABEL_COUNTS
    assert np.bincount(full.test_labels, minlength=10).tolist() == TEST_LABEL_COUNTS
    X, Y = full.training_set(limit=500)
    assert X.shape == (500, 784) and 0.0 <= X.min() and X.max() <= 1.0
    np.testing.assert_array_equal(Y.argmax(axis=1), full.train_labels[:500])


def test_the_sample_is_the_start_of_the_full_set(full, sample):
    np.testing.assert_array_equal(sample.train_images, full.train_images[:10_000])
    np.testing.assert_array_equal(sample.train_labels, full.train_labels[:10_000])
    np.testing.assert_array_equal(sample.test_images, full.test_images[:2_000])
    np.testing.assert_array_equal(sample.test_labels, full.test_labels[:2_000])


def test_the_full_set_is_found_through_neurograph_data(mnist_folder, monkeypatch):
    # $NEUROGRAPH_DATA pointing at the parent folder finds its "mnist" subfolder.
    monkeypatch.setenv("NEUROGRAPH_DATA", str(mnist_folder.parent))
    assert load_mnist(quiet=True).source == str(mnist_folder)
