"""Data parallelism over several processes with ``torch.distributed`` (part 计算性能).

Every process (a *rank*) holds a copy of the model, computes the gradient on its share of each
minibatch, and the gradients are averaged over all ranks before every update, so that all the
copies stay equal. Processes on CPUs talk through gloo, processes on GPUs through NCCL (one
process per GPU).

A process started with the "spawn" method imports the function it runs by its module and name,
so that function must live in an importable module: a function defined in a notebook (module
``__main__``) cannot be found by the new process. That is why the workers of the chapter live
here, and why ``run_processes`` refuses a function from ``__main__`` with an error that says so.
"""

import datetime
import io
import os
import queue
import socket
import time
import traceback

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from .checkpoint import load_checkpoint, save_checkpoint

DEFAULT_TIMEOUT = 60  # seconds the rendezvous or a collective waits for a missing rank


def split_batch(X, y, devices):  # @save
    """Split ``X`` and ``y`` along the first dimension into one part per device.

    The parts differ in size by at most one example (``torch.tensor_split``); part ``i`` is
    moved to ``devices[i]``. Like d2l's ``split_batch``, but devices may also be CPUs.
    """
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have as many examples: {X.shape[0]} != {y.shape[0]}")
    if X.shape[0] < len(devices):
        raise ValueError(f"cannot split {X.shape[0]} examples over {len(devices)} devices: "
                         "use a larger batch or fewer devices")
    return ([part.to(d) for part, d in zip(torch.tensor_split(X, len(devices)), devices)],
            [part.to(d) for part, d in zip(torch.tensor_split(y, len(devices)), devices)])


def free_port():
    """A TCP port on 127.0.0.1 that is free now (for the processes' rendezvous)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_backend(world_size=1):
    """'nccl' when there is a CUDA GPU for each of ``world_size`` processes, else 'gloo' (CPUs)."""
    return "nccl" if torch.cuda.device_count() >= world_size else "gloo"


def init_process(rank, world_size, port, backend=None, timeout=DEFAULT_TIMEOUT):
    """Join the process group of ``world_size`` processes meeting at 127.0.0.1:``port``.

    Waits at most ``timeout`` seconds for the others; if they do not all come, raises a
    ``RuntimeError`` that says how many were expected, instead of waiting for ever.
    """
    backend = backend or default_backend(world_size)
    try:
        dist.init_process_group(backend, init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                                world_size=world_size,
                                timeout=datetime.timedelta(seconds=timeout))
    except Exception as e:  # the store's timeout error names neither the group nor the fix
        raise RuntimeError(
            f"rank {rank}: the group of {world_size} processes did not form within {timeout} s "
            f"at 127.0.0.1:{port} ({type(e).__name__}: {e}). Did every process start, with the "
            "same world_size and port?") from e


def _worker(rank, world_size, port, backend, timeout, num_threads, fn, args, results):
    """Run in a new process: join the group, call ``fn``, report the result or the error."""
    try:
        torch.set_num_threads(num_threads)
        init_process(rank, world_size, port, backend, timeout)
        try:
            out = fn(rank, world_size, *args)
        finally:
            dist.destroy_process_group()
        buffer = io.BytesIO()
        torch.save(out, buffer)  # tensors as bytes: no shared memory outlives this process
        results.put((rank, None, buffer.getvalue()))
    except BaseException:
        results.put((rank, traceback.format_exc(), None))
        raise SystemExit(1) from None


def run_processes(fn, world_size, *args, backend=None, timeout=DEFAULT_TIMEOUT, num_threads=1):
    """Run ``fn(rank, world_size, *args)`` in ``world_size`` new processes; return the results.

    The processes form one ``torch.distributed`` group (gloo on CPUs, NCCL on GPUs) before
    ``fn`` is called, each with ``num_threads`` threads (one per process, so that two processes
    on two cores do not fight over them). ``fn`` must be importable (defined in a module, not
    in a notebook). Returns the return values in rank order. If a process fails, the others
    fail too within ``timeout`` seconds (a collective waiting for a dead rank gives up), and a
    ``RuntimeError`` shows each failed rank's error.
    """
    if getattr(fn, "__module__", None) == "__main__":
        raise ValueError(
            f"{fn.__name__} is defined in __main__ (a notebook or a script run directly): a new "
            "process cannot import it. Put it in a module (a .py file next to the notebook) "
            "and import it from there")
    if type(world_size) is not int or world_size < 1:
        raise ValueError(f"world_size must be a positive int, got {world_size!r}")
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    port = free_port()
    procs = [ctx.Process(target=_worker, args=(rank, world_size, port, backend, timeout,
                                               num_threads, fn, args, results))
             for rank in range(world_size)]
    for p in procs:
        p.start()
    outputs, errors, give_up_at = {}, {}, None
    try:
        while len(outputs) + len(errors) < world_size:
            try:
                rank, error, payload = results.get(timeout=0.1)
            except queue.Empty:
                for rank, p in enumerate(procs):  # killed outright: no message will come
                    if p.exitcode not in (None, 0) and rank not in outputs | errors.keys():
                        errors[rank] = f"exited with code {p.exitcode} and no message\n"
                if errors and give_up_at is None:
                    give_up_at = time.monotonic() + timeout + 30
                if give_up_at is not None and time.monotonic() > give_up_at:
                    break
                continue
            if error is None:
                outputs[rank] = torch.load(io.BytesIO(payload), weights_only=False)
            else:
                errors[rank] = error
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()
                p.join()
    if errors or len(outputs) < world_size:
        missing = [r for r in range(world_size) if r not in outputs and r not in errors]
        report = "".join(f"--- rank {r}:\n{errors[r]}" for r in sorted(errors))
        report += "".join(f"--- rank {r}: no result\n" for r in missing)
        raise RuntimeError(f"{len(errors) + len(missing)} of {world_size} processes failed:\n"
                           f"{report}")
    return [outputs[rank] for rank in range(world_size)]


def allreduce_grads(params):  # @save
    """Average the gradients of ``params`` over all processes: all-reduce (sum), then divide."""
    world_size = dist.get_world_size()
    for param in params:
        if param.grad is not None:
            dist.all_reduce(param.grad, op=dist.ReduceOp.SUM)
            param.grad /= world_size


def ring_allreduce(tensor):  # @save
    """Sum ``tensor`` over all processes in place, by hand, with a ring of sends and receives.

    The tensor is cut into ``n`` chunks (``n`` processes). In ``n - 1`` reduce-scatter steps
    each rank sends a chunk to its right neighbour and adds the chunk coming from its left;
    then rank ``r`` holds the complete sum of chunk ``(r + 1) % n``. In ``n - 1`` all-gather
    steps the complete chunks travel once round the ring. Each rank sends ``2 (n - 1) / n``
    times the tensor's size, however many ranks there are.
    """
    if not tensor.is_contiguous():
        raise ValueError("ring_allreduce needs a contiguous tensor (call .contiguous() first)")
    rank, n = dist.get_rank(), dist.get_world_size()
    chunks = torch.tensor_split(tensor.view(-1), n)  # views: updating them updates tensor
    right, left = (rank + 1) % n, (rank - 1) % n

    def pass_right(send_index, recv_index):
        received = torch.empty_like(chunks[recv_index])
        request = dist.isend(chunks[send_index], right)  # does not wait, so no deadlock
        dist.recv(received, left)
        request.wait()
        return received

    for step in range(n - 1):  # reduce-scatter
        recv_index = (rank - step - 1) % n
        chunks[recv_index].add_(pass_right((rank - step) % n, recv_index))
    for step in range(n - 1):  # all-gather
        recv_index = (rank - step) % n
        chunks[recv_index].copy_(pass_right((rank - step + 1) % n, recv_index))
    return tensor


# --- torchrun: one process per GPU, or several on CPUs ----------------------------------------

def setup_from_env(timeout=DEFAULT_TIMEOUT):
    """Join the group ``torchrun`` describes in the environment; return rank, world size, device.

    ``torchrun`` sets RANK, WORLD_SIZE, LOCAL_RANK and the rendezvous address for each process
    it starts. When the machine has a GPU for each of its processes, process ``LOCAL_RANK``
    uses GPU ``LOCAL_RANK`` and NCCL; otherwise the CPU and gloo.
    """
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
        if name not in os.environ:
            raise RuntimeError(f"{name} is not set: start this script with torchrun, e.g. "
                               "torchrun --standalone --nproc_per_node=2 script.py")
    backend = default_backend(int(os.environ["LOCAL_WORLD_SIZE"]))
    device = torch.device("cpu")
    if backend == "nccl":
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)
    dist.init_process_group(backend, timeout=datetime.timedelta(seconds=timeout))
    return dist.get_rank(), dist.get_world_size(), device


def save_on_rank0(state, path):  # @save
    """Rank 0 writes ``state`` to ``path`` atomically; every rank waits until it is written.

    The other ranks hold the same parameters, so one copy is enough; ``save_checkpoint``
    writes a temporary file and renames it, so ``path`` is never half written. The barrier
    keeps a rank from reading or overwriting the file before rank 0 is done.
    """
    if dist.get_rank() == 0:
        save_checkpoint(state, path)
    dist.barrier()


# --- the chapter's training: an MLP on Fashion-MNIST, data parallel -----------------------------

def fashion_mnist_vectors(num_examples, dtype=torch.float32):
    """The first ``num_examples`` Fashion-MNIST training images as vectors in [0, 1], and labels."""
    from .data import read_fashion_mnist
    images, labels = read_fashion_mnist()[:2]
    if not 1 <= num_examples <= len(images):
        raise ValueError(f"num_examples must be in 1..{len(images)}, got {num_examples}")
    return images[:num_examples].reshape(num_examples, -1).to(dtype) / 255, labels[:num_examples]


def mlp(dtype=torch.float32, seed=0):
    """The MLP of the chapter (784-256-10), initialised from ``seed``: equal on every rank."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 10)).to(dtype)


def rank_device(rank):
    """The device of process ``rank``: its own GPU under NCCL, else the CPU."""
    if dist.is_initialized() and dist.get_backend() == "nccl":
        return torch.device("cuda", rank % torch.cuda.device_count())
    return torch.device("cpu")


def train_data_parallel(rank, world_size, num_examples, batch_size, lr, num_steps,  # @save
                        dtype=torch.float64):
    """Data-parallel SGD on the MLP, as process ``rank`` of ``world_size``.

    Minibatch k holds examples [k B, (k + 1) B) of the first ``num_examples`` (cycling). Each
    process computes the gradient of the mean loss on its part of the minibatch
    (``split_batch``); the gradients are averaged over the processes (``allreduce_grads``), so
    every process takes the same step. Returns the parameters (on the CPU) and the seconds the
    steps took. With ``world_size`` 1 this is plain minibatch SGD, no process group needed.
    """
    if batch_size % world_size or num_examples % batch_size:
        raise ValueError(f"batch_size ({batch_size}) must be a multiple of world_size "
                         f"({world_size}), and num_examples ({num_examples}) of batch_size, so "
                         "that the parts are equal and the mean of their means is the mean")
    device = rank_device(rank)
    X, y = fashion_mnist_vectors(num_examples, dtype)
    net, loss = mlp(dtype).to(device), torch.nn.CrossEntropyLoss()
    devices = [device] * world_size  # each process keeps only its own part
    if world_size > 1:
        dist.barrier()  # start the clock together
    start_time = time.perf_counter()
    for step in range(num_steps):
        begin = step * batch_size % num_examples
        Xs, ys = split_batch(X[begin:begin + batch_size], y[begin:begin + batch_size], devices)
        net.zero_grad()
        loss(net(Xs[rank]), ys[rank]).backward()
        if world_size > 1:
            allreduce_grads(net.parameters())
        with torch.no_grad():
            for param in net.parameters():
                param -= lr * param.grad
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - start_time
    return [param.detach().cpu() for param in net.parameters()], seconds


def train_ddp(num_epochs, batch_size, lr, checkpoint, num_examples=6000, seed=0):  # @save
    """Train the MLP with DistributedDataParallel in a process started by ``torchrun``.

    ``batch_size`` is the minibatch of all processes together; each process reads
    ``batch_size / world_size`` examples of it through a ``DistributedSampler``. After each
    epoch rank 0 saves the model, the optimizer and the epoch to ``checkpoint`` (atomically);
    if ``checkpoint`` exists at the start, training goes on from it, with any number of
    processes. Returns the parameters (on the CPU) and the mean training loss of each epoch run.
    """
    from torch.nn.parallel import DistributedDataParallel
    from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

    rank, world_size, device = setup_from_env()
    try:
        if batch_size % world_size:
            raise ValueError(f"batch_size {batch_size} is not a multiple of the number of "
                             f"processes {world_size}")
        net = mlp(seed=seed).to(device)  # the same initial parameters on every rank
        optimizer = torch.optim.SGD(net.parameters(), lr)
        first_epoch = 0
        if os.path.exists(checkpoint):
            state = load_checkpoint(checkpoint, map_location=device)
            net.load_state_dict(state["net"])
            optimizer.load_state_dict(state["optimizer"])
            first_epoch = state["epoch"]
        model = DistributedDataParallel(net, device_ids=[device] if device.type == "cuda" else None)
        data = TensorDataset(*fashion_mnist_vectors(num_examples))
        # Every epoch the sampler shuffles all examples with the same seed on every rank and
        # hands rank r the positions r, r + world_size, ...: the ranks never share an example.
        sampler = DistributedSampler(data, world_size, rank, shuffle=True, seed=seed,
                                     drop_last=True)
        loader = DataLoader(data, batch_size // world_size, sampler=sampler, drop_last=True)
        loss, losses = torch.nn.CrossEntropyLoss(), []
        for epoch in range(first_epoch, num_epochs):
            sampler.set_epoch(epoch)  # a new order each epoch, the same on every rank
            total = torch.zeros(2, device=device)  # loss sum, number of minibatches
            for X, y in loader:
                X, y = X.to(device), y.to(device)
                optimizer.zero_grad()
                l = loss(model(X), y)
                l.backward()  # DDP averages the gradients over the ranks here
                optimizer.step()
                total += torch.stack([l.detach(), torch.ones((), device=device)])
            dist.all_reduce(total)  # every rank's sum: the loss of all the minibatches
            losses.append((total[0] / total[1]).item())
            save_on_rank0({"net": net.state_dict(), "optimizer": optimizer.state_dict(),
                           "epoch": epoch + 1, "world_size": world_size}, checkpoint)
            if rank == 0:
                print(f"epoch {epoch + 1}: loss {losses[-1]:.4f}, world size {world_size}",
                      flush=True)
        return [p.detach().cpu() for p in net.parameters()], losses
    finally:
        dist.destroy_process_group()
