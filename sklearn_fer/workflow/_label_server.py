"""The local labelling server (``sklearn-fer label``): the page, the faces, the clicks.

It listens on 127.0.0.1 only and answers only requests addressed to it by that name (or
``localhost``), so other machines cannot reach it and other web sites cannot drive it
(a request from another origin is refused, and a cross-site page cannot send the JSON
it takes without a preflight this server never grants). It serves only the images
``labels.csv`` lists (each face, and the whole frame around it in ``context``), from
inside the folder, and writes each label with :func:`set_label` the moment it is
clicked.
"""

from __future__ import annotations

import json
import math
import os
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ._label_page import PAGE
from ._labels import LABELS, read_labels, set_label

__all__ = ["LabelServer"]

HOST = "127.0.0.1"
_MAX_BODY = 10_000
_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def _missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value):
    return None if _missing(value) else float(value)


def _text(value):
    return "" if _missing(value) else str(value)


class _Handler(BaseHTTPRequestHandler):
    server_version = "sklearn-fer-label"

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's name
        pass  # one line per request would drown the command's own messages

    # -- checks ------------------------------------------------------------------------
    def _addressed_to_us(self):
        port = self.server.server_address[1]
        allowed = {f"{HOST}:{port}", f"localhost:{port}"}
        if self.headers.get("Host", "") not in allowed:
            self._send_json(
                HTTPStatus.FORBIDDEN,
                {"error": f"requests must be addressed to http://{HOST}:{port}/"},
            )
            return False
        origin = self.headers.get("Origin")
        if origin is not None and origin not in {f"http://{name}" for name in allowed}:
            self._send_json(HTTPStatus.FORBIDDEN, {"error": f"origin {origin!r} refused"})
            return False
        return True

    # -- answers -----------------------------------------------------------------------
    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status, payload):
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _frames(self):
        table = read_labels(self.server.folder)
        columns = ["path", "valence", "arousal", "expression", "video", "time_s", "context"]
        return [
            {
                "path": _text(row["path"]).strip(),
                "valence": _number(row["valence"]),
                "arousal": _number(row["arousal"]),
                "expression": _text(row["expression"]),
                "video": _text(row["video"]),
                "time_s": _number(row["time_s"]),
                "context": _text(row["context"]).strip(),
            }
            for row in table.reindex(columns=columns).to_dict("records")
        ]

    def _face(self, name):
        listed = {f[key] for f in self._frames() for key in ("path", "context") if f[key]}
        folder = self.server.folder.resolve()
        path = (folder / name).resolve()
        if name not in listed or not path.is_relative_to(folder) or not path.is_file():
            self._send_json(HTTPStatus.NOT_FOUND, {"error": f"no face {name!r} in labels.csv"})
            return
        content_type = _IMAGE_TYPES.get(path.suffix.lower(), "application/octet-stream")
        self._send(HTTPStatus.OK, path.read_bytes(), content_type)

    def do_GET(self):  # noqa: N802 - http.server's name
        if not self._addressed_to_us():
            return
        route = urlsplit(self.path).path
        try:
            if route in ("/", "/index.html"):
                self._send(HTTPStatus.OK, PAGE.encode(), "text/html; charset=utf-8")
            elif route == "/api/frames":
                self._send_json(HTTPStatus.OK, {"frames": self._frames()})
            elif route.startswith("/faces-file/"):
                self._face(unquote(route[len("/faces-file/") :]))
            else:
                self._send_json(HTTPStatus.NOT_FOUND, {"error": f"no page {route!r}"})
        except ValueError as error:  # labels.csv edited by hand into a bad state
            self._send_json(HTTPStatus.CONFLICT, {"error": str(error)})

    def _read_json(self):
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise ValueError("expected a JSON body (Content-Type: application/json)")
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= _MAX_BODY:
            raise ValueError(f"expected a body of 1 to {_MAX_BODY} bytes")
        payload = json.loads(self.rfile.read(length))
        if not isinstance(payload, dict) or not isinstance(payload.get("path"), str):
            raise ValueError('expected {"path": ..., "valence": ..., "arousal": ...}')
        return payload

    def do_POST(self):  # noqa: N802 - http.server's name
        if not self._addressed_to_us():
            return
        if urlsplit(self.path).path != "/api/label":
            self._send_json(HTTPStatus.NOT_FOUND, {"error": "no such action"})
            return
        try:
            payload = self._read_json()
            row = set_label(
                self.server.folder, payload["path"], payload.get("valence"), payload.get("arousal")
            )
        except KeyError as error:
            self._send_json(HTTPStatus.NOT_FOUND, {"error": str(error.args[0])})
            return
        except ValueError as error:  # json.JSONDecodeError is one
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
            return
        values = {k: float(row[k]) if row[k].strip() else None for k in ("valence", "arousal")}
        self._send_json(HTTPStatus.OK, {"path": payload["path"], **values})


class LabelServer(ThreadingHTTPServer):
    """The labelling page of a folder, served on 127.0.0.1 (``sklearn-fer label``).

    Shows each face ``labels.csv`` lists, with the whole frame around it (``context``,
    the face's box drawn) when ``query`` saved one, beside a valence-arousal grid; every
    click (or Enter after moving the marker with W/A/S/D) is written to ``labels.csv`` at
    once, atomically (:func:`set_label`), so closing the browser or stopping the server
    loses nothing. The server is bound when created; call ``serve_forever()`` to answer
    requests and ``shutdown()`` (from another thread) then ``server_close()`` to stop.

    Parameters
    ----------
    folder : path-like
        A labelling folder (``sklearn-fer query`` writes one).
    port : int, default=8765
        Port on 127.0.0.1; 0 picks a free one (see ``url``).

    Attributes
    ----------
    url : str
        Address of the page.

    Raises
    ------
    ValueError
        ``folder`` has no ``labels.csv``, or it has bad rows.
    OSError
        The port is in use (``errno.EADDRINUSE``) or not allowed.

    Examples
    --------
    >>> import json, tempfile, threading, urllib.request
    >>> from pathlib import Path
    >>> from sklearn_fer.workflow import LabelServer
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "labels.csv").write_text("path,valence,arousal\\nfaces/a.png,,\\n")
    >>> server = LabelServer(folder, port=0)
    >>> thread = threading.Thread(target=server.serve_forever, daemon=True)
    >>> thread.start()
    >>> with urllib.request.urlopen(server.url + "api/frames") as answer:
    ...     frames = json.loads(answer.read())["frames"]
    >>> frames[0]["path"], frames[0]["valence"]
    ('faces/a.png', None)
    >>> server.shutdown(); server.server_close()
    """

    daemon_threads = True
    # POSIX's SO_REUSEADDR only reuses ports left in TIME_WAIT (a port another server
    # listens on is still refused); Windows' would share a port in use, so not there.
    allow_reuse_address = os.name != "nt"

    def __init__(self, folder, *, port=8765):
        folder = Path(os.fspath(folder))
        if not (folder / LABELS).is_file():
            raise ValueError(
                f"{str(folder)!r} has no {LABELS}: it is not a labelling folder (make one with "
                "sklearn-fer query VIDEO --model MODEL --out FOLDER)."
            )
        read_labels(folder)  # bad rows are reported now, not on the first click
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an int in [0, 65535], got {port!r}.")
        self.folder = folder
        super().__init__((HOST, port), _Handler)

    @property
    def url(self):
        return f"http://{HOST}:{self.server_address[1]}/"

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            return  # the browser went away mid-answer (a tab closed): nothing to report
        print(
            f"sklearn-fer label: error answering a request: {type(error).__name__}: {error}",
            file=sys.stderr,
        )
