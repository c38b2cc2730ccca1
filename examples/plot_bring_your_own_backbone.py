"""
Bring your own data and backbone
================================

Nothing in the personalisation pipeline is tied to AlexNet or to the synthetic faces:

* your images can stay on disk: :class:`~sklearn_fer.datasets.LazyImages` reads (and
  crops) files on access, indexes like an array (so ``KFold`` splits stay lazy) and is a
  torch ``Dataset`` the estimators consume batch by batch;
* your network can be any torch module with ``conv_part()`` and ``dense_part()`` methods
  (or torchvision-style ``features``/``avgpool``/``classifier`` children):
  :class:`~sklearn_fer.FrozenConvFeaturizer` freezes the first,
  :class:`~sklearn_fer.DenseHeadRegressor` fine-tunes the second.

Here a small CNN of our own is pre-trained with skorch on images written to PNG files,
then personalised. **The images are synthetic** (:func:`~sklearn_fer.datasets.make_faces`).
"""

# %%
# Images on disk, labels in a CSV file
# ------------------------------------
import os
import tempfile

import cv2
import numpy as np
import pandas as pd
import torch
from skorch import NeuralNetRegressor
from torch import nn

from sklearn_fer import DenseHeadRegressor, FrozenConvFeaturizer, FusedAdam
from sklearn_fer.datasets import LazyImages, make_faces
from sklearn_fer.nets import ImageInput

folder = tempfile.mkdtemp()
faces = make_faces(300, 4, domain="wild", image_size=80, random_state=0)
rows = []
for index, (image, valence) in enumerate(zip(faces.images, faces.valence)):
    path = os.path.join(folder, f"face{index:04d}.png")
    cv2.imwrite(path, cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    rows.append({"path": path, "valence": valence})
labels = pd.DataFrame(rows)
labels.to_csv(os.path.join(folder, "labels.csv"), index=False)

images = LazyImages(labels["path"], image_size=64)  # read and resized on access
print(images, images.shape)

# %%
# A backbone of our own
# ---------------------
# The input stage turns uint8 images into normalised tensors; ``conv_part`` ends in flat
# features, ``dense_part`` maps them to the outputs.


class SmallCNN(nn.Module):
    def __init__(self, n_outputs=1):
        super().__init__()
        self.input = ImageInput()
        self.conv = nn.Sequential(
            nn.Conv2d(3, 16, 5, stride=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(4),
            nn.Flatten(),
        )
        self.head = nn.Sequential(
            nn.Dropout(0.3), nn.Linear(32 * 16, 64), nn.ReLU(), nn.Linear(64, n_outputs)
        )

    def forward(self, x):
        return self.head(self.conv(self.input(x)))

    def conv_part(self):
        return nn.Sequential(self.input, self.conv)

    def dense_part(self):
        return self.head


torch.manual_seed(0)
general = NeuralNetRegressor(
    SmallCNN,
    optimizer=FusedAdam,
    lr=1e-3,
    max_epochs=25,
    batch_size=32,
    train_split=None,
    verbose=0,
)
# A plain skorch net (not AlexNetRegressor): it wants (n, 1) float32 targets and an
# array, so the lazy images are loaded here; AlexNetRegressor would take them as they are.
y = labels["valence"].to_numpy(np.float32).reshape(-1, 1).copy()
general.fit(np.asarray(images), y)

# %%
# Personalise it
# --------------
person = make_faces(1, 40, domain="lab", image_size=64, random_state=3)
train, test = slice(0, 30), slice(30, 40)
featurizer = FrozenConvFeaturizer(general).fit()
features = featurizer.transform(person.images)
print("features per image:", featurizer.n_features_out_, featurizer.feature_map_shape_)
head = DenseHeadRegressor(general, optimizer=FusedAdam, lr=1e-3, max_epochs=30, random_state=0).fit(
    features[train], person.valence[train]
)
pretrained = DenseHeadRegressor(general).initialize()
for name, model in (("pre-trained (Transfer 0%)", pretrained), ("fine-tuned", head)):
    error = np.sqrt(np.mean((model.predict(features[test]).ravel() - person.valence[test]) ** 2))
    print(f"{name:26s} valence RMSE {error:.3f}")
