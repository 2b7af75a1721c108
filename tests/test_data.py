"""Data: synthetic regression data, in-memory minibatches, and Fashion-MNIST offline."""

import gzip
import re
import shutil

import pytest
import torch

import d2lutils as d2l
from d2lutils import data
from tests.conftest import real_download_fashion_mnist

NAMES = list(data.FASHION_MNIST_FILES)
DEBIAN = data.DEBIAN_DIR  # the real one, also where tests pretend it is missing


def counting_loader(n, batch_size, is_train):
    """A loader over features ``X[i] = [i, -i]`` and labels ``y[i] = i``."""
    X = torch.stack([torch.arange(n), -torch.arange(n)], dim=1).float()
    return d2l.load_array((X, torch.arange(n)), batch_size, is_train=is_train)


def labels_of(loader):
    return torch.cat([y for _, y in loader]).tolist()


def link_files(directory, names=NAMES):
    """Make ``directory`` hold the Debian package's files (as symlinks)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / f"{name}.gz").symlink_to(DEBIAN / f"{name}.gz")
    return directory


def debian_bytes(name):
    """The decompressed content of one of the Debian package's files."""
    return gzip.decompress((DEBIAN / f"{name}.gz").read_bytes())


# --- synthetic_data ------------------------------------------------------------------------------

def test_synthetic_data_shapes():
    X, y = d2l.synthetic_data(torch.tensor([2.0, -3.4, 1.0]), 4.2, 100)
    assert X.shape == (100, 3)
    assert y.shape == (100, 1)


def test_synthetic_data_least_squares_recovers_w_and_b():
    torch.manual_seed(0)
    w, b = torch.tensor([2.0, -3.4]), 4.2
    X, y = d2l.synthetic_data(w, b, 1000)
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1)
    solution = torch.linalg.lstsq(A, y).solution.flatten()
    assert torch.allclose(solution, torch.tensor([2.0, -3.4, 4.2]), atol=5e-3)


def test_synthetic_data_noise_has_std_0_01():
    torch.manual_seed(0)
    w, b = torch.tensor([2.0, -3.4]), 4.2
    X, y = d2l.synthetic_data(w, b, 1000)
    noise = y.flatten() - (X @ w + b)
    assert 0.009 < noise.std().item() < 0.011


# --- load_array and TensorLoader ----------------------------------------------------------------

def test_load_array_has_ceil_n_over_batch_size_batches():
    assert len(counting_loader(10, 3, is_train=True)) == 4
    assert len(counting_loader(9, 3, is_train=True)) == 3


def test_load_array_yields_every_example_once_per_epoch():
    torch.manual_seed(0)
    assert sorted(labels_of(counting_loader(100, 7, is_train=True))) == list(range(100))


def test_load_array_shuffles_each_epoch_when_training():
    torch.manual_seed(0)
    loader = counting_loader(100, 10, is_train=True)
    first, second = labels_of(loader), labels_of(loader)
    assert first != list(range(100))
    assert first != second


def test_load_array_keeps_order_when_not_training():
    loader = counting_loader(10, 3, is_train=False)
    assert labels_of(loader) == list(range(10))
    assert labels_of(loader) == list(range(10))


def test_load_array_can_be_iterated_again():
    loader = counting_loader(10, 3, is_train=True)
    assert len(list(loader)) == len(list(loader)) == 4


def test_load_array_unpacks_into_matching_features_and_labels():
    torch.manual_seed(0)
    for X, y in counting_loader(20, 8, is_train=True):
        assert X.shape == (len(y), 2)
        assert torch.equal(X[:, 0].long(), y)  # shuffling keeps each row with its label


def test_load_array_keeps_the_last_partial_batch():
    sizes = [len(y) for _, y in counting_loader(10, 4, is_train=False)]
    assert sizes == [4, 4, 2]


def test_tensor_loader_applies_its_transform_to_each_batch():
    loader = d2l.TensorLoader((torch.arange(4), torch.arange(4)), 2, shuffle=False,
                              transform=lambda X, y: (X * 10, y))
    assert [X.tolist() for X, _ in loader] == [[0, 10], [20, 30]]


def test_tensor_loader_to_keeps_data_and_settings():
    loader = counting_loader(10, 4, is_train=False).to(torch.device("cpu"))
    assert (loader.batch_size, loader.shuffle) == (4, False)
    assert labels_of(loader) == list(range(10))


def test_tensor_loader_rejects_tensors_of_different_lengths():
    with pytest.raises(ValueError, match=r"\[4, 5\]"):
        d2l.TensorLoader((torch.zeros(5, 2), torch.zeros(4)), 2, shuffle=False)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_tensor_loader_rejects_a_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        d2l.load_array((torch.zeros(5), torch.zeros(5)), batch_size)


# --- get_fashion_mnist_labels -------------------------------------------------------------------

def test_get_fashion_mnist_labels_maps_indices_to_names():
    assert d2l.get_fashion_mnist_labels([0, 9]) == ["t-shirt", "ankle boot"]


def test_get_fashion_mnist_labels_accepts_a_tensor():
    assert d2l.get_fashion_mnist_labels(torch.tensor([1, 7])) == ["trouser", "sneaker"]


@pytest.mark.parametrize("label", [10, -1])
def test_get_fashion_mnist_labels_rejects_labels_outside_0_to_9(label):
    with pytest.raises(ValueError, match="0..9"):
        d2l.get_fashion_mnist_labels([0, label])


# --- load_data_fashion_mnist --------------------------------------------------------------------

def test_fashion_mnist_full_mode_has_60000_train_and_10000_test_examples(fashion_mnist, full_mode):
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    assert len(train_iter.dataset) == 60000
    assert sum(len(y) for _, y in test_iter) == 10000


def test_fashion_mnist_has_235_batches_of_256(fashion_mnist, full_mode):
    train_iter, _ = d2l.load_data_fashion_mnist(256)
    assert len(train_iter) == 235


def test_fashion_mnist_images_are_float32_in_0_1(fashion_mnist, full_mode):
    X, _ = next(iter(d2l.load_data_fashion_mnist(256)[0]))
    assert X.shape == (256, 1, 28, 28)
    assert X.dtype == torch.float32
    assert X.min() >= 0 and X.max() <= 1
    assert X.max() > 0.5  # scaled from [0, 255], not squashed to near zero


def test_fashion_mnist_labels_are_int64_in_0_9(fashion_mnist, full_mode):
    _, y = next(iter(d2l.load_data_fashion_mnist(256)[0]))
    assert y.shape == (256,)
    assert y.dtype == torch.int64
    assert 0 <= y.min() and y.max() <= 9


def test_fashion_mnist_train_epoch_has_6000_of_each_class(fashion_mnist, full_mode):
    train_iter, _ = d2l.load_data_fashion_mnist(256)
    counts = sum(torch.bincount(y, minlength=10) for _, y in train_iter)
    assert counts.tolist() == [6000] * 10


def test_fashion_mnist_full_mode_prints_nothing(fashion_mnist, full_mode, capsys):
    d2l.load_data_fashion_mnist(256)
    assert capsys.readouterr().out == ""


def test_fashion_mnist_quick_mode_keeps_6000_train_and_1000_test(fashion_mnist, quick_mode):
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    assert len(train_iter.dataset) == 6000
    assert len(test_iter.dataset) == 1000


def test_fashion_mnist_quick_mode_prints_one_line_saying_so(fashion_mnist, quick_mode, capsys):
    d2l.load_data_fashion_mnist(256)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert "quick mode" in lines[0] and "6000" in lines[0] and "1000" in lines[0]


@pytest.mark.parametrize("size", [32, 14])
def test_fashion_mnist_resize_sets_the_image_side(fashion_mnist, full_mode, size):
    X, _ = next(iter(d2l.load_data_fashion_mnist(64, resize=size)[1]))
    assert X.shape == (64, 1, size, size)
    assert X.min() >= 0 and X.max() <= 1


@pytest.mark.parametrize("batch_size", [0, -5])
def test_fashion_mnist_rejects_a_bad_batch_size(fashion_mnist, batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        d2l.load_data_fashion_mnist(batch_size)


@pytest.mark.parametrize("resize", [0, -1, 2.5, "28", True])
def test_fashion_mnist_rejects_a_bad_resize(resize):
    with pytest.raises(ValueError, match="resize"):
        d2l.load_data_fashion_mnist(256, resize=resize)


def test_quick_mode_subset_keeps_the_first_examples_of_each_split(quick_mode, capsys):
    train_X, train_y = torch.arange(8000), torch.arange(8000) * 2
    test_X, test_y = torch.arange(1500), torch.arange(1500) * 3
    kept = d2l.quick_mode_subset(train_X, train_y, test_X, test_y)
    expected = (train_X[:6000], train_y[:6000], test_X[:1000], test_y[:1000])
    assert all(torch.equal(a, b) for a, b in zip(kept, expected, strict=True))
    assert "quick mode" in capsys.readouterr().out


def test_quick_mode_subset_changes_nothing_in_full_mode(full_mode, capsys):
    tensors = (torch.arange(8000), torch.arange(8000), torch.arange(1500), torch.arange(1500))
    kept = d2l.quick_mode_subset(*tensors)
    assert all(a is b or torch.equal(a, b) for a, b in zip(kept, tensors, strict=True))
    assert capsys.readouterr().out == ""


def test_fashion_mnist_resize_to_28_keeps_the_images(fashion_mnist, full_mode):
    X, _ = next(iter(d2l.load_data_fashion_mnist(16, resize=28)[1]))
    X0, _ = next(iter(d2l.load_data_fashion_mnist(16)[1]))
    assert torch.allclose(X, X0, atol=1e-6)


def test_read_fashion_mnist_returns_uint8_images_and_int64_labels(fashion_mnist):
    train_X, train_y, test_X, test_y = d2l.read_fashion_mnist()
    assert (train_X.shape, train_X.dtype) == ((60000, 1, 28, 28), torch.uint8)
    assert (train_y.shape, train_y.dtype) == ((60000,), torch.int64)
    assert (test_X.shape, test_y.shape) == ((10000, 1, 28, 28), (10000,))


def test_read_fashion_mnist_reads_the_files_once(fashion_mnist):
    assert d2l.read_fashion_mnist()[0] is d2l.read_fashion_mnist()[0]


# --- where the data is found --------------------------------------------------------------------

@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    """No Fashion-MNIST anywhere: empty $D2L_DATA_DIR, empty ./data, no Debian package."""
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "d2l-data"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "no-debian").mkdir()
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian")
    return tmp_path


@pytest.fixture
def failed_download(monkeypatch):
    def fail(target):
        raise OSError("network unreachable")

    monkeypatch.setattr(data, "_download_fashion_mnist", fail)


def test_missing_data_error_names_every_place_looked_in(nowhere, failed_download):
    with pytest.raises(FileNotFoundError) as info:
        d2l.load_data_fashion_mnist(256)
    message = str(info.value)
    assert str(nowhere / "d2l-data") in message
    assert " data, " in message  # ./data, relative to the working directory
    assert str(nowhere / "no-debian") in message


def test_missing_data_error_says_how_to_install_it(nowhere, failed_download):
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        d2l.read_fashion_mnist()


def test_missing_data_error_says_why_the_download_failed(nowhere, failed_download):
    with pytest.raises(FileNotFoundError, match="network unreachable"):
        d2l.read_fashion_mnist()


def test_missing_data_is_downloaded_into_d2l_data_dir(nowhere, monkeypatch):
    targets = []

    def download(target):
        targets.append(target)
        link_files(target)

    monkeypatch.setattr(data, "_download_fashion_mnist", download)
    paths = data._fashion_mnist_paths()
    assert targets == [nowhere / "d2l-data" / "fashion-mnist"]
    assert {p.parent for p in paths.values()} == {targets[0]}


def test_d2l_data_dir_takes_precedence_over_the_debian_package(fashion_mnist, monkeypatch,
                                                                tmp_path):
    own = link_files(tmp_path / "own")
    monkeypatch.setenv("D2L_DATA_DIR", str(own))
    paths = data._fashion_mnist_paths()
    assert [p.parent for p in paths.values()] == [own] * 4


def test_data_in_the_working_directory_is_found(fashion_mnist, tmp_path):
    link_files(tmp_path / "data" / "fashion-mnist")
    paths = data._fashion_mnist_paths()
    own = (tmp_path / "data" / "fashion-mnist").resolve()
    assert {p.parent.resolve() for p in paths.values()} == {own}


def test_torchvision_layout_is_found(fashion_mnist, nowhere):
    raw = link_files(nowhere / "d2l-data" / "FashionMNIST" / "raw")
    paths = data._fashion_mnist_paths()
    assert [p.parent for p in paths.values()] == [raw] * 4


def test_uncompressed_files_are_found_and_verified(fashion_mnist, monkeypatch, tmp_path,
                                                   empty_cache):
    own = link_files(tmp_path / "own", NAMES[:3])
    (own / NAMES[3]).write_bytes(debian_bytes(NAMES[3]))  # t10k-labels, not gzipped
    monkeypatch.setenv("D2L_DATA_DIR", str(own))
    assert data._fashion_mnist_paths()[NAMES[3]] == own / NAMES[3]
    test_y = d2l.read_fashion_mnist()[3]
    assert test_y.shape == (10000,) and test_y.max() == 9


# --- corrupt files ------------------------------------------------------------------------------

@pytest.fixture
def earlier_cache(monkeypatch):
    """A cache that already holds an entry, to show a failed read neither adds nor clears."""
    cache = {"earlier": "entry"}
    monkeypatch.setattr(data, "_cache", cache)
    return cache


@pytest.fixture
def bad_labels_dir(fashion_mnist, monkeypatch, tmp_path):
    """$D2L_DATA_DIR with three good files; the caller writes train-labels-idx1-ubyte.gz."""
    own = link_files(tmp_path / "own", [n for n in NAMES if n != "train-labels-idx1-ubyte"])
    monkeypatch.setenv("D2L_DATA_DIR", str(own))
    return own


def test_truncated_file_raises_data_file_error_naming_it(bad_labels_dir, earlier_cache):
    good = (DEBIAN / "train-labels-idx1-ubyte.gz").read_bytes()
    truncated = bad_labels_dir / "train-labels-idx1-ubyte.gz"
    truncated.write_bytes(good[:len(good) // 2])
    with pytest.raises(d2l.DataFileError, match=re.escape(str(truncated))):
        d2l.read_fashion_mnist()


def test_truncated_file_is_not_cached(bad_labels_dir, earlier_cache):
    good = (DEBIAN / "train-labels-idx1-ubyte.gz").read_bytes()
    (bad_labels_dir / "train-labels-idx1-ubyte.gz").write_bytes(good[:len(good) // 2])
    with pytest.raises(d2l.DataFileError):
        d2l.read_fashion_mnist()
    assert earlier_cache == {"earlier": "entry"}


def test_wrong_content_in_a_valid_gzip_fails_the_checksum(bad_labels_dir, earlier_cache):
    content = bytearray(debian_bytes("train-labels-idx1-ubyte"))
    content[-1] ^= 1  # one label changed
    (bad_labels_dir / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(bytes(content)))
    with pytest.raises(d2l.DataFileError, match="checksum"):
        d2l.read_fashion_mnist()
    assert earlier_cache == {"earlier": "entry"}


def test_data_file_error_says_how_to_fix_it(bad_labels_dir):
    (bad_labels_dir / "train-labels-idx1-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(d2l.DataFileError, match="apt-get install dataset-fashion-mnist"):
        data._read_verified(bad_labels_dir / "train-labels-idx1-ubyte.gz",
                            "train-labels-idx1-ubyte")


# --- downloading (torchvision is faked: no network) ----------------------------------------------

def fake_fashion_mnist(write):
    """A stand-in for ``torchvision.datasets.FashionMNIST`` that calls ``write(raw_dir)``."""

    def construct(root, train, download):
        raw = root / "FashionMNIST" / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        write(raw)

    return construct


def test_interrupted_download_leaves_nothing_behind(monkeypatch, tmp_path):
    import torchvision  # imported here: it takes a second

    def write_part_then_fail(raw):
        (raw / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b partial")
        raise ConnectionError("connection reset")

    monkeypatch.setattr(torchvision.datasets, "FashionMNIST",
                        fake_fashion_mnist(write_part_then_fail))
    target = tmp_path / "fashion-mnist"
    with pytest.raises(ConnectionError):
        real_download_fashion_mnist(target)
    assert list(target.rglob("*")) == []


def test_corrupt_download_raises_and_leaves_nothing_behind(fashion_mnist, monkeypatch, tmp_path):
    import torchvision  # imported here: it takes a second

    def write_bad_labels(raw):
        for name in NAMES:
            shutil.copyfile(DEBIAN / f"{name}.gz", raw / f"{name}.gz")
        (raw / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"wrong"))

    monkeypatch.setattr(torchvision.datasets, "FashionMNIST", fake_fashion_mnist(write_bad_labels))
    target = tmp_path / "fashion-mnist"
    with pytest.raises(d2l.DataFileError):
        real_download_fashion_mnist(target)
    assert list(target.rglob("*")) == []


def test_download_moves_the_four_verified_files_into_place(fashion_mnist, monkeypatch, tmp_path):
    import torchvision  # imported here: it takes a second

    def write_all(raw):
        for name in NAMES:
            shutil.copyfile(DEBIAN / f"{name}.gz", raw / f"{name}.gz")

    monkeypatch.setattr(torchvision.datasets, "FashionMNIST", fake_fashion_mnist(write_all))
    target = tmp_path / "fashion-mnist"
    real_download_fashion_mnist(target)
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{n}.gz" for n in NAMES)
    labels = target / "t10k-labels-idx1-ubyte.gz"
    assert labels.read_bytes() == (DEBIAN / "t10k-labels-idx1-ubyte.gz").read_bytes()
