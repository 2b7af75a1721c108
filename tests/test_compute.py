"""d2lutils.compute: FLOPs of a training step, counted; the matmul peak, measured."""

import pytest
import torch
from torch import nn

import d2lutils as d2l


def test_one_layer_costs_its_product_forward_and_its_weight_gradient_backward():
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    X, y = torch.randn(4, 1, 28, 28), torch.tensor([0, 1, 2, 3])
    product = 2 * 4 * 784 * 10
    # The input needs no gradient, so backward computes only the weight's: one more product.
    assert d2l.training_flops(net, X, y) == 2 * product


def test_a_hidden_layer_adds_the_gradient_with_respect_to_its_input():
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    B = 8
    X, y = torch.randn(B, 784), torch.zeros(B, dtype=torch.long)
    first, second = 2 * B * 784 * 256, 2 * B * 256 * 10
    assert d2l.training_flops(net, X, y) == (first + second) + (first + 2 * second)


def test_flops_grow_with_the_batch_and_count_convolutions():
    net = nn.Sequential(nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.Flatten(),
                        nn.Linear(6 * 28 * 28, 10))
    one = d2l.training_flops(net, torch.randn(1, 1, 28, 28), torch.tensor([3]))
    four = d2l.training_flops(net, torch.randn(4, 1, 28, 28), torch.tensor([3, 1, 4, 1]))
    assert four == 4 * one
    conv_forward = 2 * 6 * 28 * 28 * 25  # one example: 6 output maps of 28x28, 5x5 kernels
    assert one > 2 * conv_forward


def test_the_network_is_left_untouched():
    net = nn.Sequential(nn.LazyLinear(4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    d2l.training_flops(net, torch.randn(8, 3), torch.zeros(8, dtype=torch.long))
    assert isinstance(net[0].weight, nn.parameter.UninitializedParameter)
    assert net[1].num_batches_tracked == 0 and net[2].weight.grad is None


def test_mismatched_batch_is_refused():
    with pytest.raises(ValueError, match="X has 4 examples but y has 3"):
        d2l.training_flops(nn.Linear(2, 2), torch.randn(4, 2), torch.zeros(3, dtype=torch.long))


def test_matmul_gflops_measures_a_positive_rate():
    rate = d2l.matmul_gflops(n=64, device=torch.device("cpu"), min_seconds=0.01)
    assert 0.01 < rate < 1e6


def test_matmul_gflops_refuses_bad_sizes():
    with pytest.raises(ValueError, match="n >= 1"):
        d2l.matmul_gflops(n=0)
