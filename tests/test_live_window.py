"""The live view in a real window: TkAgg on a virtual screen (Xvfb), in a child process.

Skipped where Xvfb or tkinter is missing (``.ci/run`` installs Debian's xvfb). The unit tests in
test_live.py fake the window; this one opens it, as ``python examples/xor.py --live`` does.
"""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
XVFB = shutil.which("Xvfb")

SCRIPT = r"""
import json
import matplotlib
matplotlib.use("TkAgg")
from matplotlib.backends.backend_tkagg import FigureCanvasTkAgg
import numpy as np
from neurograph import LiveView, Network

flushes = []
real_flush = FigureCanvasTkAgg.flush_events
def counted(self):
    flushes.append(1)
    return real_flush(self)
FigureCanvasTkAgg.flush_events = counted

rng = np.random.default_rng(0)
X = rng.random((200, 2)) - 0.5
Y = ((X[:, :1] >= 0) != (X[:, 1:] >= 0)).astype(float)
net = Network.layered([2, 8, 1], activation="tanh", seed=0)
view = LiveView(X, Y, refresh=0.0)  # a redraw at every call: 2 epochs of 2 batches, 6 calls
net.fit(X, Y, epochs=2, batch_size=100, learning_rate=0.5, callbacks=[view], progress=False)
canvas = view.figure.canvas
window = canvas.get_tk_widget().winfo_toplevel()
window.update()
print(json.dumps({"canvas": type(canvas).__name__, "draws": view.draws,
                  "flushes": len(flushes), "mapped": bool(window.winfo_ismapped()),
                  "size": [window.winfo_width(), window.winfo_height()]}))
"""


@pytest.fixture
def display():
    if XVFB is None:
        pytest.skip("Xvfb is not installed (Debian's xvfb)")
    pytest.importorskip("tkinter")
    number = 40 + os.getpid() % 50
    server = subprocess.Popen([XVFB, f":{number}", "-screen", "0", "1600x900x24", "-nolisten",
                               "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socket = Path(f"/tmp/.X11-unix/X{number}")
    for _ in range(100):  # the server is up once its socket exists
        if socket.exists() or server.poll() is not None:
            break
        time.sleep(0.05)
    if not socket.exists():
        server.kill()
        pytest.skip(f"Xvfb did not start on :{number}")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def test_the_live_view_opens_a_window_and_repaints_it_at_every_redraw(display):
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.update(DISPLAY=display, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p]))
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["canvas"] == "FigureCanvasTkAgg" and seen["mapped"]
    assert seen["draws"] == 6 and seen["flushes"] >= seen["draws"]
    assert seen["size"][0] >= 800 and seen["size"][1] >= 400  # the wide figure, on screen
