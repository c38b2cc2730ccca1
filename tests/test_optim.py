"""The optimisers: fused Nesterov SGD equals the plain loop."""

import torch

from sklearn_fer import NesterovSGD


def test_nesterov_sgd_fused_default_matches_the_plain_loop():
    torch.manual_seed(0)
    fused_model = torch.nn.Linear(20, 1)
    plain_model = torch.nn.Linear(20, 1)
    plain_model.load_state_dict(fused_model.state_dict())
    fused = NesterovSGD(fused_model.parameters(), lr=0.05)
    plain = NesterovSGD(plain_model.parameters(), lr=0.05, foreach=False)
    assert fused.defaults["fused"] is True
    x, y = torch.randn(32, 20), torch.randn(32, 1)
    for _ in range(10):
        for model, optimizer in ((fused_model, fused), (plain_model, plain)):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()
    torch.testing.assert_close(fused_model.weight, plain_model.weight, rtol=1e-5, atol=1e-6)
    assert not torch.equal(fused_model.weight, torch.zeros_like(fused_model.weight))
