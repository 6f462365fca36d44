"""Front-end packages (htmx, Chart.js, the bpmn-js viewer, Swagger UI) served from node_modules, installed
from npm by the Makefile; and the modeler's bundles (bpmn-js, its properties panel, dmn-js), which
``make`` builds with esbuild from our small entry files into build/modeler.

Only the files listed here are served, so node_modules as a whole is never exposed.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request, send_from_directory
from werkzeug.exceptions import NotFound

bp = Blueprint("assets", __name__)

VENDOR_FILES = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "chart.umd.js": "chart.js/dist/chart.umd.js",
    "bpmn-navigated-viewer.js": "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "diagram-js.css": "bpmn-js/dist/assets/diagram-js.css",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
}

MODELER_FILES = frozenset({"bpmn.js", "bpmn.css", "dmn.js", "dmn.css"})


@bp.get("/vendor/<name>")
def vendor(name: str) -> Response:
    """One allowed file of an installed npm package, cached for a day."""
    relative = VENDOR_FILES.get(name)
    if relative is None:
        raise NotFound()
    root = Path(current_app.config["NODE_MODULES"])
    if not (root / relative).is_file():
        raise NotFound()
    return send_from_directory(root, relative, max_age=86400)


@bp.get("/modeler-assets/<name>")
def modeler(name: str) -> Response:
    """One file of the modeler's bundles (``make`` builds them; without them, not found)."""
    root = Path(current_app.config["MODELER_BUILD"])
    if name not in MODELER_FILES or not (root / name).is_file():
        raise NotFound()
    return send_from_directory(root, name, max_age=3600)


def _buffer_files(response: Response) -> Response:
    """Read our small static files into memory, so they are compressed like pages are.

    Flask-Compress compresses streamed files with zstd or br only, and its stream wrapper loses the
    file's close(); a buffered response is compressed with any accepted encoding and closed properly.
    """
    if request.endpoint in ("static", "assets.vendor", "assets.modeler") and response.status_code == 200:
        response.direct_passthrough = False
        response.make_sequence()
    return response


def init_app(app: Flask) -> None:
    app.after_request(_buffer_files)  # runs before Flask-Compress (registered earlier)
