"""Which device to compute on: CUDA GPUs first, then Apple's MPS, then the CPU."""

import torch


def try_all_gpus():  # @save
    """Return all GPUs (CUDA devices, else Apple's MPS), or [cpu] if there is none."""
    if torch.cuda.is_available():
        return [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
    if torch.backends.mps.is_available():
        return [torch.device("mps")]
    return [torch.device("cpu")]


def try_gpu(i=0):  # @save
    """Return GPU i if it exists, otherwise the CPU."""
    devices = try_all_gpus()
    return devices[i] if 0 <= i < len(devices) else torch.device("cpu")


def num_gpus():
    """The number of GPUs: CUDA devices, else 1 for Apple's MPS, else 0."""
    devices = try_all_gpus()
    return 0 if devices[0].type == "cpu" else len(devices)


def use_mixed_precision(device):
    """True where training in bfloat16 autocast is safe and fast: CUDA GPUs with bf16 support.

    bfloat16 keeps float32's exponent range, so no loss scaling is needed; autocast still
    runs reductions such as softmax, losses and batch-norm statistics in float32. On CPUs
    and Apple's MPS the book trains in float32.
    """
    device = torch.device(device)
    return device.type == "cuda" and torch.cuda.is_bf16_supported()
