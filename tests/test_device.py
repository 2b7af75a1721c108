"""Device choice: CUDA GPUs first, then Apple's MPS, then the CPU (GPUs are faked)."""

import pytest
import torch

import d2lutils as d2l

CPU = torch.device("cpu")


@pytest.fixture
def devices(monkeypatch):
    """Pretend the machine has ``cuda`` CUDA GPUs and, if ``mps``, Apple's MPS."""

    def fake(cuda=0, mps=False):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)

    return fake


def test_try_gpu_is_cpu_without_gpu(devices):
    devices(cuda=0)
    assert d2l.try_gpu() == CPU


def test_try_all_gpus_is_cpu_alone_without_gpu(devices):
    devices(cuda=0)
    assert d2l.try_all_gpus() == [CPU]


def test_num_gpus_is_zero_without_gpu(devices):
    devices(cuda=0)
    assert d2l.num_gpus() == 0


def test_try_all_gpus_lists_cuda_gpus_in_order(devices):
    devices(cuda=2)
    assert d2l.try_all_gpus() == [torch.device("cuda:0"), torch.device("cuda:1")]


def test_num_gpus_counts_cuda_gpus(devices):
    devices(cuda=2)
    assert d2l.num_gpus() == 2


def test_try_gpu_returns_the_first_gpu_by_default(devices):
    devices(cuda=2)
    assert d2l.try_gpu() == torch.device("cuda:0")


def test_try_gpu_returns_gpu_i(devices):
    devices(cuda=2)
    assert d2l.try_gpu(1) == torch.device("cuda:1")


def test_try_gpu_falls_back_to_cpu_for_a_missing_gpu(devices):
    devices(cuda=2)
    assert d2l.try_gpu(3) == CPU


def test_try_gpu_falls_back_to_cpu_for_a_negative_index(devices):
    devices(cuda=2)
    assert d2l.try_gpu(-1) == CPU


def test_cuda_is_preferred_over_mps(devices):
    devices(cuda=1, mps=True)
    assert d2l.try_all_gpus() == [torch.device("cuda:0")]


def test_mps_alone_is_one_gpu(devices):
    devices(cuda=0, mps=True)
    assert d2l.try_all_gpus() == [torch.device("mps")]
    assert d2l.num_gpus() == 1
