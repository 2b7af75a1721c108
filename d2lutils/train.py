"""Training and evaluation loops of the book (chapters 3 and 6), with their helpers."""

import time
from dataclasses import asdict, dataclass
from itertools import accumulate

import torch
from torch import nn

from .data import get_fashion_mnist_labels
from .device import try_gpu, use_mixed_precision
from .modes import limit_epochs
from .plot import Animator, show_images
from .progress import Progress


class Timer:
    """Record several running times."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        """Start the timer."""
        self.tik = time.perf_counter()

    def stop(self):
        """Stop the timer, record the time in the list and return it (seconds)."""
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self):
        """The average time."""
        return sum(self.times) / len(self.times)

    def sum(self):
        """The total time."""
        return sum(self.times)

    def cumsum(self):
        """The accumulated times, as a list."""
        return list(accumulate(self.times))


class Accumulator:  # @save
    """Sum ``n`` running totals, e.g. loss sum, correct predictions and example count."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        """Add one value (a number or a 0-dim tensor) to each of the ``n`` totals."""
        if len(args) != len(self.data):
            raise ValueError(f"expected {len(self.data)} values, got {len(args)}")
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


def accuracy(y_hat, y):  # @save
    """The number of correct predictions. y_hat: (n, q) scores or (n,) labels; y: (n,)."""
    if y_hat.ndim > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)  # the predicted class: the one with the largest score
    cmp = y_hat.type(y.dtype) == y  # compare in the labels' dtype
    return float(cmp.sum())


def evaluate_accuracy(net, data_iter):  # @save
    """The accuracy of ``net`` on all of ``data_iter`` (a fraction in [0, 1])."""
    if isinstance(net, nn.Module):
        net.eval()  # evaluation mode (it matters for layers such as dropout, later)
    metric = Accumulator(2)  # correct predictions, examples
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    if metric[1] == 0:  # rather than dividing 0 by 0 below
        raise ValueError("data_iter yielded no batches: the loader is empty (does its data "
                         "set hold any examples?)")
    return metric[0] / metric[1]


def evaluate_accuracy_gpu(net, data_iter, device=None):  # @save
    """The accuracy of ``net`` on ``data_iter``, computed on ``device``.

    ``device`` defaults to the device of the net's parameters; for a net without
    parameters (or a plain function) the data stay where they are.
    """
    if isinstance(net, nn.Module):
        net.eval()  # evaluation mode (it matters for dropout and batch norm, later)
        param = next(net.parameters(), None)
        if device is None and param is not None:
            device = param.device  # compute where the parameters are
    correct, examples = 0, 0  # correct: a tensor on the device after the first batch
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)  # no copy when they are there already
            correct = correct + (net(X).argmax(dim=1) == y).sum()  # no wait for the device
            examples += y.numel()
    if examples == 0:  # rather than dividing 0 by 0 below
        raise ValueError("data_iter yielded no batches: the loader is empty (does its data "
                         "set hold any examples?)")
    return float(correct) / examples  # the one time the host waits for the device


def evaluate_loss(net, data_iter, loss):  # @save
    """The mean loss of ``net`` over all of ``data_iter``.

    ``loss`` may return one value per example or their mean. A ``nn.Module`` is evaluated
    in evaluation mode (no dropout) and then put back into the mode it was in.
    """
    if isinstance(net, nn.Module):
        was_training = net.training
        net.eval()
    metric = Accumulator(2)  # loss sum, examples
    with torch.no_grad():
        for X, y in data_iter:
            out = net(X)
            # Regression targets (n,) become (n, 1) like the output; class labels stay (n,).
            l = loss(out, y.reshape(out.shape) if y.numel() == out.numel() else y)
            n = len(y)
            metric.add(l.sum() if l.ndim > 0 else l * n, n)  # a mean loss times n is the sum
    if isinstance(net, nn.Module):
        net.train(was_training)  # back to the caller's mode
    if metric[1] == 0:  # rather than dividing 0 by 0 below
        raise ValueError("data_iter yielded no batches: the loader is empty (does its data "
                         "set hold any examples?)")
    return metric[0] / metric[1]


def train_epoch_ch3(net, train_iter, loss, updater):  # @save
    """Train ``net`` for one epoch; return (mean training loss, training accuracy).

    ``loss`` may return one value per example (``reduction='none'``) or their mean.
    ``updater`` is a ``torch.optim.Optimizer`` or a function of the batch size that
    updates the parameters from gradients of the *summed* loss (like ``d2l.sgd``).
    """
    if isinstance(net, nn.Module):
        net.train()  # training mode (it matters for layers such as dropout, later)
    metric = Accumulator(3)  # loss sum, correct predictions, examples
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        n = y.numel()
        l_sum = l.sum() if l.ndim > 0 else l * n  # a mean loss times n is the sum
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            (l_sum / n).backward()  # torch's optimizers step along the mean's gradient
            updater.step()
        else:
            l_sum.backward()
            updater(n)  # e.g. d2l.sgd, which divides the summed gradient by n
        metric.add(l_sum.detach(), accuracy(y_hat, y), n)
    if metric[2] == 0:  # rather than dividing 0 by 0 below
        raise ValueError("train_iter yielded no batches: the loader is empty (does its data "
                         "set hold any examples?)")
    return metric[0] / metric[2], metric[1] / metric[2]


@dataclass
class TrainResult:
    """What a training run ended with; ``sec_per_epoch`` is the mean training time."""

    train_loss: float
    train_acc: float
    test_acc: float
    epochs: int
    sec_per_epoch: float
    examples_per_sec: float
    device: str

    def __repr__(self):
        return (f"TrainResult(train_loss={self.train_loss:.3f}, train_acc={self.train_acc:.3f}, "
                f"test_acc={self.test_acc:.3f}, epochs={self.epochs}, "
                f"sec_per_epoch={self.sec_per_epoch:.2f}, device={self.device})")

    def glue(self, name):
        """Glue every field for the book's pages as ``<name>-test-acc``, ``<name>-epochs``, ...

        Other pages (e.g. the reproducibility appendix) paste them with
        ``{glue:text}`path/to/section::<name>-test-acc:.3f```.
        """
        from myst_nb import glue

        for field, value in asdict(self).items():
            glue(f"{name}-{field.replace('_', '-')}", value, display=False)


def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater):  # @save
    """Train a model on the CPU (chapter 3), plotting loss and accuracies per epoch.

    Returns a ``TrainResult``. In quick mode (``D2L_QUICK=1``) at most 2 epochs are run.
    """
    num_epochs = limit_epochs(num_epochs)
    animator = Animator(xlabel="epoch", xlim=[1, max(num_epochs, 2)], ylim=[0.3, 0.9],
                        legend=["train loss", "train acc", "test acc"])
    timer = Timer()
    for epoch in range(num_epochs):
        timer.start()
        train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater)
        timer.stop()  # time the training only, not the evaluation
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, (train_loss, train_acc, test_acc))
    print(f"train loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    examples_per_sec = len(train_iter.dataset) * num_epochs / timer.sum()
    return TrainResult(train_loss, train_acc, test_acc, num_epochs, timer.avg(),
                       examples_per_sec, "cpu")


def conv_memory_format(net, device):  # @save
    """The memory layout in which ``net`` trains fastest on ``device`` (measured on CPUs).

    Channels-last (``torch.channels_last``) for convolutional nets on the CPU, where oneDNN's
    convolutions are faster in that layout; the default layout elsewhere, and for nets with
    batch norm over fewer than 16 channels, which is several times slower in channels-last.
    """
    def narrow_batch_norm(m):
        if isinstance(m, nn.BatchNorm2d):
            return m.num_features < 16
        # A batch norm written by hand keeps per-channel tensors of shape (1, C, 1, 1).
        tensors = [*m.parameters(recurse=False), *m.buffers(recurse=False)]
        return any(not nn.parameter.is_lazy(t) and t.dim() == 4 and t.shape[1] < 16
                   and t.shape[0] == t.shape[2] == t.shape[3] == 1 for t in tensors)

    modules = list(net.modules())
    if (torch.device(device).type == "cpu" and any(isinstance(m, nn.Conv2d) for m in modules)
            and not any(narrow_batch_norm(m) for m in modules)):
        return torch.channels_last
    return torch.contiguous_format


def train_ch6(net, train_iter, test_iter, num_epochs, lr, device=None):  # @save
    """Train ``net`` on ``device`` (default ``try_gpu()``) with SGD and cross-entropy loss.

    Linear and convolutional layers get Xavier initialisation. Plots loss and accuracies
    (with the estimated time left while it runs), prints the final ones and the training
    speed, and returns a ``TrainResult``. On CUDA GPUs with bfloat16 support the forward
    pass runs in mixed precision; on CPUs convolutional nets train in the memory layout
    ``conv_memory_format`` picks. In quick mode (``D2L_QUICK=1``) at most 2 epochs are run.
    """
    def init_weights(m):
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)

    if num_epochs < 1:
        raise ValueError(f"num_epochs must be at least 1, got {num_epochs}")
    for name, data_iter in (("train_iter", train_iter), ("test_iter", test_iter)):
        if len(data_iter) == 0:
            raise ValueError(f"{name} is empty: it yields no batches (does its data set "
                             "hold any examples?)")
    num_epochs = limit_epochs(num_epochs)
    device = try_gpu() if device is None else torch.device(device)
    print("training on", device)
    net.to(device)
    # In-memory loaders move their whole data set to the device once, not every batch.
    train_iter = train_iter.to(device) if hasattr(train_iter, "to") else train_iter
    test_iter = test_iter.to(device) if hasattr(test_iter, "to") else test_iter
    if any(isinstance(p, nn.parameter.UninitializedParameter) for p in net.parameters()):
        X, _ = next(iter(train_iter))  # one example tells lazy layers their input sizes
        net.eval()
        with torch.no_grad():
            net(X[:1].to(device))
    net.apply(init_weights)
    net.to(memory_format=conv_memory_format(net, device))  # before the optimizer sees them
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    amp = use_mixed_precision(device)  # bfloat16 on suitable GPUs, float32 elsewhere
    animator = Animator(xlabel="epoch", xlim=[0, num_epochs],
                        legend=["train loss", "train acc", "test acc"])
    timer, num_batches = Timer(), len(train_iter)
    progress = Progress(num_epochs * num_batches, desc=f"training on {device}")
    last_drawn = time.perf_counter()
    for epoch in range(num_epochs):
        net.train()
        # Running sums stay on the device: reading them after every batch would make the
        # host wait for the device each time. They are read when a point is plotted.
        loss_sum, correct, examples = torch.zeros((), device=device), 0, 0
        timer.start()
        for i, (X, y) in enumerate(train_iter):
            X, y = X.to(device), y.to(device)  # no copy when they are there already
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                y_hat = net(X)
                l = loss(y_hat, y)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            loss_sum += l.detach() * len(y)
            correct = correct + (y_hat.argmax(dim=1) == y).sum()
            examples += len(y)
            progress.update()
            if (i + 1) % max(1, num_batches // 5) == 0 or i == num_batches - 1:
                # float() waits until the device has done every step so far, so the timer
                # stops after them; the plotting is not part of the training time.
                train_l, train_acc = float(loss_sum) / examples, float(correct) / examples
                timer.stop()
                animator.title = progress.status()
                # Redraw at most once a second in the epoch; every point is kept and drawn.
                draw = time.perf_counter() - last_drawn >= 1
                animator.add(epoch + (i + 1) / num_batches, (train_l, train_acc, None), draw)
                last_drawn = time.perf_counter() if draw else last_drawn
                timer.start()
        timer.stop()
        test_acc = evaluate_accuracy_gpu(net, test_iter, device)
        animator.title = None if epoch == num_epochs - 1 else progress.status()
        animator.add(epoch + 1, (None, None, test_acc))
        last_drawn = time.perf_counter()
    progress.close()
    net.to(memory_format=torch.contiguous_format)  # handed back in the default layout
    print(f"loss {train_l:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    examples_per_sec = examples * num_epochs / timer.sum()
    print(f"{examples_per_sec:.1f} examples/sec on {device}")
    return TrainResult(train_l, train_acc, test_acc, num_epochs, timer.sum() / num_epochs,
                       examples_per_sec, str(device))


def predict_ch3(net, test_iter, n=6):  # @save
    """Show the first ``n`` test images, titled with the true label above the predicted one."""
    X, y = next(iter(test_iter))
    X, y = X[:n], y[:n]
    with torch.no_grad():
        preds = net(X).argmax(dim=1)
    trues, preds = get_fashion_mnist_labels(y), get_fashion_mnist_labels(preds)
    titles = [true + "\n" + pred for true, pred in zip(trues, preds)]
    return show_images(X, 1, n, titles=titles)
