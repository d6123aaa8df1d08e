"""Edits of a parsed model file for the loader's rejection tests (test_io, test_io_convolution).

``_set(path, value)`` and ``_delete(path)`` return a function that changes a document in place,
at ``path``: a sequence of keys and list indices.
"""


def _parent(document, path):
    *parents, last = path
    target = document
    for key in parents:
        target = target[key]
    return target, last


def _set(path, value):
    def mutate(document):
        target, last = _parent(document, path)
        target[last] = value
    return mutate


def _delete(path):
    def mutate(document):
        target, last = _parent(document, path)
        del target[last]
    return mutate
