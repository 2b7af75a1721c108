"""Data: synthetic regression data, in-memory minibatches, and Fashion-MNIST offline.

Fashion-MNIST is small (47 MB as uint8), so it is held in memory as one tensor and
batches are slices of a per-epoch random permutation. On a CPU this reads an epoch
roughly ten times faster than a ``DataLoader`` with worker processes.
"""

import gzip
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import torch
from torch.nn import functional as F

from . import modes

# The four files, with the SHA-256 of their *decompressed* content (the IDX bytes).
# Computed from Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1, whose data
# is upstream's (zalandoresearch/fashion-mnist); Debian re-compresses the .gz files,
# so the compressed bytes differ from upstream but the content does not.
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
INSTALL_HINT = "sudo apt-get install dataset-fashion-mnist"


class DataFileError(ValueError):
    """A data file exists but its content is not what it should be."""


def synthetic_data(w, b, num_examples):  # @save
    """Generate y = Xw + b + noise; X: (num_examples, len(w)), y: (num_examples, 1).

    Features are standard normal; the noise is normal with mean 0 and std 0.01.
    """
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


class TensorLoader:
    """Minibatches of tensors held in memory.

    Each epoch draws a new random permutation (when ``shuffle``) and yields slices of
    it; ``transform`` turns a batch tuple into what the model consumes. Supports
    ``len()`` (batches per epoch), repeated iteration and ``for X, y in loader``.
    """

    def __init__(self, tensors, batch_size, shuffle, transform=None):
        _check_batch_size(batch_size)
        sizes = {len(t) for t in tensors}
        if len(sizes) != 1:
            raise ValueError(f"all tensors need the same length; got lengths {sorted(sizes)}")
        self.tensors = tuple(tensors)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.transform = transform
        self.dataset = torch.utils.data.TensorDataset(*self.tensors)

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        device = self.tensors[0].device
        order = torch.randperm(n, device=device) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            if order is None:
                batch = tuple(t[start:start + self.batch_size] for t in self.tensors)
            else:
                idx = order[start:start + self.batch_size]
                # The rows t[idx] would give; index_select copies them about 3x faster.
                batch = tuple(t.index_select(0, idx) for t in self.tensors)
            yield self.transform(*batch) if self.transform else batch

    def to(self, device):
        """The same loader with its tensors on ``device`` (batches are then made there)."""
        return TensorLoader([t.to(device) for t in self.tensors], self.batch_size,
                            self.shuffle, self.transform)

    def take(self, n):
        """The same loader over only its first ``n`` examples (e.g. a smaller training set)."""
        if type(n) is not int or not 0 < n <= len(self.dataset):
            raise ValueError(f"n must be an int in 1..{len(self.dataset)} (the examples "
                             f"available), got {n!r}")
        return TensorLoader([t[:n] for t in self.tensors], self.batch_size,
                            self.shuffle, self.transform)


def load_array(data_arrays, batch_size, is_train=True):  # @save
    """Construct an iterator over minibatches of the given tensors (shuffled if is_train).

    The tensors stay in memory; each epoch slices a new random permutation of them.
    """
    return TensorLoader(data_arrays, batch_size, shuffle=is_train)


def get_fashion_mnist_labels(labels):  # @save
    """The class names of Fashion-MNIST labels (ints, or a tensor of ints, in 0..9)."""
    text_labels = ["t-shirt", "trouser", "pullover", "dress", "coat",
                   "sandal", "shirt", "sneaker", "bag", "ankle boot"]
    indices = [int(i) for i in labels]
    bad = [i for i in indices if not 0 <= i < len(text_labels)]
    if bad:  # a negative index would silently pick a name from the end of the list
        raise ValueError(f"Fashion-MNIST labels are 0..9, got {bad[:5]}")
    return [text_labels[i] for i in indices]


def _check_batch_size(batch_size):
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")


def _candidate_dirs():
    """Where Fashion-MNIST is looked for, in order."""
    dirs = []
    if os.environ.get("D2L_DATA_DIR"):
        dirs.append(Path(os.environ["D2L_DATA_DIR"]))
    dirs += [Path("data"), DEBIAN_DIR]
    # Each place may hold the files directly or in torchvision's layout.
    return [p for d in dirs for p in (d, d / "fashion-mnist", d / "FashionMNIST" / "raw")]


def _find_file(name, dirs):
    for d in dirs:
        for candidate in (d / f"{name}.gz", d / name):
            if candidate.is_file():
                return candidate
    return None


def _read_verified(path, name):
    """The decompressed bytes of ``path``, after checking them against the known SHA-256."""
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (EOFError, gzip.BadGzipFile, OSError) as err:
        raise DataFileError(f"{path} is not a readable data file ({err}). Delete it, then "
                            f"reinstall the data: {INSTALL_HINT}") from err
    digest = hashlib.sha256(data).hexdigest()
    expected = FASHION_MNIST_FILES[name]
    if digest != expected:
        raise DataFileError(f"checksum mismatch for {path}: the file is truncated or corrupt "
                            f"(sha256 {digest[:12]}..., expected {expected[:12]}...). "
                            f"Delete it, then reinstall the data: {INSTALL_HINT}")
    return data


def _idx_to_tensor(data):
    """Parse an IDX file (big-endian header: magic, then one int32 per dimension)."""
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(shape)


def _download_fashion_mnist(target):
    """Download the four files into ``target`` with torchvision (needs the internet).

    Files land in a temporary folder first and are moved into place only once all
    four are complete and verified, so an interrupted download leaves nothing behind.
    """
    import torchvision

    target.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target, prefix=".download-"))
    try:
        torchvision.datasets.FashionMNIST(root=tmp, train=True, download=True)
        torchvision.datasets.FashionMNIST(root=tmp, train=False, download=True)
        raw = tmp / "FashionMNIST" / "raw"
        for name in FASHION_MNIST_FILES:
            _read_verified(raw / f"{name}.gz", name)
        for name in FASHION_MNIST_FILES:
            os.replace(raw / f"{name}.gz", target / f"{name}.gz")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _fashion_mnist_paths():
    """The path of each of the four files, downloading them if they are nowhere."""
    dirs = _candidate_dirs()
    paths = {name: _find_file(name, dirs) for name in FASHION_MNIST_FILES}
    if all(paths.values()):
        return paths
    target = Path(os.environ.get("D2L_DATA_DIR") or "data") / "fashion-mnist"
    try:
        _download_fashion_mnist(target)
    except Exception as err:  # no network, refused, timed out, ...
        missing = [n for n, p in paths.items() if p is None]
        looked = ", ".join(str(d) for d in dirs)
        raise FileNotFoundError(
            f"Fashion-MNIST not found: missing {', '.join(missing)} in {looked}; "
            f"the download failed too ({type(err).__name__}: {err}). "
            f"Install it with: {INSTALL_HINT}  (or put the four .gz files in $D2L_DATA_DIR)"
        ) from None
    return {name: target / f"{name}.gz" for name in FASHION_MNIST_FILES}


_cache = {}


def read_fashion_mnist():
    """All of Fashion-MNIST as uint8 tensors, read once per process and verified.

    Returns ``(train_images, train_labels, test_images, test_labels)``, images of shape
    ``(n, 1, 28, 28)`` uint8 in [0, 255], labels of shape ``(n,)`` int64 in [0, 9].
    """
    paths = _fashion_mnist_paths()
    key = tuple((str(p.resolve()), p.stat().st_mtime_ns, p.stat().st_size) for p in paths.values())
    if key not in _cache:
        arrays = {name: _idx_to_tensor(_read_verified(path, name)) for name, path in paths.items()}
        _cache.clear()
        _cache[key] = (arrays["train-images-idx3-ubyte"].unsqueeze(1),
                       arrays["train-labels-idx1-ubyte"].long(),
                       arrays["t10k-images-idx3-ubyte"].unsqueeze(1),
                       arrays["t10k-labels-idx1-ubyte"].long())
    return _cache[key]


def quick_mode_subset(train_X, train_y, test_X, test_y):
    """The four tensors cut to their first examples in quick mode; unchanged in full mode.

    Quick mode (``D2L_QUICK=1``) keeps 6000 training and 1000 test examples and prints one
    line saying so (see ``modes.py``).
    """
    n_train = modes.limit_examples(len(train_X), "train")
    n_test = modes.limit_examples(len(test_X), "test")
    if (n_train, n_test) != (len(train_X), len(test_X)):
        print(f"quick mode ({modes.QUICK_ENV_VAR}=1): using {n_train} of {len(train_X)} "
              f"training and {n_test} of {len(test_X)} test examples")
    return train_X[:n_train], train_y[:n_train], test_X[:n_test], test_y[:n_test]


def load_data_fashion_mnist(batch_size, resize=None):  # @save
    """Load Fashion-MNIST into memory and return ``(train_iter, test_iter)``.

    Batches are ``X: (batch, 1, 28, 28)`` float32 in [0, 1] (or ``resize`` x ``resize``)
    and ``y: (batch,)`` int64. In quick mode both splits are shortened.
    """
    if resize is not None and (type(resize) is not int or resize <= 0):
        raise ValueError(f"resize must be None or a positive int (pixels), got {resize!r}")
    train_X, train_y, test_X, test_y = quick_mode_subset(*read_fashion_mnist())

    def to_float(X, y):
        """One batch: uint8 images in [0, 255] -> float32 in [0, 1], resized if asked."""
        X = X.float() / 255
        if resize is not None:  # antialias (smooth first) only when shrinking
            X = F.interpolate(X, size=(resize, resize), mode="bilinear",
                              antialias=resize < X.shape[-1])
        return X, y

    return (TensorLoader((train_X, train_y), batch_size, shuffle=True, transform=to_float),
            TensorLoader((test_X, test_y), batch_size, shuffle=False, transform=to_float))
