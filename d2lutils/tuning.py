"""Help with choosing hyper-parameters: the learning-rate range test."""

import math

import torch


def lr_range_test(net, train_iter, loss, lr_min=1e-4, lr_max=10.0, num_steps=100):  # @save
    """Train ``net`` by SGD while the learning rate grows geometrically from lr_min to lr_max.

    One minibatch per step (``train_iter`` is restarted when it runs out). Returns
    ``(lrs, losses)``: the rate of each step and the minibatch loss just before that step.
    Stops once the loss is not finite or its running average (which smooths the noise of
    single minibatches) exceeds 4 times its smallest value so far. ``net``'s parameters are
    changed: train a freshly initialised model afterwards.
    """
    if not 0 < lr_min < lr_max:
        raise ValueError(f"need 0 < lr_min < lr_max, got lr_min={lr_min!r}, lr_max={lr_max!r}")
    if type(num_steps) is not int or num_steps < 2:
        raise ValueError(f"num_steps must be an int >= 2, got {num_steps!r}")
    trainer = torch.optim.SGD(net.parameters(), lr=lr_min)
    growth = (lr_max / lr_min) ** (1 / (num_steps - 1))
    lrs, losses, batches = [], [], iter(())
    smooth = best = None
    net.train()
    for step in range(num_steps):
        batch = next(batches, None)
        if batch is None:  # the iterator ran out: start a new epoch
            batches = iter(train_iter)
            batch = next(batches, None)
            if batch is None:
                raise ValueError("train_iter yielded no minibatch; pass a non-empty iterator")
        X, y = batch
        lr = lr_min * growth ** step
        for group in trainer.param_groups:
            group["lr"] = lr
        l = loss(net(X), y).mean()
        trainer.zero_grad()
        l.backward()
        trainer.step()
        lrs.append(lr)
        losses.append(l.item())
        smooth = losses[-1] if smooth is None else 0.9 * smooth + 0.1 * losses[-1]
        best = smooth if best is None else min(best, smooth)
        if not math.isfinite(smooth) or smooth > 4 * best:
            break  # diverged: larger rates only make it worse
    return lrs, losses
