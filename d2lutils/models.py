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
