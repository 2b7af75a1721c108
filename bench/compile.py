"""``make bench-compile``: does ``torch.compile`` pay for itself in the book's training runs?

For LeNet, BN-LeNet and ResNet-18 (batch 256, 28×28, the layout ``train_ch6`` picks) it times
SGD steps on real Fashion-MNIST batches, eager and compiled (inductor, the default back-end),
and the first compiled step, which includes the compilation. Compilation pays off only if the
steps it saves over a section's training (``steps`` × the time saved per step) exceed it; the
table says how many steps that takes. The compiler cache is a fresh, empty folder, so the
compile time is what a reader pays the first time. Results go to bench/results/compile.md.

    python -m bench.compile [--models lenet,bn-lenet] [--steps 30]
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

import d2lutils as d2l

from . import models

HERE = Path(__file__).resolve().parent
MODELS = {"lenet": (models.lenet, 10), "bn-lenet": (models.bn_lenet, 10),
          "resnet18": (models.resnet18, 2)}  # and the epochs their sections train


def step_ms(step, batches):
    """Milliseconds per step over ``batches`` (after the caller's warm-up)."""
    start = time.perf_counter()
    for X, y in batches:
        step(X, y)
    return 1000 * (time.perf_counter() - start) / len(batches)


def make_step(net, compiled):
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    loss = nn.CrossEntropyLoss()
    forward = torch.compile(net) if compiled else net

    def step(X, y):
        optimizer.zero_grad()
        loss(forward(X), y).backward()
        optimizer.step()

    return step


def measure(name, num_steps, batches, steps_per_epoch):
    build, epochs = MODELS[name]
    row = {"model": name, "section_steps": epochs * steps_per_epoch}
    for compiled in (False, True):
        torch.manual_seed(0)
        net = build()
        net.to(memory_format=d2l.conv_memory_format(net, "cpu"))
        step = make_step(net, compiled)
        start = time.perf_counter()
        step(*batches[0])  # compiles, when compiled
        first = time.perf_counter() - start
        step_ms(step, batches[1:3])  # warm-up
        row["compiled_ms" if compiled else "eager_ms"] = step_ms(step, batches[3:3 + num_steps])
        if compiled:
            row["compile_s"] = first
    saved_ms = row["eager_ms"] - row["compiled_ms"]
    row["break_even_steps"] = 1000 * row["compile_s"] / saved_ms if saved_ms > 0 else None
    return row


def markdown(rows):
    lines = [f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU, batch 256, "
             "28×28; an empty compiler cache.", "",
             "| model | eager ms/step | compiled ms/step | first compiled step (s) "
             "| steps to win back the compilation | steps in the section |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        even = f"{r['break_even_steps']:.0f}" if r["break_even_steps"] else "never (not faster)"
        lines.append(f"| {r['model']} | {r['eager_ms']:.1f} | {r['compiled_ms']:.1f} "
                     f"| {r['compile_s']:.1f} | {even} | {r['section_steps']} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--steps", type=int, default=30, help="timed steps per variant")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    names = [n for n in args.models.split(",") if n]
    unknown = [n for n in names if n not in MODELS]
    if unknown or args.steps < 1:
        parser.error(f"unknown model(s) {unknown}; choose from {list(MODELS)}"
                     if unknown else f"--steps must be at least 1, got {args.steps}")
    os.environ.pop("D2L_QUICK", None)
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="d2l-inductor-")
    train_iter, _ = d2l.load_data_fashion_mnist(256)
    batches = [b for _, b in zip(range(3 + args.steps), train_iter)]
    rows = [measure(name, args.steps, batches, len(train_iter)) for name in names]
    table = markdown(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compile.md").write_text(table, encoding="utf-8")
    print(table)
    return rows


if __name__ == "__main__":
    main()
