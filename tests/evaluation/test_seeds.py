"""The seed table: twins share their streams, the other protocols' codes never overlap."""

from sklearn_fer.evaluation import CONDITIONS, default_samplers
from sklearn_fer.evaluation._seeds import SEED_OFFSETS


def test_pathnet_twins_draw_the_streams_of_the_protocols_they_stand_beside():
    assert SEED_OFFSETS["pathnet_transfer"] == SEED_OFFSETS["transfer"]
    assert SEED_OFFSETS["pathnet_sampling"] == SEED_OFFSETS["sampling"]


def test_per_subject_protocols_seed_codes_do_not_overlap():
    # A unit's seeds are derive_seed(random_state, subject, target, fold, offset + i) for
    # its i-th seed name: per-subject protocols share the key length, so overlapping code
    # ranges would replay one protocol's draws in another.
    seed_names = {
        "transfer": len(CONDITIONS),
        "sampling": len(default_samplers()),
        "robustness": 2,  # "random", "perturbation"
    }
    ranges = {
        name: set(range(SEED_OFFSETS[name], SEED_OFFSETS[name] + n))
        for name, n in seed_names.items()
    }
    names = sorted(ranges)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not ranges[a] & ranges[b], (a, b)
