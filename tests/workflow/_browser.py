"""A headless Chromium driven through ChromeDriver's W3C WebDriver protocol (plain HTTP and
JSON, so no client library is needed), for the labelling page's browser test.

Found where Debian's ``chromium`` and ``chromium-driver`` packages put them, or on PATH;
:func:`find` returns None where either is missing, and the test then skips.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

# Flags for a closed network and for running as root (see the environment notes): no
# background connections, no sandbox, a fresh profile.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
]
KEYS = {"left": "\ue012", "right": "\ue014", "enter": "\ue007", "backspace": "\ue003"}


def find():
    """(chromium, chromedriver) paths, or None when either is not installed."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """One WebDriver session; use as a context manager."""

    def __init__(self, browser, driver):
        self.profile = tempfile.mkdtemp(prefix="sklearn-fer-chromium-")
        self.port = _free_port()
        self.process = subprocess.Popen(
            [driver, f"--port={self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self._wait_for_driver()
        options = {"binary": browser, "args": [*FLAGS, f"--user-data-dir={self.profile}"]}
        answer = self._call(
            "POST",
            "/session",
            {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}},
        )
        self.session = f"/session/{answer['sessionId']}"

    def _wait_for_driver(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self._call("GET", "/status")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("chromedriver did not start")

    def _call(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"WebDriver {method} {path}: {error.read().decode()}") from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self._call("DELETE", self.session)
        finally:
            self.process.terminate()
            self.process.wait(timeout=20)
            shutil.rmtree(self.profile, ignore_errors=True)

    # -- what the test uses ------------------------------------------------------------
    def open(self, url):
        self._call("POST", f"{self.session}/url", {"url": url})

    def script(self, source, *args):
        return self._call(
            "POST", f"{self.session}/execute/sync", {"script": source, "args": list(args)}
        )

    def wait_for(self, source, *args, timeout=20):
        """Run ``source`` until it returns something true; return that."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.script(source, *args)
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for: {source}")

    def element(self, css):
        found = self._call(
            "POST", f"{self.session}/element", {"using": "css selector", "value": css}
        )
        return next(iter(found.values()))

    def click_at(self, css, dx, dy):
        """Click at (dx, dy) pixels from the centre of the element ``css``."""
        origin = {"element-6066-11e4-a52e-4f735466cecf": self.element(css)}
        pointer = {
            "type": "pointer",
            "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": [
                {"type": "pointerMove", "origin": origin, "x": int(dx), "y": int(dy)},
                {"type": "pointerDown", "button": 0},
                {"type": "pointerUp", "button": 0},
            ],
        }
        self._call("POST", f"{self.session}/actions", {"actions": [pointer]})

    def screenshot(self):
        """The window as PNG bytes."""
        import base64

        return base64.b64decode(self._call("GET", f"{self.session}/screenshot"))

    def press(self, *keys):
        """Press keys in order: names of KEYS, or single characters."""
        actions = []
        for key in keys:
            value = KEYS.get(key, key)
            actions += [{"type": "keyDown", "value": value}, {"type": "keyUp", "value": value}]
        self._call(
            "POST",
            f"{self.session}/actions",
            {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]},
        )
