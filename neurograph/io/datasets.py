"""MNIST, found on disk, downloaded on request, or taken from a small real sample shipped inside.

The four MNIST files are IDX files (a big-endian header of a magic number and the dimensions,
then the raw unsigned bytes), usually gzip-compressed. :func:`load_mnist` looks for all four in
an explicit folder, then in ``$NEUROGRAPH_DATA`` (or its ``mnist`` subfolder), then in the user's
cache folder, and verifies each file's SHA-256 (of the decompressed content) before using it:
a damaged or different file is an error, never silently wrong data. With ``download=True`` a
missing set is fetched into the cache folder, verified before it is put in place, and written
atomically. When the full set cannot be had, the first 10,000 training and 2,000 test images of
the real set, bundled with the package, stand in, and one line on stderr says so.

Nothing here runs on ``import neurograph``: the package does not import this module.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import struct
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from ..core.limits import LIMITS, read_regular_file

__all__ = [
    "DatasetError",
    "FILES",
    "MIRRORS",
    "MNIST",
    "SAMPLE_FOLDER",
    "SHA256",
    "load_mnist",
    "read_idx",
    "write_sample",
]

PathLike = Union[str, "os.PathLike[str]"]

FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
"""The four standard MNIST file names; each may also be stored with a ``.gz`` suffix."""

SHA256: Dict[str, str] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
"""SHA-256 of each full-set file's *decompressed* content (gzip bytes differ between mirrors)."""

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
"""Base URLs tried in turn by a download; each serves ``<name>.gz`` for the four names."""

TIMEOUT = 30.0
"""Seconds a download waits for a mirror to connect or to send more data."""

SAMPLE_FOLDER = Path(__file__).resolve().parent.parent / "data"
"""Where the bundled sample lives: the four names with ``.gz``, gzip IDX files."""

SAMPLE_SIZE = (10_000, 2_000)
"""Training and test images in the bundled sample: the first ones of the real files."""

SAMPLE_SHA256: Dict[str, str] = {
    "train-images-idx3-ubyte": "2889698e6bc3614913e76901316712919d1998fc2b44512451bfe65bc1e668b1",
    "train-labels-idx1-ubyte": "651e38e2ac0632f5113ec18f1df4977117f953197819034009971a6675a0df78",
    "t10k-images-idx3-ubyte": "3f6bd66dee48df299584c67669bceee490faa25f931496bd7473b42106d7daed",
    "t10k-labels-idx1-ubyte": "7b098e5f6a3065807cebeabf36fb1724a8aff19f2673ac08b4923e0e8c715bce",
}
"""SHA-256 of the bundled sample's decompressed content, so a damaged install is caught."""

_GZIP_MAGIC = b"\x1f\x8b"
_UBYTE = 0x08
_CHUNK = 1 << 16
_IMAGE_SHAPE = (28, 28)


class DatasetError(ValueError):
    """A data file is missing, malformed, truncated or not the expected content.

    The message always names the file (or URL) concerned.
    """


# --------------------------------------------------------------------------------------------
# IDX files


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file of unsigned bytes, gzip-compressed or raw, into a numpy array.

    Compression is recognised by the gzip magic bytes (``1f 8b``), not by the file name.
    The header must be the magic number ``0x0000080N`` (``08``: unsigned bytes, ``N``: number
    of dimensions; MNIST labels are ``0x00000801``, images ``0x00000803``), then ``N`` big-endian
    32-bit sizes, and the data must hold exactly as many bytes as the sizes declare.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.

    Returns
    -------
    numpy.ndarray
        A writable ``uint8`` array of the declared shape.

    Raises
    ------
    DatasetError
        If the file is not such an IDX file, is truncated or too long, or is a damaged gzip
        stream; the message names the file.
    OSError
        If the file cannot be opened (for instance ``FileNotFoundError``).

    Examples
    --------
    >>> labels = read_idx(SAMPLE_FOLDER / "t10k-labels-idx1-ubyte.gz")
    >>> labels.shape, labels.dtype, labels[:5].tolist()
    ((2000,), dtype('uint8'), [7, 2, 1, 0, 4])
    """
    return _parse_idx(_read_content(path), path)


def _read_content(path: PathLike) -> bytearray:
    """The file's bytes, decompressed when they start with the gzip magic bytes.

    Only a regular file is read (a device or a named pipe is refused before it is opened
    for reading), and neither it nor what it decompresses to may exceed
    ``neurograph.LIMITS.file_bytes``: a small gzip bomb is refused, not unpacked."""
    name = os.fspath(path)
    try:
        data = read_regular_file(path, "IDX file")
    except ValueError as error:
        raise DatasetError(str(error)) from None
    if data[:2] != _GZIP_MAGIC:
        return bytearray(data)
    limit = LIMITS.file_bytes
    content = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while True:
                piece = stream.read(2 ** 20)
                if not piece:
                    break
                content += piece
                if len(content) > limit:
                    raise DatasetError(f"{name}: it decompresses to more than {limit:,} bytes, "
                                       "the limit (raise it with "
                                       "neurograph.limits(file_bytes=...))")
    except (EOFError, zlib.error, OSError) as exc:  # gzip.BadGzipFile is an OSError
        raise DatasetError(f"{name} is a damaged or truncated gzip file "
                           f"({exc})") from None
    return content


def _parse_idx(content: bytes, path: PathLike) -> np.ndarray:
    name = os.fspath(path)
    if len(content) < 4:
        raise DatasetError(f"{name} is not an IDX file: it must start with a 4-byte magic number, "
                           f"got {len(content)} bytes in all")
    magic = struct.unpack(">I", content[:4])[0]
    ndim = content[3]
    if content[0] != 0 or content[1] != 0 or ndim == 0:
        raise DatasetError(f"{name} is not an IDX file: its magic number must be 0x000008NN "
                           f"(NN = number of dimensions, 01 for labels, 03 for images), "
                           f"got 0x{magic:08X}")
    if content[2] != _UBYTE:
        raise DatasetError(f"{name}: the IDX data type byte must be 0x08 (unsigned byte), "
                           f"got 0x{content[2]:02X}")
    header = 4 + 4 * ndim
    if len(content) < header:
        raise DatasetError(f"{name} is truncated: its header must hold {ndim} dimension sizes "
                           f"({header} bytes), got {len(content)} bytes")
    dims = struct.unpack(f">{ndim}I", content[4:header])
    expected = math.prod(dims)
    found = len(content) - header
    if found != expected:
        shape = " x ".join(str(d) for d in dims)
        problem = "truncated" if found < expected else "too long"
        raise DatasetError(f"{name} is {problem}: its header declares {shape} = {expected:,} bytes "
                           f"of data, got {found:,}")
    array = np.frombuffer(content, dtype=np.uint8, count=expected, offset=header)
    if not array.flags.writeable:  # bytes: copy; a bytearray is already the array's own memory
        array = array.copy()
    return array.reshape(dims)


def _idx_bytes(array: np.ndarray) -> bytes:
    """``array`` (uint8, at least 1-D) as the bytes of an uncompressed IDX file."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(f">I{array.ndim}I", 0x0800 | array.ndim, *array.shape)
    return header + array.tobytes()


# --------------------------------------------------------------------------------------------
# The data set


class MNIST:
    """The MNIST images and labels, as loaded by :func:`load_mnist`.

    Parameters
    ----------
    train_images, test_images : numpy.ndarray
        ``uint8`` arrays of shape ``(n, 28, 28)``, pixel values 0 (background) to 255.
    train_labels, test_labels : numpy.ndarray
        ``uint8`` arrays of shape ``(n,)``, digits 0-9, one per image.
    source : str
        The folder the files came from, or ``"bundled sample"``.
    is_sample : bool
        Whether this is the bundled sample rather than the full set.

    Examples
    --------
    >>> images = np.zeros((2, 28, 28), dtype=np.uint8)
    >>> images[1, 0, 0] = 255
    >>> labels = np.array([3, 1], dtype=np.uint8)
    >>> data = MNIST(images, labels, images[:1], labels[:1], source="example")
    >>> X, Y = data.training_set()
    >>> X.shape, float(X[1, 0]), Y.argmax(axis=1).tolist()
    ((2, 784), 1.0, [3, 1])
    """

    __slots__ = ("train_images", "train_labels", "test_images", "test_labels", "source",
                 "is_sample")

    def __init__(self, train_images: np.ndarray, train_labels: np.ndarray,
                 test_images: np.ndarray, test_labels: np.ndarray, source: str,
                 is_sample: bool = False) -> None:
        _check_pair("train", train_images, train_labels)
        _check_pair("test", test_images, test_labels)
        self.train_images = train_images
        self.train_labels = train_labels
        self.test_images = test_images
        self.test_labels = test_labels
        self.source = str(source)
        self.is_sample = bool(is_sample)

    def training_set(self, dtype="float64", limit: Optional[int] = None):
        """The training images as rows ``X`` scaled to [0, 1] and one-hot labels ``Y``.

        Parameters
        ----------
        dtype : str or numpy.dtype
            A floating-point type for both arrays.
        limit : int, optional
            Take only the first ``limit`` images (all of them when there are fewer).

        Returns
        -------
        X : numpy.ndarray
            Shape ``(n, 784)``, pixel / 255.
        Y : numpy.ndarray
            Shape ``(n, 10)``, 1 in the column of the digit, 0 elsewhere.
        """
        return _as_rows(self.train_images, self.train_labels, dtype, limit)

    def test_set(self, dtype="float64", limit: Optional[int] = None):
        """The test images and one-hot labels, as :meth:`training_set` gives the training ones."""
        return _as_rows(self.test_images, self.test_labels, dtype, limit)

    def __repr__(self) -> str:
        return (f"MNIST({len(self.train_labels):,} training and {len(self.test_labels):,} test "
                f"images from {self.source!r})")


def _check_pair(which: str, images, labels) -> None:
    if not (isinstance(images, np.ndarray) and images.dtype == np.uint8 and images.ndim == 3
            and images.shape[1:] == _IMAGE_SHAPE):
        got = (f"{images.dtype} array of shape {images.shape}" if isinstance(images, np.ndarray)
               else type(images).__name__)
        raise ValueError(f"`{which}_images` must be a uint8 array of shape (n, 28, 28), got {got}")
    if not (isinstance(labels, np.ndarray) and labels.dtype == np.uint8 and labels.ndim == 1):
        got = (f"{labels.dtype} array of shape {labels.shape}" if isinstance(labels, np.ndarray)
               else type(labels).__name__)
        raise ValueError(f"`{which}_labels` must be a uint8 array of shape (n,), got {got}")
    if len(labels) != len(images):
        raise ValueError(f"`{which}_labels` must hold one label per image ({len(images):,}), "
                         f"got {len(labels):,}")
    if len(labels) and labels.max() > 9:
        index = int(np.argmax(labels > 9))
        raise ValueError(f"`{which}_labels` must be digits 0-9, got {labels[index]} at index "
                         f"{index}")


def _as_rows(images: np.ndarray, labels: np.ndarray, dtype, limit):
    try:
        kind = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"`dtype` must be a floating-point type, got {dtype!r}") from None
    if not np.issubdtype(kind, np.floating):
        raise ValueError(f"`dtype` must be a floating-point type, got {kind}")
    n = len(labels)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
            raise ValueError(f"`limit` must be a positive integer or None, got {limit!r}")
        n = min(n, int(limit))
    X = images[:n].reshape(n, -1).astype(kind)
    X /= 255
    Y = np.zeros((n, 10), dtype=kind)
    Y[np.arange(n), labels[:n]] = 1
    return X, Y


# --------------------------------------------------------------------------------------------
# Finding and loading the files


def _cache_folder() -> Path:
    """``$XDG_CACHE_HOME/neurograph/mnist``, by default ``~/.cache/neurograph/mnist``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base).expanduser() if base else Path.home() / ".cache"
    return root / "neurograph" / "mnist"


def _places(folder: Optional[PathLike]) -> List[Path]:
    """Where to look for the full set, in order."""
    places = []
    if folder is not None:
        places.append(Path(folder).expanduser())
    env = os.environ.get("NEUROGRAPH_DATA", "")
    if env:
        places += [Path(env).expanduser(), Path(env).expanduser() / "mnist"]
    places.append(_cache_folder())
    unique = []
    for place in places:
        if place not in unique:
            unique.append(place)
    return unique


def _find(folder: Path, base: str) -> Optional[Path]:
    for name in (base, base + ".gz"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _complete_set(folder: Path) -> Optional[Dict[str, Path]]:
    """The four files in ``folder`` (raw or ``.gz``), or None if any is missing."""
    files = {}
    for base in FILES:
        path = _find(folder, base)
        if path is None:
            return None
        files[base] = path
    return files


def _named_set(folder: PathLike) -> Dict[str, Path]:
    """The four files in the folder the user named, or a DatasetError saying what is missing."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise DatasetError(f"{folder}: the MNIST folder asked for {what}")
    missing = [base for base in FILES if _find(folder, base) is None]
    if missing:
        raise DatasetError(f"{folder}: the MNIST folder asked for lacks "
                           f"{', '.join(name + '[.gz]' for name in missing)}")
    return _complete_set(folder)


def _load_files(files: Dict[str, Path], checksums: Dict[str, str], source: str,
                is_sample: bool = False) -> MNIST:
    arrays = {}
    for base in FILES:
        path = files[base]
        content = _read_content(path)
        array = _parse_idx(content, path)
        digest = hashlib.sha256(content).hexdigest()
        if digest != checksums[base]:
            advice = ("the package installation is damaged" if is_sample else
                      "the file is damaged or is not the standard MNIST file; delete or replace it "
                      "(load_mnist(download=True) fetches a missing file)")
            raise DatasetError(f"{path}: the SHA-256 of its decompressed content must be "
                               f"{checksums[base]}, got {digest}; {advice}")
        if "images" in base and array.shape[1:] != _IMAGE_SHAPE:
            raise DatasetError(f"{path} must hold 28 x 28 images (3 dimensions), got shape "
                               f"{array.shape}")
        if "labels" in base:
            if array.ndim != 1:
                raise DatasetError(f"{path} must hold labels (1 dimension), got shape "
                                   f"{array.shape}")
            if len(array) and array.max() > 9:
                index = int(np.argmax(array > 9))
                raise DatasetError(f"{path} must hold digits 0-9, got {array[index]} at index "
                                   f"{index}")
        arrays[base] = array
    for prefix in ("train", "t10k"):
        images, labels = files[f"{prefix}-images-idx3-ubyte"], files[f"{prefix}-labels-idx1-ubyte"]
        n_images = len(arrays[f"{prefix}-images-idx3-ubyte"])
        n_labels = len(arrays[f"{prefix}-labels-idx1-ubyte"])
        if n_images != n_labels:
            raise DatasetError(f"{labels} must hold one label per image of {images} "
                               f"({n_images:,}), got {n_labels:,}")
    return MNIST(arrays[FILES[0]], arrays[FILES[1]], arrays[FILES[2]], arrays[FILES[3]],
                 source=source, is_sample=is_sample)


def _load_sample() -> MNIST:
    files = _complete_set(SAMPLE_FOLDER)
    if files is None:
        raise DatasetError(f"the bundled MNIST sample is missing from {SAMPLE_FOLDER}: the "
                           f"package installation is incomplete")
    data = _load_files(files, SAMPLE_SHA256, source="bundled sample", is_sample=True)
    counts = (len(data.train_labels), len(data.test_labels))
    if counts != SAMPLE_SIZE:
        raise DatasetError(f"the bundled MNIST sample in {SAMPLE_FOLDER} must hold "
                           f"{SAMPLE_SIZE[0]:,} training and {SAMPLE_SIZE[1]:,} test images, got "
                           f"{counts[0]:,} and {counts[1]:,}")
    return data


def load_mnist(folder: Optional[PathLike] = None, *, download: bool = False, quiet: bool = False,
               mirrors: Optional[Sequence[str]] = None) -> MNIST:
    """The MNIST handwritten digits: the full set if it can be had, else the bundled sample.

    The four standard files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each raw or with ``.gz``) are looked
    for in, in order:

    1. ``folder``, when given, and then only there (missing or incomplete, it is an error);
    2. ``$NEUROGRAPH_DATA``, then its ``mnist`` subfolder, when the variable is set;
    3. the cache folder ``$XDG_CACHE_HOME/neurograph/mnist``, by default
       ``~/.cache/neurograph/mnist``.

    The first place holding all four is used, and each file's decompressed content must have the
    SHA-256 in :data:`SHA256`. When no place holds them and ``download`` is true, they are
    downloaded into the cache folder from the first of ``mirrors`` that works. When the full set
    cannot be had, the bundled sample (the first 10,000 training and 2,000 test images of the
    real set) is returned, and one line on stderr says so unless ``quiet``.

    Parameters
    ----------
    folder : str or os.PathLike, optional
        The folder holding the four files; when given, nothing else is looked at.
    download : bool
        Download the set into the cache folder when it is not found anywhere.
    quiet : bool
        Print nothing: no progress bar, no notice of the fallback to the sample (``is_sample``
        still tells).
    mirrors : sequence of str, optional
        Base URLs to download from, each serving ``<name>.gz``; default :data:`MIRRORS`.

    Returns
    -------
    MNIST
        With ``source`` the folder used (or ``"bundled sample"``) and ``is_sample``.

    Raises
    ------
    DatasetError
        If ``folder`` does not exist or lacks a file (the message says which), or the files
        found are malformed, their checksums do not match, or their image and label
        counts disagree: the message names the file. A failed download is not an error (the
        sample stands in).

    Examples
    --------
    >>> data = load_mnist(quiet=True)            # the full set if present, else the sample
    >>> data.train_images.shape[1:], data.train_labels.dtype
    ((28, 28), dtype('uint8'))
    >>> X, Y = data.test_set(dtype="float32", limit=100)
    >>> X.shape, Y.shape, float(X.max()) <= 1.0
    ((100, 784), (100, 10), True)
    """
    if folder is not None and not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"`folder` must be a path or None, got {type(folder).__name__}")
    mirrors = _check_mirrors(MIRRORS if mirrors is None else mirrors)
    if folder is not None:  # named by the user: it is an error, not a fallback, to miss
        return _load_files(_named_set(folder), SHA256, source=os.fspath(folder))
    places = _places(folder)
    for place in places:
        files = _complete_set(place)
        if files is not None:
            return _load_files(files, SHA256, source=os.fspath(place))
    problem = f"full MNIST not found (looked in {', '.join(os.fspath(p) for p in places)})"
    if download:
        cache = _cache_folder()
        try:
            _download(cache, mirrors, quiet)
        except (OSError, DatasetError, _http_errors()) as exc:
            reason = " ".join(str(exc).split())
            problem = f"could not download MNIST into {cache} ({reason})"
        else:
            return _load_files(_complete_set(cache), SHA256, source=os.fspath(cache))
    data = _load_sample()
    if not quiet:
        how = ("retry when online" if download else "call load_mnist(download=True)")
        print(f"neurograph: {problem}; using the bundled sample of {SAMPLE_SIZE[0]:,} training "
              f"and {SAMPLE_SIZE[1]:,} test images (for the full set, {how}, or set "
              f"NEUROGRAPH_DATA to a folder holding the four files)", file=sys.stderr)
    return data


def _check_mirrors(mirrors) -> List[str]:
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    try:
        bases = list(mirrors)
    except TypeError:
        raise TypeError(f"`mirrors` must be a sequence of base URLs, got "
                        f"{type(mirrors).__name__}") from None
    if not bases or not all(isinstance(b, str) and b for b in bases):
        raise ValueError(f"`mirrors` must be a non-empty sequence of base URLs, got {mirrors!r}")
    return [b if b.endswith("/") else b + "/" for b in bases]


# --------------------------------------------------------------------------------------------
# Downloading


def _http_errors() -> type:
    import http.client

    return http.client.HTTPException


def _download(folder: Path, mirrors: Iterable[str], quiet: bool) -> None:
    """Fetch each of the four files missing from ``folder``, trying the mirrors in turn."""
    folder.mkdir(parents=True, exist_ok=True)
    for base in FILES:
        if _find(folder, base) is not None:
            continue
        failures = []
        for mirror in mirrors:
            url = mirror + base + ".gz"
            try:
                _fetch(url, folder / (base + ".gz"), SHA256[base], quiet)
                break
            except (OSError, DatasetError, _http_errors()) as exc:
                failures.append(f"{url}: {exc}")
        else:
            raise DatasetError(f"{base}.gz could not be downloaded: " + "; ".join(failures))


def _fetch(url: str, target: Path, sha256: str, quiet: bool) -> None:
    """Download ``url`` to ``target`` via a temporary file, verified before it is moved in place."""
    import urllib.request

    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                             suffix=".part")
    progress = _Progress(target.name, enabled=not quiet)
    try:
        with os.fdopen(descriptor, "wb") as out:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
                length = response.headers.get("Content-Length")
                progress.total = int(length) if length and length.isdigit() else None
                done = 0
                while True:
                    chunk = response.read(_CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    done += len(chunk)
                    progress.update(done)
        if progress.total is not None and done != progress.total:
            raise DatasetError(f"{url} ended after {done:,} of {progress.total:,} bytes")
        try:
            content = _read_content(temporary)
        except DatasetError as exc:
            raise DatasetError(f"{url}: {exc}") from None
        _parse_idx(content, url)
        digest = hashlib.sha256(content).hexdigest()
        if digest != sha256:
            raise DatasetError(f"{url}: the SHA-256 of its decompressed content must be {sha256}, "
                               f"got {digest}")
        os.replace(temporary, target)
        progress.finish()
    except BaseException:
        progress.abandon()
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


class _Progress:
    """A one-line text progress bar on stderr: redrawn in place on a terminal, else one line."""

    width = 30

    def __init__(self, name: str, enabled: bool) -> None:
        self.name = name
        self.enabled = enabled
        self.total: Optional[int] = None
        self.done = 0
        self.drawn = ""
        self.interactive = enabled and getattr(sys.stderr, "isatty", lambda: False)()

    def _line(self) -> str:
        scale, unit = (1e6, "MB") if max(self.done, self.total or 0) >= 1e6 else (1e3, "kB")
        if self.total:
            fraction = min(self.done / self.total, 1.0)
            filled = int(round(fraction * self.width))
            return (f"downloading {self.name} [{'#' * filled}{'.' * (self.width - filled)}] "
                    f"{fraction:4.0%} {self.done / scale:.1f}/{self.total / scale:.1f} {unit}")
        return f"downloading {self.name} {self.done / scale:.1f} {unit}"

    def update(self, done: int) -> None:
        self.done = done
        if self.interactive:
            line = self._line()
            if line != self.drawn:
                sys.stderr.write("\r" + line)
                sys.stderr.flush()
                self.drawn = line

    def finish(self) -> None:
        if self.interactive:
            sys.stderr.write("\r" + self._line() + "\n")
        elif self.enabled:
            sys.stderr.write(self._line() + "\n")
        if self.enabled:
            sys.stderr.flush()

    def abandon(self) -> None:
        if self.interactive and self.drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()


# --------------------------------------------------------------------------------------------
# Making the bundled sample


def write_sample(source_folder: PathLike, destination: PathLike, n_train: int = 10_000,
                 n_test: int = 2_000) -> List[Path]:
    """Write the first images and labels of the full set as a small gzip IDX set.

    This is how the sample in :data:`SAMPLE_FOLDER` was made, from the verified full set::

        write_sample("/path/to/mnist", "neurograph/data")

    Parameters
    ----------
    source_folder : str or os.PathLike
        A folder holding the four full-set files; they are verified against :data:`SHA256`.
    destination : str or os.PathLike
        The folder to write ``<name>.gz`` into (created if needed).
    n_train, n_test : int
        How many training and test images (and labels) to keep, from the start.

    Returns
    -------
    list of pathlib.Path
        The four files written. The gzip streams are level 9 with no time stamp or name, so the
        same input gives the same bytes.
    """
    source = Path(source_folder)
    files = _complete_set(source)
    if files is None:
        missing = [b for b in FILES if _find(source, b) is None]
        raise DatasetError(f"{source} must hold the four MNIST files, got none for "
                           f"{', '.join(missing)}")
    data = _load_files(files, SHA256, source=os.fspath(source))
    for name, n, available in (("n_train", n_train, len(data.train_labels)),
                               ("n_test", n_test, len(data.test_labels))):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= available:
            raise ValueError(f"`{name}` must be an integer from 1 to {available:,}, got {n!r}")
    arrays = (data.train_images[:n_train], data.train_labels[:n_train],
              data.test_images[:n_test], data.test_labels[:n_test])
    folder = Path(destination)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for base, array in zip(FILES, arrays):
        path = folder / (base + ".gz")
        with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", compresslevel=9,
                                                    fileobj=raw, mtime=0) as stream:
            stream.write(_idx_bytes(array))
        written.append(path)
    return written
