"""evaluate_loss: evaluation mode during the evaluation, the caller's mode afterwards."""

import pytest
import torch
from torch import nn

import d2lutils as d2l


def dropout_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 1))


def regression_data():
    X, y = torch.randn(12, 4), torch.randn(12)
    return d2l.load_array((X, y), 5, is_train=False)  # batches of 5, 5, 2


def test_evaluate_loss_runs_a_module_in_evaluation_mode():
    net, loader = dropout_net(), regression_data()
    loss = nn.MSELoss(reduction="none")
    net.train()
    first, second = (d2l.evaluate_loss(net, loader, loss) for _ in range(2))
    net.eval()
    with torch.no_grad():
        X, y = loader.tensors
        expected = loss(net(X), y.reshape(-1, 1)).mean().item()
    assert first == second == pytest.approx(expected)


@pytest.mark.parametrize("training", [True, False])
def test_evaluate_loss_puts_the_module_back_into_its_mode(training):
    net = dropout_net()
    net.train(training)
    d2l.evaluate_loss(net, regression_data(), nn.MSELoss())
    assert net.training is training
    assert all(m.training is training for m in net.modules())


def test_evaluate_loss_accepts_a_plain_function():
    X, y = torch.arange(4.0).reshape(4, 1), torch.zeros(4)
    loader = d2l.load_array((X, y), 3, is_train=False)
    assert d2l.evaluate_loss(lambda X: X, loader, nn.MSELoss()) == pytest.approx(14 / 4)
