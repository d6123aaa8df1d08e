"""The package shows its architecture and keeps it: no import cycles, short functions, no
tests of a layer's kind outside the layer classes, a docstring for every sub-package."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "neurograph"
LAYER_MODULES = {"core/layers.py", "layers/convolution.py", "layers/dropout.py",
                 "layers/kinds.py", "layers/__init__.py"}


def modules() -> dict:
    """``dotted name -> (path, syntax tree)`` for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = (path, ast.parse(path.read_text()))
    return found


def imports(name: str, path: Path, tree: ast.AST, known: dict) -> set:
    """The package's modules that module ``name`` imports, anywhere in it (inside functions
    too); ``from .x import y`` counts ``x.y`` when that is a module."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            candidates = [module] + [f"{module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        for candidate in candidates:
            # importing a module runs its package's __init__, which is not the module itself
            if candidate in known and candidate != name and not name.startswith(candidate + "."):
                if not (path.name == "__init__.py" and candidate.startswith(name + ".")):
                    targets.add(candidate)
    return targets


def test_no_import_cycle_between_modules():
    known = modules()
    graph = {name: imports(name, path, tree, known) for name, (path, tree) in known.items()}
    cycles, state = [], {}

    def visit(module, trail):
        state[module] = "open"
        trail.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(trail[trail.index(target):] + [target])
            elif target not in state:
                visit(target, trail)
        trail.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_no_function_is_longer_than_80_lines():
    long = [f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}"
            for path, tree in modules().values() for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno >= 80]
    assert not long


def kind_tests(tree: ast.AST) -> list:
    """Places that ask what kind a layer is: ``.shared``, ``isinstance``/``issubclass`` against
    a layer class, ``hasattr``/``getattr`` on something called a layer."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "shared":
            found.append((node.lineno, ".shared"))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("isinstance", "issubclass") and len(node.args) == 2:
                names = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
                names |= {n.attr for n in ast.walk(node.args[1]) if isinstance(n, ast.Attribute)}
                if any(n.endswith("Layer") and n != "Layer" for n in names):
                    found.append((node.lineno, f"{node.func.id}(..., {sorted(names)})"))
            if node.func.id in ("hasattr", "getattr") and node.args:
                first = ast.unparse(node.args[0])
                if "layer" in first.lower() and first != "self":
                    found.append((node.lineno, ast.unparse(node)))
    return found


def test_outside_the_layer_classes_nothing_asks_what_kind_a_layer_is():
    found = [f"{path.relative_to(PACKAGE)}:{line} {what}"
             for path, tree in modules().values()
             if str(path.relative_to(PACKAGE)) not in LAYER_MODULES
             for line, what in kind_tests(tree)]
    assert not found, "\n".join(found)


def test_the_kind_test_finder_finds_kind_tests():
    tree = ast.parse("if layer.shared or isinstance(l, MaxPoolingLayer) or "
                     "hasattr(layer, 'kernels'): pass")
    assert [what for _, what in kind_tests(tree)][:1] == [".shared"]
    assert len(kind_tests(tree)) == 3


@pytest.mark.parametrize("package", ["core", "layers", "engines", "optimizers", "training",
                                     "teaching", "drawing", "io", "cli"])
def test_every_sub_package_says_what_it_holds(package):
    tree = ast.parse((PACKAGE / package / "__init__.py").read_text())
    docstring = ast.get_docstring(tree)
    assert docstring and len(docstring.split()) >= 10, package


def test_importing_neurograph_does_not_import_the_optional_onnx_packages():
    import subprocess
    import sys

    code = ("import sys, neurograph, neurograph.io.onnx_support; "
            "print(sorted(m for m in ('onnx', 'onnxruntime') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]"


def test_a_missing_optional_package_is_named_with_its_install_command():
    from neurograph.io.onnx_support import INSTALL, require

    with pytest.raises(ImportError, match=r"no_such_onnx_package is needed .*neurograph\[onnx\]"):
        require("no_such_onnx_package")
    assert "neurograph[onnx]" in INSTALL
