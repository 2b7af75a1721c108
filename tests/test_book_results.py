"""bench.book_results: glued values read back from executed notebooks, and two builds compared."""

import json

import pytest
from sphinx.cmd.build import main as sphinx_build

from bench import book_results


def _build(tmp_path, values, chapter="chapters/part/section"):
    """A build's ``jupyter_execute`` as MyST-NB leaves it: glued outputs in ``<x>.glue.json``."""
    path = tmp_path / "_build" / "jupyter_execute" / f"{chapter}.glue.json"
    path.parent.mkdir(parents=True)
    outputs = {k: {"output_type": "display_data", "data": {"text/plain": repr(v)},
                   "metadata": {"scrapbook": {"name": k}}} for k, v in values.items()}
    path.write_text(json.dumps(outputs), encoding="utf-8")
    return tmp_path


def test_collect_reads_every_glued_value_with_its_chapter(tmp_path):
    build = _build(tmp_path, {"lenet-test-acc": 0.7961, "lenet-settings": "batch 256"})
    assert book_results.collect(build) == {
        "chapters/part/section.md::lenet-test-acc": 0.7961,
        "chapters/part/section.md::lenet-settings": "batch 256"}


def test_collect_reads_what_a_real_myst_nb_build_writes(tmp_path):
    # The layout above is MyST-NB's, not ours: build one glueing page with Sphinx to prove it
    # (the executed .ipynb no longer holds the glued outputs; CI once found none there).
    src = tmp_path / "src"
    (src / "chapters" / "part").mkdir(parents=True)
    (src / "conf.py").write_text('extensions = ["myst_nb"]\nnb_execution_mode = "force"\n',
                                 encoding="utf-8")
    (src / "index.md").write_text("# Index\n\n```{toctree}\nchapters/part/section\n```\n",
                                  encoding="utf-8")
    (src / "chapters" / "part" / "section.md").write_text(
        "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n---\n# Section\n\n"
        "```{code-cell}\nfrom myst_nb import glue\nglue('acc', 0.7961, display=False)\n"
        "glue('settings', 'batch 256', display=False)\n```\n", encoding="utf-8")
    out = tmp_path / "out"
    status = sphinx_build(["-q", "-b", "html", str(src), str(out / "_build" / "html"),
                           "-d", str(tmp_path / "doctrees")])
    assert status == 0
    # MyST-NB writes jupyter_execute beside the builder's output folder.
    assert book_results.collect(out) == {"chapters/part/section.md::acc": 0.7961,
                                         "chapters/part/section.md::settings": "batch 256"}


def test_collect_without_a_build_says_to_build_first(tmp_path):
    with pytest.raises(FileNotFoundError, match="build the book first"):
        book_results.collect(tmp_path)


def test_compare_ignores_timings_and_flags_differences_beyond_tolerance():
    a = {"c.md::acc": 0.800, "c.md::loss": 0.5, "c.md::x-sec-per-epoch": 3.0}
    b = {"c.md::acc": 0.801, "c.md::loss": 0.6, "c.md::x-sec-per-epoch": 9.0, "c.md::new": 1.0}
    rows, mismatched, only = book_results.compare(a, b, tolerance=0.002)
    assert [r[0] for r in rows] == ["c.md::acc", "c.md::loss"]
    assert mismatched == ["c.md::loss"]
    assert only == ["c.md::new"]


def test_measured_times_and_rates_count_as_timings():
    for name in ("lenet-sec-per-epoch", "use-gpu-item-us", "use-gpu-clone-gbps",
                 "alexnet-epoch-ratio", "resnet18-examples-per-sec"):
        assert book_results.is_timing(f"c.md::{name}"), name
    for name in ("lenet-test-acc", "weight-decay-norm-ratio", "backprop-flop-ratio"):
        assert not book_results.is_timing(f"c.md::{name}"), name


def test_compare_command_fails_when_two_builds_disagree(tmp_path, capsys):
    for name, acc in (("a.json", 0.80), ("b.json", 0.75)):
        (tmp_path / name).write_text(json.dumps(
            {"date": name, "results": {"c.md::acc": acc}}), encoding="utf-8")
    assert book_results.main(["compare", str(tmp_path / "a.json"),
                              str(tmp_path / "b.json")]) == 1
    assert "DIFFERS: c.md::acc" in capsys.readouterr().out


def test_gpu_table_refuses_a_build_that_never_used_cuda(tmp_path, capsys):
    build = _build(tmp_path, {"lenet-device": "cpu", "lenet-test-acc": 0.79})
    assert book_results.write_gpu_table(build, out=tmp_path / "gpu.md") == 1
    assert not (tmp_path / "gpu.md").exists()
    assert "make book" in capsys.readouterr().err


def test_gpu_table_lists_sections_trained_on_cuda(tmp_path):
    build = _build(tmp_path, {"bn-lenet-scratch-device": "cuda:0", "bn-lenet-settings": "lr 1.0",
                              "bn-lenet-scratch-epochs": 10, "bn-lenet-scratch-test-acc": 0.81})
    assert book_results.write_gpu_table(build, out=tmp_path / "gpu.md") == 0
    table = (tmp_path / "gpu.md").read_text(encoding="utf-8")
    assert "| `chapters/part/section.md` | lr 1.0 | 10 | — | 0.810 |" in table
