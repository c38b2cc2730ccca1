import pytest

from sklearn_fer.persistence import save_pretrained

from .._helpers import tiny_regressor


class Payload:
    """Unpickling this would create the marker file: weights-only loading must refuse it."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def folder(tmp_path, tiny_pretrained):
    joint = tiny_regressor(random_state=3).initialize()
    nets = {"valence": tiny_pretrained, "arousal": joint}
    return save_pretrained(nets, tmp_path / "model", image_size=64, metadata={"note": "test"})
