"""make bench's harness: a small run writes a complete results table; bad flags are refused."""

import json

import pytest

from bench import run


def test_small_run_writes_markdown_and_json(tmp_path, capsys):
    results = run.main(["--models", "softmax", "--epochs", "1", "--reps", "1",
                        "--train-examples", "512", "--out", str(tmp_path / "out"),
                        "--data-root", str(tmp_path / "data")])
    (r,) = results
    assert r["model"] == "softmax" and r["epochs"] == 1 and r["reps"] == 1
    for which in ("reference", "ours"):
        assert r[which]["median_sec"] > 0
        assert 0.0 <= r[which]["median_test_acc"] <= 1.0
    assert r["ratio"] == pytest.approx(r["reference"]["median_sec"] / r["ours"]["median_sec"])
    saved = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert saved["results"][0]["model"] == "softmax"
    table = (tmp_path / "out" / "results.md").read_text(encoding="utf-8")
    assert "| softmax | 256 | 1 × 1 |" in table
    acc = r["ours"]["median_test_acc"]
    assert f"| {acc:.3f} ({acc:.3f}–{acc:.3f}) |" in table.splitlines()[-1]  # one run
    # Softmax regression: one 784x10 product forward and one for the weights' gradient.
    assert r["flops_per_epoch"] == 512 * 2 * (2 * 784 * 10)
    peak = saved["environment"]["matmul_gflops"]
    assert peak > 0 and f"peak measured in this run: {peak:.1f} GFLOPS" in table
    ours = r["ours"]["gflops"]
    assert ours == pytest.approx(r["flops_per_epoch"] / r["ours"]["median_sec"] / 1e9)
    assert table.splitlines()[-1].endswith(f" / {ours:.1f} ({100 * ours / peak:.0f} %) |")
    assert table in capsys.readouterr().out
    # The torchvision copy of the data is complete (no temporary files left behind).
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(run.reference.FASHION_MNIST_FILES)


@pytest.mark.parametrize("argv, message", [
    (["--models", "alexnet"], "unknown model(s) ['alexnet']"),
    (["--epochs", "0"], "--epochs must be at least 1, got 0"),
])
def test_bad_arguments_are_refused(argv, message, capsys):
    with pytest.raises(SystemExit):
        run.main(argv)
    assert message in capsys.readouterr().err


def test_quick_mode_is_off_during_the_run_and_restored(monkeypatch, tmp_path):
    seen = []
    monkeypatch.setenv("D2L_QUICK", "1")
    monkeypatch.setattr(run, "_bench", lambda names, args: seen.append(run.d2l.is_quick()))
    run.main(["--models", "softmax", "--out", str(tmp_path)])
    assert seen == [False] and run.os.environ["D2L_QUICK"] == "1"
