"""The synthetic cartoon faces: the embedded default data of sklearn-fer.

``_make.py`` holds the public :func:`make_faces`; ``_labels.py`` draws valence, arousal
and the categorical expression; ``_action_units.py`` turns them into FACS action-unit
intensities; ``_face.py`` draws a face from its action units; ``_scene.py`` holds the
identities, settings and scenes; ``_canvas.py`` the drawing primitives; ``_descr.py``
the description returned with the data; ``_perturb.py`` the wild domain's perturbations
at a controlled strength (:func:`perturb_faces`).
"""

from ._action_units import ACTION_UNITS
from ._make import make_faces
from ._perturb import PERTURBATIONS, perturb_faces

__all__ = ["ACTION_UNITS", "PERTURBATIONS", "make_faces", "perturb_faces"]
