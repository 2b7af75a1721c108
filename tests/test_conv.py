"""corr2d: the two-dimensional cross-correlation written from scratch in the book."""

import pytest
import torch
import torch.nn.functional as F

import d2lutils as d2l


def test_corr2d_matches_the_hand_computed_example():
    X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    # 0*0 + 1*1 + 3*2 + 4*3 = 19, and so on for the other three windows.
    assert torch.equal(d2l.corr2d(X, K), torch.tensor([[19.0, 25.0], [37.0, 43.0]]))


@pytest.mark.parametrize(("x_shape", "k_shape"), [((5, 7), (3, 2)), ((4, 4), (1, 1)),
                                                  ((6, 8), (1, 2)), ((3, 5), (3, 5))])
def test_corr2d_equals_pytorch_conv2d(x_shape, k_shape):
    torch.manual_seed(0)
    X, K = torch.randn(x_shape), torch.randn(k_shape)
    expected = F.conv2d(X[None, None], K[None, None])[0, 0]  # conv2d is a cross-correlation
    assert torch.allclose(d2l.corr2d(X, K), expected, atol=1e-6)


@pytest.mark.parametrize(("x_shape", "k_shape", "y_shape"), [((6, 8), (1, 2), (6, 7)),
                                                             ((3, 3), (2, 2), (2, 2)),
                                                             ((4, 5), (4, 5), (1, 1)),
                                                             ((7, 2), (3, 1), (5, 2))])
def test_corr2d_output_shape_is_input_minus_kernel_plus_one(x_shape, k_shape, y_shape):
    assert d2l.corr2d(torch.ones(x_shape), torch.ones(k_shape)).shape == y_shape


def test_corr2d_keeps_float64_and_promotes_integer_input():
    X = torch.arange(9, dtype=torch.float64).reshape(3, 3)
    assert d2l.corr2d(X, torch.ones(2, 2, dtype=torch.float64)).dtype == torch.float64
    Y = d2l.corr2d(torch.arange(9).reshape(3, 3), torch.tensor([[0.5]]))
    assert Y.dtype == torch.float32 and Y[0, 1] == 0.5


def test_corr2d_passes_gradients_to_the_kernel():
    X = torch.arange(12.0).reshape(3, 4)
    K = torch.ones(2, 2, requires_grad=True)
    d2l.corr2d(X, K).sum().backward()
    # dL/dK[a, b] is the sum of the inputs that K[a, b] multiplies.
    assert torch.equal(K.grad, torch.tensor([[0 + 1 + 2 + 4 + 5 + 6, 1 + 2 + 3 + 5 + 6 + 7],
                                             [4 + 5 + 6 + 8 + 9 + 10, 5 + 6 + 7 + 9 + 10 + 11]],
                                            dtype=torch.float32))


@pytest.mark.parametrize(("x_shape", "k_shape"), [((1, 1, 4, 4), (2, 2)), ((4, 4), (1, 2, 2)),
                                                  ((4,), (2,)), ((), (1, 1))])
def test_corr2d_rejects_input_that_is_not_2d(x_shape, k_shape):
    with pytest.raises(ValueError, match=r"corr2d expects 2-D X and K, got X of shape"):
        d2l.corr2d(torch.zeros(x_shape), torch.zeros(k_shape))


@pytest.mark.parametrize("k_shape", [(4, 2), (2, 4), (5, 5)])
def test_corr2d_rejects_a_kernel_larger_than_the_input(k_shape):
    with pytest.raises(ValueError, match=r"kernel of shape .* is larger than X of shape \(3, 3\)"):
        d2l.corr2d(torch.zeros(3, 3), torch.zeros(k_shape))
