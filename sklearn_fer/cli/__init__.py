"""The ``sklearn-fer`` command line.

``sklearn-fer reproduce`` runs the paper's study end to end (see :mod:`sklearn_fer.study`);
``sklearn-fer predict`` gives per-frame valence and arousal for a new video with a model
that ``reproduce`` wrote. Bad arguments, missing data and foreign output folders exit with
status 2 and a one-line message; an interrupt exits with 130 and keeps finished work.

One module per command (``_reproduce``, ``_predict``), each with ``add_parser`` and
``run``; ``_arguments`` holds the argument types and the one-line failure they share;
``_main`` builds the parser and dispatches.
"""

from ._main import main

__all__ = ["main"]
