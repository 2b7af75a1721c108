"""The d2l book's pipeline, for comparison: torchvision's FashionMNIST decoded per example by
``ToTensor``, batched by a ``DataLoader`` with 4 worker processes, and the d2l book's training
loops (chapter 3: per-example losses averaged for ``backward``; chapter 6: Xavier init, every
batch copied to the device, the running metrics read back after every batch; both evaluate the
test accuracy after every epoch) and their plots: d2l's Animator redraws its figure at every
point, which Jupyter renders as SVG; ``Plot`` does the same work (the SVG goes to memory).
"""

import gzip
import io
import os
import shutil
import time
import warnings
from pathlib import Path

import torch
import torchvision
from matplotlib.figure import Figure
from torch import nn
from torch.utils import data
from torchvision import transforms

from d2lutils.data import FASHION_MNIST_FILES, _candidate_dirs, _find_file

NUM_WORKERS = 4  # what the d2l book's get_dataloader_workers() returns
# PyTorch warns that 4 workers exceed a 2-core machine's cores; that is the setting we compare.
warnings.filterwarnings("ignore", message="This DataLoader will create 4 worker processes")


def torchvision_root(root):
    """A folder in torchvision's layout (``FashionMNIST/raw/*-ubyte``), made from the files
    d2lutils finds (Debian's package, $D2L_DATA_DIR, ./data), decompressed once."""
    raw = Path(root) / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in FASHION_MNIST_FILES:
        target = raw / name
        if target.exists():
            continue
        source = _find_file(name, _candidate_dirs())
        if source is None:
            raise FileNotFoundError(f"Fashion-MNIST file {name} not found; run `make data`")
        tmp = target.with_suffix(".tmp")
        with (gzip.open(source) if source.suffix == ".gz" else open(source, "rb")) as src, \
                open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.replace(tmp, target)  # never a half-written file under the final name
    return Path(root)


def load_data(batch_size, root, train_examples=None):
    """Train and test DataLoaders as in the d2l book (ToTensor, shuffled train, 4 workers)."""
    trans = transforms.ToTensor()
    train = torchvision.datasets.FashionMNIST(root, train=True, transform=trans, download=False)
    test = torchvision.datasets.FashionMNIST(root, train=False, transform=trans, download=False)
    if train_examples is not None:
        train = data.Subset(train, range(train_examples))
    return (data.DataLoader(train, batch_size, shuffle=True, num_workers=NUM_WORKERS),
            data.DataLoader(test, batch_size, shuffle=False, num_workers=NUM_WORKERS))


class Plot:
    """What d2l's Animator does at every point in Jupyter: clear the axes, plot every series
    again, and render the figure (as SVG, d2l's default in notebooks)."""

    def __init__(self, series):
        self.figure = Figure(figsize=(3.5, 2.5))
        self.axes = self.figure.add_subplot()
        self.points = [([], []) for _ in range(series)]

    def add(self, x, ys):
        for (xs_i, ys_i), y in zip(self.points, ys):
            if y is not None:
                xs_i.append(x)
                ys_i.append(y)
        self.axes.cla()
        for xs_i, ys_i in self.points:
            self.axes.plot(xs_i, ys_i)
        self.axes.grid()
        self.figure.savefig(io.BytesIO(), format="svg")


def accuracy(y_hat, y):
    return float((y_hat.argmax(dim=1).type(y.dtype) == y).sum())


def evaluate_accuracy(net, data_iter, device):
    net.eval()
    correct = total = 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += accuracy(net(X), y)
            total += y.numel()
    return correct / total


def train_ch3(net, train_iter, test_iter, num_epochs, lr, device):
    """Chapter 3's loop; returns (seconds per epoch of training only, final test accuracy)."""
    loss = nn.CrossEntropyLoss(reduction="none")
    updater = torch.optim.SGD(net.parameters(), lr=lr)
    net.to(device)
    seconds, plot = 0.0, Plot(3)
    for epoch in range(num_epochs):
        net.train()
        metric = [0.0, 0.0, 0]
        start = time.perf_counter()
        for X, y in train_iter:
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            updater.zero_grad()
            l.mean().backward()
            updater.step()
            metric[0] += float(l.sum().detach())
            metric[1] += accuracy(y_hat, y)
            metric[2] += y.numel()
        seconds += time.perf_counter() - start
        test_acc = evaluate_accuracy(net, test_iter, device)
        plot.add(epoch + 1, (metric[0] / metric[2], metric[1] / metric[2], test_acc))
    return seconds / num_epochs, test_acc


def train_ch6(net, train_iter, test_iter, num_epochs, lr, device):
    """Chapter 6's loop; returns (seconds per epoch of training only, final test accuracy)."""
    def init_weights(m):
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)

    net.apply(init_weights)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    seconds, plot, num_batches = 0.0, Plot(3), len(train_iter)
    for epoch in range(num_epochs):
        net.train()
        metric = [0.0, 0.0, 0]
        seconds -= time.perf_counter()
        for i, (X, y) in enumerate(train_iter):
            optimizer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            optimizer.step()
            with torch.no_grad():
                metric[0] += float(l * X.shape[0])
                metric[1] += accuracy(y_hat, y)
                metric[2] += X.shape[0]
            if (i + 1) % max(1, num_batches // 5) == 0 or i == num_batches - 1:
                seconds += time.perf_counter()  # plotting is not training time
                plot.add(epoch + (i + 1) / num_batches,
                         (metric[0] / metric[2], metric[1] / metric[2], None))
                seconds -= time.perf_counter()
        seconds += time.perf_counter()
        test_acc = evaluate_accuracy(net, test_iter, device)
        plot.add(epoch + 1, (None, None, test_acc))
    return seconds / num_epochs, test_acc
