"""The network in a web page: draw a digit in the browser and watch the network read it.

:func:`write_site` writes a static folder (``index.html``, ``network.js`` holding the network as
:func:`network_spec` describes it, and ``neurograph.js``, the page's own JavaScript: the engine
``engine.js`` that computes ``z = sum w a + b`` and ``a = f(z)`` layer by layer as the
vectorized engine does, then the page). No server, no build step, no third-party code.
"""
from .export import network_spec, write_site

__all__ = ["network_spec", "write_site"]
