"""choose_settings: the d2l book's settings on a GPU, CPU-sized ones on a CPU."""

import pytest
import torch

import d2lutils as d2l
from d2lutils import settings as settings_module

GPU = {"batch_size": 128, "lr": 0.01, "num_epochs": 10, "resize": 224}
CPU = {"batch_size": 128, "lr": 0.01, "num_epochs": 3, "resize": 64}


def test_cpu_gets_cpu_settings(capsys):
    s = d2l.choose_settings(GPU, CPU, device="cpu")
    assert (s.num_epochs, s.resize, s.kind, s.device) == (3, 64, "cpu", torch.device("cpu"))
    assert capsys.readouterr().out == (
        "cpu: CPU-sized settings: batch_size=128, lr=0.01, num_epochs=3, resize=64\n")


def test_gpu_gets_book_settings(capsys):
    s = d2l.choose_settings(GPU, CPU, device="cuda:0")  # a device object, no GPU needed
    assert (s.num_epochs, s.resize, s.kind) == (10, 224, "gpu")
    assert "the d2l book's GPU settings" in capsys.readouterr().out


def test_default_device_is_try_gpu(monkeypatch):
    monkeypatch.setattr(settings_module, "try_gpu", lambda: torch.device("mps"))
    assert d2l.choose_settings(GPU, CPU).kind == "gpu"


def test_keys_must_match():
    with pytest.raises(ValueError, match=r"only in gpu: \['resize'\], only in cpu: \[\]"):
        d2l.choose_settings(GPU, {k: v for k, v in CPU.items() if k != "resize"}, device="cpu")
