"""Shared test set-up: headless plotting and hypothesis settings for a noisy 2-core machine."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")
# One BLAS thread: these matrices are small, and on a loaded 2-core machine OpenBLAS's spinning
# threads made an MNIST epoch 20x slower than one thread does (set before numpy is imported).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from hypothesis import settings  # noqa: E402

# Timing varies on shared machines: no per-example deadline. Under CI, derandomize so a failure
# reproduces exactly on the next run.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


import pytest  # noqa: E402
from pathlib import Path  # noqa: E402

# The full MNIST set, kept beside the project (never in the repo): <repo>/../shared/data/mnist.
MNIST_FOLDER = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


@pytest.fixture(scope="session")
def mnist_folder() -> Path:
    """The folder holding the full MNIST set; the test is skipped when it is not there."""
    if not MNIST_FOLDER.is_dir():
        pytest.skip(f"the full MNIST set is not at {MNIST_FOLDER}")
    return MNIST_FOLDER


@pytest.fixture(scope="session")
def load_example():
    """``load_example("xor")`` imports ``examples/xor.py`` as a module (examples/ is no package)."""
    import importlib.util

    folder = Path(__file__).resolve().parents[1] / "examples"

    def load(name: str):
        spec = importlib.util.spec_from_file_location(f"example_{name}", folder / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
