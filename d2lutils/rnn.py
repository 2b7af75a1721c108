"""Recurrent neural networks of chapter 8: models, gradient clipping, training and generation."""

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F

from .models import sgd
from .modes import limit_epochs
from .plot import Animator
from .progress import Progress
from .train import Accumulator, Timer


class RNNModelScratch:  # @save
    """An RNN language model from scratch: one-hot inputs and the functions that define it."""

    def __init__(self, vocab_size, num_hiddens, device, get_params, init_state, forward_fn):
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens, device)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X, state):
        """X: (batch, steps) indices -> outputs (steps * batch, vocab) and the new state."""
        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)  # (steps, batch, vocab)
        return self.forward_fn(X, state, self.params)

    def begin_state(self, batch_size, device):
        return self.init_state(batch_size, self.num_hiddens, device)


def predict_ch8(prefix, num_preds, net, vocab, device, temperature=0):  # @save
    """Continue ``prefix`` by ``num_preds`` tokens, feeding each prediction back in.

    ``temperature`` 0 takes the most likely token each time; a positive one samples from
    softmax(logits / temperature) instead. The unknown token '<unk>' is never generated.
    """
    state = net.begin_state(batch_size=1, device=device)
    outputs = [vocab[prefix[0]]]
    last = lambda: torch.tensor([outputs[-1]], device=device).reshape(1, 1)  # noqa: E731
    for token in prefix[1:]:  # warm-up: run through the prefix, only the state matters
        _, state = net(last(), state)
        outputs.append(vocab[token])
    for _ in range(num_preds):
        y, state = net(last(), state)
        y = y.reshape(-1).clone()
        y[vocab.unk] = -math.inf  # write characters, not "unknown"
        if temperature == 0:
            outputs.append(int(y.argmax()))
        else:
            probs = F.softmax(y / temperature, dim=0)
            outputs.append(int(torch.multinomial(probs, 1)))
    return ''.join(vocab.idx_to_token[i] for i in outputs)


def grad_clipping(net, theta):  # @save
    """Rescale all gradients together so that their joint L2 norm is at most ``theta``."""
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm


def _detach(state):
    """The state cut off from the graph of earlier minibatches (a tensor or a tuple of them)."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):  # @save
    """Train ``net`` for one epoch; return (training perplexity, tokens per second)."""
    state, timer = None, Timer()
    metric = Accumulator(2)  # loss summed over tokens, tokens
    for X, Y in train_iter:
        if state is None or use_random_iter:
            # Random partitioning: this minibatch does not continue the previous one.
            state = net.begin_state(batch_size=X.shape[0], device=device)
        else:
            state = _detach(state)  # keep the values, stop gradients at the minibatch start
        y = Y.T.reshape(-1)  # time step by time step, like the outputs
        X, y = X.to(device), y.to(device)
        y_hat, state = net(X, state)
        l = loss(y_hat, y.long()).mean()
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.backward()
            grad_clipping(net, 1)
            updater.step()
        else:
            l.backward()
            grad_clipping(net, 1)
            updater(batch_size=1)  # the loss is already a mean
        metric.add(l.detach() * y.numel(), y.numel())
    return math.exp(metric[0] / metric[1]), metric[1] / timer.stop()


def evaluate_perplexity(net, corpus, device):  # @save
    """The perplexity of ``net`` on ``corpus`` (a list of indices), read as one sequence.

    Every token but the first is predicted from all the tokens before it.
    """
    X = torch.tensor(corpus[:-1], device=device).reshape(1, -1)  # one sequence, batch 1
    y = torch.tensor(corpus[1:], device=device)
    with torch.no_grad():
        y_hat, _ = net(X, net.begin_state(batch_size=1, device=device))
        return math.exp(F.cross_entropy(y_hat, y).item())


@dataclass
class PerplexityResult:
    """What a language model's training ended with; ``test_ppl`` is None without test data."""

    train_ppl: float
    test_ppl: float
    epochs: int
    sec_per_epoch: float
    tokens_per_sec: float
    device: str

    def glue(self, name):
        """Glue every field for the book's pages as ``<name>-test-ppl``, ``<name>-epochs``, ..."""
        from myst_nb import glue

        for field, value in asdict(self).items():
            glue(f"{name}-{field.replace('_', '-')}", value, display=False)


def train_ch8(net, train_iter, vocab, lr, num_epochs, device,  # @save
              use_random_iter=False, test_corpus=None, prefix='床前'):
    """Train a language model with SGD and gradient clipping, plotting the perplexity.

    With ``test_corpus`` (indices of held-out text) its perplexity is plotted too. Prints a
    continuation of ``prefix`` now and then and returns a ``PerplexityResult``. In quick
    mode (``D2L_QUICK=1``) at most 2 epochs are run.
    """
    if num_epochs < 1:
        raise ValueError(f"num_epochs must be at least 1, got {num_epochs}")
    num_epochs = limit_epochs(num_epochs)
    loss = nn.CrossEntropyLoss()
    legend = ['train'] if test_corpus is None else ['train', 'test']
    animator = Animator(xlabel='epoch', ylabel='perplexity', legend=legend,
                        xlim=[1, max(num_epochs, 2)])
    if isinstance(net, nn.Module):
        updater = torch.optim.SGD(net.parameters(), lr)
    else:
        updater = lambda batch_size: sgd(net.params, lr, batch_size)  # noqa: E731
    predict = lambda prefix: predict_ch8(prefix, 30, net, vocab, device)  # noqa: E731
    progress, seconds, test_ppl = Progress(num_epochs, unit='epoch'), 0.0, None
    for epoch in range(num_epochs):
        timer = Timer()
        ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)
        seconds += timer.stop()
        if test_corpus is not None:
            test_ppl = evaluate_perplexity(net, test_corpus, device)
        progress.update()
        animator.title = None if epoch == num_epochs - 1 else progress.status()
        animator.add(epoch + 1, [ppl] if test_corpus is None else [ppl, test_ppl])
        if (epoch + 1) % 10 == 0:
            print(f'epoch {epoch + 1}: {predict(prefix)!r}')
    progress.close()
    test = '' if test_ppl is None else f', test perplexity {test_ppl:.1f}'
    print(f'train perplexity {ppl:.1f}{test}, {speed:.1f} tokens/sec on {device}')
    print(repr(predict(prefix)))
    return PerplexityResult(ppl, test_ppl, num_epochs, seconds / num_epochs, speed, str(device))


class RNNModel(nn.Module):  # @save
    """A language model around a recurrent layer (``nn.RNN``, ``nn.GRU``, ``nn.LSTM``).

    One-hot inputs go through ``rnn_layer``; a linear layer turns each hidden state into
    scores over the vocabulary. Outputs have shape (steps * batch, vocab_size).
    """

    def __init__(self, rnn_layer, vocab_size, **kwargs):
        super().__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.num_directions = 2 if self.rnn.bidirectional else 1
        self.linear = nn.Linear(self.num_hiddens * self.num_directions, self.vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size).type(torch.float32)
        Y, state = self.rnn(X, state)  # Y: (steps, batch, directions * hiddens)
        return self.linear(Y.reshape(-1, Y.shape[-1])), state

    def begin_state(self, device, batch_size=1):
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        if isinstance(self.rnn, nn.LSTM):  # an LSTM's state is (hidden, memory cell)
            return (torch.zeros(shape, device=device), torch.zeros(shape, device=device))
        return torch.zeros(shape, device=device)
