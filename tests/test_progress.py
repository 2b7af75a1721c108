"""Progress (time left), format_seconds, mixed precision, TrainResult.glue, TensorLoader.take."""

import pytest
import torch

import d2lutils as d2l
from d2lutils import progress as progress_module


@pytest.mark.parametrize("seconds, text", [
    (0, "0 s"), (42.4, "42 s"), (59.6, "1 min 00 s"), (185, "3 min 05 s"),
    (3720, "1 h 02 min"),
])
def test_format_seconds(seconds, text):
    assert d2l.format_seconds(seconds) == text


def test_format_seconds_rejects_negative():
    with pytest.raises(ValueError, match="seconds must be >= 0, got -1"):
        d2l.format_seconds(-1)


@pytest.mark.parametrize("total", [0, -3, 2.5, "10"])
def test_progress_rejects_bad_total(total):
    with pytest.raises(ValueError, match="total must be a positive int"):
        d2l.Progress(total)


def test_progress_estimates_time_left(monkeypatch):
    clock = iter([100.0, 110.0, 130.0])  # start, then two readings
    monkeypatch.setattr(progress_module.time, "perf_counter", lambda: next(clock))
    p = d2l.Progress(8)
    assert p.seconds_left() is None and p.status() == "starting"
    p.update(2)
    assert p.seconds_left() == pytest.approx(10 / 2 * 6)  # 5 s per step, 6 steps to go
    p.update(2)
    assert p.status() == "50% done, about 30 s left"  # 30 s for 4 steps, 4 to go
    p.close()


def test_progress_never_counts_past_total():
    p = d2l.Progress(3)
    p.update(5)
    assert p.done == 3 and p.seconds_left() == 0
    p.close()


def test_progress_bar_only_outside_notebooks(monkeypatch):
    monkeypatch.setattr(progress_module, "in_notebook", lambda: True)
    assert d2l.Progress(4)._bar is None
    monkeypatch.setattr(progress_module, "in_notebook", lambda: False)
    p = d2l.Progress(4)
    assert p._bar is not None
    p.close()


def test_mixed_precision_only_on_cuda():
    assert d2l.use_mixed_precision("cpu") is False
    assert d2l.use_mixed_precision(torch.device("cpu")) is False


def test_train_result_glue_names_every_field(monkeypatch):
    import myst_nb

    glued = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: glued.update({name: value}))
    r = d2l.TrainResult(0.5, 0.8, 0.75, 10, 3.2, 1875.0, "cpu")
    r.glue("lenet")
    assert glued == {"lenet-train-loss": 0.5, "lenet-train-acc": 0.8, "lenet-test-acc": 0.75,
                     "lenet-epochs": 10, "lenet-sec-per-epoch": 3.2,
                     "lenet-examples-per-sec": 1875.0, "lenet-device": "cpu"}


def test_tensor_loader_take():
    X, y = torch.arange(10.0).reshape(10, 1), torch.arange(10)
    loader = d2l.TensorLoader((X, y), batch_size=3, shuffle=True)
    small = loader.take(4)
    assert len(small.dataset) == 4 and len(small) == 2
    assert sorted(int(v) for _, yb in small for v in yb) == [0, 1, 2, 3]
    assert len(loader.dataset) == 10  # the original is unchanged


@pytest.mark.parametrize("n", [0, 11, 2.0])
def test_tensor_loader_take_rejects_bad_n(n):
    loader = d2l.TensorLoader((torch.zeros(10, 1),), batch_size=3, shuffle=False)
    with pytest.raises(ValueError, match=r"n must be an int in 1\.\.10"):
        loader.take(n)
