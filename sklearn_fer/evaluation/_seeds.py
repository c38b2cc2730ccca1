"""The evaluation layer's seed streams, in one table.

Every unit of work derives its seeds with :func:`~sklearn_fer._random.derive_seed` from
``random_state``, its position and a code of its own protocol. A per-subject protocol
(:class:`~sklearn_fer.evaluation.SubjectProtocol`) seeds its unit's ``i``-th estimator
``derive_seed(random_state, subject, target, fold, offset + i)``; Nasri's k-fold seeds
its units ``derive_seed(random_state, fold, training_set, offset + condition)``. The
offsets keep the streams of protocols that run on the same ``random_state`` apart.

Shared on purpose:

* PathNet's twins reuse the offset of the protocol they stand beside, so that they see
  the same draws: ``pathnet_transfer`` fine-tunes the same personal head as
  ``transfer`` (0), ``pathnet_sampling`` picks the same frames as ``sampling`` (100).
* ``robustness`` and ``kfold`` both use 200 (they were chosen separately): their keys
  have different lengths (five against four integers), so their streams differ all the
  same, and changing either would change published numbers.

The fold layouts draw from streams of their own (:data:`FOLD_STREAMS`).
"""

from __future__ import annotations

#: Offset of each protocol's per-unit seed codes (see the module docstring).
SEED_OFFSETS = {
    "transfer": 0,
    "sampling": 100,
    "robustness": 200,
    "kfold": 200,
    "pathnet_transfer": 0,  # transfer's: the same fine-tuned head
    "pathnet_sampling": 100,  # sampling's: the same picks
}

#: Keys of the streams that shuffle folds: each subject's K-fold
#: (``derive_seed(random_state, 7, subject)``) and each of Nasri's sets
#: (``derive_seed(random_state, 29, set)``).
FOLD_STREAMS = {"subject_folds": 7, "kfold_sets": 29}
