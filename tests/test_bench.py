"""make bench's harness: a small run writes a complete results table; bad flags are refused;
the modern-CNN nets are the chapters' own."""

import json

import pytest
import torch

from bench import chapter_models, run


def test_small_run_writes_markdown_and_json(tmp_path, capsys):
    results = run.main(["--models", "softmax", "--epochs", "1", "--reps", "1",
                        "--train-examples", "512", "--out", str(tmp_path / "out"),
                        "--data-root", str(tmp_path / "data")])
    (r,) = results
    assert r["model"] == "softmax" and r["epochs"] == 1 and r["reps"] == 1
    for which in ("reference", "ours"):
        assert r[which]["median_sec"] > 0
        assert r[which]["median_call_sec"] > r[which]["median_sec"]  # one epoch and more
        assert 0.0 <= r[which]["median_test_acc"] <= 1.0
    assert r["ratio"] == pytest.approx(r["reference"]["median_sec"] / r["ours"]["median_sec"])
    assert r["call_ratio"] == pytest.approx(
        r["reference"]["median_call_sec"] / r["ours"]["median_call_sec"])
    saved = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert saved["results"][0]["model"] == "softmax"
    table = (tmp_path / "out" / "results.md").read_text(encoding="utf-8")
    assert "| softmax | 256, 28×28, 512 | 1 × 1 |" in table
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
    (["--models", "alexnet2"], "unknown model(s) ['alexnet2']"),
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


def test_a_chapter_net_runs_with_our_pipeline_only(tmp_path):
    (r,) = run.main(["--models", "nin", "--train-examples", "64", "--out", str(tmp_path / "out"),
                     "--data-root", str(tmp_path / "data")])
    assert "reference" not in r and "ratio" not in r
    assert (r["epochs"], r["reps"], r["batch_size"], r["resize"], r["num_train"]) == \
        (1, 1, 32, 112, 64)  # the section's CPU settings, on a 64-example subset
    row = (tmp_path / "out" / "results.md").read_text(encoding="utf-8").splitlines()[-1]
    assert row.startswith("| nin | 32, 112×112, 64 | 1 × 1 | — |") and "| — / " in row


NETS = {  # parameter counts the sections print for their CPU-sized nets
    "alexnet": 1361594, "vgg": 1768778, "nin": 133798, "googlenet": 5977530, "densenet": 758226,
}


@pytest.mark.parametrize("chapter", chapter_models.CHAPTERS_BENCHED)
def test_chapter_nets_are_built_by_the_chapters_code_at_cpu_settings(chapter):
    build, settings = chapter_models.load(chapter)
    net = build()
    assert build() is not net  # a fresh net every time
    out = net(torch.rand(2, 1, settings.resize, settings.resize))
    assert out.shape == (2, 10)
    assert sum(p.numel() for p in net.parameters()) == NETS[chapter]
    assert settings.batch_size in (32, 64, 256) and 0 < settings.lr <= 0.1


def test_chapter_code_without_settings_is_refused(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```{code-cell} ipython3\nnet = nn.Linear(2, 2)\n```\n", encoding="utf-8")
    with pytest.raises(chapter_models.ChapterCodeError, match="choose_settings"):
        chapter_models.cpu_settings(chapter_models.chapter_statements(page))


def test_chapter_statements_skip_cell_options(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```{code-cell} ipython3\n:tags: [remove-cell]\nx = 1\n```\n\n"
                    "```{code-cell} ipython3\n---\nmystnb:\n  figure:\n    name: f\n---\n"
                    "net = nn.Linear(2, 2)\n```\n", encoding="utf-8")
    statements = chapter_models.chapter_statements(page)
    assert [type(s).__name__ for s in statements] == ["Assign", "Assign"]
    assert chapter_models.net_statement(statements, settings_at=-1) == 1


def test_the_reference_plot_redraws_every_series_at_every_point():
    plot = run.reference.Plot(3)
    plot.add(0.5, (2.0, 0.3, None))
    plot.add(1.0, (1.5, 0.5, 0.6))
    assert plot.points == [([0.5, 1.0], [2.0, 1.5]), ([0.5, 1.0], [0.3, 0.5]), ([1.0], [0.6])]
    assert [list(line.get_ydata()) for line in plot.axes.get_lines()] == [[2.0, 1.5], [0.3, 0.5],
                                                                          [0.6]]


def test_compile_table_says_how_many_steps_win_back_the_compilation(tmp_path, monkeypatch):
    from bench import compile as bench_compile

    def slow_first_call(net):  # stands in for torch.compile: 1 s "compiling", then net itself
        calls = []

        def forward(X):
            if not calls:
                calls.append(1)
                bench_compile.time.sleep(1.0)
            return net(X)

        return forward

    monkeypatch.setattr(bench_compile.torch, "compile", slow_first_call)
    (row,) = bench_compile.main(["--models", "lenet", "--steps", "2", "--out", str(tmp_path)])
    assert row["compile_s"] >= 1.0 and row["section_steps"] == 10 * 235
    saved = row["eager_ms"] - row["compiled_ms"]
    if saved > 0:
        assert row["break_even_steps"] == pytest.approx(1000 * row["compile_s"] / saved)
    else:
        assert row["break_even_steps"] is None
    table = (tmp_path / "compile.md").read_text(encoding="utf-8")
    assert table.splitlines()[-1].startswith("| lenet | ") and "| 2350 |" in table
