"""How much a model computes, and how fast this machine can compute: the two numbers that say
how close training runs to the hardware's limit.

``training_flops`` counts the floating-point operations of training steps with PyTorch's own
counter (``torch.utils.flop_counter``), which counts matrix products and convolutions, forward
and backward; element-wise work (activations, batch norm, the optimiser) is left out, as it is in
the FLOP counts papers report. ``matmul_gflops`` measures the rate of one large matrix product,
the best case of this device. Their ratio, with a measured training time, is the fraction of the
machine's peak that training reaches.
"""

import copy
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from .device import try_gpu
from .timing import synchronize


def training_flops(net, X, y, loss=None):
    """Floating-point operations of one training step of ``net`` on the batch ``(X, y)``:
    forward, loss and backward (matrix products and convolutions; 2 per multiply-add).

    ``net`` itself is left as it was (a copy is run), so batch-norm statistics and lazily
    initialised layers are untouched. Divide by ``len(X)`` for the cost of one example; a
    training epoch costs that times the number of training examples.
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}; pass one batch of each")
    loss = loss if loss is not None else torch.nn.CrossEntropyLoss()
    net = copy.deepcopy(net)
    net.train()
    with FlopCounterMode(display=False) as counter:
        loss(net(X), y).backward()
    return counter.get_total_flops()


def matmul_gflops(n=2048, device=None, dtype=torch.float32, min_seconds=0.5):
    """Measured speed of an ``n``×``n`` float matrix product on ``device`` (default: ``try_gpu()``),
    in GFLOPS (10⁹ floating-point operations per second): this machine's practical peak.

    One product costs ``2 n³`` operations; products are repeated until ``min_seconds`` have
    passed (after one untimed warm-up), and the device is synchronised before the clock is read,
    since GPU kernels run asynchronously.
    """
    if n < 1 or min_seconds <= 0:
        raise ValueError(f"need n >= 1 and min_seconds > 0, got n={n}, min_seconds={min_seconds}")
    device = device if device is not None else try_gpu()
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)

    torch.mm(a, b)
    synchronize(device)
    products, start = 0, time.perf_counter()
    while True:
        torch.mm(a, b)
        products += 1
        synchronize(device)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return 2 * n**3 * products / elapsed / 1e9
