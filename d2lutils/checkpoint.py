"""Checkpoints that survive an interrupted save: write a temporary file, then rename it."""

import os
import pickle
import tempfile
import zipfile

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
    (``weights_only=True``); a file holding other Python objects is refused. A truncated or
    corrupt file, or one that ``torch.save`` did not write, raises a ``ValueError``.
    """
    if not os.path.isfile(path):
        found = "a folder" if os.path.isdir(path) else "nothing"
        raise FileNotFoundError(f"no checkpoint file at {path} (found {found}); "
                                "check the path, or start training from scratch")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception:
        # torch's messages here advise weights_only=False, which runs any code in the file.
        try:  # torch.save writes a zip archive, with a checksum (CRC) of each member
            with zipfile.ZipFile(path) as archive:
                intact = (archive.testzip() is None
                          and any(n.endswith("/data.pkl") for n in archive.namelist()))
        except (zipfile.BadZipFile, OSError, EOFError):
            intact = False
        if not intact:
            raise ValueError(f"{path} is not a valid checkpoint: it is truncated or corrupt "
                             "(an interrupted copy?), or torch.save did not write it; save "
                             "it again, or copy an intact file") from None
        unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(path)
        if unsafe:
            raise pickle.UnpicklingError(
                f"{path} holds Python objects of the types {unsafe}; load_checkpoint loads "
                "only tensors, numbers, strings, None and lists/tuples/dicts of them, because "
                "loading other objects can run any code. Save plain data instead, e.g. "
                "model.state_dict() rather than the model") from None
        raise  # an intact file, another problem: e.g. GPU tensors and no GPU here
