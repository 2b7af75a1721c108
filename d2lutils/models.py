"""Small models, losses and optimisers written from scratch in the book."""

import torch


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
