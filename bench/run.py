"""``make bench``: training time, the book's pipeline against the d2l book's.

For each model both pipelines train the same network (same seed, batch size, optimiser and
learning rate) for the same number of epochs; this is repeated ``reps`` times, alternating
which pipeline goes first, so that load on a shared machine affects both alike. Reported:
median and range of the seconds per epoch (training only, no evaluation), the seconds of the
whole call as a reader makes it (training, evaluation after every epoch, plotting), their
ratios, and the test accuracy each pipeline reached; and how close each comes to the machine's
limit: the floating-point operations of one training epoch (counted by
``d2l.training_flops``), the rate achieved, and its fraction of the matrix-product peak
measured in the same run (``d2l.matmul_gflops``). LeNet and BN-LeNet train for their
sections' 10 epochs, ResNet-18 for its CPU settings' 2. The other modern-CNN sections' nets
(built by the chapters' own code, see ``chapter_models``) train one epoch at their CPU settings,
with the book's pipeline only. Results go to bench/results/ as Markdown and JSON.

    python -m bench.run [--models softmax,mlp] [--epochs 3] [--reps 3] [--train-examples N]
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

import d2lutils as d2l

from . import chapter_models, models, reference

HERE = Path(__file__).resolve().parent
PEAK_SIZE = 2048  # the matrices of the matmul whose speed is the machine's peak


@dataclass
class Spec:
    """One benchmarked model: how the book trains it (chapter 3 or 6 loop) and with what."""

    build: object
    loop: str  # "ch3" or "ch6"
    batch_size: int
    lr: float
    epochs: int
    reps: int
    resize: int = 28  # image height and width
    num_train: int = None  # training examples (None: all 60,000)
    compare: bool = True  # also train with the d2l pipeline


def chapter_spec(chapter):
    """One epoch of a modern-CNN section's net at the section's CPU settings."""
    build, s = chapter_models.load(chapter)
    return Spec(build, "ch6", s.batch_size, s.lr, epochs=1, reps=1, resize=s.resize,
                num_train=getattr(s, "num_train", None), compare=False)


SPECS = {
    "softmax": Spec(models.softmax, "ch3", 256, 0.1, epochs=3, reps=3),
    "mlp": Spec(models.mlp, "ch3", 256, 0.1, epochs=3, reps=3),
    "lenet": Spec(models.lenet, "ch6", 256, 0.9, epochs=10, reps=2),
    "bn-lenet": Spec(models.bn_lenet, "ch6", 256, 1.0, epochs=10, reps=2),
    "resnet18": Spec(models.resnet18, "ch6", 256, 0.05, epochs=2, reps=1),
    **{name: chapter_spec(name) for name in chapter_models.CHAPTERS_BENCHED},
}


def run_ours(spec, train_iter, test_iter, epochs, device):
    """The book's own functions, exactly as the sections call them."""
    net = spec.build()
    if spec.loop == "ch3":
        loss = nn.CrossEntropyLoss(reduction="none")
        result = d2l.train_ch3(net, train_iter, test_iter, loss, epochs,
                               torch.optim.SGD(net.parameters(), lr=spec.lr))
    else:
        result = d2l.train_ch6(net, train_iter, test_iter, epochs, spec.lr, device)
    return result.sec_per_epoch, result.test_acc


def run_reference(spec, train_iter, test_iter, epochs, device):
    net = spec.build()
    train = reference.train_ch3 if spec.loop == "ch3" else reference.train_ch6
    return train(net, train_iter, test_iter, epochs, spec.lr, device)


def epoch_flops(spec, train_iter, device):
    """Floating-point operations of one training epoch (matrix products and convolutions)."""
    X, y = next(iter(train_iter))
    per_example = d2l.training_flops(spec.build().to(device), X.to(device), y.to(device)) / len(X)
    return per_example * len(train_iter.dataset)


def bench_model(name, spec, args, device, data_root):
    epochs = args.epochs or spec.epochs
    reps = args.reps or spec.reps
    ours_data = d2l.load_data_fashion_mnist(spec.batch_size, resize=spec.resize)
    num_train = min(n for n in (spec.num_train, args.train_examples, len(ours_data[0].dataset))
                    if n is not None)
    ours_data = (ours_data[0].take(num_train), ours_data[1])
    pipelines = ["reference", "ours"] if spec.compare else ["ours"]
    if spec.compare:
        ref_data = reference.load_data(spec.batch_size, data_root, args.train_examples)
    runs = {which: [] for which in pipelines}
    for rep in range(reps):
        for which in pipelines if rep % 2 == 0 else pipelines[::-1]:
            torch.manual_seed(rep)  # the same initial weights for both pipelines
            run = run_reference if which == "reference" else run_ours
            data = ref_data if which == "reference" else ours_data
            start = time.perf_counter()
            sec, acc = run(spec, *data, epochs, device)
            call = time.perf_counter() - start  # the whole call: evaluation and plots too
            runs[which].append({"sec_per_epoch": sec, "call_sec": call, "test_acc": acc})
            print(f"  {name} rep {rep + 1}/{reps} {which:9s}: {sec:7.3f} s/epoch, "
                  f"{call:7.1f} s whole call, test acc {acc:.3f}", flush=True)
    flops = epoch_flops(spec, ours_data[0], device)
    summary = {"model": name, "batch_size": spec.batch_size, "resize": spec.resize,
               "num_train": num_train, "lr": spec.lr, "epochs": epochs, "reps": reps,
               "flops_per_epoch": flops, "runs": runs}
    for which, rs in runs.items():
        secs = [r["sec_per_epoch"] for r in rs]
        calls = [r["call_sec"] for r in rs]
        median = statistics.median(secs)
        summary[which] = {"median_sec": median, "min_sec": min(secs), "max_sec": max(secs),
                          "median_call_sec": statistics.median(calls),
                          "min_call_sec": min(calls), "max_call_sec": max(calls),
                          "gflops": flops / median / 1e9,
                          "median_test_acc": statistics.median(r["test_acc"] for r in rs)}
    if spec.compare:
        summary["ratio"] = summary["reference"]["median_sec"] / summary["ours"]["median_sec"]
        summary["call_ratio"] = (summary["reference"]["median_call_sec"]
                                 / summary["ours"]["median_call_sec"])
    return summary


def environment(device):
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    if device.type == "cuda":
        cpu += f"; GPU {torch.cuda.get_device_name(device)}"
    return {"date": datetime.datetime.now().isoformat(timespec="seconds"),
            "device": str(device), "processor": cpu, "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
            "load_average": os.getloadavg()[0]}


def markdown_table(results, env):
    lines = [f"Device: {env['device']} ({env['processor']}, {env['cpu_count']} CPUs, "
             f"torch {env['torch']}, {env['torch_threads']} threads); {env['date']}; "
             f"load average {env['load_average']:.2f} at start, "
             f"{env.get('load_average_end', float('nan')):.2f} at end. "
             f"Matrix-product peak measured in this run: {env['matmul_gflops']:.1f} GFLOPS "
             f"(float32, {PEAK_SIZE}×{PEAK_SIZE}).",
             "",
             "| model | batch, image size, training examples | epochs × reps "
             "| d2l pipeline s/epoch (median, range) | ours s/epoch (median, range) | speed-up "
             "| d2l pipeline s per whole call (median, range) "
             "| ours s per whole call (median, range) | speed-up "
             "| test acc d2l (median, range) | test acc ours (median, range) "
             "| GFLOP per epoch | GFLOPS d2l / ours (ours: % of peak) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        ours, ref = r["ours"], r.get("reference")
        d2l_gflops = f"{ref['gflops']:.1f}" if ref else "—"
        lines.append(
            f"| {r['model']} | {r['batch_size']}, {r['resize']}×{r['resize']}, "
            f"{r['num_train']} | {r['epochs']} × {r['reps']} "
            f"| {seconds_cell(ref, '_sec', 3)} | {seconds_cell(ours, '_sec', 3)} "
            f"| {ratio_cell(r, 'ratio')} "
            f"| {seconds_cell(ref, '_call_sec', 1)} | {seconds_cell(ours, '_call_sec', 1)} "
            f"| {ratio_cell(r, 'call_ratio')} "
            f"| {accuracy_cell(r, 'reference')} | {accuracy_cell(r, 'ours')} "
            f"| {r['flops_per_epoch'] / 1e9:.1f} | {d2l_gflops} / {ours['gflops']:.1f} "
            f"({100 * ours['gflops'] / env['matmul_gflops']:.0f} %) |")
    return "\n".join(lines) + "\n"


def seconds_cell(summary, suffix, digits):
    """'median (min–max)' of one pipeline's times, '—' for a pipeline that did not run."""
    if summary is None:
        return "—"
    median, low, high = (summary[f"{k}{suffix}"] for k in ("median", "min", "max"))
    return f"{median:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def ratio_cell(result, key):
    return f"{result[key]:.1f}×" if key in result else "—"


def accuracy_cell(result, which):
    """Median and range of one pipeline's test accuracies: the runs differ in their seed (and
    so in initial weights and batch order), which moves the accuracy after a few epochs."""
    if which not in result["runs"]:
        return "—"
    accs = [r["test_acc"] for r in result["runs"][which]]
    return f"{result[which]['median_test_acc']:.3f} ({min(accs):.3f}–{max(accs):.3f})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(SPECS),
                        help=f"comma-separated, from {', '.join(SPECS)} (default: all)")
    parser.add_argument("--epochs", type=int, help="epochs per run (default: per model)")
    parser.add_argument("--reps", type=int, help="runs per pipeline (default: per model)")
    parser.add_argument("--train-examples", type=int, help="train on a subset (smoke tests)")
    parser.add_argument("--out", type=Path, default=HERE / "results",
                        help="folder for results.md and results.json")
    parser.add_argument("--data-root", type=Path, default=Path("_build/bench-data"),
                        help="where the torchvision copy of Fashion-MNIST is made")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in SPECS]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {list(SPECS)}")
    for flag in ("epochs", "reps", "train_examples"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            parser.error(f"--{flag.replace('_', '-')} must be at least 1, got {value}")

    quick = os.environ.pop("D2L_QUICK", None)  # always full data and full epochs
    # The training curves (PNG files outside Jupyter) stay out of the working directory.
    os.environ.setdefault("D2L_FIGURE_DIR", tempfile.mkdtemp(prefix="d2l-bench-figures-"))
    try:
        return _bench(names, args)
    finally:
        if quick is not None:
            os.environ["D2L_QUICK"] = quick


def _bench(names, args):
    device = d2l.try_gpu()
    env = environment(device)
    env["matmul_gflops"] = d2l.matmul_gflops(PEAK_SIZE, device=device, min_seconds=2.0)
    data_root = reference.torchvision_root(args.data_root)
    print(f"benchmarking {', '.join(names)} on {device}", flush=True)
    start = time.perf_counter()
    results = [bench_model(n, SPECS[n], args, device, data_root) for n in names]
    env["load_average_end"] = os.getloadavg()[0]
    env["seconds"] = time.perf_counter() - start
    table = markdown_table(results, env)
    args.out.mkdir(parents=True, exist_ok=True)
    tag = "" if device.type == "cpu" else f"-{device.type}"
    (args.out / f"results{tag}.md").write_text(table, encoding="utf-8")
    (args.out / f"results{tag}.json").write_text(
        json.dumps({"environment": env, "results": results}, indent=2) + "\n", encoding="utf-8")
    print(table)
    return results


if __name__ == "__main__":
    main()
