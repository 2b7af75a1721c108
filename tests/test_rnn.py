"""Recurrent networks of chapter 8: the models, gradient clipping, training and generation.

The names, signatures and output shapes follow d2l's (d2l-zh 2.0, chapter 8).
"""

import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import d2lutils as d2l

V, H = 7, 5  # vocabulary size and hidden units of the small models below


def get_params(vocab_size, num_hiddens, device):
    torch.manual_seed(0)
    shapes = [(vocab_size, num_hiddens), (num_hiddens, num_hiddens), (num_hiddens,),
              (num_hiddens, vocab_size), (vocab_size,)]
    params = [(torch.randn(s, device=device) * 0.3) for s in shapes]
    return [p.requires_grad_() for p in params]


def init_rnn_state(batch_size, num_hiddens, device):
    return (torch.zeros((batch_size, num_hiddens), device=device),)


def rnn(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H @ W_hq + b_q)
    return torch.cat(outputs, dim=0), (H,)


def scratch_net():
    return d2l.RNNModelScratch(V, H, torch.device("cpu"), get_params, init_rnn_state, rnn)


def tiny_vocab():
    return d2l.Vocab(list("abcdef"))  # 7 tokens with <unk>


def test_scratch_model_outputs_steps_times_batch_rows():
    net = scratch_net()
    X = torch.randint(0, V, (2, 3))
    Y, (state,) = net(X, net.begin_state(2, "cpu"))
    assert Y.shape == (3 * 2, V) and state.shape == (2, H)


def test_concise_model_outputs_steps_times_batch_rows_and_begins_with_zeros():
    net = d2l.RNNModel(nn.RNN(V, H), V)
    state = net.begin_state("cpu", batch_size=2)
    assert state.shape == (1, 2, H) and not state.any()
    Y, state = net(torch.randint(0, V, (2, 3)), state)
    assert Y.shape == (6, V) and state.shape == (1, 2, H)


def test_concise_model_state_of_an_lstm_is_a_pair_and_bidirectional_doubles_the_head():
    lstm = d2l.RNNModel(nn.LSTM(V, H, num_layers=2), V)
    h, c = lstm.begin_state("cpu", batch_size=3)
    assert h.shape == c.shape == (2, 3, H)
    bi = d2l.RNNModel(nn.GRU(V, H, bidirectional=True), V)
    assert bi.linear.in_features == 2 * H and bi.begin_state("cpu").shape == (2, 1, H)


def test_scratch_and_concise_compute_the_same_with_the_same_weights():
    scratch = scratch_net()
    concise = d2l.RNNModel(nn.RNN(V, H), V)
    W_xh, W_hh, b_h, W_hq, b_q = scratch.params
    with torch.no_grad():
        concise.rnn.weight_ih_l0.copy_(W_xh.T)
        concise.rnn.weight_hh_l0.copy_(W_hh.T)
        concise.rnn.bias_ih_l0.copy_(b_h)
        concise.rnn.bias_hh_l0.zero_()
        concise.linear.weight.copy_(W_hq.T)
        concise.linear.bias.copy_(b_q)
    X = torch.randint(0, V, (2, 4))
    Y1, (s1,) = scratch(X, scratch.begin_state(2, "cpu"))
    Y2, s2 = concise(X, concise.begin_state("cpu", 2))
    assert torch.allclose(Y1, Y2, atol=1e-6) and torch.allclose(s1, s2[0], atol=1e-6)


def test_grad_clipping_scales_a_large_gradient_to_norm_theta():
    net = scratch_net()
    for p in net.params:
        p.grad = torch.full_like(p, 3.0)
    before = [p.grad.clone() for p in net.params]
    d2l.grad_clipping(net, 1)
    norm = math.sqrt(sum(float((p.grad ** 2).sum()) for p in net.params))
    assert norm == pytest.approx(1.0, rel=1e-5)
    ratios = {round(float(p.grad.flatten()[0] / b.flatten()[0]), 6)
              for p, b in zip(net.params, before)}
    assert len(ratios) == 1  # the direction is kept: every gradient scaled alike


def test_grad_clipping_leaves_a_small_gradient_alone():
    net = d2l.RNNModel(nn.RNN(V, H), V)
    for p in net.parameters():
        p.grad = torch.full_like(p, 1e-4)
    d2l.grad_clipping(net, 1)
    assert all(torch.all(p.grad == 1e-4) for p in net.parameters())


def test_predict_ch8_keeps_the_prefix_and_adds_num_preds_tokens():
    vocab = tiny_vocab()
    net = scratch_net()
    out = d2l.predict_ch8("ab", 5, net, vocab, "cpu")
    assert out.startswith("ab") and len(out) == 7 and "<unk>" not in out


def test_predict_ch8_greedy_follows_the_largest_score():
    vocab = tiny_vocab()

    class Always:  # a "model" whose scores always favour index 3
        def begin_state(self, batch_size, device):
            return None

        def __call__(self, X, state):
            y = torch.zeros(X.numel(), len(vocab))
            y[:, 3] = 1.0
            y[:, vocab.unk] = 5.0  # even a larger score for <unk> is never chosen
            return y, state

    assert d2l.predict_ch8("a", 3, Always(), vocab, "cpu") == "a" + vocab.to_tokens(3) * 3
    torch.manual_seed(0)
    sampled = d2l.predict_ch8("a", 50, Always(), vocab, "cpu", temperature=1.0)
    assert len(sampled) == 51 and len(set(sampled[1:])) > 1 and "<unk>" not in sampled


def test_evaluate_perplexity_of_a_uniform_model_is_the_vocabulary_size():
    class Uniform(nn.Module):
        def forward(self, X, state):
            return torch.zeros(X.numel(), V), state

        def begin_state(self, batch_size, device):
            return None

    assert d2l.evaluate_perplexity(Uniform(), [1, 2, 3, 4, 5], "cpu") == pytest.approx(V)


def test_evaluate_perplexity_matches_cross_entropy_token_by_token():
    net = d2l.RNNModel(nn.RNN(V, H), V)
    corpus = [1, 2, 3, 4, 5, 6, 0, 1]
    X = torch.tensor(corpus[:-1]).reshape(1, -1)
    Y, _ = net(X, net.begin_state("cpu", 1))
    expected = math.exp(F.cross_entropy(Y, torch.tensor(corpus[1:])).item())
    assert d2l.evaluate_perplexity(net, corpus, "cpu") == pytest.approx(expected, rel=1e-5)


def repeating_iter(batch_size=4, num_steps=6):
    """Minibatches of the periodic sequence 1 2 3 4 5 6 1 2 ..., which a model can learn."""
    corpus = [1 + i % 6 for i in range(600)]
    return corpus, (lambda: d2l.seq_data_iter_sequential(corpus, batch_size, num_steps))


class Loader:
    def __init__(self, make):
        self.make = make

    def __iter__(self):
        return self.make()


@pytest.mark.parametrize("use_random_iter", [False, True])
def test_train_ch8_learns_a_periodic_sequence_from_scratch(full_mode, use_random_iter, capsys):
    torch.manual_seed(0)
    corpus, make = repeating_iter()
    vocab = d2l.Vocab(list("abcdef"))
    net = d2l.RNNModelScratch(V, 16, torch.device("cpu"), get_params, init_rnn_state, rnn)
    result = d2l.train_ch8(net, Loader(make), vocab, 1, 20, "cpu",
                           use_random_iter=use_random_iter, test_corpus=corpus[:50], prefix="a")
    assert result.epochs == 20 and result.test_ppl < 1.5 and result.train_ppl < 1.5
    assert result.tokens_per_sec > 0 and result.device == "cpu"
    assert "test perplexity" in capsys.readouterr().out


def test_train_ch8_trains_a_concise_model_and_runs_two_epochs_in_quick_mode(quick_mode, capsys):
    torch.manual_seed(0)
    _, make = repeating_iter()
    net = d2l.RNNModel(nn.RNN(V, 16), V)
    result = d2l.train_ch8(net, Loader(make), tiny_vocab(), 1, 50, "cpu", prefix="a")
    assert result.epochs == 2 and result.test_ppl is None and math.isfinite(result.train_ppl)
    out = capsys.readouterr().out
    assert "quick mode" in out and "train perplexity" in out


def test_train_epoch_ch8_returns_perplexity_and_speed():
    torch.manual_seed(0)
    _, make = repeating_iter()
    net = d2l.RNNModel(nn.RNN(V, 8), V)
    updater = torch.optim.SGD(net.parameters(), 0.5)
    ppl, speed = d2l.train_epoch_ch8(net, make(), nn.CrossEntropyLoss(), updater, "cpu", False)
    assert 1 <= ppl < 2 * V and speed > 0


def test_train_ch8_refuses_zero_epochs():
    with pytest.raises(ValueError, match="num_epochs"):
        d2l.train_ch8(scratch_net(), [], tiny_vocab(), 1, 0, "cpu")


def test_perplexity_result_glues_every_field(monkeypatch):
    glued = {}
    import myst_nb

    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: glued.update({name: value}))
    d2l.PerplexityResult(10.0, 12.0, 3, 1.5, 100.0, "cpu").glue("x")
    assert glued == {"x-train-ppl": 10.0, "x-test-ppl": 12.0, "x-epochs": 3,
                     "x-sec-per-epoch": 1.5, "x-tokens-per-sec": 100.0, "x-device": "cpu"}
