"""Timing code honestly: wait for asynchronous devices before reading the clock, and compare
several pieces of code in turns, keeping each one's fastest round.

Other programs on the machine can only make a timed round slower, never faster, so the fastest
of several rounds is the closest to what the code itself costs; timing the candidates in turns
spreads any outside load over all of them alike. The 计算性能 part (``sec-async-computation``,
``sec-auto-parallelism``, ``sec-hardware``, ``sec-hybridize``) times everything this way.
"""

import time

import torch


def synchronize(device):  # @save
    """Wait until ``device`` has finished the work queued on it. GPUs (CUDA, Apple's MPS) run
    operations asynchronously; on a CPU an operation is done when it returns, so there is
    nothing to wait for."""
    device = torch.device(device)
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    elif device.type == 'mps':
        torch.mps.synchronize()


def time_in_turns(fns, device='cpu', repeats=5, min_seconds=0.0, keep=min):  # @save
    """Seconds per call of each function in the dict ``fns``: the fastest of ``repeats`` rounds
    that time the functions in turn, ``device`` synchronised before and after each round.

    One untimed call of each comes first (it allocates memory, picks algorithms). A round makes
    one call of each, or, with ``min_seconds``, as many as it takes (doubling from 1) to last
    that long, so that calls of a few microseconds are timed as accurately as long ones.
    ``keep`` summarises each function's rounds: ``min`` by default; ``statistics.median`` where
    the variation from round to round is itself the cost being measured (threads that outnumber
    the cores are slowed down by how the operating system happens to schedule them)."""
    if not isinstance(fns, dict) or not fns or not all(map(callable, fns.values())):
        raise ValueError('fns must be a non-empty dict of functions, e.g. '
                         "{'one thread': f, 'two threads': g}")
    if repeats < 1 or min_seconds < 0:
        raise ValueError(f'need repeats >= 1 and min_seconds >= 0, got repeats={repeats}, '
                         f'min_seconds={min_seconds}')

    def seconds(fn, calls):
        synchronize(device)  # work queued before is not counted
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        synchronize(device)  # the work of fn is done before the clock is read
        return time.perf_counter() - start

    calls = {}
    for key, fn in fns.items():
        fn()  # warm-up, untimed
        calls[key] = 1
        while min_seconds > 0 and seconds(fn, calls[key]) < min_seconds:
            calls[key] *= 2
    rounds = {key: [] for key in fns}
    for _ in range(repeats):
        for key, fn in fns.items():
            rounds[key].append(seconds(fn, calls[key]) / calls[key])
    return {key: keep(times) for key, times in rounds.items()}
