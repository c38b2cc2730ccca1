import http.client
import json
import os
import socket
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from sklearn_fer.workflow import LabelServer, read_labels

from . import _browser

N_FACES = 4


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "faces").mkdir()
    lines = ["path,valence,arousal,expression,video,time_s,round,sampler"]
    for i in range(N_FACES):
        cv2.imwrite(str(tmp_path / f"faces/f{i}.png"), np.full((64, 64, 3), 60 * i, np.uint8))
        lines.append(f"faces/f{i}.png,,,,clip.mp4,{4 * i}.000,1,gsx")
    (tmp_path / "labels.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "secret.txt").write_text("not for the page")
    return tmp_path


@pytest.fixture
def server(folder):
    server = LabelServer(folder, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _request(server, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    all_headers = {"Host": f"127.0.0.1:{server.server_address[1]}", **(headers or {})}
    if body is not None and not isinstance(body, bytes):
        body = json.dumps(body).encode()
        all_headers.setdefault("Content-Type", "application/json")
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response.status, response.getheader("Content-Type"), content


def test_the_page_the_frames_and_the_faces(server):
    status, kind, page = _request(server, "GET", "/")
    assert status == 200 and kind.startswith("text/html") and b'id="grid"' in page
    status, _, frames = _request(server, "GET", "/api/frames")
    frames = json.loads(frames)["frames"]
    assert [f["path"] for f in frames] == [f"faces/f{i}.png" for i in range(N_FACES)]
    assert frames[1] == {
        "path": "faces/f1.png",
        "valence": None,
        "arousal": None,
        "expression": "",
        "video": "clip.mp4",
        "time_s": 4.0,
        "context": "",
    }
    status, kind, image = _request(server, "GET", "/faces-file/faces%2Ff2.png")
    assert status == 200 and kind == "image/png"
    assert cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR).mean() == 120


def test_a_click_is_on_disk_when_it_is_answered(server, folder):
    status, _, answer = _request(
        server, "POST", "/api/label", {"path": "faces/f1.png", "valence": 0.5, "arousal": -0.25}
    )
    assert status == 200
    assert json.loads(answer) == {"path": "faces/f1.png", "valence": 0.5, "arousal": -0.25}
    assert read_labels(folder).loc[1, ["valence", "arousal"]].tolist() == [0.5, -0.25]
    clear = {"path": "faces/f1.png", "valence": None, "arousal": None}
    _request(server, "POST", "/api/label", clear)
    assert read_labels(folder)["valence"].isna().all()


@pytest.mark.parametrize(
    "path",
    [
        "/faces-file/secret.txt",
        "/faces-file/labels.csv",
        "/faces-file/..%2Fsecret.txt",
        "/faces-file/%2Fetc%2Fpasswd",
        "/faces/../secret.txt",
        "/nothing",
    ],
)
def test_only_listed_faces_are_served(server, path):
    status, _, content = _request(server, "GET", path)
    assert status == 404 and b"not for the page" not in content


GOOD = {"path": "faces/f1.png", "valence": 0.5, "arousal": 0.5}


@pytest.mark.parametrize(
    "body, headers, status",
    [
        ({"path": "faces/f1.png", "valence": 1.5, "arousal": 0}, None, 400),
        ({"path": "faces/f1.png", "valence": 0.5}, None, 400),
        ({"path": "faces/nope.png", "valence": 0.5, "arousal": 0.5}, None, 404),
        ({"valence": 0.5, "arousal": 0.5}, None, 400),
        (b"path=faces/f1.png&valence=0.5&arousal=0.5", {"Content-Type": "text/plain"}, 400),
        (b"{not json", {"Content-Type": "application/json"}, 400),
        (GOOD, {"Origin": "http://evil.example"}, 403),
        (GOOD, {"Host": "evil.example"}, 403),
    ],
)
def test_bad_or_foreign_requests_change_nothing(server, folder, body, headers, status):
    before = (folder / "labels.csv").read_bytes()
    assert _request(server, "POST", "/api/label", body, headers)[0] == status
    assert (folder / "labels.csv").read_bytes() == before


def test_listens_on_loopback_only_and_refuses_a_port_in_use(folder):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError) as error:
            LabelServer(folder, port=taken.getsockname()[1])
        assert error.value.errno == 98 or "in use" in str(error.value).lower()
    server = LabelServer(folder, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
        assert server.url == f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.server_close()


def test_not_a_labelling_folder(tmp_path):
    with pytest.raises(ValueError, match="has no labels.csv"):
        LabelServer(tmp_path, port=0)
    (tmp_path / "labels.csv").write_text("path,valence,arousal\nfaces/a.png,3,0\n")
    with pytest.raises(ValueError, match="label outside"):
        LabelServer(tmp_path, port=0)


BROWSER = _browser.find()
TEXT = "return document.getElementById(arguments[0]).textContent"


@pytest.mark.skipif(BROWSER is None, reason="no Chromium and ChromeDriver installed")
def test_labelling_in_a_real_browser(server, folder):
    with _browser.Browser(*BROWSER) as browser:
        browser.open(server.url)
        browser.wait_for("return document.body.dataset.ready === '1'")
        assert browser.wait_for("return document.getElementById('face').naturalWidth") == 64
        assert browser.script(TEXT, "position") == "frame 1 of 4 at 0.00 s of clip.mp4"
        # A click 100 px right of and 50 px above the centre of the 400 px grid.
        browser.click_at("#grid", 100, -50)
        browser.wait_for("return document.body.dataset.saved === '1'")
        labels = read_labels(folder)
        clicked = labels.loc[0, ["valence", "arousal"]].tolist()
        assert clicked == pytest.approx([0.5, 0.25], abs=0.01)
        # The page moved on to the next face; label it from the keyboard alone.
        assert "frame 2 of 4" in browser.script(TEXT, "position")
        browser.press("d", "d", "d", "w", "enter")
        browser.wait_for("return document.body.dataset.saved === '2'")
        assert read_labels(folder).loc[1, ["valence", "arousal"]].tolist() == [0.3, 0.1]
        # Back to the first face and clear its label.
        browser.press("left", "left", "backspace")
        browser.wait_for("return document.body.dataset.saved === '3'")
        labels = read_labels(folder)
        assert labels.loc[0, ["valence", "arousal"]].isna().all()
        assert labels.loc[1, ["valence", "arousal"]].tolist() == [0.3, 0.1]
        assert "1 of 4 labelled" in browser.script(TEXT, "progress")


def test_the_frame_in_context_is_served_and_nothing_else(tmp_path):
    (tmp_path / "faces").mkdir()
    cv2.imwrite(str(tmp_path / "faces/a.png"), np.full((224, 224, 3), 50, np.uint8))
    cv2.imwrite(str(tmp_path / "faces/a_frame.jpg"), np.full((270, 480, 3), 200, np.uint8))
    cv2.imwrite(str(tmp_path / "faces/b_frame.jpg"), np.full((270, 480, 3), 90, np.uint8))
    (tmp_path / "labels.csv").write_text(
        "path,valence,arousal,video,time_s,context\nfaces/a.png,,,v.mp4,1.5,faces/a_frame.jpg\n"
    )
    server = LabelServer(tmp_path, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        frames = json.loads(_request(server, "GET", "/api/frames")[2])["frames"]
        assert frames[0]["context"] == "faces/a_frame.jpg"
        status, kind, image = _request(server, "GET", "/faces-file/faces%2Fa_frame.jpg")
        assert status == 200 and kind == "image/jpeg"
        assert cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR).shape == (270, 480, 3)
        assert _request(server, "GET", "/faces-file/faces%2Fb_frame.jpg")[0] == 404
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.slow
@pytest.mark.skipif(BROWSER is None, reason="no Chromium and ChromeDriver installed")
def test_a_queried_real_face_in_its_frame_on_the_page(general, tmp_path):
    # A real video through query, then the page as a person sees it: the face at 224 px
    # and the whole frame with the face's box below it, beside the grid. The screenshot
    # is kept (SKLEARN_FER_SCREENSHOTS=folder) for a person to look at.
    from sklearn_fer.workflow import query_video

    from .._real_media import real_media

    video = real_media("WolfgangLanger_Pexels.mp4")
    query_video(video, general, tmp_path / "l", n=2, sampler="random", every_seconds=6)
    server = LabelServer(tmp_path / "l", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with _browser.Browser(*BROWSER) as browser:
            browser.open(server.url)
            browser.wait_for("return document.body.dataset.ready === '1'")
            assert browser.wait_for("return document.getElementById('face').naturalWidth") == 224
            size = browser.wait_for(
                "const i = document.getElementById('context');"
                " return i.naturalWidth > 0 && [i.naturalWidth, i.naturalHeight]"
            )
            assert size == [480, 270]
            boxes = browser.script(
                "return ['face', 'context', 'grid'].map(id => {"
                " const r = document.getElementById(id).getBoundingClientRect();"
                " return [r.left, r.top, r.right, r.bottom]; })"
            )
            face, context, grid = boxes
            assert context[1] >= face[3] and context[2] - context[0] == pytest.approx(290, abs=3)
            assert grid[0] >= max(face[2], context[2])  # side by side, nothing covered
            assert context[3] <= 1000  # within the window, no scrolling to see it
            png = browser.screenshot()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert png.startswith(b"\x89PNG")
    keep = os.environ.get("SKLEARN_FER_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / "label_page_context.png").write_bytes(png)
