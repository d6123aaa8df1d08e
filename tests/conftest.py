"""Shared test set-up: headless plotting and hypothesis settings for a noisy 2-core machine."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import settings  # noqa: E402

# Timing varies on shared machines: no per-example deadline. Under CI, derandomize so a failure
# reproduces exactly on the next run.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
