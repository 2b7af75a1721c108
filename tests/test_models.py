"""Models, losses and optimisers written from scratch."""

import torch

import d2lutils as d2l


def test_linreg_computes_xw_plus_b():
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    w = torch.tensor([[2.0], [1.0]])
    assert torch.equal(d2l.linreg(X, w, 0.5), torch.tensor([[4.5], [10.5]]))


def test_squared_loss_is_shaped_like_y_hat_when_y_is_flat():
    y_hat, y = torch.zeros(3, 1), torch.zeros(3)
    assert d2l.squared_loss(y_hat, y).shape == (3, 1)


def test_squared_loss_is_half_the_squared_error_per_example():
    y_hat = torch.tensor([[1.0], [2.0], [3.0]])
    y = torch.tensor([1.0, 4.0, 0.0])  # (n,) while y_hat is (n, 1): no broadcasting to (n, n)
    assert torch.equal(d2l.squared_loss(y_hat, y), torch.tensor([[0.0], [2.0], [4.5]]))


def test_sgd_divides_gradient_by_batch_size():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    w.grad = torch.tensor([4.0, 8.0])
    d2l.sgd([w], lr=0.5, batch_size=4)
    assert torch.equal(w.detach(), torch.tensor([0.5, 1.0]))


def test_sgd_zeroes_gradients_afterwards():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * torch.tensor([3.0, 5.0])).sum().backward()
    d2l.sgd([w], lr=0.1, batch_size=1)
    assert torch.equal(w.grad, torch.zeros(2))
