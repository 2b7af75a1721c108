"""Training settings that depend on the machine: the d2l book's on a GPU, smaller on a CPU."""

from types import SimpleNamespace

import torch

from .device import try_gpu


class Settings(SimpleNamespace):
    """Named settings (``s.lr``, ``s.batch_size``, ...) plus the ``device`` they were chosen for."""

    def __str__(self):
        return ", ".join(f"{k}={v}" for k, v in vars(self).items() if k not in ("device", "kind"))


def choose_settings(gpu, cpu, device=None):
    """Return ``gpu`` (the d2l book's settings) on a GPU, else ``cpu`` (CPU-sized ones).

    ``gpu`` and ``cpu`` are dicts with the same keys, e.g. ``batch_size``, ``lr``,
    ``num_epochs``, ``resize``. ``device`` defaults to ``try_gpu()``. Prints which set was
    chosen, so the reader sees it next to the results. The result has the keys as
    attributes plus ``device`` and ``kind`` ('gpu' or 'cpu').
    """
    if set(gpu) != set(cpu):
        only_gpu, only_cpu = sorted(set(gpu) - set(cpu)), sorted(set(cpu) - set(gpu))
        raise ValueError(f"gpu and cpu settings need the same keys; only in gpu: {only_gpu}, "
                         f"only in cpu: {only_cpu}")
    device = try_gpu() if device is None else torch.device(device)
    kind = "cpu" if device.type == "cpu" else "gpu"
    settings = Settings(**(gpu if kind == "gpu" else cpu), device=device, kind=kind)
    source = "the d2l book's GPU settings" if kind == "gpu" else "CPU-sized settings"
    print(f"{device}: {source}: {settings}")
    return settings
