"""Checkpoints that survive an interrupted save: write a temporary file, then rename it."""

import os
import tempfile

import torch


def save_checkpoint(obj, path):  # @save
    """Save ``obj`` (e.g. a dict of state_dicts, numbers and tensors) to the file ``path``.

    ``torch.save`` writes to a temporary file in the same folder, which is flushed to the
    disk and only then renamed to ``path`` in one step. If the save fails, the temporary file
    is removed and the old file at ``path`` (if any) stays as it was; a process killed
    outright may leave a stray ``.<name>.*.tmp`` file, but never a broken ``path``. The new
    file is readable by its owner only (mode 0o600, as ``tempfile`` creates it).
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save a checkpoint to {path}: the folder {folder} "
                                "does not exist; create it first (os.makedirs)")
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot save a checkpoint to {path}: expected a file name, "
                                "found a folder; add a file name, e.g. "
                                f"{os.path.join(path, 'checkpoint.pt')}")
    fd, tmp_path = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.",
                                    suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()  # Python's buffer -> the operating system
            os.fsync(f.fileno())  # the operating system's cache -> the disk
        os.replace(tmp_path, path)  # one step: path is the old file or the new one
    except BaseException:
        os.remove(tmp_path)
        raise


def load_checkpoint(path, map_location=None):  # @save
    """Load the object that ``save_checkpoint`` saved to ``path``.

    ``map_location`` is passed to ``torch.load``, e.g. ``"cpu"`` for tensors saved on a GPU.
    Only tensors, numbers, strings, None and lists/tuples/dicts of them are accepted
    (``weights_only=True``); a file holding other Python objects is refused.
    """
    if not os.path.isfile(path):
        found = "a folder" if os.path.isdir(path) else "nothing"
        raise FileNotFoundError(f"no checkpoint file at {path} (found {found}); "
                                "check the path, or start training from scratch")
    return torch.load(path, map_location=map_location, weights_only=True)
