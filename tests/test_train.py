"""Training and evaluation loops (chapters 3 and 6) and their helpers."""

from types import SimpleNamespace

import pytest
import torch
from torch import nn

import d2lutils as d2l
from d2lutils import train

CPU = torch.device("cpu")


@pytest.fixture
def clock(monkeypatch):
    """Make ``time.perf_counter`` in d2lutils.train return the given readings, in order."""

    def set_readings(*readings):
        it = iter(readings)
        monkeypatch.setattr(train, "time", SimpleNamespace(perf_counter=lambda: next(it)))

    return set_readings


def identity_net():
    """A linear layer that returns its 2 inputs as the 2 class scores (argmax = larger input)."""
    net = nn.Linear(2, 2)
    with torch.no_grad():
        net.weight.copy_(torch.eye(2))
        net.bias.zero_()
    return net


def scored_loader(batch_size=2):
    """Five examples that ``identity_net`` gets 4 right: accuracy 0.8."""
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [2.0, 1.0]])
    y = torch.tensor([0, 1, 1, 1, 0])  # the third is wrong
    return d2l.load_array((X, y), batch_size, is_train=False)


def separable_data(n, seed):
    """Two classes of points in the plane, split by the line x0 = 0 with a margin."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=generator)
    y = (X[:, 0] > 0).long()
    X[:, 0] += torch.where(y == 1, 1.0, -1.0)
    return X, y


# --- Timer --------------------------------------------------------------------------------------

def test_timer_stop_returns_and_records_the_elapsed_time(clock):
    clock(10.0, 11.5)
    timer = d2l.Timer()
    assert timer.stop() == 1.5
    assert timer.times == [1.5]


def test_timer_sums_averages_and_accumulates_times(clock):
    clock(0.0, 1.5, 2.0, 4.5)  # created (started), stopped, started, stopped
    timer = d2l.Timer()
    timer.stop()
    timer.start()
    timer.stop()
    assert timer.sum() == 4.0
    assert timer.avg() == 2.0
    assert timer.cumsum() == [1.5, 4.0]


# --- Accumulator --------------------------------------------------------------------------------

def test_accumulator_adds_values_position_by_position():
    metric = d2l.Accumulator(2)
    metric.add(1, 2.5)
    metric.add(3, 0.5)
    assert (metric[0], metric[1]) == (4.0, 3.0)


def test_accumulator_accepts_0_dim_tensors_and_stores_floats():
    metric = d2l.Accumulator(2)
    metric.add(torch.tensor(1.5), torch.tensor(2))
    metric.add(0.5, 1)
    assert metric.data == [2.0, 3.0]
    assert all(type(v) is float for v in metric.data)


def test_accumulator_reset_sets_all_totals_to_zero():
    metric = d2l.Accumulator(3)
    metric.add(1, 2, 3)
    metric.reset()
    assert metric.data == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("values", [(1,), (1, 2, 3)])
def test_accumulator_rejects_the_wrong_number_of_values(values):
    metric = d2l.Accumulator(2)
    with pytest.raises(ValueError, match="expected 2 values"):
        metric.add(*values)


# --- accuracy and evaluation --------------------------------------------------------------------

def test_accuracy_counts_correct_argmax_of_scores():
    y_hat = torch.tensor([[0.1, 0.8, 0.1], [0.9, 0.05, 0.05], [0.2, 0.3, 0.5]])
    assert d2l.accuracy(y_hat, torch.tensor([1, 0, 0])) == 2.0


def test_accuracy_compares_predicted_labels_directly():
    assert d2l.accuracy(torch.tensor([1, 0, 2]), torch.tensor([1, 0, 0])) == 2.0


def test_accuracy_accepts_float_labels():
    assert d2l.accuracy(torch.tensor([1.0, 0.0, 2.0]), torch.tensor([1, 0, 2])) == 3.0


def test_evaluate_accuracy_weights_batches_by_their_size():
    # batches of 2, 2, 1 have accuracies 1, 0.5, 1; over the 5 examples it is 4/5
    assert d2l.evaluate_accuracy(identity_net(), scored_loader(batch_size=2)) == 0.8


def test_evaluate_accuracy_accepts_a_plain_function():
    assert d2l.evaluate_accuracy(lambda X: X, scored_loader()) == 0.8


def test_evaluate_accuracy_puts_a_module_in_eval_mode():
    net = identity_net().train()
    d2l.evaluate_accuracy(net, scored_loader())
    assert net.training is False


def test_evaluate_accuracy_gpu_runs_on_the_cpu():
    assert d2l.evaluate_accuracy_gpu(identity_net(), scored_loader(), CPU) == 0.8


def test_evaluate_accuracy_gpu_defaults_to_the_device_of_the_net():
    net = identity_net().train()
    assert d2l.evaluate_accuracy_gpu(net, scored_loader()) == 0.8
    assert net.training is False


def test_evaluate_accuracy_gpu_leaves_the_data_in_place_for_a_plain_function():
    assert d2l.evaluate_accuracy_gpu(lambda X: X, scored_loader()) == 0.8


def test_evaluate_accuracy_gpu_accepts_a_module_without_parameters():
    assert d2l.evaluate_accuracy_gpu(nn.Identity(), scored_loader()) == 0.8


def test_evaluate_loss_is_the_same_for_per_example_and_mean_losses():
    net = nn.Linear(1, 1)
    with torch.no_grad():
        net.weight.fill_(2.0)
        net.bias.zero_()
    X, y = torch.arange(5.0).reshape(5, 1), torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0])
    loader = d2l.load_array((X, y), 2, is_train=False)  # batches of 2, 2, 1
    expected = ((2 * X.flatten() - y) ** 2).mean().item()  # 6.0
    per_example = d2l.evaluate_loss(net, loader, nn.MSELoss(reduction="none"))
    mean = d2l.evaluate_loss(net, loader, nn.MSELoss(reduction="mean"))
    assert per_example == pytest.approx(expected)
    assert mean == pytest.approx(expected)


def test_evaluate_loss_accepts_class_labels_with_class_scores():
    X, y = torch.tensor([[2.0, 0.0], [0.0, 1.0], [1.0, 3.0]]), torch.tensor([0, 0, 1])
    loader = d2l.load_array((X, y), 2, is_train=False)
    loss = nn.CrossEntropyLoss(reduction="none")
    expected = loss(X, y).mean().item()
    assert d2l.evaluate_loss(lambda X: X, loader, loss) == pytest.approx(expected)


# --- train_epoch_ch3 ----------------------------------------------------------------------------

def epoch_data():
    generator = torch.Generator().manual_seed(0)
    X, y = torch.randn(20, 4, generator=generator), torch.randint(0, 3, (20,), generator=generator)
    W = 0.1 * torch.randn(4, 3, generator=generator)
    return d2l.load_array((X, y), 6, is_train=False), W  # batches of 6, 6, 6, 2


def module_epoch(loader, W, reduction, lr=0.1):
    """One epoch of an ``nn.Linear`` from ``W`` with torch's SGD; returns (W, b) after it."""
    net = nn.Linear(4, 3)
    with torch.no_grad():
        net.weight.copy_(W.T)
        net.bias.zero_()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    d2l.train_epoch_ch3(net, loader, nn.CrossEntropyLoss(reduction=reduction), optimizer)
    return net.weight.detach().T, net.bias.detach()


def test_train_epoch_ch3_updates_the_same_for_per_example_and_mean_losses():
    loader, W0 = epoch_data()
    W_none, b_none = module_epoch(loader, W0, "none")
    W_mean, b_mean = module_epoch(loader, W0, "mean")
    assert not torch.allclose(W_none, W0)
    assert torch.allclose(W_none, W_mean) and torch.allclose(b_none, b_mean)


def test_train_epoch_ch3_scratch_updater_matches_torch_sgd():
    loader, W0 = epoch_data()
    W_torch, b_torch = module_epoch(loader, W0, "none")
    W, b = W0.clone().requires_grad_(), torch.zeros(3, requires_grad=True)
    d2l.train_epoch_ch3(lambda X: X @ W + b, loader, nn.CrossEntropyLoss(reduction="none"),
                        lambda n: d2l.sgd([W, b], 0.1, n))
    assert not torch.allclose(W, W0)
    assert torch.allclose(W, W_torch, atol=1e-6) and torch.allclose(b, b_torch, atol=1e-6)


def test_train_epoch_ch3_returns_mean_loss_and_accuracy_of_the_epoch():
    loader, W0 = epoch_data()
    W = W0.clone().requires_grad_()
    loss = nn.CrossEntropyLoss(reduction="none")
    # The updater leaves the parameters as they are, so every batch sees W0.
    train_loss, train_acc = d2l.train_epoch_ch3(lambda X: X @ W, loader, loss, lambda n: None)
    X, y = loader.tensors
    assert train_loss == pytest.approx(loss(X @ W0, y).mean().item())
    assert train_acc == d2l.accuracy(X @ W0, y) / len(y)


def test_train_epoch_ch3_puts_a_module_in_train_mode():
    loader, _ = epoch_data()
    net = nn.Linear(4, 3).eval()
    d2l.train_epoch_ch3(net, loader, nn.CrossEntropyLoss(),
                        torch.optim.SGD(net.parameters(), lr=0.1))
    assert net.training is True


# --- train_ch3, train_ch6, predict_ch3 ----------------------------------------------------------

def train_ch3_separable(num_epochs):
    torch.manual_seed(0)
    train_iter = d2l.load_array(separable_data(200, seed=1), 20)
    test_iter = d2l.load_array(separable_data(100, seed=2), 50, is_train=False)
    net = nn.Linear(2, 2)
    return d2l.train_ch3(net, train_iter, test_iter, nn.CrossEntropyLoss(reduction="none"),
                         num_epochs, torch.optim.SGD(net.parameters(), lr=0.5))


def test_train_ch3_learns_a_separable_problem(full_mode, capsys):
    result = train_ch3_separable(num_epochs=3)
    assert isinstance(result, d2l.TrainResult)
    assert result.train_acc > 0.9 and result.test_acc > 0.9  # chance is 0.5
    assert result.epochs == 3
    assert "test acc" in capsys.readouterr().out


def test_train_ch3_runs_2_epochs_in_quick_mode(quick_mode, capsys):
    result = train_ch3_separable(num_epochs=10)
    assert result.epochs == 2
    assert "2 of 10 epochs" in capsys.readouterr().out


def test_train_ch3_reports_time_and_speed_on_cpu(full_mode):
    result = train_ch3_separable(num_epochs=2)
    assert result.sec_per_epoch > 0 and result.examples_per_sec > 0
    assert result.device == "cpu"


def tiny_lenet():
    return nn.Sequential(nn.Conv2d(1, 4, kernel_size=5, stride=4), nn.ReLU(), nn.Flatten(),
                         nn.LazyLinear(10))


def image_loaders():
    generator = torch.Generator().manual_seed(0)
    X = torch.rand(96, 1, 28, 28, generator=generator)
    y = torch.randint(0, 10, (96,), generator=generator)
    return (d2l.load_array((X[:64], y[:64]), 16),
            d2l.load_array((X[64:], y[64:]), 16, is_train=False))


def test_train_ch6_trains_a_lazy_conv_net_on_the_cpu(full_mode, capsys):
    torch.manual_seed(0)
    net = tiny_lenet()
    result = d2l.train_ch6(net, *image_loaders(), num_epochs=2, lr=0.1, device=CPU)
    out = capsys.readouterr().out
    assert isinstance(result, d2l.TrainResult)
    assert (result.epochs, result.device) == (2, "cpu")
    assert 0 <= result.test_acc <= 1 and result.train_loss > 0
    assert "training on cpu" in out
    assert "examples/sec on cpu" in out
    assert net[-1].weight.shape == (10, 4 * 6 * 6)  # the lazy layer learnt its input size


def test_train_ch6_defaults_to_the_cpu_without_gpu(full_mode, capsys, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    result = d2l.train_ch6(tiny_lenet(), *image_loaders(), num_epochs=1, lr=0.1)
    assert result.device == "cpu"
    assert "training on cpu" in capsys.readouterr().out


def test_train_ch6_runs_2_epochs_in_quick_mode(quick_mode):
    result = d2l.train_ch6(tiny_lenet(), *image_loaders(), num_epochs=10, lr=0.1, device=CPU)
    assert result.epochs == 2


def test_train_ch6_gives_linear_and_conv_layers_xavier_weights(full_mode):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 2, kernel_size=5, stride=4), nn.Flatten(),
                        nn.Linear(72, 100), nn.Linear(100, 10))
    d2l.train_ch6(net, *image_loaders(), num_epochs=1, lr=0.0, device=CPU)  # lr 0: no update
    for layer, fan_in, fan_out in [(net[0], 25, 50), (net[2], 72, 100), (net[3], 100, 10)]:
        bound = (6 / (fan_in + fan_out)) ** 0.5  # Xavier's uniform bound
        assert layer.weight.abs().max() <= bound
        # PyTorch's default bound, 1 / sqrt(fan_in), is smaller: the weights were replaced
        assert layer.weight.abs().max() > 1.1 / fan_in ** 0.5


def test_train_ch6_initialises_lazy_layers_followed_by_batch_norm(full_mode):
    # The dry run of a lazy net uses one example; in training mode BatchNorm1d refuses that.
    net = nn.Sequential(nn.Flatten(), nn.LazyLinear(8), nn.BatchNorm1d(8), nn.ReLU(),
                        nn.Linear(8, 10))
    result = d2l.train_ch6(net, *image_loaders(), num_epochs=1, lr=0.1, device=CPU)
    assert net[1].weight.shape == (8, 784) and result.epochs == 1


class CountingLoader:
    """A loader that records how often it is moved to a device (``to`` returns itself)."""

    def __init__(self, loader):
        self.loader, self.moves = loader, 0

    def to(self, device):
        self.moves += 1
        return self

    def __iter__(self):
        return iter(self.loader)

    def __len__(self):
        return len(self.loader)


def test_train_ch6_moves_in_memory_loaders_to_the_device_once(full_mode):
    train_iter, test_iter = (CountingLoader(loader) for loader in image_loaders())
    d2l.train_ch6(tiny_lenet(), train_iter, test_iter, num_epochs=2, lr=0.1, device=CPU)
    assert (train_iter.moves, test_iter.moves) == (1, 1)


def test_train_ch6_accepts_a_torch_dataloader_and_a_device_name(full_mode):
    generator = torch.Generator().manual_seed(0)
    X, y = torch.rand(32, 1, 28, 28, generator=generator), torch.randint(0, 10, (32,))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=8)
    result = d2l.train_ch6(tiny_lenet(), loader, loader, num_epochs=1, lr=0.1, device="cpu")
    assert result.device == "cpu" and 0 <= result.test_acc <= 1


def test_train_ch6_speed_and_time_per_epoch_agree(full_mode):
    result = d2l.train_ch6(tiny_lenet(), *image_loaders(), num_epochs=2, lr=0.1, device=CPU)
    # 64 training examples per epoch
    assert result.examples_per_sec * result.sec_per_epoch == pytest.approx(64)


def test_evaluate_accuracy_gpu_equals_evaluate_accuracy_on_uneven_batches():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    _, test_iter = image_loaders()  # 32 examples in batches of 16
    X, y = test_iter.tensors
    uneven = d2l.load_array((X[:27], y[:27]), 10, is_train=False)  # 10, 10 and 7
    assert d2l.evaluate_accuracy_gpu(net, uneven) == d2l.evaluate_accuracy(net, uneven)


def narrow_hand_made_batch_norm():
    """A batch norm as written by hand in the batch-norm section: (1, C, 1, 1) parameters."""
    norm = nn.Module()
    norm.gamma = nn.Parameter(torch.ones(1, 6, 1, 1))
    norm.register_buffer("moving_mean", torch.zeros(1, 6, 1, 1))
    return nn.Sequential(nn.Conv2d(1, 6, 3), norm)


@pytest.mark.parametrize("net, device, expected", [
    (nn.Sequential(nn.Conv2d(1, 6, 5), nn.Sigmoid()), "cpu", torch.channels_last),
    (nn.Sequential(nn.Conv2d(1, 6, 5), nn.Sigmoid()), "cuda", torch.contiguous_format),
    (nn.Sequential(nn.Flatten(), nn.Linear(4, 2)), "cpu", torch.contiguous_format),
    (nn.Sequential(nn.Conv2d(1, 6, 5), nn.BatchNorm2d(6)), "cpu", torch.contiguous_format),
    (nn.Sequential(nn.Conv2d(1, 16, 5), nn.BatchNorm2d(16)), "cpu", torch.channels_last),
    (nn.Sequential(nn.Conv2d(1, 6, 5), nn.Flatten(), nn.LazyLinear(10), nn.BatchNorm1d(10)),
     "cpu", torch.channels_last),  # batch norm of a dense layer: not in the conv layout
    (narrow_hand_made_batch_norm(), "cpu", torch.contiguous_format),
])
def test_conv_memory_format_channels_last_for_conv_nets_on_the_cpu(net, device, expected):
    assert d2l.conv_memory_format(net, device) == expected


def test_train_ch6_trains_channels_last_and_hands_the_net_back_contiguous(full_mode,
                                                                          monkeypatch):
    seen = []
    forward = nn.Conv2d.forward

    def recording_forward(self, X):
        seen.append(self.weight.is_contiguous(memory_format=torch.channels_last))
        return forward(self, X)

    monkeypatch.setattr(nn.Conv2d, "forward", recording_forward)
    net = tiny_lenet()
    d2l.train_ch6(net, *image_loaders(), num_epochs=1, lr=0.1, device=CPU)
    assert seen[-1] and sum(seen) >= len(image_loaders()[0])  # every training step
    assert all(p.is_contiguous() for p in net.parameters())


def test_train_ch6_in_either_layout_learns_the_same(full_mode, monkeypatch):
    results = []
    for memory_format in (torch.channels_last, torch.contiguous_format):
        monkeypatch.setattr(train, "conv_memory_format",
                            lambda net, device, chosen=memory_format: chosen)
        torch.manual_seed(0)
        net = tiny_lenet()
        result = d2l.train_ch6(net, *image_loaders(), num_epochs=2, lr=0.1, device=CPU)
        results.append((result.train_loss, net[0].weight.detach().clone()))
    (loss_cl, w_cl), (loss_default, w_default) = results
    assert loss_cl == pytest.approx(loss_default, rel=1e-4)
    assert torch.allclose(w_cl, w_default, atol=1e-5)


def test_train_ch6_reads_the_metrics_back_only_to_plot(full_mode, monkeypatch):
    """The running sums stay tensors between plotted points: no host sync per batch."""
    reads = []
    float_ = float

    def counting_float(x):
        if isinstance(x, torch.Tensor):
            reads.append(x)
        return float_(x)

    monkeypatch.setattr(train, "float", counting_float, raising=False)
    train_iter, test_iter = image_loaders()  # 4 training batches of 16, 2 test batches
    d2l.train_ch6(tiny_lenet(), train_iter, test_iter, num_epochs=1, lr=0.1, device=CPU)
    # 4 plotted points (one per batch here: 4 // 5 rounds up to every batch) read loss and
    # accuracy; the evaluation reads once.
    assert len(reads) == 2 * 4 + 1


@pytest.mark.parametrize("num_epochs", [0, -1])
def test_train_ch6_rejects_fewer_than_one_epoch(full_mode, num_epochs):
    with pytest.raises(ValueError, match=f"num_epochs must be at least 1, got {num_epochs}"):
        d2l.train_ch6(tiny_lenet(), *image_loaders(), num_epochs=num_epochs, lr=0.1, device=CPU)


def test_predict_ch3_titles_show_true_and_predicted_labels():
    X, y = torch.rand(8, 1, 28, 28), torch.arange(8)
    test_iter = d2l.load_array((X, y), 8, is_train=False)

    def always_ankle_boot(X):
        return nn.functional.one_hot(torch.full((len(X),), 9), 10).float()

    axes = d2l.predict_ch3(always_ankle_boot, test_iter, n=4)
    assert len(axes) == 4
    assert [ax.get_title() for ax in axes] == [
        "t-shirt\nankle boot", "trouser\nankle boot", "pullover\nankle boot", "dress\nankle boot"]


# --- empty loaders: say so, rather than dividing 0 by 0 -----------------------------------------

def empty_loader():
    return d2l.load_array((torch.zeros(0, 2), torch.zeros(0, dtype=torch.long)), 4)


EMPTY = "yielded no batches: the loader is empty"


@pytest.mark.parametrize("loader", [empty_loader(), []], ids=["TensorLoader", "list"])
def test_evaluate_accuracy_on_an_empty_loader_says_it_is_empty(loader):
    with pytest.raises(ValueError, match=EMPTY):
        d2l.evaluate_accuracy(identity_net(), loader)


def test_evaluate_accuracy_gpu_on_an_empty_loader_says_it_is_empty():
    with pytest.raises(ValueError, match=EMPTY):
        d2l.evaluate_accuracy_gpu(identity_net(), empty_loader(), CPU)


def test_evaluate_loss_on_an_empty_loader_says_it_is_empty():
    with pytest.raises(ValueError, match=EMPTY):
        d2l.evaluate_loss(identity_net(), empty_loader(), nn.CrossEntropyLoss())


def test_train_epoch_ch3_on_an_empty_loader_says_it_is_empty():
    net = identity_net()
    with pytest.raises(ValueError, match=f"train_iter {EMPTY}"):
        d2l.train_epoch_ch3(net, empty_loader(), nn.CrossEntropyLoss(),
                            torch.optim.SGD(net.parameters(), lr=0.1))


@pytest.mark.parametrize("empty", ["train", "test"])
def test_train_ch3_on_an_empty_loader_says_it_is_empty(full_mode, empty):
    net = identity_net()
    train_iter, test_iter = scored_loader(), scored_loader()
    train_iter, test_iter = ((empty_loader(), test_iter) if empty == "train"
                             else (train_iter, empty_loader()))
    with pytest.raises(ValueError, match=EMPTY):
        d2l.train_ch3(net, train_iter, test_iter, nn.CrossEntropyLoss(), 1,
                      torch.optim.SGD(net.parameters(), lr=0.1))


@pytest.mark.parametrize("empty", ["train_iter", "test_iter"])
def test_train_ch6_on_an_empty_loader_says_which_is_empty_before_training(full_mode, empty):
    train_iter, test_iter = image_loaders()
    no_images = d2l.load_array((torch.zeros(0, 1, 28, 28), torch.zeros(0, dtype=torch.long)), 16)
    loaders = {"train_iter": train_iter, "test_iter": test_iter, empty: no_images}
    net = tiny_lenet()
    with pytest.raises(ValueError, match=f"{empty} is empty: it yields no batches"):
        d2l.train_ch6(net, loaders["train_iter"], loaders["test_iter"], 1, 0.1, device=CPU)
    assert isinstance(net[-1].weight, nn.parameter.UninitializedParameter)  # nothing ran
