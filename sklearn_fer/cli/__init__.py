"""The ``sklearn-fer`` command line.

``sklearn-fer reproduce`` runs the paper's study end to end (see :mod:`sklearn_fer.study`).
A person's own model from their own video (see :mod:`sklearn_fer.workflow`):

* ``pretrain``: a general model from AffectNet, a folder of labelled faces, or synthetic
  faces, resumable;
* ``query VIDEO``: the frames to label, chosen by a sampler;
* ``label FOLDER``: a local page to label them;
* ``personalise FOLDER``: a personal model, cross-validated against the general one;
* ``predict VIDEO``: valence and arousal of every frame (or one every ``--every-seconds``),
  streamed, smoothed, plotted.

Bad arguments, missing data, unreadable videos, bad labels and foreign output folders
exit with status 2 and a one-line message; an interrupt exits with 130 and keeps
finished work.

One module per command (``_reproduce``, ``_pretrain``, ``_query``, ``_label``,
``_personalise``, ``_predict``), each with ``add_parser`` and ``run``, importing
nothing heavy until ``run``; ``_arguments`` holds the argument types and the one-line
failure they share; ``_main`` builds the parser and dispatches.
"""

from ._main import main

__all__ = ["main"]
