"""Small models, losses and optimisers written from scratch in the book."""

import torch


def linreg(X, w, b):
    """The linear regression model: X (n, d) @ w (d, 1) + b."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    """Squared loss per example, halved: (y_hat - y)^2 / 2, shaped like y_hat."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent (the loss was summed over the batch)."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
