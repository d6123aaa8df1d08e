"""Your own data: a CSV or NPZ file read, strictly, into ``X, Y`` ready for ``fit``.

A CSV file has a header row naming its columns; the target columns become ``Y``, the others
``X``. An NPZ file holds the arrays ``X`` ``(n, d)`` and ``Y`` ``(n,)`` or ``(n, k)``. The
whole file is read and checked before anything is returned, so nothing is ever trained on a
half-read file; a problem is a ValueError naming the file, the row and the column.

Classification or regression (:func:`guess_task`): a single target column is a column of
*labels*, and the task classification, when at least half of its values are not numbers, or
when every value is a whole number and there are at most :data:`MAX_GUESSED_CLASSES` distinct
ones; otherwise (several target columns, other numbers, a few words among numbers, which are
then refused as text in a numeric column) the task is regression. Labels must be fewer than
half the rows (or two). An NPZ ``Y`` of
shape ``(n, k)``, ``k >= 2``, whose rows are one-hot is classification into ``k`` classes
named ``"0"`` to ``"k-1"``. The guess can be overruled (``task=``).
"""
from __future__ import annotations

import csv
import io
import math
import os
import zipfile
from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

import numpy as np

from ..core.limits import read_regular_file

__all__ = ["Table", "read_table", "read_inputs", "guess_task", "split_rows", "standardization",
           "MAX_GUESSED_CLASSES", "TASKS"]

MAX_GUESSED_CLASSES = 20
"""A target column of whole numbers with at most this many distinct values is taken as labels
(classification); with more, as a quantity (regression)."""

TASKS = ("classification", "regression")

MISSING = ("", "na", "n/a", "nan", "null", "none", "?")
"""Cells that mean "no value" (compared without case or surrounding spaces): refused as
missing values. ("nan" counts as missing, "inf" as a non-finite number.)"""


@dataclass
class Table:
    """Data read from a file: ``X`` ``(n, d)`` float64, ``Y`` ``(n, k)`` float64 (one-hot rows
    for classification), the column names, the task and, for classification, the class names
    (one per column of ``Y``)."""

    X: np.ndarray
    Y: np.ndarray
    input_names: list
    target_names: list
    task: str
    classes: Optional[list] = None
    source: str = ""
    labels: Optional[np.ndarray] = field(default=None, repr=False)
    """For classification, each row's class index (into ``classes``)."""


def read_table(path, target: Union[str, Sequence[str], None] = None,
               task: Optional[str] = None) -> Table:
    """Read the CSV or NPZ file ``path`` (told apart by its first bytes) into a :class:`Table`.

    Parameters
    ----------
    path : str or path-like
        A CSV file (UTF-8, comma-separated, a header row first) or an NPZ file (``X``, ``Y``).
    target : str or sequence of str, optional
        CSV only: the target column(s); by default the last column.
    task : {"classification", "regression"}, optional
        Overrule the guess (see the module's docstring).

    Returns
    -------
    Table

    Raises
    ------
    ValueError
        Naming the file, and the row (the header is row 1; rows are counted as the file's
        lines, so a row number is a line number) and the column, for: an empty file, no data
        rows, a ragged row, a missing value, text in a numeric column, a non-finite number, a
        target column that is not there, one class only; for NPZ, a missing ``X`` or ``Y``,
        shapes that do not fit, lengths that differ.
    OSError
        If the file cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.csv"
    >>> _ = path.write_text("x1,x2,kind\\n0,1,cat\\n1,0,dog\\n1,1,cat\\n")
    >>> table = read_table(path)
    >>> table.task, table.classes, table.X.shape, table.Y.tolist()
    ('classification', ['cat', 'dog'], (3, 2), [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    """
    if task is not None and task not in TASKS:
        raise ValueError(f"`task` must be one of {', '.join(TASKS)}, got {task!r}")
    name = os.fspath(path)
    content = read_regular_file(path, "data file")
    if content.startswith(b"PK"):  # a zip archive: numpy's NPZ
        if target is not None:
            raise ValueError(f"{name}: an NPZ file's targets are its array Y; a target column "
                             f"is for CSV files")
        return _read_npz(name, content, task)
    return _read_csv(name, content, target, task)


# -- CSV -----------------------------------------------------------------------------------------


def _read_csv(name: str, content: bytes, target, task: Optional[str]) -> Table:
    header, rows = _csv_rows(name, content)
    if len(header) == 1:
        raise ValueError(f"{name}: the header (row 1) names one column, {header[0]!r}: a CSV "
                         f"file needs input columns and a target, separated by commas")
    targets = _target_columns(name, header, target)
    inputs = [k for k in range(len(header)) if k not in targets]
    if not inputs:
        raise ValueError(f"{name}: every column is a target: no column is left for the inputs")
    X = np.empty((len(rows), len(inputs)))
    for j, k in enumerate(inputs):
        X[:, j] = _numbers(name, header[k], [row[k] for row in rows], rows)
    cells = [[row[k].strip() for row in rows] for k in targets]
    names = [header[k] for k in targets]
    table = Table(X, np.empty((len(rows), 0)), [header[k] for k in inputs], names, "",
                  source=name)
    if task is None:
        task = guess_task(cells) if len(cells) == 1 else "regression"
    if task == "classification":
        if len(cells) != 1:
            raise ValueError(f"{name}: classification takes one target column (its labels), "
                             f"got {len(cells)}: {', '.join(names)}")
        _set_classes(table, name, names[0], cells[0], lambda i: f"row {rows.lines[i]}")
    else:
        table.Y = np.column_stack([_numbers(name, header[k], [row[k] for row in rows], rows)
                                   for k in targets])
    table.task = task
    return table


def _csv_rows(name: str, content: bytes) -> tuple[list, "_Rows"]:
    """The header (stripped names) and the data rows of the CSV text ``content``, the line
    number of each row in ``rows.lines``; blank lines are skipped."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{name}: not UTF-8 text (byte {error.start}): neither a CSV nor an "
                         f"NPZ file") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header, rows, lines = None, [], []
    try:
        for row in reader:
            if not row or all(not cell.strip() for cell in row) and len(row) <= 1:
                continue  # a blank line
            if header is None:
                header = [cell.strip() for cell in row]
                _check_header(name, header, reader.line_num)
                continue
            if len(row) != len(header):
                named = f"{len(header)} column{'' if len(header) == 1 else 's'}"
                raise ValueError(f"{name}: row {reader.line_num} has {len(row)} values, but the "
                                 f"header (row 1) names {named}")
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as error:
        raise ValueError(f"{name}: row {reader.line_num}: not valid CSV: {error}") from None
    if header is None:
        raise ValueError(f"{name}: the file is empty: a CSV file needs a header row naming its "
                         f"columns, then the data rows")
    if not rows:
        raise ValueError(f"{name}: no data rows after the header (row 1)")
    rows = _Rows(rows)
    rows.lines = lines
    return header, rows


class _Rows(list):
    """The data rows, and ``lines``: the line number of each (the header is line 1)."""

    lines: list


def _check_header(name: str, header: list, line: int) -> None:
    for k, column in enumerate(header):
        if not column:
            raise ValueError(f"{name}: row {line} (the header): column {k + 1} has no name")
        try:
            float(column)
        except ValueError:
            continue
        raise ValueError(f"{name}: row {line} should be the header naming the columns, but "
                         f"column {k + 1} is the number {column!r}")
    seen = set()
    for column in header:
        if column in seen:
            raise ValueError(f"{name}: row {line} (the header) names the column {column!r} twice")
        seen.add(column)


def _target_columns(name: str, header: list, target) -> list:
    if target is None:
        return [len(header) - 1]
    wanted = [target] if isinstance(target, str) else list(target)
    if not wanted:
        raise ValueError("`target` must name at least one column")
    found = []
    for column in wanted:
        if column not in header:
            raise ValueError(f"{name}: the target column {column!r} is not in the header (row "
                             f"1), which names {', '.join(map(repr, header))}")
        if header.index(column) in found:
            raise ValueError(f"the target column {column!r} is named twice")
        found.append(header.index(column))
    return found


def _numbers(name: str, column: str, cells: list, rows: _Rows) -> np.ndarray:
    """A column's cells as float64, or a ValueError naming the first bad row and the column."""
    values = np.empty(len(cells))
    for i, cell in enumerate(cells):
        try:
            value = float(cell)
        except ValueError:
            value = None
        if value is None or math.isnan(value) or not cell.strip():
            raise ValueError(f"{name}: row {rows.lines[i]}, column {column!r}: "
                             f"{_what_is_wrong(cell)}")
        if not math.isfinite(value):
            raise ValueError(f"{name}: row {rows.lines[i]}, column {column!r}: the number "
                             f"{cell.strip()!r} is not finite")
        values[i] = value
    return values


def _what_is_wrong(cell: str) -> str:
    if cell.strip().lower() in MISSING:
        return f"a missing value ({cell.strip()!r})" if cell.strip() else "a missing value"
    return f"text {cell.strip()!r} in a numeric column"


def guess_task(columns: Sequence[Sequence[str]]) -> str:
    """``"classification"`` or ``"regression"`` for target columns given as their cells'
    text (the rule of the module's docstring).

    Examples
    --------
    >>> guess_task([["cat", "dog"]]), guess_task([["0", "1", "1"]]), guess_task([["0.5", "1"]])
    ('classification', 'classification', 'regression')
    """
    if len(columns) != 1:
        return "regression"
    values, texts = set(), 0
    for cell in columns[0]:
        text = cell.strip()
        if text.lower() in MISSING:
            continue  # refused later, with its row
        try:
            value = float(text)
        except ValueError:
            texts += 1  # a label written as text
            continue
        whole = math.isfinite(value) and value == int(value)
        values.add(value if whole else None)
    if texts:  # mostly text: labels; mostly numbers: a quantity with a stray word in it
        return "classification" if 2 * texts >= len(columns[0]) else "regression"
    if None in values:
        return "regression"
    return "classification" if len(values) <= MAX_GUESSED_CLASSES else "regression"


def _set_classes(table: Table, name: str, column: str, cells: list, row_of) -> None:
    """One-hot ``table.Y`` from a label column: classes are the distinct labels, in numeric
    order when every label is a number, else in text order. ``row_of(i)`` says where data
    row ``i`` is, for a message."""
    for i, cell in enumerate(cells):
        if cell.lower() in MISSING:
            raise ValueError(f"{name}: {row_of(i)}, column {column!r}: {_what_is_wrong(cell)}")
    numbers = {}
    for cell in cells:
        try:
            numbers[cell] = float(cell)
        except ValueError:
            numbers = None
            break
    if numbers is not None:  # "1" and "1.0" are one class
        by_value = sorted(set(numbers.values()))
        classes = [_label(v) for v in by_value]
        index = {v: k for k, v in enumerate(by_value)}
        labels = np.array([index[numbers[cell]] for cell in cells])
    else:
        classes = sorted(set(cells))
        index = {c: k for k, c in enumerate(classes)}
        labels = np.array([index[cell] for cell in cells])
    _check_classes(name, f"column {column!r}", classes)
    if len(classes) > 2 and len(classes) > len(cells) / 2:  # labels that are no classes
        raise ValueError(f"{name}: column {column!r} holds {len(classes):,} distinct labels in "
                         f"{len(cells):,} rows, too many classes to learn (at most half as "
                         f"many as rows; a quantity is regression)")
    table.classes, table.labels = classes, labels
    table.Y = np.eye(len(classes))[labels]


def _label(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _check_classes(name: str, where: str, classes: list) -> None:
    if len(classes) < 2:
        raise ValueError(f"{name}: {where} holds one class only ({classes[0]!r}): classification "
                         f"needs at least two")


# -- NPZ -----------------------------------------------------------------------------------------


def _read_npz(name: str, content: bytes, task: Optional[str]) -> Table:
    try:
        with np.load(io.BytesIO(content), allow_pickle=False) as archive:
            present = sorted(archive.files)
            for key in ("X", "Y"):
                if key not in present:
                    raise ValueError(f"{name}: no array {key!r} (an NPZ file needs X, the "
                                     f"inputs, and Y, the targets; it holds "
                                     f"{', '.join(map(repr, present)) or 'no array'})")
            X, Y = archive["X"], archive["Y"]
    except ValueError as error:
        message = str(error)
        raise ValueError(message if message.startswith(name) else
                         f"{name}: not a readable NPZ file: {message}") from None
    except (OSError, EOFError, KeyError, zipfile.BadZipFile) as error:  # "damaged"
        raise ValueError(f"{name}: not a readable NPZ file: {error}") from None
    X = _npz_inputs(name, X)
    if Y.ndim not in (1, 2) or len(Y) != len(X):
        raise ValueError(f"{name}: Y must be (n,) labels or (n, k) values with the n = "
                         f"{len(X)} rows of X, got shape {Y.shape}")
    table = Table(X, np.empty((len(X), 0)), [f"x{j}" for j in range(X.shape[1])], ["Y"], "",
                  source=name)
    if Y.ndim == 2 and Y.shape[1] == 1:
        Y = Y[:, 0]
    if Y.ndim == 1:
        _npz_labels(table, name, Y, task)
    else:
        _npz_matrix(table, name, Y, task)
    return table


def _npz_inputs(name: str, X: np.ndarray) -> np.ndarray:
    if X.ndim != 2 or 0 in X.shape:
        raise ValueError(f"{name}: X must be a 2-D array (n rows, d inputs), got shape {X.shape}")
    if X.dtype.kind not in "fiub":
        raise ValueError(f"{name}: X must hold numbers, got dtype {X.dtype}")
    X = X.astype(np.float64)
    _npz_finite(name, "X", X)
    return X


def _npz_finite(name: str, key: str, array: np.ndarray) -> None:
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        row, column = (int(v) for v in bad[0])
        raise ValueError(f"{name}: {key} row {row}, column {column} (counted from 0): "
                         f"{float(array[row, column])} is not a finite number")


def _npz_labels(table: Table, name: str, Y: np.ndarray, task: Optional[str]) -> None:
    if Y.dtype.kind not in "fiubU":
        raise ValueError(f"{name}: Y must hold numbers or text labels, got dtype {Y.dtype}")
    if Y.dtype.kind == "U":
        cells = [str(v).strip() for v in Y]
        if task == "regression":
            raise ValueError(f"{name}: Y holds text labels, which regression cannot fit")
    else:
        values = Y.astype(np.float64)
        _npz_finite(name, "Y", values[:, None])
        cells = [_label(v) for v in values.tolist()]
    if task is None:
        task = guess_task([cells])
    if task == "classification":
        _set_classes(table, name, "Y", cells, lambda i: f"Y row {i} (counted from 0)")
    else:
        table.Y = Y.astype(np.float64)[:, None]
    table.task = task


def _npz_matrix(table: Table, name: str, Y: np.ndarray, task: Optional[str]) -> None:
    if Y.dtype.kind not in "fiub":
        raise ValueError(f"{name}: a 2-D Y must hold numbers, got dtype {Y.dtype}")
    Y = Y.astype(np.float64)
    _npz_finite(name, "Y", Y)
    one_hot = bool(np.isin(Y, (0.0, 1.0)).all() and (Y.sum(axis=1) == 1).all())
    if task is None:
        task = "classification" if one_hot else "regression"
    if task == "classification":
        if not one_hot:
            raise ValueError(f"{name}: classification needs a 2-D Y of one-hot rows (a single "
                             f"1 in each), or labels (n,)")
        labels = Y.argmax(axis=1)
        present = np.unique(labels)
        if len(present) < 2:
            raise ValueError(f"{name}: Y holds one class only ({int(present[0])}): "
                             f"classification needs at least two")
        table.classes, table.labels = [str(k) for k in range(Y.shape[1])], labels
    table.Y, table.task = Y, task
    table.target_names = [f"Y[:, {k}]" for k in range(Y.shape[1])] if Y.shape[1] > 1 else ["Y"]


# -- preparing for training ------------------------------------------------------------------------


def split_rows(table: Table, test_fraction: float, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Row indices ``(train, test)``: a random ``test_fraction`` of the rows held out (at
    least one, and at least one row left to train on), drawn with ``seed``. For
    classification the split is stratified: each class gives ``round(test_fraction x its
    rows)`` rows to the test set, and always keeps one for training.

    Examples
    --------
    >>> table = Table(np.zeros((10, 1)), np.zeros((10, 1)), ["x"], ["y"], "regression")
    >>> [len(part) for part in split_rows(table, 0.2, seed=0)]
    [8, 2]
    """
    n = len(table.X)
    if not 0 < test_fraction < 1:
        raise ValueError(f"`test_fraction` must be between 0 and 1, got {test_fraction!r}")
    if n < 2:
        raise ValueError(f"{table.source}: {n} data row: at least two are needed, one to train "
                         f"on and one to test on")
    rng = np.random.default_rng(seed)
    if table.labels is None:
        order = rng.permutation(n)
        n_test = min(n - 1, max(1, round(test_fraction * n)))
        return np.sort(order[n_test:]), np.sort(order[:n_test])
    groups = [rng.permutation(np.flatnonzero(table.labels == k))
              for k in range(len(table.classes))]
    counts = _held_out_per_class([len(rows) for rows in groups], test_fraction)
    if not sum(counts):
        raise ValueError(f"{table.source}: every class has a single row, so none can be held "
                         "out for testing and still be trained on")
    test = np.array(sorted(int(r) for rows, k in zip(groups, counts) for r in rows[:k]))
    return np.setdiff1d(np.arange(n), test), test


def _held_out_per_class(sizes: list, test_fraction: float) -> list:
    """How many rows each class holds out: ``test_fraction`` of all the rows in total (at
    least one), shared in proportion to the classes' sizes (the largest remainders rounding
    up), each class keeping at least one row to train on. With many small classes, rounding
    each class alone would hold out far fewer rows than asked."""
    room = [size - 1 for size in sizes]
    total = min(sum(room), max(1, round(test_fraction * sum(sizes))))
    shares = [test_fraction * size for size in sizes]
    counts = [min(int(share), r) for share, r in zip(shares, room)]
    by_remainder = sorted(range(len(sizes)), key=lambda k: counts[k] - shares[k])
    while sum(counts) < total:
        for k in by_remainder:
            if sum(counts) < total and counts[k] < room[k]:
                counts[k] += 1
    return counts


def standardization(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(mean, scale)`` of each column of ``X``: its mean and standard deviation, with a
    constant column's scale taken as 1 (so it becomes 0 everywhere, not a division by zero).

    Examples
    --------
    >>> mean, scale = standardization(np.array([[1.0, 5.0], [3.0, 5.0]]))
    >>> mean.tolist(), scale.tolist()
    ([2.0, 5.0], [1.0, 1.0])
    """
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[~(scale > 0)] = 1.0
    return mean, scale


# -- reading rows to predict ----------------------------------------------------------------------


def read_inputs(path, width: int, names: Optional[Sequence[str]] = None
                ) -> tuple[np.ndarray, list]:
    """The rows of the CSV or NPZ file ``path`` as a network of ``width`` inputs reads them:
    ``(X, where)``, ``X`` ``(n, width)`` float64 and ``where`` each row's place
    (``"file.csv row 2"``, ``"file.npz X[0]"``).

    A CSV file's inputs are its columns called ``names`` (a model's ``input_labels``), in that
    order, whatever other columns it has (its targets, say); without ``names`` it must have
    ``width`` columns. An NPZ file's are its array ``X``. Checked as :func:`read_table` checks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "new.csv"
    >>> _ = path.write_text("kind,x2,x1\\ncat,1,0\\n")
    >>> X, where = read_inputs(path, 2, ["x1", "x2"])
    >>> X.tolist(), where[0].endswith("new.csv row 2")
    ([[0.0, 1.0]], True)
    """
    name = os.fspath(path)
    content = read_regular_file(path, "data file")
    if content.startswith(b"PK"):
        try:
            with np.load(io.BytesIO(content), allow_pickle=False) as archive:
                if "X" not in archive.files:
                    raise ValueError(f"{name}: no array 'X' (the rows to predict)")
                X = archive["X"]
        except (OSError, EOFError, KeyError) as error:
            raise ValueError(f"{name}: not a readable NPZ file: {error}") from None
        X = _npz_inputs(name, X)
        where = [f"{name} X[{i}]" for i in range(len(X))]
    else:
        header, rows = _csv_rows(name, content)
        if names is None:
            if len(header) != width:
                raise ValueError(f"{name}: the model reads {width} inputs, but the header (row "
                                 f"1) names {len(header)} column{'' if len(header) == 1 else 's'}")
            names = header
        for column in names:
            if column not in header:
                raise ValueError(f"{name}: the column {column!r}, an input of the model, is "
                                 f"not in the header (row 1), which names "
                                 f"{', '.join(map(repr, header))}")
        X = np.column_stack([_numbers(name, column, [row[header.index(column)] for row in rows],
                                      rows) for column in names])
        where = [f"{name} row {line}" for line in rows.lines]
    if X.shape[1] != width:
        raise ValueError(f"{name}: the model reads {width} inputs, got rows of {X.shape[1]}")
    return X, where
