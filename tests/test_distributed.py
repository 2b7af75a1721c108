"""Data parallelism over processes: equal parameters, a hand-made ring all-reduce, failures that
end with a clear error within the timeout, and checkpoints that resume training under torchrun."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import d2lutils as d2l
from d2lutils import distributed
from tests import distributed_workers

ROOT = Path(__file__).resolve().parent.parent


def test_split_batch_gives_one_part_per_device_differing_by_at_most_one():
    X, y = torch.arange(20).reshape(10, 2), torch.arange(10)
    Xs, ys = d2l.split_batch(X, y, ["cpu"] * 3)
    assert [len(p) for p in Xs] == [4, 3, 3] and [len(p) for p in ys] == [4, 3, 3]
    assert torch.equal(torch.cat(Xs), X) and torch.equal(torch.cat(ys), y)


@pytest.mark.parametrize(("X", "y", "message"), [
    (torch.zeros(4, 2), torch.zeros(3), "as many examples"),
    (torch.zeros(2, 2), torch.zeros(2), "cannot split 2 examples over 3"),
])
def test_split_batch_refuses_what_it_cannot_split(X, y, message):
    with pytest.raises(ValueError, match=message):
        d2l.split_batch(X, y, ["cpu"] * 3)


def test_run_processes_refuses_a_function_a_new_process_cannot_import():
    def train(rank, world_size):
        return rank

    train.__module__ = "__main__"  # as if defined in a notebook
    with pytest.raises(ValueError, match="cannot import it.*module"):
        distributed.run_processes(train, 2)


def test_two_processes_end_with_equal_parameters_equal_to_one_process_on_the_whole_batch(
        fashion_mnist):
    args = (512, 64, 0.1, 16)  # examples, batch (32 per process), learning rate, steps
    results = distributed.run_processes(d2l.train_data_parallel, 2, *args, timeout=60)
    (params0, _), (params1, _) = results
    single, _ = d2l.train_data_parallel(0, 1, *args)  # this process, batch 64, no group
    start = distributed.mlp(torch.float64).parameters()
    for p0, p1, p, p_start in zip(params0, params1, single, start):
        assert torch.equal(p0, p1)  # every rank took exactly the same steps
        assert (p0 - p).abs().max() < 1e-12  # float64: only the summation order differs
        assert (p - p_start.detach()).abs().max() > 1e-3  # and training did change them


def test_ring_allreduce_by_hand_sums_like_all_reduce():
    for size in (7, 1000):  # fewer elements per rank than ... and many
        results = distributed.run_processes(distributed_workers.ring_and_builtin, 3, size)
        expected = sum(torch.randn(size, dtype=torch.float64, generator=torch.Generator()
                                   .manual_seed(r)) for r in range(3))
        for ring, builtin in results:
            assert torch.allclose(ring, builtin, rtol=0, atol=1e-12)
            assert torch.allclose(ring, expected, rtol=0, atol=1e-12)


def test_a_rank_that_dies_fails_the_others_within_the_timeout_and_leaves_a_whole_checkpoint(
        tmp_path):
    checkpoint = tmp_path / "ckpt.pt"
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"(?s)processes failed.*rank 1.*code 3"):
        distributed.run_processes(distributed_workers.one_rank_dies, 2, str(checkpoint),
                                  timeout=20)
    assert time.monotonic() - start < 20 + 30  # no hang: the survivor gave up in time
    state = d2l.load_checkpoint(checkpoint)  # whole: a round's state, not half of one
    assert state["round"] in (1, 2) and torch.equal(state["w"], torch.full((1000,), 1.0 *
                                                                           state["round"]))
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.pt"]  # no temporary file left


def test_a_rank_that_never_joins_makes_the_group_fail_with_a_clear_error():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="group of 2 processes did not form within 3 s"):
        distributed.init_process(0, 2, distributed.free_port(), "gloo", timeout=3)
    assert time.monotonic() - start < 3 + 15


SCRIPT = """
import sys
import torch
import d2lutils as d2l
num_epochs, checkpoint, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
params, losses = d2l.train_ddp(num_epochs, batch_size=64, lr=0.1, checkpoint=checkpoint,
                               num_examples=1024)
import os
torch.save({"params": params, "losses": losses}, f"{out}.{os.environ['RANK']}")
"""


def torchrun(tmp_path, nproc, num_epochs, checkpoint, out):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                    f"--nproc_per_node={nproc}", str(script), str(num_epochs), str(checkpoint),
                    str(out)], check=True, env=env, timeout=120, cwd=tmp_path)
    return [torch.load(f"{out}.{rank}") for rank in range(nproc)]


def test_ddp_under_torchrun_resumes_from_rank0_checkpoints_with_any_number_of_processes(
        tmp_path, fashion_mnist):
    straight = torchrun(tmp_path, 2, 2, tmp_path / "a.pt", tmp_path / "a")
    for p0, p1 in zip(straight[0]["params"], straight[1]["params"]):
        assert torch.equal(p0, p1)  # DDP kept the copies equal
    assert len(straight[0]["losses"]) == 2
    assert d2l.load_checkpoint(tmp_path / "a.pt")["epoch"] == 2

    torchrun(tmp_path, 2, 1, tmp_path / "b.pt", tmp_path / "b1")  # stop after epoch 1
    shutil.copy(tmp_path / "b.pt", tmp_path / "b1.pt.epoch1")
    resumed = torchrun(tmp_path, 2, 2, tmp_path / "b.pt", tmp_path / "b2")  # go on
    assert len(resumed[0]["losses"]) == 1 and resumed[0]["losses"] == straight[0]["losses"][1:]
    for p, q in zip(resumed[0]["params"], straight[0]["params"]):
        assert torch.equal(p, q)  # the same processes, the same steps: the same trajectory

    shutil.copy(tmp_path / "b1.pt.epoch1", tmp_path / "c.pt")  # the same epoch-1 checkpoint
    one = torchrun(tmp_path, 1, 2, tmp_path / "c.pt", tmp_path / "c2")  # resume on 1 process
    assert d2l.load_checkpoint(tmp_path / "c.pt")["world_size"] == 1
    for p, q in zip(one[0]["params"], straight[0]["params"]):
        # The same global minibatches (see train_ddp); float32 sums in another order.
        assert torch.allclose(p, q, rtol=0, atol=1e-5)


def test_the_d2l_drop_in_has_split_batch_with_d2l_signature():
    from d2lutils import torch as d2l_torch
    Xs, ys = d2l_torch.split_batch(torch.ones(4, 3), torch.zeros(4), [torch.device("cpu")] * 2)
    assert [p.shape for p in Xs] == [(2, 3), (2, 3)] and len(ys) == 2
