"""``from d2lutils import torch as d2l``: a drop-in for d2l's PyTorch module (d2l-zh ch. 2-7)."""

import hashlib
import inspect
import json
import os
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
import torch
from matplotlib import pyplot as plt
from torch import nn

import d2lutils
from d2lutils import torch as d2l

ROOT = Path(__file__).resolve().parent.parent
CPU = torch.device("cpu")

# What code of chapters 2-7 of d2l-zh 2.0 (PyTorch) calls on ``d2l``, collected from its pages.
D2L_ZH_NAMES = [
    "use_svg_display", "set_figsize", "set_axes", "plot", "plt", "Timer", "synthetic_data",
    "linreg", "squared_loss", "sgd", "load_array", "get_fashion_mnist_labels", "show_images",
    "get_dataloader_workers", "load_data_fashion_mnist", "accuracy", "evaluate_accuracy",
    "Accumulator", "train_epoch_ch3", "Animator", "train_ch3", "predict_ch3", "evaluate_loss",
    "DATA_HUB", "DATA_URL", "download", "download_extract", "download_all", "try_gpu",
    "try_all_gpus", "corr2d", "evaluate_accuracy_gpu", "train_ch6", "Residual",
    "ones", "zeros", "tensor", "arange", "meshgrid", "sin", "sinh", "cos", "cosh", "tanh",
    "linspace", "exp", "log", "normal", "rand", "randn", "matmul", "int32", "float32", "concat",
    "stack", "abs", "eye", "numpy", "size", "reshape", "to", "reduce_sum", "argmax", "astype",
    "transpose", "reduce_mean", "nn_Module",
]

# The helpers that must be the book's own objects, so quick mode and in-memory data apply.
BOOK_HELPERS = [
    "use_svg_display", "set_figsize", "set_axes", "show_images", "Animator", "Timer",
    "Accumulator", "synthetic_data", "linreg", "squared_loss", "sgd", "load_array",
    "get_fashion_mnist_labels", "load_data_fashion_mnist", "accuracy", "evaluate_accuracy",
    "evaluate_accuracy_gpu", "evaluate_loss", "train_epoch_ch3", "train_ch3", "train_ch6",
    "try_gpu", "try_all_gpus", "corr2d", "Residual",
]
# The book's helpers that return matplotlib axes, wrapped to return None as d2l's do.
RETURN_NONE = ["plot", "predict_ch3"]

# d2l aliases that are PyTorch's own functions and dtypes.
SAME_AS_TORCH = {
    "ones": torch.ones, "zeros": torch.zeros, "ones_like": torch.ones_like,
    "zeros_like": torch.zeros_like, "tensor": torch.tensor, "arange": torch.arange,
    "linspace": torch.linspace, "normal": torch.normal, "rand": torch.rand,
    "randn": torch.randn, "eye": torch.eye, "exp": torch.exp, "log": torch.log,
    "abs": torch.abs, "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh,
    "sinh": torch.sinh, "cosh": torch.cosh, "sigmoid": torch.sigmoid, "matmul": torch.matmul,
    "batch_matmul": torch.bmm, "stack": torch.stack, "concat": torch.cat,
    "float32": torch.float32, "int32": torch.int32, "int64": torch.int64,
}


# --- the package: the facade is a submodule that nothing imports eagerly -----------------------

IMPORT_PROBE = """
import json, sys
import d2lutils
report = {"facade_loaded": "d2lutils.torch" in sys.modules,
          "package_has_torch": "torch" in vars(d2lutils)}
from d2lutils import torch as d2l
import torch
report["facade_is_submodule"] = d2l.__name__ == "d2lutils.torch"
report["torch_is_pytorch"] = sys.modules["torch"] is torch and hasattr(torch, "Tensor")
report["modules_see_pytorch"] = all(
    getattr(m, "torch", torch) is torch
    for name, m in sys.modules.items() if name.startswith("d2lutils.") and name != "d2lutils.torch")
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def fresh_import():
    """What a fresh interpreter sees when it imports d2lutils, then the facade."""
    out = subprocess.run([sys.executable, "-c", IMPORT_PROBE], cwd=ROOT, capture_output=True,
                         encoding="utf-8", check=True).stdout
    return json.loads(out.splitlines()[-1])


def test_importing_d2lutils_does_not_import_the_facade(fresh_import):
    assert fresh_import["facade_loaded"] is False


def test_the_package_has_no_name_torch_that_would_shadow_the_submodule(fresh_import):
    # ``from d2lutils import torch`` returns a package attribute named torch if there is one.
    assert fresh_import["package_has_torch"] is False


def test_from_d2lutils_import_torch_gives_the_facade(fresh_import):
    assert fresh_import["facade_is_submodule"] is True
    assert d2l.__name__ == "d2lutils.torch" and hasattr(d2l, "reduce_sum")


def test_modules_of_the_package_still_import_pytorch(fresh_import):
    assert fresh_import["torch_is_pytorch"] is True
    assert fresh_import["modules_see_pytorch"] is True
    assert d2lutils.train.torch is torch and d2l.torch is torch


def test_the_facade_refuses_to_stand_in_for_pytorch():
    # With d2lutils/ as the current directory, ``import torch`` finds d2lutils/torch.py first.
    result = subprocess.run([sys.executable, "-c", "import torch"], cwd=ROOT / "d2lutils",
                            capture_output=True, encoding="utf-8")
    assert result.returncode != 0
    assert "instead of PyTorch" in result.stderr and "from d2lutils import torch" in result.stderr


def test_the_clean_api_does_not_gain_d2ls_aliases():
    for name in ["reshape", "reduce_sum", "size", "numpy", "download", "DATA_HUB", "torch"]:
        assert name not in d2lutils.__all__


# --- the surface -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", D2L_ZH_NAMES)
def test_every_name_d2l_zh_chapters_2_to_7_use_is_provided(name):
    assert hasattr(d2l, name)
    assert name in d2l.__all__


@pytest.mark.parametrize("name", BOOK_HELPERS)
def test_helpers_are_the_books_own(name):
    assert getattr(d2l, name) is getattr(d2lutils, name)


def test_the_clean_api_is_there_too():
    for name in d2lutils.__all__:
        expected = getattr(d2lutils, name)
        assert getattr(d2l, name) is expected or d2l.__dict__[name].__wrapped__ is expected, name


@pytest.mark.parametrize("name", RETURN_NONE)
def test_wrapped_helpers_call_the_books_and_keep_its_signature_and_doc(name):
    wrapper, book = getattr(d2l, name), getattr(d2lutils, name)
    assert wrapper.__wrapped__ is book
    assert inspect.signature(wrapper) == inspect.signature(book)
    assert wrapper.__doc__ == book.__doc__


def test_plot_draws_and_returns_none_as_in_d2l():
    x = d2l.arange(0, 3, 0.5)
    assert d2l.plot(x, [x, x ** 2], "x", "f(x)", legend=["x", "x^2"]) is None
    axes = plt.gca()
    assert len(axes.get_lines()) == 2 and axes.get_xlabel() == "x"
    assert d2lutils.plot(x, x) is axes  # the clean API returns the axes


def test_predict_ch3_shows_the_images_and_returns_none_as_in_d2l():
    X, y = torch.rand(8, 1, 28, 28), torch.arange(8)
    loader = d2l.load_array((X, y), 8, is_train=False)
    assert d2l.predict_ch3(lambda X: torch.eye(10)[:len(X)], loader, n=4) is None
    titles = [ax.get_title() for ax in plt.gcf().axes]
    assert titles == ["t-shirt\nt-shirt", "trouser\ntrouser", "pullover\npullover",
                      "dress\ndress"]


def test_every_name_in_all_exists():
    for name in d2l.__all__:
        assert hasattr(d2l, name), name


def test_plt_is_pyplot_and_nn_module_is_module():
    assert d2l.plt is plt
    assert d2l.nn_Module is nn.Module


@pytest.mark.parametrize(("name", "chapter"), [("train_seq2seq", "9"), ("Seq2SeqEncoder", "9"),
                                               ("MultiHeadAttention", "10"), ("train_ch11", "11")])
def test_names_of_later_chapters_say_they_are_left_out(name, chapter):
    with pytest.raises(AttributeError, match=f"chapter {chapter} .*covers chapters 2-8"):
        getattr(d2l, name)
    assert not hasattr(d2l, name)


def test_an_unknown_name_is_an_attribute_error_that_says_what_is_covered():
    with pytest.raises(AttributeError, match="no attribute 'reduce_max'.*chapters 2-8"):
        d2l.reduce_max  # noqa: B018


def test_dunder_lookups_are_plain_attribute_errors():
    with pytest.raises(AttributeError) as info:
        d2l.__wrapped__  # noqa: B018
    assert "chapters" not in str(info.value)


# --- aliases: PyTorch's own functions -----------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), SAME_AS_TORCH.items())
def test_alias_is_pytorchs_function(name, expected):
    assert getattr(d2l, name) is expected


def test_normal_draws_with_the_given_mean_std_and_shape():
    torch.manual_seed(0)
    X = d2l.normal(3.0, 0.5, (2000, 5))
    assert X.shape == (2000, 5)
    assert X.mean().item() == pytest.approx(3.0, abs=0.05)
    assert X.std().item() == pytest.approx(0.5, abs=0.05)


def test_concat_joins_along_an_axis_and_stack_adds_one():
    A, B = torch.zeros(2, 3), torch.ones(2, 3)
    assert d2l.concat((A, B), dim=0).shape == (4, 3)
    assert d2l.concat((A, B), dim=1).shape == (2, 6)
    assert d2l.stack((A, B)).shape == (2, 2, 3)


def test_concat_rejects_mismatched_shapes():
    with pytest.raises(RuntimeError):
        d2l.concat((torch.zeros(2, 3), torch.zeros(2, 4)), dim=0)


def test_meshgrid_uses_matrix_indexing_without_warning():
    x, y = torch.arange(3), torch.arange(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X, Y = d2l.meshgrid(x, y)
    assert X.shape == Y.shape == (3, 2)
    assert torch.equal(X[:, 0], x) and torch.equal(Y[0], y)
    X_xy, _ = d2l.meshgrid(x, y, indexing="xy")
    assert X_xy.shape == (2, 3)


# --- aliases: methods of their first argument ----------------------------------------------------

def test_size_is_the_number_of_elements_not_the_shape():
    assert d2l.size(torch.zeros(2, 3, 4)) == 24
    assert d2l.size(torch.tensor(5.0)) == 1
    assert d2l.size(torch.zeros(0, 3)) == 0


def test_size_of_a_list_raises_as_in_d2l():
    with pytest.raises(AttributeError, match="numel"):
        d2l.size([1, 2, 3])


def test_numpy_detaches_a_tensor_that_requires_grad():
    x = torch.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError):
        x.numpy()  # what d2l.numpy spares the reader
    a = d2l.numpy(x * 2)
    assert isinstance(a, np.ndarray) and a.shape == (2, 3) and (a == 2).all()


def test_numpy_shares_memory_with_a_cpu_tensor():
    x = torch.arange(6.0)
    assert np.shares_memory(d2l.numpy(x), x.numpy())


def test_numpy_copies_to_the_cpu_first():
    x = mock.MagicMock()
    d2l.numpy(x)
    x.detach.return_value.cpu.return_value.numpy.assert_called_once_with()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_numpy_of_a_gpu_tensor_works():
    x = torch.arange(4.0, device="cuda")
    assert d2l.numpy(x).tolist() == [0.0, 1.0, 2.0, 3.0]


def test_numpy_of_a_numpy_array_raises_as_in_d2l():
    with pytest.raises(AttributeError):
        d2l.numpy(np.zeros(3))


def test_reshape_takes_a_shape_or_sizes_and_infers_minus_one():
    x = torch.arange(12)
    assert d2l.reshape(x, (3, 4)).shape == (3, 4)
    assert d2l.reshape(x, 2, 6).shape == (2, 6)
    assert d2l.reshape(x, (-1, 3)).shape == (4, 3)
    assert torch.equal(d2l.reshape(x, (3, 4))[1], torch.tensor([4, 5, 6, 7]))


def test_reshape_to_another_number_of_elements_raises():
    with pytest.raises(RuntimeError, match="invalid for input of size 12"):
        d2l.reshape(torch.arange(12), (5, 3))


def test_reshape_works_on_numpy_arrays_as_in_d2l():
    assert d2l.reshape(np.arange(6), (2, 3)).shape == (2, 3)


def test_reduce_sum_over_all_or_along_an_axis():
    x = torch.arange(6.0).reshape(2, 3)
    assert d2l.reduce_sum(x).item() == 15.0
    assert torch.equal(d2l.reduce_sum(x, axis=0), torch.tensor([3.0, 5.0, 7.0]))
    assert torch.equal(d2l.reduce_sum(x, axis=1), torch.tensor([3.0, 12.0]))
    assert d2l.reduce_sum(x, axis=1, keepdims=True).shape == (2, 1)
    assert torch.equal(d2l.reduce_sum(x, dim=1), d2l.reduce_sum(x, axis=1))


def test_reduce_sum_keeps_integers_integers():
    assert d2l.reduce_sum(torch.tensor([True, False, True])).item() == 2
    assert d2l.reduce_sum(torch.arange(4, dtype=torch.int32)).dtype == torch.int64


def test_reduce_sum_along_a_missing_axis_raises():
    with pytest.raises(IndexError):
        d2l.reduce_sum(torch.zeros(2, 3), axis=2)


def test_reduce_mean_over_all_or_along_an_axis():
    x = torch.arange(6.0).reshape(2, 3)
    assert d2l.reduce_mean(x).item() == 2.5
    assert torch.equal(d2l.reduce_mean(x, axis=0), torch.tensor([1.5, 2.5, 3.5]))
    assert d2l.reduce_mean(x, axis=1, keepdims=True).shape == (2, 1)


def test_reduce_mean_of_integers_raises_as_in_pytorch():
    with pytest.raises(RuntimeError, match="floating point"):
        d2l.reduce_mean(torch.arange(4))


def test_argmax_along_an_axis_or_of_the_flattened_tensor():
    x = torch.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    assert torch.equal(d2l.argmax(x, axis=1), torch.tensor([1, 0]))
    assert torch.equal(d2l.argmax(x, axis=0), torch.tensor([1, 0, 1]))
    assert d2l.argmax(x).item() == 3  # index into the flattened tensor


def test_astype_converts_and_keeps_a_tensor_of_that_type():
    x = torch.tensor([1.7, -0.2])
    assert d2l.astype(x, d2l.int32).dtype == torch.int32
    assert d2l.astype(x, d2l.int32).tolist() == [1, 0]  # truncated toward zero
    assert d2l.astype(x, torch.float32) is x


def test_astype_rejects_a_non_dtype():
    with pytest.raises((TypeError, ValueError)):
        d2l.astype(torch.ones(2), "no such type")


def test_to_changes_dtype_and_device():
    x = torch.ones(2)
    assert d2l.to(x, torch.float64).dtype == torch.float64
    assert d2l.to(x, CPU) is x


def test_transpose_transposes_a_matrix_and_keeps_a_vector():
    x = torch.arange(6).reshape(2, 3)
    assert torch.equal(d2l.transpose(x), x.T)
    v = torch.arange(3)
    assert torch.equal(d2l.transpose(v), v)


def test_transpose_of_more_than_two_axes_raises_as_in_d2l():
    with pytest.raises(RuntimeError, match="<= 2 dimensions"):
        d2l.transpose(torch.zeros(2, 3, 4))


def test_expand_dims_swapaxes_and_repeat():
    x = torch.zeros(2, 3)
    assert d2l.expand_dims(x, 0).shape == (1, 2, 3)
    assert d2l.expand_dims(x, -1).shape == (2, 3, 1)
    assert d2l.swapaxes(torch.zeros(2, 3, 4), 0, 2).shape == (4, 3, 2)
    assert torch.equal(d2l.repeat(torch.tensor([1, 2]), 2), torch.tensor([1, 2, 1, 2]))


def test_expand_dims_out_of_range_raises():
    with pytest.raises(IndexError):
        d2l.expand_dims(torch.zeros(2, 3), 5)


def test_get_dataloader_workers_is_d2ls_4_or_fewer_cores():
    workers = d2l.get_dataloader_workers()
    assert type(workers) is int and 1 <= workers <= 4
    assert workers == min(4, os.cpu_count() or 1)


# --- d2l-style code through the facade ----------------------------------------------------------

def test_linear_regression_from_scratch_in_d2ls_style_recovers_the_weights():
    torch.manual_seed(0)
    true_w, true_b = d2l.tensor([2.0, -3.4]), 4.2
    features, labels = d2l.synthetic_data(true_w, true_b, 1000)
    w = d2l.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = d2l.zeros(1, requires_grad=True)
    for _ in range(3):
        for X, y in d2l.load_array((features, labels), 10):
            l = d2l.squared_loss(d2l.linreg(X, w, b), y)
            d2l.reduce_sum(l).backward()
            d2l.sgd([w, b], 0.03, 10)
    assert np.allclose(d2l.numpy(d2l.reshape(w, true_w.shape)), d2l.numpy(true_w), atol=0.05)
    assert abs(b.item() - true_b) < 0.05


def test_corr2d_through_the_facade_matches_d2ls_example():
    X = d2l.reshape(d2l.arange(9.0), (3, 3))
    K = d2l.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert torch.equal(d2l.corr2d(X, K), d2l.tensor([[19.0, 25.0], [37.0, 43.0]]))


# --- both kinds of updater, both kinds of loss --------------------------------------------------

def classification_data():
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(30, 4, generator=generator)
    y = torch.randint(0, 3, (30,), generator=generator)
    W0 = 0.1 * torch.randn(4, 3, generator=generator)
    return X, y, W0


def one_epoch(updater_kind, reduction, lr=0.2):
    """One epoch of softmax regression from W0, b = 0 (batches of 8, 8, 8, 6, not shuffled).

    Returns (W, b, train_loss, train_acc) after the epoch.
    """
    X, y, W0 = classification_data()
    net = nn.Linear(4, 3)
    with torch.no_grad():
        net.weight.copy_(W0.T)
        net.bias.zero_()
    if updater_kind == "optimizer":
        updater = torch.optim.SGD(net.parameters(), lr=lr)
    else:
        def updater(batch_size):  # d2l's scratch style: a function of the batch size
            d2l.sgd(net.parameters(), lr, batch_size)
    loss = nn.CrossEntropyLoss(reduction=reduction)
    train_loss, train_acc = d2l.train_epoch_ch3(net, d2l.load_array((X, y), 8, is_train=False),
                                                loss, updater)
    return net.weight.detach().T, net.bias.detach(), train_loss, train_acc


COMBINATIONS = [("optimizer", "none"), ("optimizer", "mean"),
                ("function", "none"), ("function", "mean")]


@pytest.mark.parametrize(("updater_kind", "reduction"), COMBINATIONS)
def test_every_updater_and_loss_reduction_takes_the_same_steps(updater_kind, reduction):
    W_ref, b_ref, loss_ref, acc_ref = one_epoch("optimizer", "none")
    W, b, train_loss, train_acc = one_epoch(updater_kind, reduction)
    assert not torch.allclose(W_ref, classification_data()[2])  # training moved the weights
    assert torch.allclose(W, W_ref, atol=1e-6) and torch.allclose(b, b_ref, atol=1e-6)
    assert train_loss == pytest.approx(loss_ref) and train_acc == acc_ref


def test_the_reported_loss_is_the_mean_per_example_loss():
    X, y, W0 = classification_data()
    W = W0.clone().requires_grad_()
    loss = nn.CrossEntropyLoss(reduction="none")
    # An updater that does nothing keeps W0, so the epoch's loss is the loss of W0.
    for reduction in ("none", "mean"):
        train_loss, _ = d2l.train_epoch_ch3(lambda X: X @ W, d2l.load_array((X, y), 8),
                                            nn.CrossEntropyLoss(reduction=reduction),
                                            lambda batch_size: None)
        assert train_loss == pytest.approx(loss(X @ W0, y).mean().item())


def separable_loaders():
    generator = torch.Generator().manual_seed(1)
    X = torch.randn(300, 2, generator=generator)
    y = (X[:, 0] > 0).long()
    X[:, 0] += torch.where(y == 1, 1.0, -1.0)  # a margin between the classes
    return d2l.load_array((X[:200], y[:200]), 20), d2l.load_array((X[200:], y[200:]), 50, False)


@pytest.mark.parametrize(("updater_kind", "reduction"), COMBINATIONS)
def test_train_ch3_learns_with_every_updater_and_loss(full_mode, updater_kind, reduction):
    torch.manual_seed(0)
    W = d2l.normal(0, 0.01, size=(2, 2), requires_grad=True)
    b = d2l.zeros(2, requires_grad=True)

    def net(X):
        return d2l.matmul(X, W) + b

    updater = (torch.optim.SGD([W, b], lr=0.5) if updater_kind == "optimizer"
               else lambda batch_size: d2l.sgd([W, b], 0.5, batch_size))
    result = d2l.train_ch3(net, *separable_loaders(), nn.CrossEntropyLoss(reduction=reduction),
                           3, updater)
    assert result.epochs == 3
    assert result.train_acc > 0.9 and result.test_acc > 0.9  # chance is 0.5


# --- quick mode through the facade ---------------------------------------------------------------

def test_train_ch3_runs_2_epochs_in_quick_mode(quick_mode, capsys):
    net = nn.Linear(2, 2)
    result = d2l.train_ch3(net, *separable_loaders(), nn.CrossEntropyLoss(reduction="none"), 10,
                           torch.optim.SGD(net.parameters(), lr=0.5))
    assert result.epochs == 2
    assert "2 of 10 epochs" in capsys.readouterr().out


def test_train_ch3_runs_every_epoch_in_full_mode(full_mode):
    net = nn.Linear(2, 2)
    result = d2l.train_ch3(net, *separable_loaders(), nn.CrossEntropyLoss(), 3,
                           torch.optim.SGD(net.parameters(), lr=0.5))
    assert result.epochs == 3


def test_train_ch6_with_d2ls_positional_device_runs_2_epochs_in_quick_mode(quick_mode, capsys):
    generator = torch.Generator().manual_seed(0)
    X, y = torch.rand(48, 1, 12, 12, generator=generator), torch.randint(0, 10, (48,))
    net = nn.Sequential(nn.Conv2d(1, 2, kernel_size=3), nn.ReLU(), nn.Flatten(),
                        nn.Linear(2 * 10 * 10, 10))
    result = d2l.train_ch6(net, d2l.load_array((X, y), 16), d2l.load_array((X, y), 16, False),
                           5, 0.1, d2l.try_gpu())
    assert result.epochs == 2
    assert "training on" in capsys.readouterr().out


def test_load_data_fashion_mnist_is_shortened_in_quick_mode(quick_mode, fashion_mnist, capsys):
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    assert (len(train_iter.dataset), len(test_iter.dataset)) == (6000, 1000)
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == d2l.float32 and y.dtype == d2l.int64
    assert "quick mode" in capsys.readouterr().out


# --- d2l's data hub, offline ---------------------------------------------------------------------

@pytest.fixture
def offline_house_prices(monkeypatch, tmp_path):
    """No Kaggle files, no d2l cache, and generated files in a fresh folder."""
    monkeypatch.delenv("D2L_DATA_DIR", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    generated = tmp_path / "generated"
    monkeypatch.setattr(d2l, "generated_data_dir", lambda: generated)
    return generated


def sha1_of(path):
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()


def test_data_hub_registers_the_kaggle_house_files_as_d2l_does():
    for name in ["kaggle_house_train", "kaggle_house_test"]:
        url, sha1 = d2l.DATA_HUB[name]
        assert url.startswith(d2l.DATA_URL) and url.endswith(".csv") and len(sha1) == 40


def test_kaggle_house_files_are_the_ames_split_of_load_house_prices(offline_house_prices,
                                                                    capsys):
    train_data = pd.read_csv(d2l.download("kaggle_house_train"), encoding="utf-8")
    test_data = pd.read_csv(d2l.download("kaggle_house_test"), encoding="utf-8")
    assert "Ames" in capsys.readouterr().out
    train_ref, test_ref = d2lutils.load_house_prices()
    assert train_data.shape == (1465, 81) and test_data.shape == (1465, 80)
    pd.testing.assert_frame_equal(train_data, train_ref, check_dtype=False)
    pd.testing.assert_frame_equal(test_data, test_ref, check_dtype=False)


def test_d2ls_house_price_code_runs_on_the_offline_files(offline_house_prices):
    # The preprocessing of d2l's Kaggle section: features of both files, price last.
    train_data = pd.read_csv(d2l.download("kaggle_house_train"), encoding="utf-8")
    test_data = pd.read_csv(d2l.download("kaggle_house_test"), encoding="utf-8")
    all_features = pd.concat((train_data.iloc[:, 1:-1], test_data.iloc[:, 1:]))
    assert len(all_features) == 2930 and "SalePrice" not in all_features
    assert train_data.columns[-1] == "SalePrice" and train_data.columns[0] == "Id"


def test_generated_files_are_written_whole_and_reused(offline_house_prices):
    first = d2l.download("kaggle_house_train")
    stamp = os.stat(first).st_mtime_ns
    assert d2l.download("kaggle_house_train") == first
    assert os.stat(first).st_mtime_ns == stamp  # not written again
    names = sorted(p.name for p in offline_house_prices.iterdir())
    assert names == ["ames_house_test_seed0.csv", "ames_house_train_seed0.csv"]


def test_a_d2l_download_in_the_cache_folder_comes_first(offline_house_prices, tmp_path,
                                                       monkeypatch):
    cache = tmp_path / "data"
    cache.mkdir()
    url, _ = d2l.DATA_HUB["kaggle_house_train"]
    cached = cache / url.split("/")[-1]
    cached.write_text("Id,SalePrice\n1,100\n", encoding="utf-8")
    monkeypatch.setitem(d2l.DATA_HUB, "kaggle_house_train", (url, sha1_of(cached)))
    assert d2l.download("kaggle_house_train", cache_dir=str(cache)) == str(cached)


def test_a_cached_file_with_another_sha1_is_not_used(offline_house_prices, tmp_path):
    cache = tmp_path / "data"
    cache.mkdir()
    url, _ = d2l.DATA_HUB["kaggle_house_test"]
    (cache / url.split("/")[-1]).write_text("corrupt", encoding="utf-8")
    path = d2l.download("kaggle_house_test", cache_dir=str(cache))
    assert Path(path).parent == offline_house_prices


def test_kaggles_files_are_used_when_the_reader_has_them(offline_house_prices, capsys):
    folder = Path("data") / "house-prices-advanced-regression-techniques"
    folder.mkdir(parents=True)
    (folder / "train.csv").write_text("Id,LotArea,SalePrice\n1,8450,208500\n", encoding="utf-8")
    (folder / "test.csv").write_text("Id,LotArea\n2,9600\n", encoding="utf-8")
    assert Path(d2l.download("kaggle_house_train")).resolve() == (folder / "train.csv").resolve()
    assert Path(d2l.download("kaggle_house_test")).resolve() == (folder / "test.csv").resolve()
    assert "Kaggle" in capsys.readouterr().out
    assert not offline_house_prices.exists()  # nothing generated


def test_an_unknown_name_says_the_book_is_offline(offline_house_prices):
    with pytest.raises(FileNotFoundError, match="'time_machine'.*offline"):
        d2l.download("time_machine")


def test_a_registered_file_that_is_not_cached_says_where_to_put_it(offline_house_prices,
                                                                   monkeypatch, tmp_path):
    monkeypatch.setitem(d2l.DATA_HUB, "my_data", (d2l.DATA_URL + "my.zip", "0" * 40))
    with pytest.raises(FileNotFoundError, match="does not download.*my.zip"):
        d2l.download("my_data", cache_dir=str(tmp_path))


def make_cached_zip(cache, monkeypatch):
    cache.mkdir()
    archive = cache / "toy.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("toy/a.txt", "hello")
    monkeypatch.setitem(d2l.DATA_HUB, "toy", (d2l.DATA_URL + "toy.zip", sha1_of(archive)))
    return archive


def test_download_extract_unpacks_a_cached_archive(offline_house_prices, monkeypatch, tmp_path):
    cache = tmp_path / "data"
    make_cached_zip(cache, monkeypatch)
    # d2l's cache folder is ../data: here tmp_path/data, next to the working directory.
    data_dir = d2l.download_extract("toy")
    folder = d2l.download_extract("toy", "toy")
    assert Path(data_dir).resolve() == Path(folder).resolve() == cache / "toy"
    assert (cache / "toy" / "a.txt").read_text(encoding="utf-8") == "hello"


def test_download_extract_refuses_a_file_that_is_no_archive(offline_house_prices):
    with pytest.raises(ValueError, match="not a zip or tar archive"):
        d2l.download_extract("kaggle_house_train")


def test_download_all_fetches_every_registered_file(offline_house_prices, monkeypatch):
    monkeypatch.setattr(d2l, "DATA_HUB", {k: d2l.DATA_HUB[k]
                                          for k in ["kaggle_house_train", "kaggle_house_test"]})
    assert d2l.download_all() is None
    assert len(list(offline_house_prices.glob("*.csv"))) == 2
