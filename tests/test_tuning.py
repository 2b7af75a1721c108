"""The learning-rate range test (d2lutils/tuning.py)."""

import math

import pytest
import torch
from torch import nn

import d2lutils as d2l


def linear_problem(n=64, batch_size=8):
    torch.manual_seed(0)
    X = torch.randn(n, 2)
    y = X @ torch.tensor([2.0, -1.0]) + 0.5
    return nn.Linear(2, 1), d2l.load_array((X, y.reshape(-1, 1)), batch_size)


def test_rates_grow_geometrically_from_lr_min_to_lr_max():
    net, train_iter = linear_problem()
    lrs, losses = d2l.lr_range_test(net, train_iter, nn.MSELoss(), 1e-4, 1e-2, num_steps=5)
    assert lrs == pytest.approx([1e-4, 10 ** -3.5, 1e-3, 10 ** -2.5, 1e-2])
    assert len(losses) == 5 and all(math.isfinite(l) for l in losses)


def test_restarts_the_iterator_when_it_runs_out():
    net, train_iter = linear_problem(n=16, batch_size=8)  # 2 batches per epoch
    lrs, _ = d2l.lr_range_test(net, train_iter, nn.MSELoss(), 1e-4, 1e-3, num_steps=7)
    assert len(lrs) == 7


def test_the_loss_falls_at_moderate_rates_and_the_test_stops_when_it_diverges():
    net, train_iter = linear_problem()
    lrs, losses = d2l.lr_range_test(net, train_iter, nn.MSELoss(), 1e-2, 1e2, num_steps=100)
    assert min(losses) < losses[0] / 10  # it learns on the way
    assert len(lrs) < 100  # stopped before reaching lr_max
    assert not math.isfinite(losses[-1]) or losses[-1] > 4 * min(losses[:-1])


def test_changes_the_parameters_of_the_net():
    net, train_iter = linear_problem()
    before = net.weight.detach().clone()
    d2l.lr_range_test(net, train_iter, nn.MSELoss(), 1e-3, 1e-1, num_steps=5)
    assert not torch.equal(before, net.weight.detach())


@pytest.mark.parametrize(("lr_min", "lr_max"), [(0, 1), (-1e-3, 1), (1, 1), (2, 1)])
def test_refuses_a_bad_range(lr_min, lr_max):
    net, train_iter = linear_problem()
    with pytest.raises(ValueError, match="0 < lr_min < lr_max"):
        d2l.lr_range_test(net, train_iter, nn.MSELoss(), lr_min, lr_max)


@pytest.mark.parametrize("num_steps", [1, 0, 2.5, "10"])
def test_refuses_a_bad_number_of_steps(num_steps):
    net, train_iter = linear_problem()
    with pytest.raises(ValueError, match="num_steps must be an int >= 2"):
        d2l.lr_range_test(net, train_iter, nn.MSELoss(), num_steps=num_steps)


def test_refuses_an_empty_iterator():
    net, _ = linear_problem()
    with pytest.raises(ValueError, match="no minibatch"):
        d2l.lr_range_test(net, [], nn.MSELoss(), num_steps=3)
