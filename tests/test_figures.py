"""The diagrams: drawn from the code they illustrate, and loud on bad input."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import d2lutils as d2l
from d2lutils import figures
from d2lutils.figures import FigureError

X3 = torch.arange(9.0).reshape(3, 3)
K2 = torch.tensor([[0.0, 1.0], [2.0, 3.0]])


def lenet(c1=6, c2=16):
    return nn.Sequential(
        nn.Conv2d(1, c1, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
        nn.Conv2d(c1, c2, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
        nn.Flatten(), nn.Linear(c2 * 25, 120), nn.Sigmoid(), nn.Linear(120, 10))


def shown_numbers(fig):
    """Every number written in the grids of a figure, as floats."""
    numbers = []
    for t in fig.texts:
        try:
            numbers.append(float(t))
        except ValueError:
            pass
    return numbers


def test_a_diagram_is_shown_as_svg():
    fig = figures.draw_corr2d(X3, K2, d2l.corr2d(X3, K2))
    bundle = fig._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert "<svg" in bundle["image/svg+xml"]


def test_corr2d_figure_shows_the_numbers_of_corr2d():
    Y = d2l.corr2d(X3, K2)
    fig = figures.draw_corr2d(X3, K2, Y)
    assert torch.equal(fig.values["Y"], Y)
    numbers = shown_numbers(fig)
    for v in Y.flatten().tolist() + X3.flatten().tolist() + K2.flatten().tolist():
        assert v in numbers
    assert "0×0 + 1×1 + 3×2 + 4×3 = 19" in fig.texts


def test_padding_and_stride_figure_shows_the_numbers_of_conv2d():
    Y = F.conv2d(X3[None, None], K2[None, None], padding=1, stride=(3, 2))
    fig = figures.draw_corr2d(X3, K2, Y, padding=1, stride=(3, 2), highlight=[(0, 0), (1, 1)])
    assert torch.equal(fig.values["Y"], Y[0, 0])
    assert fig.values["X"].shape == (5, 5)  # padded
    assert set(Y.flatten().tolist()) <= set(shown_numbers(fig))


def test_corr2d_figure_rejects_an_output_that_is_not_the_cross_correlation():
    with pytest.raises(FigureError, match=r"draw_corr2d: output\[0, 0\] is 20"):
        figures.draw_corr2d(X3, K2, d2l.corr2d(X3, K2) + 1)


def test_corr2d_figure_rejects_an_output_of_the_wrong_shape():
    with pytest.raises(FigureError, match=r"draw_corr2d: the output has shape \(2, 2\).*\(4, 4\)"):
        figures.draw_corr2d(X3, K2, d2l.corr2d(X3, K2), padding=1)


def test_corr2d_figure_rejects_a_3d_input():
    with pytest.raises(FigureError, match="draw_corr2d: X must be 2-D"):
        figures.draw_corr2d(torch.zeros(2, 3, 3), K2, torch.zeros(2, 2))


def test_multi_input_figure_shows_the_channel_sum():
    X = torch.stack([X3, X3 + 1])
    K = torch.stack([K2, K2 + 1])
    Y = F.conv2d(X[None], K[None])[0, 0]
    fig = figures.draw_corr2d_multi_in(X, K, Y)
    assert set(Y.flatten().tolist()) <= set(shown_numbers(fig))
    with pytest.raises(FigureError, match="draw_corr2d_multi_in"):
        figures.draw_corr2d_multi_in(X, K, Y * 2)
    with pytest.raises(FigureError, match="same number of channels"):
        figures.draw_corr2d_multi_in(X, K[:1], Y)


def test_conv1x1_figure_checks_the_per_pixel_product():
    torch.manual_seed(0)
    X, K = torch.randn(3, 3, 3), torch.randn(2, 3, 1, 1)
    Y = F.conv2d(X[None], K)[0]
    fig = figures.draw_conv1x1(X, K, Y)
    assert torch.equal(fig.values["Y"], Y)
    shown = shown_numbers(fig)
    assert all(round(v, 1) in shown or round(v, 1) == 0 for v in Y.flatten().tolist())
    with pytest.raises(FigureError, match="draw_conv1x1: Y\\[0, 0, 0\\]"):
        figures.draw_conv1x1(X, K, -Y)
    with pytest.raises(FigureError, match="draw_conv1x1: expects"):
        figures.draw_conv1x1(X, K[:, :2], Y)


def test_pooling_figure_shows_the_numbers_of_max_and_avg_pooling():
    Y = F.max_pool2d(X3[None, None], 2, stride=1)
    assert set(Y.flatten().tolist()) <= set(shown_numbers(figures.draw_pool2d(X3, Y, 2)))
    A = F.avg_pool2d(X3[None, None], 2, stride=1)
    assert set(A.flatten().tolist()) <= set(shown_numbers(figures.draw_pool2d(X3, A, 2,
                                                                               mode="avg")))
    X = torch.arange(16.0).reshape(4, 4)
    P = nn.MaxPool2d(3, padding=1, stride=2)(X[None, None])
    fig = figures.draw_pool2d(X, P, 3, stride=2, padding=1, highlight=[(0, 0), (1, 1)])
    assert "max(0, 1, 4, 5) = 5" in fig.texts


def test_pooling_figure_rejects_a_wrong_output_or_mode():
    with pytest.raises(FigureError, match="draw_pool2d: output\\[0, 0\\] is 2"):
        figures.draw_pool2d(X3, F.avg_pool2d(X3[None, None], 2, stride=1), 2)
    with pytest.raises(FigureError, match="mode must be 'max' or 'avg'"):
        figures.draw_pool2d(X3, X3, 2, mode="min")


def test_changing_a_models_channels_changes_its_figure():
    X = torch.zeros(1, 1, 28, 28)
    a = figures.draw_net(lenet(), X)
    b = figures.draw_net(lenet(c2=8), X)
    assert "6→16, 5×5" in a.source and "(1, 16, 10, 10)" in a.source
    assert "6→8, 5×5" in b.source and "(1, 8, 10, 10)" in b.source
    assert a.svg != b.svg


def test_net_figure_draws_the_shortcut_of_a_residual_block():
    X = torch.zeros(1, 3, 6, 6)
    plain = figures.draw_net(d2l.Residual(3, 3), X)
    with_1x1 = figures.draw_net(d2l.Residual(3, 6, use_1x1conv=True, strides=2), X)
    assert "1×1" not in plain.source and "+" in plain.texts
    assert "3→6, 1×1, stride 2" in with_1x1.source and "(1, 6, 3, 3)" in with_1x1.source
    assert plain.source.count("->") == with_1x1.source.count("->") - 1  # the 1x1 conv's edge


def test_net_figure_keeps_blocks_whole_when_asked():
    net = nn.Sequential(d2l.Residual(3, 3), d2l.Residual(3, 8, use_1x1conv=True, strides=2))
    fig = figures.draw_net(net, torch.zeros(1, 3, 8, 8), blocks=d2l.Residual)
    assert fig.texts.count("Residual") == 2 and "BatchNorm2d" not in fig.texts
    assert "3→8 通道" in fig.source


def test_nets_side_by_side_have_one_frame_each():
    X = torch.zeros(1, 1, 28, 28)
    fig = figures.draw_nets({"A": (lenet(), X), "B": (lenet(c1=4), X)})
    assert fig.source.count("subgraph cluster_") == 2
    with pytest.raises(FigureError, match="draw_nets"):
        figures.draw_nets({"A": lenet()})


class ValueBranch(nn.Module):
    def forward(self, X):
        return X if X.sum() > 0 else -X


def test_net_figure_names_a_model_it_cannot_trace():
    with pytest.raises(FigureError, match="draw_net: cannot trace ValueBranch"):
        figures.draw_net(ValueBranch(), torch.ones(1, 3))


def test_net_figure_names_an_input_of_the_wrong_shape():
    with pytest.raises(FigureError, match=r"draw_net: the forward pass of Sequential on an "
                                          r"input of shape \(1, 3, 28, 28\) failed"):
        figures.draw_net(lenet(), torch.zeros(1, 3, 28, 28))


def test_net_figure_leaves_training_mode_as_it_was():
    net = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3), nn.Dropout(0.5))
    net.train()
    net[2].eval()
    figures.draw_net(net, torch.zeros(1, 3))  # batch of 1: works only in evaluation mode
    assert net.training and net[1].training and not net[2].training


def test_modules_figure_draws_nested_containers():
    net = nn.Sequential(nn.Sequential(nn.Linear(4, 8), nn.ReLU()), nn.Linear(8, 2))
    fig = figures.draw_modules(net)
    assert fig.source.count("subgraph cluster_") == 2
    assert fig.texts.count("Linear") == 2


def test_neurons_figure_reads_layer_sizes_from_the_module():
    net = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))
    fig = figures.draw_neurons(net)
    assert fig.values["sizes"] == [4, 5, 3]
    assert "$h_{5}$" in fig.texts and "$h_{6}$" not in fig.texts
    dropped = torch.tensor([False, True, False, True, False])
    assert figures.draw_neurons(net, dropped=dropped).svg != fig.svg
    with pytest.raises(FigureError, match="one entry per unit"):
        figures.draw_neurons(net, dropped=torch.zeros(4, dtype=torch.bool))
    with pytest.raises(FigureError, match="do not chain"):
        figures.draw_neurons(nn.Sequential(nn.Linear(4, 5), nn.Linear(6, 3)))


def test_autograd_figure_walks_the_recorded_graph():
    x = torch.arange(4.0, requires_grad=True)
    z = x * x
    y = 2 * z.sum()
    fig = figures.draw_autograd(y, {"x": x, "z": z, "y": y})
    assert {"x", "z", "y", "Mul", "Sum"} <= set(fig.texts)
    assert "rankdir=TB" in figures.draw_autograd(y, {"x": x}, rankdir="TB").source
    with pytest.raises(FigureError, match="draw_autograd: y must be a tensor computed"):
        figures.draw_autograd(torch.ones(2))


def test_bn_axes_figure_accepts_only_the_two_layouts():
    assert figures.draw_bn_axes((2, 3, 2, 2), (0, 2, 3)).values["dims"] == (0, 2, 3)
    assert figures.draw_bn_axes((4, 3), [0]).values["shape"] == (4, 3)
    with pytest.raises(FigureError, match="draw_bn_axes: expects"):
        figures.draw_bn_axes((4, 3), (1,))


def test_rnn_figures_read_sizes_from_the_module():
    rnn = nn.RNN(28, 64)
    cell = figures.draw_rnn_cell(rnn)
    assert cell.values == {"input_size": 28, "hidden_size": 64}
    assert ">RNN</FONT>(28, 64)" in cell.source
    unrolled = figures.draw_rnn_unrolled(rnn, 3)
    assert unrolled.source.count("<<I>X</I>") == 3
    with pytest.raises(FigureError, match="draw_rnn_cell: expects an nn.RNN"):
        figures.draw_rnn_cell(nn.Linear(2, 2))
    with pytest.raises(FigureError, match="num_steps must be an int"):
        figures.draw_rnn_unrolled(rnn, 0)


def test_flow_and_copy_figures_label_what_they_are_given():
    flow = figures.draw_flow(["数据", "模型", "损失"], cycle=True)
    assert flow.texts == ["数据", "模型", "损失"] and "重复" in flow.source
    with pytest.raises(FigureError, match="at least two steps"):
        figures.draw_flow(["数据"])
    side = figures.draw_flow(["数据", "模型", "预测"], inputs={1: "新样本"})
    assert "新样本" in side.texts and "in1 -> s1" in side.source
    with pytest.raises(FigureError, match="not the index of a step"):
        figures.draw_flow(["数据", "模型"], inputs={5: "新样本"})
    copy = figures.draw_copy_to_device(torch.ones(2, 3), torch.ones(2, 3), "cuda:0")
    assert "cuda:0" in copy.texts and "X.to('cuda:0')" in copy.source


def test_missing_font_is_named_with_the_package_that_installs_it(monkeypatch):
    monkeypatch.setattr(figures, "FONT", "No Such Font CJK")
    with pytest.raises(FigureError, match="apt-get install fonts-noto-cjk"):
        figures.draw_pool2d(X3, F.max_pool2d(X3[None, None], 2, stride=1), 2)


def test_missing_graphviz_is_named_with_the_package_that_installs_it(monkeypatch):
    monkeypatch.setattr(figures.shutil, "which", lambda name: None)
    with pytest.raises(FigureError, match="apt-get install graphviz"):
        figures.draw_flow(["a", "b"])


def test_fold_writes_activations_into_the_layer_before():
    fig = figures.draw_net(lenet(), torch.zeros(1, 1, 28, 28), fold=True)
    assert "Sigmoid" in fig.texts and fig.source.count("Sigmoid") == 3  # one per box
    assert fig.source.count("->") < figures.draw_net(lenet(), torch.zeros(1, 1, 28, 28)
                                                     ).source.count("->")


def test_block_name_labels_the_blocks():
    net = nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()), nn.Flatten())
    fig = figures.draw_net(net, torch.zeros(1, 1, 5, 5), blocks=nn.Sequential,
                           block_name="my_block")
    assert "my_block" in fig.texts and "1→2 通道" in fig.source


def test_drawing_leaves_lazy_layers_and_the_random_state_alone():
    net = nn.Sequential(nn.Flatten(), nn.LazyLinear(3))
    state = torch.random.get_rng_state()
    fig = figures.draw_net(net, torch.zeros(1, 2, 2))
    assert "4→3" in fig.source  # the copy was initialised to draw it
    assert isinstance(net[1], nn.LazyLinear) and net[1].in_features == 0
    assert torch.equal(torch.random.get_rng_state(), state)
