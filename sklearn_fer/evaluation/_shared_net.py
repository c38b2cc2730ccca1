"""Pre-trained nets that reach joblib's worker processes once, not with every unit."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import clone
from torch import nn

from ._store import fingerprint

_PROCESS_NETS = {}  # rebuilt nets, per worker process, by fingerprint
_PROCESS_NETS_KEPT = 4


class SharedNet:
    """A pre-trained net that reaches worker processes once rather than with every unit.

    Its weights travel as numpy arrays, which joblib's process backend memory-maps instead
    of copying into each task; each worker rebuilds the net from them once and keeps it.
    (Without this, every unit unpickled its own copy of the net and the workers' memory
    grew until joblib restarted them, which cost more than the work.) In the calling
    process the original net is used as is.
    """

    def __init__(self, net):
        self._net = net
        self.key = fingerprint(net)
        module = getattr(net, "module_", None)
        self._skeleton = None
        if isinstance(module, nn.Module) and hasattr(net, "initialize"):
            self._skeleton = clone(net)
            self._fitted = {k: v for k, v in vars(net).items() if k in ("n_outputs_", "y_ndim_")}
            labels = vars(net).get("_fitted_classes")  # a classifier's classes_
            if labels is not None and "classes" in self._skeleton.get_params(deep=False):
                # a classifier fitted without classes= learnt them from y: a rebuild that
                # sees no y must be told them, in the order of the output units
                self._skeleton.set_params(classes=labels)
            self._state = {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._skeleton is not None:
            state["_net"] = None
        return state

    def get(self):
        """The net: the original in the calling process, a per-process rebuild elsewhere."""
        if self._net is not None:
            return self._net
        net = _PROCESS_NETS.get(self.key)
        if net is None:
            net = self._rebuild()
            if len(_PROCESS_NETS) >= _PROCESS_NETS_KEPT:
                _PROCESS_NETS.pop(next(iter(_PROCESS_NETS)))
            _PROCESS_NETS[self.key] = net
        return net

    def _rebuild(self):
        net = clone(self._skeleton)
        for name, value in self._fitted.items():
            setattr(net, name, value)  # n_outputs_ sizes the rebuilt module
        net.initialize()
        net.module_.load_state_dict({k: torch.tensor(np.array(v)) for k, v in self._state.items()})
        for name, value in self._fitted.items():
            setattr(net, name, value)
        return net
