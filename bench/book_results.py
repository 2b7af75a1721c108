"""The results a book build computed, read back from its executed notebooks.

Every section glues what it measured (``TrainResult.glue`` and ``glue(...)`` calls: test
accuracy, loss, norms, seconds per epoch). A build leaves each section's glued outputs in
``<build>/_build/jupyter_execute/<section>.glue.json``; this module collects the glued values
into one JSON file, writes the rows a GPU machine contributes to 复现结果, and compares two
builds:

    python -m bench.book_results collect . --out _build/book-results.json [--from-cache]
    python -m bench.book_results compare first.json second.json [--tolerance 0.002]
    python -m bench.book_results gpu-table .        # on a CUDA machine, after `make book`

``compare`` prints the two builds side by side and fails when a result (timings aside) differs
by more than the tolerance: two full-mode builds on one machine, with the sections' fixed seeds,
must agree.
"""

import argparse
import ast
import datetime
import json
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GPU_TABLE = HERE / "results" / "book-cuda.md"
# Glued names that measure time, not what was learned: they differ from run to run.
TIMING_WORDS = ("sec", "time", "seconds", "speed", "per-sec", "examples-per", "hours", "minutes",
                "gbps", "gflops")
TIMING_SUFFIXES = ("-us", "-ms")
# Ratios of two measured times, whose names do not say so.
TIMING_NAMES = {"use-gpu-tolist-ratio", "fmnist-read-ratio", "alexnet-epoch-ratio"}


def glued_values(notebook):
    """``{name: value}`` of every glue output in an executed notebook as jupyter-cache keeps it
    (numbers as floats)."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook", {})
            # glue() stores the value under its MIME type behind a prefix
            # ('application/papermill.record/text/plain').
            key = scrapbook.get("mime_prefix", "") + "text/plain"
            if scrapbook.get("name") and key in output.get("data", {}):
                values[scrapbook["name"]] = _parse(output["data"][key])
    return values


def _parse(text):
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else value


def collect(build_dir):
    """All glued values of a build: ``{"<chapter path>::<name>": value}``.

    MyST-NB takes the glued outputs out of each executed notebook and writes them beside it as
    ``<section>.glue.json`` (``{name: output}``, the MIME prefix already stripped).
    """
    executed = Path(build_dir) / "_build" / "jupyter_execute"
    if not executed.is_dir():
        raise FileNotFoundError(f"no executed notebooks in {executed}: build the book first "
                                f"(make book, or make book MODE=quick)")
    results = {}
    for path in sorted(executed.rglob("*.glue.json")):
        chapter = path.relative_to(executed).as_posix().removesuffix(".glue.json") + ".md"
        outputs = json.loads(path.read_text(encoding="utf-8"))
        for name, output in outputs.items():
            if "text/plain" in output.get("data", {}):
                results[f"{chapter}::{name}"] = _parse(output["data"]["text/plain"])
    if not results:
        raise ValueError(f"{executed} holds no glued results (no *.glue.json beside the "
                         f"executed notebooks): was the book built?")
    return results


def collect_from_cache(cache_dir):
    """The same, from a build's jupyter-cache (for a build that has not written its pages yet)."""
    from jupyter_cache import get_cache

    results = {}
    cache = get_cache(str(cache_dir))
    for record in cache.list_cache_records():
        chapter = "chapters/" + record.uri.split("/chapters/", 1)[-1]
        for name, value in glued_values(cache.get_cache_bundle(record.pk).nb).items():
            results[f"{chapter}::{name}"] = value
    return results


def is_timing(key):
    name = key.split("::", 1)[1]
    return (any(word in name for word in TIMING_WORDS) or name.endswith(TIMING_SUFFIXES)
            or name in TIMING_NAMES)


def compare(first, second, tolerance):
    """Rows ``(key, a, b, |a - b|)`` for results both builds have, and the keys one lacks."""
    rows, mismatched = [], []
    for key in sorted(set(first) & set(second)):
        a, b = first[key], second[key]
        if is_timing(key):
            continue
        if isinstance(a, float) and isinstance(b, float):
            diff = abs(a - b)
            rows.append((key, a, b, diff))
            if diff > tolerance:
                mismatched.append(key)
        elif a != b:
            rows.append((key, a, b, None))
            mismatched.append(key)
    only = sorted(set(first) ^ set(second))
    return rows, mismatched, only


def _header(results_file):
    meta = json.loads(Path(results_file).read_text(encoding="utf-8"))
    return meta, meta["results"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("collect", help="glued results of a build, as JSON")
    p.add_argument("build_dir", help="the build's --path-output (. for full mode, _build/quick)")
    p.add_argument("--out", required=True)
    p.add_argument("--from-cache", action="store_true",
                   help="read the build's execution cache instead of its executed pages")
    p = sub.add_parser("compare", help="two builds side by side")
    p.add_argument("first")
    p.add_argument("second")
    p.add_argument("--tolerance", type=float, default=0.002)
    p = sub.add_parser("gpu-table", help="write bench/results/book-cuda.md from a CUDA build")
    p.add_argument("build_dir")
    args = parser.parse_args(argv)

    if args.command == "collect":
        results = (collect_from_cache(Path(args.build_dir) / "_build" / ".jupyter_cache")
                   if args.from_cache else collect(args.build_dir))
        meta = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "machine": platform.processor() or platform.machine(),
                "results": results}
        Path(args.out).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
        print(f"{len(results)} glued results -> {args.out}")
        return 0
    if args.command == "compare":
        (meta_a, a), (meta_b, b) = _header(args.first), _header(args.second)
        rows, mismatched, only = compare(a, b, args.tolerance)
        print(f"| result | {meta_a['date']} | {meta_b['date']} | difference |")
        print("|---|---|---|---|")
        for key, x, y, diff in rows:
            print(f"| {key} | {x} | {y} | {'—' if diff is None else f'{diff:.2g}'} |")
        print(f"{len(rows)} results compared (timings left out), tolerance {args.tolerance}; "
              f"{len(mismatched)} differ; {len(only)} in one build only")
        for key in only:
            print(f"  only in one build: {key}")
        for key in mismatched:
            print(f"  DIFFERS: {key}: {a[key]} vs {b[key]}")
        return 1 if mismatched else 0
    if args.command == "gpu-table":
        return write_gpu_table(args.build_dir)
    return 2


def write_gpu_table(build_dir, out=GPU_TABLE):
    """The 复现结果 rows that need a GPU, from a full-mode build that ran on CUDA."""
    results = collect(build_dir)
    devices = {k: v for k, v in results.items() if k.endswith("-device") and "cuda" in str(v)}
    if not devices:
        print(f"no section of the build in {build_dir} trained on CUDA; "
              f"run `make book` on a machine with a GPU first", file=sys.stderr)
        return 1
    lines = ["| 模型所在节 | 设置 | 周期数 | 每周期秒数 | 测试精度 |", "|---|---|---|---|---|"]
    for key in sorted(devices):
        chapter, name = key.split("::")
        stem = name[: -len("-device")]

        def value(suffix, fmt, stem=stem, chapter=chapter):
            # A section that trains two variants glues their shared settings once
            # (bn-lenet-settings for bn-lenet-scratch and bn-lenet-concise).
            for prefix in (stem, stem.rsplit("-", 1)[0]):
                v = results.get(f"{chapter}::{prefix}-{suffix}")
                if v is not None:
                    return format(v, fmt)
            return "—"

        lines.append(f"| `{chapter}` | {value('settings', 's')} | {value('epochs', '.0f')} | "
                     f"{value('sec-per-epoch', '.2f')} | {value('test-acc', '.3f')} |")
    import torch

    lines.append("")
    lines.append(f"构建时间 {datetime.date.today().isoformat()}，设备 "
                 f"{torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'CUDA'}，"
                 f"由 `python -m bench.book_results gpu-table` 写入。")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(devices)} GPU rows -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
