"""Fuzz-suite fixtures, one torch thread, and the tally printed after the run."""

import pytest
import torch

from ._clean import TALLY


@pytest.fixture(autouse=True)
def _one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def pytest_terminal_summary(terminalreporter):
    if not TALLY:
        return
    terminalreporter.section("fuzz tally (inputs tried / clean errors / accepted)")
    for area in sorted({area for area, _ in TALLY}):
        terminalreporter.write_line(
            f"{area:<14} tried {TALLY[area, 'tried']:>5}  clean errors "
            f"{TALLY[area, 'clean error']:>5}  accepted {TALLY[area, 'accepted']:>5}"
        )
