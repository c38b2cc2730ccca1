"""AlexNet for regression, with torchvision's parameter names and shapes.

The network follows Section 3.2 of Rescigno, Spezialetti & Rossi (2020): AlexNet
(Krizhevsky et al. 2012) with its 1000-way softmax replaced by ``n_outputs`` linear units.
Layer names and parameter shapes are those of ``torchvision.models.alexnet``, so that
torchvision's state dict (ImageNet weights, for instance) loads into :class:`AlexNet`
unchanged, while nothing here imports torchvision.
"""

from __future__ import annotations

import torch
from torch import nn

from ._input import IMAGENET_MEAN, IMAGENET_STD, ImageInput

#: Smallest square input AlexNet's conv stack maps to a non-empty map (63 px -> 1x1 before
#: the adaptive pooling; 62 px leaves nothing for the last max-pooling).
MIN_IMAGE_SIZE = 63


class AlexNet(nn.Module):
    """AlexNet with a regression output, laid out exactly as torchvision's ``alexnet``.

    Five convolutional layers (max-pooling after the first, second and fifth), adaptive
    average pooling to 6x6, and three dense layers with dropout before the first two. The
    last layer has ``n_outputs`` linear units: one in the paper, which trains twin nets for
    valence and arousal (Rescigno et al. 2020, Section 3.2).

    Parameters
    ----------
    n_outputs : int, default=1
        Number of linear output units (1 per target).
    dropout : float, default=0.5
        Dropout probability of the two dropout layers of the dense part.
    hidden_units : int, default=4096
        Width of the two hidden dense layers. Only the default gives torchvision's
        parameter shapes; smaller values make fast test and demo nets.
    mean, std : tuple of 3 float, default=ImageNet's
        Input normalisation applied by :class:`ImageInput`.

    Attributes
    ----------
    input : ImageInput
        Converts uint8 or float images to normalised float NCHW.
    features : torch.nn.Sequential
        The five convolutional layers (torchvision indices 0..12).
    avgpool : torch.nn.AdaptiveAvgPool2d
        Pools the last feature map to 6x6, so any input of at least 63 px works.
    classifier : torch.nn.Sequential
        The dense part (torchvision indices 0..6).
    min_image_size : int
        63.

    See Also
    --------
    conv_part : the frozen feature extractor of the paper's fine-tuning (Fig. 3).
    dense_part : the layers that fine-tuning updates.

    References
    ----------
    Krizhevsky, Sutskever & Hinton (2012). ImageNet classification with deep convolutional
    neural networks. NeurIPS.

    Rescigno, Spezialetti & Rossi (2020). Personalized models for facial emotion
    recognition through transfer learning. Multimedia Tools and Applications 79.

    Examples
    --------
    >>> import torch
    >>> net = AlexNet(n_outputs=2)
    >>> net(torch.zeros(4, 64, 64, 3, dtype=torch.uint8)).shape
    torch.Size([4, 2])
    >>> sorted(net.state_dict())[:2]
    ['classifier.1.bias', 'classifier.1.weight']
    """

    min_image_size = MIN_IMAGE_SIZE

    def __init__(
        self,
        n_outputs=1,
        *,
        dropout=0.5,
        hidden_units=4096,
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
    ):
        super().__init__()
        if not isinstance(n_outputs, int) or isinstance(n_outputs, bool) or n_outputs < 1:
            raise ValueError(f"n_outputs must be a positive int, got {n_outputs!r}.")
        if not isinstance(hidden_units, int) or isinstance(hidden_units, bool) or hidden_units < 1:
            raise ValueError(f"hidden_units must be a positive int, got {hidden_units!r}.")
        if not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}.")
        self.input = ImageInput(mean, std)
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, hidden_units),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(hidden_units, hidden_units),
            nn.ReLU(inplace=True),
            nn.Linear(hidden_units, n_outputs),
        )

    def forward(self, x):
        x = self.input(x)
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)

    def conv_part(self):
        """Return the frozen-feature part: input stage, features, pooling and flatten.

        The returned module shares its parameters with this net (no copy).
        """
        return nn.Sequential(self.input, self.features, self.avgpool, nn.Flatten(1))

    def dense_part(self):
        """Return the dense part (``classifier``), sharing its parameters with this net."""
        return self.classifier

    def conv_layers(self):
        """Return the named conv layers ``conv1`` ... ``conv5``: each conv's ReLU output.

        Returns
        -------
        dict of str to torch.nn.Module
            The ReLU after each convolution (torchvision indices 1, 4, 7, 9, 11), whose
            output is that layer's feature maps.
        """
        return {f"conv{k}": self.features[i] for k, i in enumerate((1, 4, 7, 9, 11), start=1)}
