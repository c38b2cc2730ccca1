"""``sklearn-fer label``: a local page to label the chosen faces."""

from __future__ import annotations

import errno
from pathlib import Path

from ._arguments import fail, port


def add_parser(commands):
    """Add the ``label`` command to argparse's subparsers."""
    parser = commands.add_parser(
        "label",
        help="label the chosen faces on a local page",
        description="Serve a page on 127.0.0.1 (never reachable from other machines) "
        "showing each face of FOLDER/labels.csv, with its whole frame below it (the face's "
        "box drawn) when query saved one, beside a valence-arousal grid. Click the "
        "grid, or move the marker with W/A/S/D and press Enter; arrows go to the previous "
        "or next face, Space to the next one not labelled, Backspace clears a label. Every "
        "label is written to labels.csv at once, atomically: closing the browser or "
        "stopping the server (Ctrl+C) loses nothing. Without a browser, fill in the "
        "valence and arousal columns of labels.csv (numbers in [-1, 1]) in any editor.",
    )
    parser.add_argument("folder", type=Path, help="labelling folder (from sklearn-fer query)")
    parser.add_argument(
        "--port", type=port, default=8765, help="port on 127.0.0.1 (default 8765; 0: any free)"
    )
    parser.add_argument("--open", action="store_true", help="open the page in a browser")
    parser.set_defaults(run=run)


def _counts(folder):
    from ..workflow import read_labels

    labels = read_labels(folder)
    return int(labels[["valence", "arousal"]].notna().all(axis=1).sum()), len(labels)


def run(args):
    """Run the command; return the exit status."""
    from ..workflow import LabelServer

    try:
        server = LabelServer(args.folder, port=args.port)
    except ValueError as error:
        return fail(str(error))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return fail(f"port {args.port} is in use on 127.0.0.1; choose another with --port")
        return fail(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror or error}")
    done, total = _counts(args.folder)
    print(
        f"labelling {total} faces of {args.folder} ({done} labelled) at {server.url}\n"
        "every label is saved as you click; press Ctrl+C here to stop.",
        flush=True,
    )
    if args.open:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    done, total = _counts(args.folder)
    print(f"\nstopped: {done} of {total} faces labelled in {args.folder / 'labels.csv'}")
    return 0
