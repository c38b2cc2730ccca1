"""Loader attacks: generated AffectNet and labelled-folder rows, hostile paths, broken files.

For any generated table: every row is either loaded or listed in ``dropped`` with a reason
(never both, never neither), a row is loaded only when it is good by construction, the tree
(``root`` and the files outside it) is byte-identical afterwards, and a malformed table is
a ValueError naming what is wrong.
"""

import hashlib
import shutil
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_fer.datasets import AFFECTNET_COLUMNS, load_affectnet, load_labelled_faces

from ._clean import count, expect_clean_error

FUZZ = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

#: path in the CSV -> whether it is a good image inside the root.
PATHS = {
    "good/a.png": True,
    "good/b.jpg": True,
    "../outside.png": False,
    "good/../../outside.png": False,
    "/etc/passwd": False,
    "link_out.png": False,  # a symbolic link to the image outside the root
    "link_dir/a.png": False,  # through a linked folder outside the root
    "zero.png": False,
    "corrupt.jpg": False,
    "truncated.png": False,
    "missing.png": False,
    "": False,
}
LABELS = st.one_of(
    st.floats(-1, 1).map(lambda v: (f"{v:.3f}", True)),
    st.sampled_from(
        [
            ("1.5", False),
            ("-1.01", False),
            ("nan", False),
            ("inf", False),
            ("", False),
            ("high", False),
            ("1e309", False),
            ("0x1", False),
        ]
    ),
)


def _digest(*roots):
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for root in roots
        for p in sorted(Path(root).rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _image(path, value=120, size=(80, 90)):
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), np.full((*size, 3), value, np.uint8))


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """root/ (the dataset images) and outside/ (what no loader may read)."""
    base = tmp_path_factory.mktemp("tree")
    root, outside = base / "root", base / "outside"
    _image(root / "good/a.png")
    _image(root / "good/b.jpg", 200)
    _image(outside / "outside.png", 10)
    _image(outside / "dir/a.png", 10)
    _image(base / "outside.png", 10)
    (root / "zero.png").write_bytes(b"")
    (root / "corrupt.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    good = (root / "good/a.png").read_bytes()
    (root / "truncated.png").write_bytes(good[: len(good) // 3])
    (root / "link_out.png").symlink_to(outside / "outside.png")
    (root / "link_dir").symlink_to(outside / "dir")
    return base


ROW = st.tuples(st.sampled_from(sorted(PATHS)), LABELS, LABELS)


def _check_partition(faces, rows, good_rows):
    """Every row loaded or dropped with a reason; loaded exactly the good rows."""
    loaded = [int(r) for r in faces.row]
    dropped = faces.dropped["row"].astype(int).tolist()
    assert sorted(loaded + dropped) == list(range(len(rows)))
    assert all(str(reason).strip() for reason in faces.dropped["reason"])
    assert loaded == good_rows
    assert len(faces.images) == len(loaded)


@FUZZ
@given(rows=st.lists(ROW, min_size=1, max_size=6), bom=st.booleans())
def test_labelled_folder_rows_are_loaded_or_dropped_with_a_reason(tree, rows, bom):
    root = tree / "root"
    lines = ["path,valence,arousal"] + [f"{p},{v[0]},{a[0]}" for p, v, a in rows]
    labels = tree / "labels.csv"
    labels.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    before = _digest(tree)
    count("loaders")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        faces = load_labelled_faces(root, labels=labels, image_size=64, errors="drop")
    # A row with an empty label is "not labelled yet" (dropped) like any other bad row.
    good = [i for i, (p, v, a) in enumerate(rows) if PATHS[p] and v[1] and a[1]]
    _check_partition(faces, rows, good)
    assert _digest(tree) == before
    if len(good) < len(rows):
        count("loaders", "clean error")  # a bad row reported, not loaded
        strict = lambda: load_labelled_faces(root, labels=labels, image_size=64)  # noqa: E731
        if any(v[0] and a[0] for p, v, a in rows if not (PATHS[p] and v[1] and a[1])):
            expect_clean_error("loaders", strict, "line", "row")


BOX = st.one_of(
    st.just(((10, 10, 40, 40), True)),
    st.sampled_from(
        [
            ((-5, 10, 40, 40), True),  # partly outside the image: clipped (crop_and_resize)
            ((10, 10, 0, 40), False),
            ((10, 10, -40, 40), False),
            ((10**9, 10, 40, 40), False),
            ((10, 10, 10**9, 10**9), True),  # clipped to the image
            ((0, 0, 1, 1), True),
        ]
    ),
)


def _affectnet_row(path, box, valence, arousal):
    landmarks = ";".join(["1.0"] * 136)
    return f"{path},{','.join(map(str, box))},{landmarks},1,{valence},{arousal}"


@FUZZ
@given(rows=st.lists(st.tuples(ROW, BOX), min_size=1, max_size=6), header=st.booleans())
def test_affectnet_rows_are_loaded_or_dropped_with_a_reason(tree, rows, header):
    root = tree / "affectnet"
    if not root.exists():
        shutil.copytree(tree / "root", root / "Manually_Annotated_Images", symlinks=True)
        (root / "Manually_Annotated_file_lists").mkdir()
    lines = [_affectnet_row(p, box, v[0], a[0]) for (p, v, a), (box, _) in rows]
    if header:
        lines.insert(0, ",".join(AFFECTNET_COLUMNS))
    (root / "Manually_Annotated_file_lists" / "training.csv").write_text("\n".join(lines) + "\n")
    before = _digest(tree)
    count("loaders")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        faces = load_affectnet(root, image_size=64)
    good = [
        i
        for i, ((p, v, a), (_, box_ok)) in enumerate(rows)
        if PATHS[p] and v[1] and a[1] and box_ok
    ]
    _check_partition(faces, rows, good)
    assert _digest(tree) == before


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("", ("empty", "cannot read", "no ")),
        ("path\ngood/a.png\n", ("column", "valence")),
        ("path,valence\ngood/a.png,0\n", ("column", "arousal")),
        ("file,v,a\ngood/a.png,0,0\n", ("column", "path")),
        ("\x00\x01\x02", ("column", "cannot read", "path")),
    ],
)
def test_malformed_labels_files_are_clean_errors(tree, tmp_path, text, fragments):
    labels = tmp_path / "labels.csv"
    labels.write_text(text, encoding="utf-8")
    before = _digest(tree)
    expect_clean_error(
        "loaders",
        lambda: load_labelled_faces(tree / "root", labels=labels, image_size=64),
        *fragments,
    )
    assert _digest(tree) == before


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("path", ["link_out.png", "link_dir/a.png"])
def test_a_symbolic_link_leading_outside_the_root_is_never_read(tree, tmp_path, path, lazy):
    # Found by the tests above: both links were loaded as faces of the data set.
    labels = tmp_path / "labels.csv"
    labels.write_text(f"path,valence,arousal\n{path},0,0\ngood/a.png,0,0\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        faces = load_labelled_faces(
            tree / "root", labels=labels, image_size=64, errors="drop", lazy=lazy
        )
    assert faces.row.tolist() == [1]
    assert faces.dropped["reason"].tolist() == ["path leaves root"]
