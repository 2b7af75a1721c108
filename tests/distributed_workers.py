"""Functions the distributed tests run in new processes (importable, unlike test-local ones)."""

import os

import torch
import torch.distributed as dist

from d2lutils import distributed


def ring_and_builtin(rank, world_size, size):
    """Each rank's tensor summed by ring_allreduce and by dist.all_reduce."""
    torch.manual_seed(rank)
    mine = torch.randn(size, dtype=torch.float64)
    ring, builtin = mine.clone(), mine.clone()
    distributed.ring_allreduce(ring)
    dist.all_reduce(builtin)
    return ring, builtin


def one_rank_dies(rank, world_size, checkpoint):
    """Rank 0 saves a checkpoint each round; rank 1 dies in round 2 before the barrier."""
    for round_ in range(1, 4):
        if rank == 1 and round_ == 2:
            os._exit(3)  # killed: no exception, no message
        distributed.save_on_rank0({"round": round_, "w": torch.full((1000,), float(round_))},
                                  checkpoint)
        dist.all_reduce(torch.ones(1))
    return "finished"
