"""The ResNet residual block."""

import pytest
import torch

import d2lutils as d2l


def test_identity_shortcut_keeps_shape():
    blk = d2l.Residual(3, 3)
    X = torch.randn(4, 3, 6, 6)
    assert blk(X).shape == (4, 3, 6, 6)
    assert isinstance(blk.shortcut, torch.nn.Identity)


def test_1x1_shortcut_changes_channels_and_halves_size():
    blk = d2l.Residual(3, 6, use_1x1conv=True, strides=2)
    assert blk(torch.randn(4, 3, 6, 6)).shape == (4, 6, 3, 3)


def test_output_is_relu_of_body_plus_shortcut():
    torch.manual_seed(0)
    blk = d2l.Residual(2, 2).eval()
    X = torch.randn(1, 2, 5, 5)
    expected = torch.relu(blk.body(X) + X)
    assert torch.equal(blk(X), expected)
    assert (blk(X) >= 0).all()


def test_zero_body_passes_input_through():
    blk = d2l.Residual(2, 2).eval()
    torch.nn.init.zeros_(blk.body[4].weight)  # last batch norm scale 0: F(X) = its shift, 0
    X = torch.rand(1, 2, 4, 4)  # non-negative, so ReLU(X) = X
    assert torch.allclose(blk(X), X)


@pytest.mark.parametrize("args", [(3, 6), (3, 3, False, 2)])
def test_identity_shortcut_with_shape_change_is_refused(args):
    with pytest.raises(ValueError, match="pass use_1x1conv=True"):
        d2l.Residual(*args)
