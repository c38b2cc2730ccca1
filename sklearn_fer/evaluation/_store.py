"""The resumable store of finished units, and the fingerprints that key it.

Every finished unit of work (one subject, target and fold) is saved as a small CSV file
the moment it completes, written atomically; a manifest records the fingerprint of
everything the results depend on (data, pre-trained weights, folds, settings, seed), so
that a folder is only ever resumed by the configuration that wrote it.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from torch import nn

from .._atomic import atomic_write

#: Last line of a unit file: the SHA-256 of everything before it.
_SUM = "# sha256 "


def fingerprint(value):
    """Content hash; torch modules and skorch nets hash by their weights."""
    if isinstance(value, nn.Module):
        return joblib.hash({k: v.detach().cpu().numpy() for k, v in value.state_dict().items()})
    module = getattr(value, "module_", None)
    if isinstance(module, nn.Module):
        return joblib.hash((type(value).__name__, fingerprint(module)))
    return joblib.hash(value)


def estimator_key(estimator):
    """An estimator template by its class and parameters (its pre-trained net aside)."""
    if estimator is None:
        return None
    params = {
        key: repr(value)
        for key, value in sorted(estimator.get_params(deep=False).items())
        if key != "pretrained"
    }
    return (type(estimator).__name__, params)


class UnitStore:
    """Finished units as small CSV files, written atomically, under one configuration.

    Parameters
    ----------
    folder : path-like
        The cache folder; the store lives in its subfolder ``study``.
    study : str
        Name of the protocol (one subfolder each).
    key : str
        Fingerprint of the configuration; a subfolder holding another raises ValueError.
    """

    def __init__(self, folder, study, key):
        self.folder = Path(folder) / study
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest = self.folder / "manifest.json"
        if manifest.exists():
            recorded = json.loads(manifest.read_text()).get("fingerprint")
            if recorded != key:
                raise ValueError(
                    f"cache_dir {str(self.folder)!r} holds results of another configuration; "
                    "use a new folder (nothing was overwritten)."
                )
        else:
            atomic_write(manifest, json.dumps({"fingerprint": key}))

    def path(self, key):
        return self.folder / f"{key}.csv"

    def load(self, key):
        """The rows of a finished unit, or None (not finished, or a damaged file).

        A file whose closing checksum line is missing or wrong (truncated, or changed
        since it was written) is never read as a result: the unit is computed again.
        """
        path = self.path(key)
        if not path.exists():
            return None
        body, _, digest = path.read_text(encoding="utf-8", errors="replace").rpartition(_SUM)
        if digest.strip() != hashlib.sha256(body.encode("utf-8")).hexdigest():
            return None
        return pd.read_csv(io.StringIO(body)).to_dict("records")

    def save(self, key, rows):
        body = pd.DataFrame(rows).to_csv(index=False)
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        atomic_write(self.path(key), f"{body}{_SUM}{digest}\n")


def open_store(cache_dir, study, plan, X, subjects, groups, cv, random_state, settings):
    """The unit store of one protocol run, keyed by everything its results depend on.

    Returns None when ``cache_dir`` is None (nothing is cached).
    """
    if cache_dir is None:
        return None
    key = joblib.hash(
        {
            "data": (
                fingerprint(X),
                joblib.hash(plan.y),
                joblib.hash(np.asarray(subjects)),
                None if groups is None else joblib.hash(np.asarray(groups)),
            ),
            "pretrained": [(name, fingerprint(net)) for name, _, net in plan.tasks],
            "cv": repr(cv),
            **settings,
            "random_state": random_state,
            "targets": plan.target_names,
        }
    )
    return UnitStore(cache_dir, study, key)
