"""d2l-zh's chapter-8 code (PyTorch) through the drop-in, with only the loader calls swapped.

The code below follows how d2l-zh 2.0's sections 8.2-8.6 call ``d2l`` (shortened: fewer hidden
units and, in quick mode, 2 epochs on the first tokens), with ``read_time_machine`` and
``load_data_time_machine`` replaced by the poem loaders.
"""

import math
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from d2lutils import torch as d2l

needs_corpus = pytest.mark.skipif(
    not Path("/usr/share/games/fortunes/tang300").is_file(),
    reason="apt-get install fortunes-zh for the Tang poems")


@pytest.mark.parametrize(("name", "book"), [("read_time_machine", "read_poems"),
                                            ("load_corpus_time_machine", "load_corpus_poems"),
                                            ("load_data_time_machine", "load_data_poems")])
def test_the_time_machine_loaders_name_the_poem_loaders(name, book):
    with pytest.raises(FileNotFoundError, match=f"唐诗三百首.*d2l.{book}"):
        getattr(d2l, name)(32, 35)


def test_chapter_8_names_are_the_books_objects():
    import d2lutils

    for name in ["Vocab", "tokenize", "train_ch8", "predict_ch8", "RNNModel", "RNNModelScratch",
                 "grad_clipping", "seq_data_iter_random", "SeqDataLoader", "load_data_poems"]:
        assert getattr(d2l, name) is getattr(d2lutils, name), name
        assert name in d2l.__all__


@needs_corpus
def test_d2l_zh_chapter_8_code_runs_with_the_poem_loaders(quick_mode):
    # 8.2 text preprocessing
    lines = d2l.poem_lines(d2l.read_poems())  # was: d2l.read_time_machine()
    tokens = d2l.tokenize(lines, 'char')
    vocab = d2l.Vocab(tokens)
    assert list(vocab.token_to_idx.items())[0] == ('<unk>', 0)
    corpus = [vocab[token] for line in tokens for token in line]
    # 8.3 language models and the data set
    freqs = [freq for token, freq in vocab.token_freqs]
    d2l.plot(freqs, xlabel='token: x', ylabel='frequency: n(x)', xscale='log', yscale='log')
    bigram_tokens = [pair for pair in zip(corpus[:-1], corpus[1:])]
    bigram_vocab = d2l.Vocab(bigram_tokens)
    assert len(bigram_vocab) > len(vocab)
    my_seq = list(range(35))
    for X, _ in d2l.seq_data_iter_random(my_seq, batch_size=2, num_steps=5):
        assert X.shape == (2, 5)
    for X, _ in d2l.seq_data_iter_sequential(my_seq, batch_size=2, num_steps=5):
        assert X.shape == (2, 5)
    # 8.5 from scratch
    batch_size, num_steps = 32, 35
    train_iter, vocab = d2l.load_data_poems(batch_size, num_steps)  # was load_data_time_machine
    assert F.one_hot(torch.tensor([0, 2]), len(vocab)).shape == (2, len(vocab))

    def get_params(vocab_size, num_hiddens, device):
        num_inputs = num_outputs = vocab_size

        def normal(shape):
            return torch.randn(size=shape, device=device) * 0.01

        W_xh = normal((num_inputs, num_hiddens))
        W_hh = normal((num_hiddens, num_hiddens))
        b_h = torch.zeros(num_hiddens, device=device)
        W_hq = normal((num_hiddens, num_outputs))
        b_q = torch.zeros(num_outputs, device=device)
        params = [W_xh, W_hh, b_h, W_hq, b_q]
        for param in params:
            param.requires_grad_(True)
        return params

    def init_rnn_state(batch_size, num_hiddens, device):
        return (torch.zeros((batch_size, num_hiddens), device=device), )

    def rnn(inputs, state, params):
        W_xh, W_hh, b_h, W_hq, b_q = params
        H, = state
        outputs = []
        for X in inputs:
            H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
            Y = torch.mm(H, W_hq) + b_q
            outputs.append(Y)
        return torch.cat(outputs, dim=0), (H,)

    num_hiddens = 32  # d2l-zh: 512
    X = torch.arange(10).reshape((2, 5))
    net = d2l.RNNModelScratch(len(vocab), num_hiddens, d2l.try_gpu(), get_params,
                              init_rnn_state, rnn)
    state = net.begin_state(X.shape[0], d2l.try_gpu())
    Y, new_state = net(X.to(d2l.try_gpu()), state)
    assert Y.shape == (10, len(vocab)) and new_state[0].shape == (2, num_hiddens)
    out = d2l.predict_ch8('time traveller ', 10, net, vocab, d2l.try_gpu())
    assert out.startswith('<unk>') and '<unk>' not in out[-10:]  # Latin letters are unknown
    num_epochs, lr = 500, 1
    d2l.train_ch8(net, train_iter, vocab, lr, num_epochs, d2l.try_gpu())
    net = d2l.RNNModelScratch(len(vocab), num_hiddens, d2l.try_gpu(), get_params,
                              init_rnn_state, rnn)
    d2l.train_ch8(net, train_iter, vocab, lr, num_epochs, d2l.try_gpu(), use_random_iter=True)
    # 8.6 concise
    rnn_layer = nn.RNN(len(vocab), num_hiddens)
    state = torch.zeros((1, batch_size, num_hiddens))
    X = torch.rand(size=(num_steps, batch_size, len(vocab)))
    Y, state_new = rnn_layer(X, state)
    assert Y.shape == (num_steps, batch_size, num_hiddens)
    device = d2l.try_gpu()
    net = d2l.RNNModel(rnn_layer, vocab_size=len(vocab))
    net = net.to(device)
    d2l.predict_ch8('time traveller', 10, net, vocab, device)
    result = d2l.train_ch8(net, train_iter, vocab, lr, num_epochs, device)
    assert result.epochs == 2 and math.isfinite(result.train_ppl)
