"""Small models, losses and optimisers written from scratch in the book."""

import torch
from torch import nn


def linreg(X, w, b):  # @save
    """The linear regression model: X (n, d) @ w (d, 1) + b, giving (n, 1)."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):  # @save
    """Squared loss per example, halved: (y_hat - y)^2 / 2, shaped like y_hat."""
    # Reshape y so that labels of shape (n,) are not broadcast against y_hat of shape (n, 1).
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):  # @save
    """Minibatch stochastic gradient descent (the loss was summed over the batch)."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size  # gradient of the sum -> of the mean
            param.grad.zero_()


def corr2d(X, K):  # @save
    """2-D cross-correlation of X (n_h, n_w) with the kernel K (k_h, k_w).

    Returns Y (n_h - k_h + 1, n_w - k_w + 1) with Y[i, j] = (X[i:i+k_h, j:j+k_w] * K).sum().
    """
    if X.dim() != 2 or K.dim() != 2:
        raise ValueError(f'corr2d expects 2-D X and K, got X of shape {tuple(X.shape)} '
                         f'and K of shape {tuple(K.shape)}')
    h, w = K.shape
    if h > X.shape[0] or w > X.shape[1]:
        raise ValueError(f'kernel of shape {(h, w)} is larger than X of shape {tuple(X.shape)}')
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=torch.result_type(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


class Residual(nn.Module):  # @save
    """The residual block of ResNet: ReLU(F(X) + shortcut(X)).

    F is conv 3x3 -> batch norm -> ReLU -> conv 3x3 -> batch norm. The shortcut is X itself,
    or a 1x1 convolution (``use_1x1conv=True``) where F changes the channels or, with
    ``strides=2``, halves the height and width.
    """

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        if not use_1x1conv and (input_channels != num_channels or strides != 1):
            raise ValueError(
                f"the identity shortcut needs the same shape in and out, but the block maps "
                f"{input_channels} to {num_channels} channels with strides={strides}; "
                f"pass use_1x1conv=True")
        self.body = nn.Sequential(
            nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides),
            nn.BatchNorm2d(num_channels), nn.ReLU(),
            nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1),
            nn.BatchNorm2d(num_channels))
        self.shortcut = (nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
                         if use_1x1conv else nn.Identity())

    def forward(self, X):
        return torch.relu(self.body(X) + self.shortcut(X))
