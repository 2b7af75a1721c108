"""Checkpoints: a round trip, and an interrupted save that leaves the old checkpoint intact."""

import os
import pickle
from pathlib import Path

import pytest
import torch
from torch import nn

import d2lutils as d2l
import d2lutils.checkpoint


def small_model(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def assert_same_state(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def interrupted_torch_save(monkeypatch, error):
    """Make torch.save write some bytes, then fail with ``error`` (as a crash mid-write)."""

    def fake_save(obj, f):
        f.write(b"PK\x03\x04 half of a checkpoint")
        raise error

    monkeypatch.setattr(torch, "save", fake_save)


def test_save_then_load_round_trips_a_state_dict(tmp_path):
    net = small_model(0)
    path = tmp_path / "net.pt"
    d2l.save_checkpoint(net.state_dict(), path)
    assert_same_state(d2l.load_checkpoint(path), net.state_dict())


def test_round_trip_of_a_training_checkpoint(tmp_path):
    net = small_model(0)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    net(torch.ones(3, 4)).sum().backward()
    optimizer.step()  # gives Adam some state to save
    path = str(tmp_path / "ckpt.pt")
    d2l.save_checkpoint({"epoch": 3, "model": net.state_dict(),
                         "optimizer": optimizer.state_dict()}, path)
    ckpt = d2l.load_checkpoint(path)
    assert ckpt["epoch"] == 3
    assert_same_state(ckpt["model"], net.state_dict())
    restored = torch.optim.Adam(small_model(1).parameters(), lr=0.01)
    restored.load_state_dict(ckpt["optimizer"])
    assert_same_state(restored.state_dict()["state"][0], optimizer.state_dict()["state"][0])


def test_save_replaces_an_existing_checkpoint(tmp_path):
    path = tmp_path / "x.pt"
    d2l.save_checkpoint(torch.zeros(3), path)
    d2l.save_checkpoint(torch.ones(3), path)
    assert torch.equal(d2l.load_checkpoint(path), torch.ones(3))
    assert os.listdir(tmp_path) == ["x.pt"]


def test_interrupted_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "net.pt"
    old = small_model(0).state_dict()
    d2l.save_checkpoint(old, path)
    old_bytes = path.read_bytes()
    interrupted_torch_save(monkeypatch, OSError("No space left on device"))
    with pytest.raises(OSError, match="No space left"):
        d2l.save_checkpoint(small_model(1).state_dict(), path)
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert_same_state(d2l.load_checkpoint(path), old)
    assert os.listdir(tmp_path) == ["net.pt"], "the temporary file must be removed"


def test_interrupted_first_save_leaves_no_file(tmp_path, monkeypatch):
    interrupted_torch_save(monkeypatch, RuntimeError("killed"))
    with pytest.raises(RuntimeError, match="killed"):
        d2l.save_checkpoint(torch.ones(3), tmp_path / "net.pt")
    assert os.listdir(tmp_path) == []


def test_keyboard_interrupt_during_save_also_cleans_up(tmp_path, monkeypatch):
    path = tmp_path / "net.pt"
    d2l.save_checkpoint(torch.zeros(3), path)
    interrupted_torch_save(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        d2l.save_checkpoint(torch.ones(3), path)
    monkeypatch.undo()
    assert torch.equal(d2l.load_checkpoint(path), torch.zeros(3))
    assert os.listdir(tmp_path) == ["net.pt"]


def test_an_object_that_cannot_be_pickled_keeps_the_previous_checkpoint(tmp_path):
    path = tmp_path / "net.pt"
    d2l.save_checkpoint({"w": torch.zeros(3)}, path)
    with pytest.raises((pickle.PicklingError, AttributeError)):
        d2l.save_checkpoint({"w": torch.ones(3), "f": lambda: 0}, path)
    assert torch.equal(d2l.load_checkpoint(path)["w"], torch.zeros(3))
    assert os.listdir(tmp_path) == ["net.pt"]


def test_a_failed_rename_removes_the_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "net.pt"
    d2l.save_checkpoint(torch.zeros(3), path)

    def failing_replace(src, dst):
        raise PermissionError("rename refused")

    monkeypatch.setattr(d2lutils.checkpoint.os, "replace", failing_replace)
    with pytest.raises(PermissionError):
        d2l.save_checkpoint(torch.ones(3), path)
    monkeypatch.undo()
    assert torch.equal(d2l.load_checkpoint(path), torch.zeros(3))
    assert os.listdir(tmp_path) == ["net.pt"]


def test_the_data_is_fsynced_in_the_target_folder_before_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        calls.append("fsync")
        real_fsync(fd)

    def replace(src, dst):
        calls.append(("replace", Path(src).parent))
        real_replace(src, dst)

    monkeypatch.setattr(d2lutils.checkpoint.os, "fsync", fsync)
    monkeypatch.setattr(d2lutils.checkpoint.os, "replace", replace)
    d2l.save_checkpoint(torch.ones(3), tmp_path / "net.pt")
    assert calls == ["fsync", ("replace", tmp_path)]


def test_save_into_a_missing_folder_raises_a_clear_error(tmp_path):
    missing = tmp_path / "no-such-folder"
    with pytest.raises(FileNotFoundError, match="no-such-folder does not exist"):
        d2l.save_checkpoint(torch.ones(3), missing / "net.pt")
    assert not missing.exists()


def test_save_onto_a_folder_raises_a_clear_error(tmp_path):
    with pytest.raises(IsADirectoryError, match="expected a file name, found a folder"):
        d2l.save_checkpoint(torch.ones(3), tmp_path)
    assert os.listdir(tmp_path) == []


def test_load_of_a_missing_file_names_the_path(tmp_path):
    path = tmp_path / "absent.pt"
    with pytest.raises(FileNotFoundError, match="no checkpoint file at .*absent.pt"):
        d2l.load_checkpoint(path)


def test_load_of_a_folder_says_it_found_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="found a folder"):
        d2l.load_checkpoint(tmp_path)


class NotWeights:
    pass


def test_load_refuses_arbitrary_python_objects_and_names_their_type(tmp_path):
    path = tmp_path / "obj.pt"
    d2l.save_checkpoint({"obj": NotWeights()}, path)
    with pytest.raises(pickle.UnpicklingError, match="NotWeights.*state_dict") as error:
        d2l.load_checkpoint(path)
    assert "weights_only=False" not in str(error.value)
    assert error.value.__suppress_context__  # torch's advice to load unsafely is not shown


def saved_bytes(tmp_path):
    path = tmp_path / "good.pt"
    d2l.save_checkpoint({"epoch": 3, "model": small_model(0).state_dict()}, path)
    return path.read_bytes()


@pytest.mark.parametrize("cut", [0, 10, 0.5, -1])
def test_load_of_a_truncated_file_says_it_is_not_a_valid_checkpoint(tmp_path, cut):
    data = saved_bytes(tmp_path)
    path = tmp_path / "cut.pt"
    path.write_bytes(data[:int(cut * len(data)) if isinstance(cut, float) else cut])
    with pytest.raises(ValueError, match=r"cut.pt is not a valid checkpoint: it is truncated"
                                         r" or corrupt") as error:
        d2l.load_checkpoint(path)
    assert "weights_only" not in str(error.value) and error.value.__suppress_context__


def test_load_of_a_file_with_damaged_bytes_says_it_is_not_a_valid_checkpoint(tmp_path):
    data = bytearray(saved_bytes(tmp_path))
    start = data.index(b"data.pkl") + 40  # inside the pickled description of the object
    data[start:start + 8] = b"\xff" * 8
    path = tmp_path / "damaged.pt"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="damaged.pt is not a valid checkpoint"):
        d2l.load_checkpoint(path)


@pytest.mark.parametrize("content", [b"epoch,loss\n1,0.5\n", pickle.dumps({"epoch": 1}, 2)],
                         ids=["csv", "pickle"])
def test_load_of_a_file_torch_save_did_not_write_says_so(tmp_path, content):
    path = tmp_path / "other.pt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="torch.save did not write it"):
        d2l.load_checkpoint(path)


def test_load_of_another_zip_archive_says_it_is_not_a_valid_checkpoint(tmp_path):
    import zipfile

    path = tmp_path / "archive.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not a checkpoint")
    with pytest.raises(ValueError, match="archive.pt is not a valid checkpoint"):
        d2l.load_checkpoint(path)


def test_load_of_an_intact_file_keeps_torchs_own_error(tmp_path, monkeypatch):
    """An intact checkpoint that fails for another reason (e.g. GPU tensors, no GPU) is not
    called corrupt: torch's error, which says what to do, comes through."""
    path = tmp_path / "x.pt"
    d2l.save_checkpoint(torch.ones(2), path)

    def cuda_load(*args, **kwargs):
        raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                           "torch.cuda.is_available() is False")

    monkeypatch.setattr(torch, "load", cuda_load)
    with pytest.raises(RuntimeError, match="on a CUDA device"):
        d2l.load_checkpoint(path)


def test_load_passes_map_location_to_torch_load(tmp_path):
    path = tmp_path / "x.pt"
    d2l.save_checkpoint(torch.ones(2, 3), path)
    loaded = d2l.load_checkpoint(path, map_location="meta")
    assert loaded.device.type == "meta" and loaded.shape == (2, 3)
