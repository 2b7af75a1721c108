"""Diagrams of the book, drawn from the code they illustrate.

Every diagram in the book comes from a function here, called in the section's own cell on the
section's own objects, so a figure cannot disagree with the code:

- operation figures take the numbers they show from the function the section teaches:
  ``draw_corr2d(X, K, corr2d(X, K))``; the figure recomputes the highlighted windows from ``X``
  and ``K`` and raises if the given output disagrees with them or has the wrong shape;
- architecture figures are traced from an ``nn.Module`` with ``torch.fx`` and one forward pass
  (layer kinds, channels, output shapes): ``draw_net(net, X)``; change the model, the figure
  changes; ``blocks=(Residual,)`` draws such sub-modules as one box each;
- neuron-level pictures read the layer sizes off a small module built in the cell
  (``draw_neurons(nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3)))``);
- the autograd graph is walked from a tensor's ``grad_fn`` (``draw_autograd(y, {'x': x})``).

Public API (all return a ``Diagram``; a notebook shows it as SVG, ``Diagram.svg`` is the text):

| function | draws |
|---|---|
| ``draw_corr2d(X, K, Y, padding, stride, highlight)`` | 2-D cross-correlation (padding, strides) |
| ``draw_corr2d_multi_in(X, K, Y)`` | several input channels summed into one output |
| ``draw_conv1x1(X, K, Y)`` | a 1x1 convolution as a per-pixel matrix product |
| ``draw_pool2d(X, Y, pool_size, stride, padding, mode)`` | max / average pooling |
| ``draw_net(net, X, blocks, shapes, rankdir, title, fold, block_name)`` | an architecture |
| ``draw_nets({title: (net, X)}, ...)`` | several architectures side by side |
| ``draw_modules(net)`` | how modules nest (layers in blocks in models) |
| ``draw_neurons(net, dropped)`` | units and connections of a small MLP (dropout: crossed units) |
| ``draw_autograd(y, names, rankdir)`` | the graph autograd recorded for ``y`` |
| ``draw_bn_axes(shape, dims)`` | which entries batch normalisation averages over |
| ``draw_rnn_cell(rnn)``, ``draw_rnn_unrolled(rnn, num_steps)`` | an ``nn.RNN``: a step, unrolled |
| ``draw_flow(steps, cycle, title, rankdir, inputs)`` | a small flow chart (Chinese labels) |
| ``draw_copy_to_device(X, Y, device)`` | copying a tensor to the device of another |

Style (one for the whole book): the palette ``PALETTE``, the font Noto Sans CJK SC (Debian
``fonts-noto-cjk``) for every label, Noto Sans Mono CJK SC for code names; white background, so a
figure reads the same on the dark theme's white card (``_static/custom.css``). Matplotlib
diagrams are drawn on a ``Figure`` without pyplot (nothing is shown twice, no global state); the
Graphviz ones are rendered by ``dot`` through cairo, which writes glyphs as outlines, so the SVG
looks the same without the font on the reader's machine. Bad input raises ``FigureError`` naming
the figure and what was wrong. Labels read as prose are Chinese (输入, 卷积核); code names (layer
classes, ``X.to('cuda:0')``) are set in the mono font; plots of data (``d2lutils.plot``) keep
English axis labels.

In a chapter, a figure is a code cell with ``mystnb: figure: {caption: <Chinese>, name:
fig-<slug>-<name>}`` metadata whose last line is the call, e.g. ``d2l.draw_net(net, X)``; show the
call (it tells the reader where the picture comes from), hide it (``remove-input``) only where it
teaches nothing; refer to the figure with ``{numref}`` and say in the text what to look at.
Example inputs are ``torch.zeros``: drawing never moves the random number generator.
"""

import copy
import io
import math
import operator
import shutil
from collections import Counter

import torch
from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle
from torch import fx, nn
from torch.fx.passes.shape_prop import ShapeProp
from torch.nn.modules.lazy import LazyModuleMixin

FONT = "Noto Sans CJK SC"
MONO = "Noto Sans Mono CJK SC"
PALETTE = {
    "cell": "#ffffff", "edge": "#4a4a4a", "pad": "#e6e6e6", "text": "#1a1a1a", "muted": "#8a8a8a",
    "hi": ["#7fb3e6", "#f4b26a", "#9bd18b", "#d9a1d9"],  # highlighted windows, in order
    "hi_text": ["#1f4e79", "#8a4b08", "#2d6a1f", "#6a2d6a"],  # their equations, darker
    "conv": "#cfe2f7", "pool": "#d8efd0", "linear": "#e6daf5", "norm": "#fbeec3",
    "act": "#f0f0f0", "merge": "#fbd5c9", "block": "#d7ecec", "io": "#ffffff",
}


class FigureError(ValueError):
    """A figure was asked to draw something it cannot (wrong shapes, untraceable model)."""


class Diagram:
    """An SVG drawing; shown as an image in notebooks and in the book.

    ``svg``: the SVG text; ``texts``: the labels drawn (for tests); ``source``: the DOT source
    of a Graphviz drawing (``None`` for matplotlib ones); ``values``: numbers the figure shows.
    """

    def __init__(self, name, svg, texts=(), source=None, values=None):
        self.name, self.svg, self.texts = name, svg, list(texts)
        self.source, self.values = source, values or {}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": self.svg, "text/plain": f"<Diagram {self.name}>"}

    def __repr__(self):
        return f"<Diagram {self.name}>"


# ---------------------------------------------------------------- style, fonts, rendering

def _check_font(figure):
    names = {f.name for f in font_manager.fontManager.ttflist}
    if FONT not in names:  # installed after matplotlib cached its font list
        for path in font_manager.findSystemFonts():
            if "NotoSansCJK" in path or "NotoSansMonoCJK" in path:
                font_manager.fontManager.addfont(path)
        names = {f.name for f in font_manager.fontManager.ttflist}
    if FONT not in names:
        raise FigureError(f"{figure}: the font '{FONT}' is not installed; install it with "
                          f"'sudo apt-get install fonts-noto-cjk' (or 'make setup')")


_RC = {"font.family": [FONT, "DejaVu Sans"], "font.size": 11, "svg.fonttype": "path",
       "text.color": PALETTE["text"], "axes.unicode_minus": False}


def _new_figure(name, figsize):
    _check_font(name)
    fig = Figure(figsize=figsize, facecolor="white")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_aspect("equal")
    return fig, ax


def _finish(name, fig, ax, values=None, margin=0.3):
    """Fit the axes to what was drawn and return the figure as a Diagram."""
    ax.autoscale_view()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    ax.set_xlim(x0 - margin, x1 + margin)
    ax.set_ylim(y0 - margin, y1 + margin)
    buf = io.StringIO()
    with rc_context(_RC):
        fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.05, facecolor="white")
    texts = [t.get_text() for t in ax.texts]
    return Diagram(name, buf.getvalue(), texts, values=values)


def _text(ax, x, y, s, **kw):
    kw.setdefault("ha", "center")
    kw.setdefault("va", "center")
    with rc_context(_RC):
        return ax.text(x, y, s, **kw)


def _digraph(name, rankdir="TB", **graph_attr):
    try:
        import graphviz
    except ImportError as e:  # pragma: no cover - the package is pinned in requirements.txt
        raise FigureError(f"{name}: the Python package graphviz is missing; "
                          f"run 'make setup'") from e
    g = graphviz.Digraph(name)
    attrs = dict(rankdir=rankdir, bgcolor="white", fontname=FONT, fontsize="12", nodesep="0.22",
                 ranksep="0.28", pad="0.08")
    g.attr(**{**attrs, **graph_attr})
    g.attr("node", shape="box", style="rounded,filled", fillcolor=PALETTE["cell"], fontname=FONT,
           fontsize="11", color=PALETTE["edge"], penwidth="0.9", margin="0.1,0.04", height="0.3")
    g.attr("edge", color=PALETTE["edge"], arrowsize="0.6", penwidth="0.9")
    return g


def _render(name, g, texts=(), values=None):
    if shutil.which("dot") is None:
        raise FigureError(f"{name}: Graphviz's 'dot' is not installed; install it with "
                          f"'sudo apt-get install graphviz' (or 'make setup')")
    svg = g.pipe(format="svg", renderer="cairo").decode()
    return Diagram(name, svg, texts, source=g.source, values=values)


def _code(s):
    """A code name in code font inside a Graphviz HTML-like label."""
    return f'<FONT FACE="{MONO}">{_esc(s)}</FONT>'


def _esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------- operations on grids

def _fmt(M):
    """Format function for the entries of M: integers plainly, other values with 1 decimal."""
    integral = bool(torch.all(M[torch.isfinite(M)] == M[torch.isfinite(M)].round()))
    digits = 0 if integral else 1
    return lambda v: f"{v:.{digits}f}".replace("-0.0", "0.0") if v != 0 else "0"


def _factor(s):
    """A factor in a written-out product: negative numbers in parentheses."""
    return f"({s})" if s.startswith("-") else s


def _grid(ax, M, x, y, title=None, fills=None, outlines=None, pad=(0, 0), fmt=None):
    """Draw a 2-D tensor as a grid of numbered unit cells, top-left corner at (x, y).

    ``fills``: {(i, j): colour}; ``outlines``: [(i0, j0, rows, cols, colour)] drawn thick;
    ``pad``: (rows, cols) of padding around the real entries, drawn grey.
    """
    M = M.detach().cpu().float()
    fmt = fmt or _fmt(M)
    rows, cols = M.shape
    for i in range(rows):
        for j in range(cols):
            padded = (i < pad[0] or i >= rows - pad[0] or j < pad[1] or j >= cols - pad[1])
            fc = (fills or {}).get((i, j), PALETTE["pad"] if padded else PALETTE["cell"])
            ax.add_patch(Rectangle((x + j, y - i - 1), 1, 1, fc=fc, ec=PALETTE["edge"], lw=0.8))
            _text(ax, x + j + 0.5, y - i - 0.5, fmt(M[i, j].item()), fontsize=11,
                  color=PALETTE["muted"] if padded else PALETTE["text"])
    for i0, j0, h, w, colour in outlines or []:
        ax.add_patch(Rectangle((x + j0, y - i0 - h), w, h, fill=False, ec=colour, lw=2.6))
    if title:
        _text(ax, x + cols / 2, y + 0.45, title, fontsize=11)
    return x + cols


def _pair(v, what, name):
    if isinstance(v, int):
        return (v, v)
    if isinstance(v, tuple) and len(v) == 2 and all(isinstance(a, int) for a in v):
        return v
    raise FigureError(f"{name}: {what} must be an int or a pair of ints, got {v!r}")


def _as_2d(T, what, name):
    if not isinstance(T, torch.Tensor):
        raise FigureError(f"{name}: {what} must be a tensor, got {type(T).__name__}")
    T = T.detach().cpu()
    while T.dim() > 2 and T.shape[0] == 1:  # (1, 1, h, w) as printed by nn layers
        T = T[0]
    if T.dim() != 2:
        raise FigureError(f"{name}: {what} must be 2-D (height, width), got shape "
                          f"{tuple(T.shape)}")
    return T.float()


def _windows(name, Xp, kh, kw, Y, stride, highlight, reduce, what):
    """Check Y's shape against the window count and each highlighted output against its window."""
    sh, sw = stride
    expect = ((Xp.shape[0] - kh) // sh + 1, (Xp.shape[1] - kw) // sw + 1)
    if Xp.shape[0] < kh or Xp.shape[1] < kw:
        raise FigureError(f"{name}: the {kh}x{kw} window does not fit the (padded) input of "
                          f"shape {tuple(Xp.shape)}")
    if tuple(Y.shape) != expect:
        raise FigureError(f"{name}: the output has shape {tuple(Y.shape)}, but a {kh}x{kw} "
                          f"window with stride {stride} on the (padded) input of shape "
                          f"{tuple(Xp.shape)} gives {expect}; pass the {what} of this input")
    for i, j in highlight:
        if not (0 <= i < expect[0] and 0 <= j < expect[1]):
            raise FigureError(f"{name}: highlight {(i, j)} is outside the output {expect}")
        window = Xp[i * sh:i * sh + kh, j * sw:j * sw + kw]
        value = reduce(window)
        if not math.isclose(value, Y[i, j].item(), rel_tol=1e-4, abs_tol=1e-4):
            raise FigureError(f"{name}: output[{i}, {j}] is {Y[i, j].item():g}, but its window "
                              f"gives {value:g}; the output is not the {what} of this input")


def draw_corr2d(X, K, Y, padding=0, stride=1, highlight=((0, 0),)):
    """Draw ``Y``, the cross-correlation of ``X`` (n_h, n_w) with ``K`` (k_h, k_w).

    ``Y`` is the section's result, e.g. ``corr2d(X, K)`` or ``F.conv2d(X, K, padding=1,
    stride=(3, 2))`` (leading dimensions of size 1 are dropped). ``padding`` and ``stride`` are
    ints or (height, width) pairs. The windows of the outputs in ``highlight`` are outlined in
    colour and their sums written out; an output that disagrees with them raises ``FigureError``.
    """
    name = "draw_corr2d"
    X, K, Y = _as_2d(X, "X", name), _as_2d(K, "K", name), _as_2d(Y, "Y", name)
    ph, pw = _pair(padding, "padding", name)
    stride = _pair(stride, "stride", name)
    Xp = torch.nn.functional.pad(X, (pw, pw, ph, ph))
    kh, kw = K.shape
    _windows(name, Xp, kh, kw, Y, stride, highlight,
             lambda w: float((w * K).sum()), "cross-correlation")
    fig, ax = _new_figure(name, (1, 1))
    colours = PALETTE["hi"]
    outlines = [(i * stride[0], j * stride[1], kh, kw, colours[n % 4])
                for n, (i, j) in enumerate(highlight)]
    fills = {(i, j): colours[n % 4] for n, (i, j) in enumerate(highlight)}
    top = 0
    x = _grid(ax, Xp, 0, top, "输入" if not (ph or pw) else "输入（填充后）",
              outlines=outlines, pad=(ph, pw))
    mid = top - Xp.shape[0] / 2
    _text(ax, x + 0.6, mid, "∗", fontsize=16)
    kx = x + 1.2
    x = _grid(ax, K, kx, mid + kh / 2, "卷积核",
              fills={(a, b): "#f2f2f2" for a in range(kh) for b in range(kw)})
    _text(ax, x + 0.6, mid, "=", fontsize=18)
    _grid(ax, Y, x + 1.2, mid + Y.shape[0] / 2, "输出", fills=fills)
    fk, fx_ = _fmt(K), _fmt(Xp)
    for n, (i, j) in enumerate(highlight):
        window = Xp[i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw]
        terms = " + ".join(f"{_factor(fx_(a.item()))}×{_factor(fk(b.item()))}"
                           for a, b in zip(window.flatten(), K.flatten()))
        _text(ax, 0, -Xp.shape[0] - 0.7 - 0.7 * n, f"{terms} = {_fmt(Y)(Y[i, j].item())}",
              ha="left", fontsize=11, color=PALETTE["hi_text"][n % 4])
    if stride != (1, 1):
        _text(ax, 0, -Xp.shape[0] - 0.7 - 0.7 * len(highlight),
              f"步幅：高 {stride[0]}，宽 {stride[1]}", ha="left", fontsize=11)
    fig.set_size_inches(*_inches(ax))
    return _finish(name, fig, ax, {"X": Xp, "K": K, "Y": Y})


def _inches(ax, unit=0.42):
    """Figure size that gives each grid cell about ``unit`` inches."""
    ax.autoscale_view()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    return max(1.0, (x1 - x0 + 0.6) * unit), max(1.0, (y1 - y0 + 0.6) * unit)


def draw_corr2d_multi_in(X, K, Y):
    """Draw a cross-correlation with several input channels: X (c_i, n_h, n_w), K (c_i, k_h, k_w).

    ``Y`` (n_h - k_h + 1, n_w - k_w + 1) is the section's result (e.g. ``corr2d_multi_in(X, K)``);
    the figure sums the channels' first windows and raises ``FigureError`` if ``Y`` disagrees.
    """
    name = "draw_corr2d_multi_in"
    if not isinstance(X, torch.Tensor) or X.dim() != 3 or not isinstance(K, torch.Tensor) \
            or K.dim() != 3 or X.shape[0] != K.shape[0]:
        raise FigureError(f"{name}: expects X (channels, h, w) and K (channels, k_h, k_w) with "
                          f"the same number of channels, got {_shape(X)} and {_shape(K)}")
    Y = _as_2d(Y, "Y", name)
    X, K = X.detach().cpu().float(), K.detach().cpu().float()
    c, kh, kw = K.shape
    _windows(name, X[0], kh, kw, Y, (1, 1), [(0, 0)],
             lambda w: float(sum((X[ch, :kh, :kw] * K[ch]).sum() for ch in range(c))),
             "sum over channels of the cross-correlations")
    fig, ax = _new_figure(name, (1, 1))
    hi = PALETTE["hi"][0]
    rows_h = X.shape[1] + 1.4
    partial = []
    for ch in range(c):
        top = -ch * rows_h
        mid = top - X.shape[1] / 2
        x = _grid(ax, X[ch], 0, top, f"输入通道 {ch}", outlines=[(0, 0, kh, kw, hi)])
        _text(ax, x + 0.6, mid, "∗", fontsize=16)
        x = _grid(ax, K[ch], x + 1.2, mid + kh / 2, f"核通道 {ch}")
        s = float((X[ch, :kh, :kw] * K[ch]).sum())
        partial.append(s)
    mid_all = -(c * rows_h - 1.4) / 2
    _text(ax, x + 0.7, mid_all, "求和\n=", fontsize=14)
    _grid(ax, Y, x + 1.6, mid_all + Y.shape[0] / 2, "输出", fills={(0, 0): hi})
    fmt = _fmt(Y)
    _text(ax, 0, -c * rows_h + 0.4,
          " + ".join(fmt(p) for p in partial) + f" = {fmt(Y[0, 0].item())}",
          ha="left", color=PALETTE["hi_text"][0])
    fig.set_size_inches(*_inches(ax))
    return _finish(name, fig, ax, {"X": X, "K": K, "Y": Y})


def _shape(T):
    return tuple(T.shape) if isinstance(T, torch.Tensor) else type(T).__name__


def draw_conv1x1(X, K, Y):
    """Draw a 1x1 convolution: X (c_i, h, w), K (c_o, c_i, 1, 1), Y (c_o, h, w).

    Every output pixel mixes the input channels at the same pixel with the weights K;
    the figure checks this at pixel (0, 0) for every output channel.
    """
    name = "draw_conv1x1"
    ok = (isinstance(X, torch.Tensor) and isinstance(K, torch.Tensor)
          and isinstance(Y, torch.Tensor) and X.dim() == 3 and K.dim() == 4
          and K.shape[1] == X.shape[0] and K.shape[2:] == (1, 1)
          and tuple(Y.shape) == (K.shape[0],) + tuple(X.shape[1:]))
    if not ok:
        raise FigureError(f"{name}: expects X (c_i, h, w), K (c_o, c_i, 1, 1) and Y (c_o, h, w), "
                          f"got {_shape(X)}, {_shape(K)}, {_shape(Y)}")
    X, K, Y = (T.detach().cpu().float() for T in (X, K, Y))
    W = K[:, :, 0, 0]
    for o in range(W.shape[0]):
        value = float(W[o] @ X[:, 0, 0])
        if not math.isclose(value, Y[o, 0, 0].item(), rel_tol=1e-4, abs_tol=1e-4):
            raise FigureError(f"{name}: Y[{o}, 0, 0] is {Y[o, 0, 0].item():g} but the 1x1 "
                              f"kernel gives {value:g}; Y is not the 1x1 convolution of X")
    fig, ax = _new_figure(name, (1, 1))
    hi = PALETTE["hi"][0]
    h = X.shape[1]
    gap = h + 1.2
    for ch in range(X.shape[0]):
        _grid(ax, X[ch], 0, -ch * gap, f"输入通道 {ch}", fills={(0, 0): hi})
    total = X.shape[0] * gap - 1.2
    x = X.shape[2] + 1.0
    _grid(ax, W, x, -total / 2 + W.shape[0] / 2, "权重（输出 × 输入）",
          fills={(o, i): "#f2f2f2" for o in range(W.shape[0]) for i in range(W.shape[1])})
    x += W.shape[1] + 1.0
    out_total = Y.shape[0] * gap - 1.2
    for o in range(Y.shape[0]):
        _grid(ax, Y[o], x, -total / 2 + out_total / 2 - o * gap, f"输出通道 {o}",
              fills={(0, 0): PALETTE["hi"][1]})
    fmt = _fmt(X)
    for o in range(W.shape[0]):
        terms = " + ".join(f"{_factor(fmt(w.item()))}×{_factor(fmt(v.item()))}"
                           for w, v in zip(W[o], X[:, 0, 0]))
        _text(ax, 0, -total - 0.8 - 0.7 * o, f"输出通道 {o}：{terms} ≈ {fmt(Y[o, 0, 0].item())}",
              ha="left", color=PALETTE["hi_text"][0])
    fig.set_size_inches(*_inches(ax, 0.4))
    return _finish(name, fig, ax, {"X": X, "K": K, "Y": Y})


def draw_pool2d(X, Y, pool_size, stride=None, padding=0, mode="max", highlight=((0, 0),)):
    """Draw pooling of ``X`` (n_h, n_w) into ``Y`` with a ``pool_size`` window.

    ``stride`` defaults to 1 (the section's ``pool2d``); pass ``stride=pool_size`` for
    ``nn.MaxPool2d``'s default. Padding is drawn as empty cells (they never win a maximum).
    """
    name = "draw_pool2d"
    if mode not in ("max", "avg"):
        raise FigureError(f"{name}: mode must be 'max' or 'avg', got {mode!r}")
    X, Y = _as_2d(X, "X", name), _as_2d(Y, "Y", name)
    kh, kw = _pair(pool_size, "pool_size", name)
    stride = _pair(1 if stride is None else stride, "stride", name)
    ph, pw = _pair(padding, "padding", name)
    if mode == "avg" and (ph or pw):
        raise FigureError(f"{name}: average pooling with padding is not drawn; use padding=0")
    Xp = torch.nn.functional.pad(X, (pw, pw, ph, ph), value=-math.inf)
    reduce = (lambda w: float(w.max())) if mode == "max" else (lambda w: float(w.mean()))
    _windows(name, Xp, kh, kw, Y, stride, highlight, reduce, f"{mode} pooling")
    fig, ax = _new_figure(name, (1, 1))
    colours = PALETTE["hi"]
    outlines = [(i * stride[0], j * stride[1], kh, kw, colours[n % 4])
                for n, (i, j) in enumerate(highlight)]
    fmt = _fmt(X)
    x = _grid(ax, Xp, 0, 0, "输入", outlines=outlines, pad=(ph, pw),
              fmt=lambda v: "" if v == -math.inf else fmt(v))
    mid = -Xp.shape[0] / 2
    label = f"{kh}×{kw} {'最大' if mode == 'max' else '平均'}汇聚"
    _text(ax, x + 1.4, mid + 0.35, label, fontsize=10)
    ax.add_patch(FancyArrowPatch((x + 0.3, mid - 0.1), (x + 2.5, mid - 0.1), arrowstyle="-|>",
                                 mutation_scale=14, color=PALETTE["edge"]))
    _grid(ax, Y, x + 2.8, mid + Y.shape[0] / 2, "输出",
          fills={(i, j): colours[n % 4] for n, (i, j) in enumerate(highlight)})
    fy = _fmt(Y)
    for n, (i, j) in enumerate(highlight):
        window = Xp[i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw]
        vals = ", ".join(fmt(v.item()) for v in window.flatten() if v != -math.inf)
        fn = "max" if mode == "max" else "mean"
        _text(ax, 0, -Xp.shape[0] - 0.7 - 0.7 * n, f"{fn}({vals}) = {fy(Y[i, j].item())}",
              ha="left", color=PALETTE["hi_text"][n % 4])
    fig.set_size_inches(*_inches(ax))
    return _finish(name, fig, ax, {"X": X, "Y": Y})


# ---------------------------------------------------------------- architectures (torch.fx)

_KIND_COLOUR = [
    ((nn.Conv1d, nn.Conv2d, nn.LazyConv2d), "conv"),
    ((nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d), "pool"),
    ((nn.Linear, nn.LazyLinear), "linear"),
    ((nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm), "norm"),
    ((nn.ReLU, nn.Sigmoid, nn.Tanh, nn.Dropout, nn.Flatten, nn.Softmax), "act"),
]


def _colour(module):
    for kinds, key in _KIND_COLOUR:
        if isinstance(module, kinds):
            return PALETTE[key]
    return PALETTE["block"]


def _hw(v):
    v = v if isinstance(v, tuple) else (v, v)
    return f"{v[0]}×{v[1]}"


def _layer_detail(m):
    """One short line of a layer's settings, e.g. '1→6, 5×5, pad 2'."""
    if isinstance(m, nn.Conv2d):
        s = f"{m.in_channels}→{m.out_channels}, {_hw(m.kernel_size)}"
        if m.padding not in (0, (0, 0)):
            s += f", pad {_hw(m.padding) if m.padding[0] != m.padding[1] else m.padding[0]}"
        if m.stride not in (1, (1, 1)):
            s += f", stride {m.stride[0] if m.stride[0] == m.stride[1] else _hw(m.stride)}"
        return s
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        s = _hw(m.kernel_size)
        if m.stride not in (m.kernel_size, (m.kernel_size,) * 2):
            s += f", stride {m.stride}"
        if m.padding not in (0, (0, 0)):
            s += f", pad {m.padding}"
        return s
    if isinstance(m, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return f"→ {_hw(m.output_size)}"
    if isinstance(m, nn.Linear):
        return f"{m.in_features}→{m.out_features}"
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        return f"{m.num_features}"
    if isinstance(m, nn.Dropout):
        return f"p={m.p}"
    return ""


def _summary(m):
    """Short content of a block drawn as one box, e.g. '2 × Conv2d 3×3, MaxPool2d'."""
    leaves = [c for c in m.modules() if not list(c.children())
              and not isinstance(c, (nn.ReLU, nn.Sigmoid, nn.Identity, nn.Flatten))]
    counts = Counter(type(c).__name__ + (f" {_hw(c.kernel_size)}" if isinstance(c, nn.Conv2d)
                                         else "") for c in leaves)
    return ", ".join(f"{n} × {k}" if n > 1 else k for k, n in counts.items())


class _Tracer(fx.Tracer):
    def __init__(self, is_block):
        super().__init__()
        self.is_block = is_block

    def is_leaf_module(self, m, qualname):
        return self.is_block(m) or super().is_leaf_module(m, qualname)


def _block_test(blocks):
    if callable(blocks) and not isinstance(blocks, (tuple, list, type)):
        return blocks
    classes = tuple(blocks) if isinstance(blocks, (tuple, list)) else (blocks,)
    return lambda m: bool(classes) and isinstance(m, classes)


def trace(net, X, blocks=(), name="draw_net"):
    """Trace ``net`` on the example input ``X`` with torch.fx; return (graph module, graph).

    Sub-modules matching ``blocks`` (classes, or a predicate on modules) stay whole. Each node
    gets ``meta['tensor_meta']`` (output shape) from one forward pass in evaluation mode, with
    the random number generator's state restored afterwards; a net with lazy layers is copied
    first, so drawing it does not initialise it.
    """
    if not isinstance(net, nn.Module):
        raise FigureError(f"{name}: expects an nn.Module, got {type(net).__name__}")
    if not isinstance(X, torch.Tensor):
        raise FigureError(f"{name}: the example input must be a tensor, got {type(X).__name__}")
    if any(isinstance(m, LazyModuleMixin) for m in net.modules()):
        net = copy.deepcopy(net)  # the forward pass below must not initialise the reader's net
    X = X.to(next(net.parameters(), X).device)
    tracer = _Tracer(_block_test(blocks))
    try:
        graph = tracer.trace(net)
    except Exception as e:
        raise FigureError(f"{name}: cannot trace {type(net).__name__} with torch.fx ({e}); the "
                          f"forward method must not branch on tensor values") from e
    gm = fx.GraphModule(tracer.root, graph)
    modes = {m: m.training for m in net.modules()}
    net.eval()
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=[]):  # leave the RNG as it was
            ShapeProp(gm).propagate(X)
    except Exception as e:
        raise FigureError(f"{name}: the forward pass of {type(net).__name__} on an input of "
                          f"shape {tuple(X.shape)} failed: {e}") from e
    finally:
        for m, mode in modes.items():
            m.train(mode)
    return gm, graph


_MERGES = {operator.add: "+", torch.add: "+", torch.cat: "连结", torch.concat: "连结",
           operator.mul: "×", torch.mul: "×"}
_ACTS = (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.Flatten)
_FUNCS = {torch.relu: "ReLU", torch.nn.functional.relu: "ReLU", torch.sigmoid: "Sigmoid",
          torch.tanh: "Tanh", torch.flatten: "Flatten"}


def _shape_of(node):
    meta = node.meta.get("tensor_meta")
    return tuple(meta.shape) if hasattr(meta, "shape") else None


def _add_net(g, net, X, blocks, shapes, prefix, name, fold=False, block_name=None):
    """Add the traced nodes of ``net`` to ``g``; return the labels drawn.

    ``fold``: draw an activation function inside the box of the layer before it;
    ``block_name``: the name written in the boxes of blocks (default: their class name).
    """
    gm, graph = trace(net, X, blocks, name)
    is_block = _block_test(blocks)
    ids, texts, boxes, edges = {}, [], {}, []  # boxes: nid -> [lines, shape line, attrs]
    consumers = Counter(n for node in graph.nodes for n in node.all_input_nodes)
    for node in graph.nodes:
        inputs = [ids[n] for n in node.all_input_nodes if n in ids]
        shape = _shape_of(node)
        shape_line = f'<FONT POINT-SIZE="9">{shape}</FONT>' if shapes and shape else ""
        nid = f"{prefix}{len(ids)}"
        act = None
        if node.op == "call_module" and isinstance(gm.get_submodule(node.target), _ACTS):
            act = type(gm.get_submodule(node.target)).__name__
        elif node.op in ("call_function", "call_method") and (
                node.target in _FUNCS or node.target in ("relu", "flatten")):
            act = _FUNCS.get(node.target, str(node.target).capitalize())
        src = node.all_input_nodes[0] if len(node.all_input_nodes) == 1 else None
        if (fold and act and act != "Flatten" and src is not None and consumers[src] == 1
                and src in ids and ids[src] in boxes and boxes[ids[src]][2].get("kind")):
            box = boxes[ids[src]]
            box[0][0] += " + " + _code(act)
            box[1] = shape_line
            texts.append(act)
            ids[node] = ids[src]
            continue
        if node.op == "placeholder":
            boxes[nid] = [["输入"], shape_line, dict(fillcolor=PALETTE["io"], style="rounded")]
            texts.append("输入")
        elif node.op == "call_module":
            m = gm.get_submodule(node.target)
            if isinstance(m, nn.Identity):  # an identity shortcut is just an edge
                ids[node] = inputs[0]
                continue
            kind = type(m).__name__
            if is_block(m):
                kind = block_name or kind
                in_shape = _shape_of(node.all_input_nodes[0])
                lines = [_code(kind)]
                if in_shape and shape and len(shape) > 1:
                    lines.append(f"{in_shape[1]}→{shape[1]} 通道")
                if _summary(m):
                    lines.append(_esc(_summary(m)))
            else:
                lines = [_code(kind)] + ([_esc(_layer_detail(m))] if _layer_detail(m) else [])
            boxes[nid] = [lines, shape_line, dict(fillcolor=_colour(m), kind=kind)]
            texts += [kind] + [_layer_detail(m)] if not is_block(m) else [kind] + lines[1:]
        elif node.op in ("call_function", "call_method") and (
                node.target in _MERGES or node.target in ("add", "cat")):
            sym = _MERGES.get(node.target, "+" if node.target == "add" else "连结")
            boxes[nid] = [[sym], shape_line, dict(shape="ellipse", style="filled",
                                                  fillcolor=PALETTE["merge"])]
            texts.append(sym)
        elif act:
            boxes[nid] = [[_code(act)], shape_line, dict(fillcolor=PALETTE["act"], kind=act)]
            texts.append(act)
        elif node.op == "output":
            boxes[nid] = [["输出"], "", dict(fillcolor=PALETTE["io"], style="rounded")]
            texts.append("输出")
        else:  # getitem, getattr, view ...: pass the data through
            if inputs:
                ids[node] = inputs[0]
            continue
        ids[node] = nid
        edges += [(s, nid) for s in dict.fromkeys(inputs)]
    for nid, (lines, shape_line, attrs) in boxes.items():
        attrs = {k: v for k, v in attrs.items() if k != "kind"}
        g.node(nid, "<" + "<BR/>".join(lines + ([shape_line] if shape_line else [])) + ">",
               **attrs)
    for s, d in edges:
        g.edge(s, d)
    return [t for t in texts if t]


def draw_net(net, X, blocks=(), shapes=True, rankdir="TB", title=None, fold=False,
             block_name=None):
    """Draw the architecture of ``net`` as traced on the example input ``X`` (with a batch dim).

    One box per layer (kind, settings, output shape when ``shapes``), ellipses for ``+`` and
    concatenation; sub-modules matching ``blocks`` (classes or a predicate) become one box each;
    ``fold=True`` writes each activation function into the box of the layer before it;
    ``block_name`` names those blocks (e.g. ``'vgg_block'``; default: their class name).
    """
    g = _digraph("draw_net", rankdir)
    if title:
        g.attr(label=title, labelloc="t")
    texts = _add_net(g, net, X, blocks, shapes, "n", "draw_net", fold, block_name)
    return _render("draw_net", g, texts)


def draw_nets(nets, blocks=(), shapes=True, rankdir="TB", fold=False, block_name=None):
    """Draw several architectures side by side: ``nets`` maps a title to (module, example input).

    ``blocks``, ``fold`` and ``block_name`` as in ``draw_net``.
    """
    name = "draw_nets"
    if not isinstance(nets, dict) or not nets:
        raise FigureError(f"{name}: expects a dict {{title: (module, example input)}}")
    g = _digraph(name, rankdir)
    texts = []
    for k, (title, pair) in enumerate(nets.items()):
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise FigureError(f"{name}: the value for {title!r} must be (module, example input)")
        with g.subgraph(name=f"cluster_{k}") as sub:
            sub.attr(label=title, color="#bbbbbb", style="rounded", fontsize="13")
            texts += [title] + _add_net(sub, pair[0], pair[1], blocks, shapes, f"c{k}_", name,
                                        fold, block_name)
    return _render(name, g, texts)


def draw_modules(net, max_depth=3):
    """Draw how the modules of ``net`` nest: containers as frames, layers as boxes, in order."""
    name = "draw_modules"
    if not isinstance(net, nn.Module):
        raise FigureError(f"{name}: expects an nn.Module, got {type(net).__name__}")
    g = _digraph(name, "LR", compound="true")
    texts, last = [], [None]

    def visit(graph, module, path, depth):
        children = list(module.named_children())
        if not children or depth >= max_depth:
            nid = f"m{len(texts)}"
            detail = _esc(_layer_detail(module) or _summary(module) if children else
                          _layer_detail(module))
            graph.node(nid, f"<{_code(type(module).__name__)}"
                            f"{'<BR/>' + detail if detail else ''}>", fillcolor=_colour(module))
            texts.append(type(module).__name__)
            if last[0]:
                g.edge(last[0], nid)
            last[0] = nid
            return
        with graph.subgraph(name=f"cluster_{path or 'root'}_{len(texts)}") as sub:
            sub.attr(label=f"<{_code(type(module).__name__)}>", style="rounded,filled",
                     fillcolor="#f7f7f7" if depth % 2 else "#eef4fa", color="#9a9a9a")
            texts.append(type(module).__name__)
            for child_name, child in children:
                visit(sub, child, f"{path}_{child_name}", depth + 1)

    visit(g, net, "", 0)
    return _render(name, g, texts)


# ---------------------------------------------------------------- neurons, graphs, schemes

def draw_neurons(net, dropped=None, names="xho"):
    """Draw the units of an MLP made of ``nn.Linear`` layers (activations may sit between them).

    ``dropped``: a bool tensor over the first hidden layer's units, e.g. the zeros of
    ``nn.Dropout(p)(torch.ones(h))``; dropped units are drawn crossed out with their edges removed.
    """
    name = "draw_neurons"
    linears = [m for m in (net.modules() if isinstance(net, nn.Module) else [])
               if isinstance(m, nn.Linear)]
    if not linears:
        raise FigureError(f"{name}: expects a module with nn.Linear layers, got "
                          f"{type(net).__name__}")
    for a, b in zip(linears, linears[1:]):
        if a.out_features != b.in_features:
            raise FigureError(f"{name}: the layers do not chain: {a.out_features} outputs feed "
                              f"{b.in_features} inputs")
    sizes = [linears[0].in_features] + [m.out_features for m in linears]
    if max(sizes) > 12:
        raise FigureError(f"{name}: at most 12 units per layer can be drawn, got {sizes}")
    if dropped is not None:
        dropped = torch.as_tensor(dropped, dtype=torch.bool).flatten()
        if len(sizes) < 3 or dropped.numel() != sizes[1]:
            raise FigureError(f"{name}: dropped must have one entry per unit of the first "
                              f"hidden layer ({sizes[1:2]}), got {dropped.numel()}")
    letters = [names[0]] + [names[1]] * (len(sizes) - 2) + [names[2]]
    layer_names = ["输入层"] + ["隐藏层"] * (len(sizes) - 2) + ["输出层"]
    fig, ax = _new_figure(name, (1, 1))
    pos = []
    for k, n in enumerate(sizes):
        y = 1.6 * k
        pos.append([(i - (n - 1) / 2, y) for i in range(n)])
    gone = set()
    if dropped is not None:
        gone = {(1, i) for i in range(sizes[1]) if dropped[i]}
    for k in range(len(sizes) - 1):
        for i, a in enumerate(pos[k]):
            for j, b in enumerate(pos[k + 1]):
                if (k, i) in gone or (k + 1, j) in gone:
                    continue
                ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=8,
                                             shrinkA=11, shrinkB=11, lw=0.6,
                                             color=PALETTE["muted"]))
    width = max(sizes)
    for k, layer in enumerate(pos):
        for i, (x, y) in enumerate(layer):
            off = (k, i) in gone
            ax.add_patch(plt_circle((x, y), 0.28, "#f2f2f2" if off else _unit_colour(k, sizes),
                                    "#b0b0b0" if off else PALETTE["edge"]))
            _text(ax, x, y, f"${letters[k]}_{{{i + 1}}}$", fontsize=11,
                  color=PALETTE["muted"] if off else PALETTE["text"])
            if off:
                ax.plot([x - 0.3, x + 0.3], [y - 0.3, y + 0.3], color="#c0392b", lw=1.2)
                ax.plot([x - 0.3, x + 0.3], [y + 0.3, y - 0.3], color="#c0392b", lw=1.2)
        _text(ax, (width - 1) / 2 + 0.8, layer[0][1], layer_names[k], ha="left", fontsize=10)
    fig.set_size_inches(*_inches(ax, 0.55))
    return _finish(name, fig, ax, {"sizes": sizes})


def plt_circle(xy, r, fc, ec):
    from matplotlib.patches import Circle
    return Circle(xy, r, fc=fc, ec=ec, lw=0.9)


def _unit_colour(k, sizes):
    return PALETTE["io"] if k == 0 else (PALETTE["linear"] if k == len(sizes) - 1
                                         else PALETTE["conv"])


def draw_autograd(y, names=None, rankdir="LR"):
    """Draw the graph autograd recorded for ``y``, from inputs to ``y``.

    ``names`` maps names to tensors: a leaf named there is a box with its name; a tensor computed
    by an operation and named there is a box after that operation. Operations are ellipses named
    after their ``grad_fn`` (``MulBackward0`` is drawn as ``Mul``). ``rankdir``: ``"LR"`` (left to
    right) or ``"TB"`` (top to bottom, for long graphs).
    """
    name = "draw_autograd"
    if not isinstance(y, torch.Tensor) or y.grad_fn is None:
        raise FigureError(f"{name}: y must be a tensor computed from tensors with "
                          f"requires_grad=True (it has no grad_fn)")
    names = names or {}
    by_fn = {t.grad_fn: k for k, t in names.items() if isinstance(t, torch.Tensor)
             and t.grad_fn is not None}
    by_leaf = {id(t): k for k, t in names.items() if isinstance(t, torch.Tensor)}
    g = _digraph(name, rankdir)
    texts, seen = [], {}

    def var(label, fill):
        nid = f"v{len(seen)}_{len(texts)}"
        g.node(nid, f"<<I>{_esc(label)}</I>>", fillcolor=fill, shape="box", style="filled")
        texts.append(label)
        return nid

    def visit(fn):
        if fn in seen:
            return seen[fn]
        if type(fn).__name__ == "AccumulateGrad":
            leaf = fn.variable
            label = by_leaf.get(id(leaf), f"leaf {tuple(leaf.shape)}")
            seen[fn] = var(label, PALETTE["conv"])
            return seen[fn]
        op = type(fn).__name__.replace("Backward0", "").replace("Backward1", "")
        nid = f"f{len(seen)}"
        g.node(nid, f"<{_code(op)}>", shape="ellipse", style="filled", fillcolor=PALETTE["merge"])
        texts.append(op)
        out = nid
        if fn in by_fn:  # a named intermediate result
            out = var(by_fn[fn], PALETTE["norm"])
            g.edge(nid, out)
        seen[fn] = out
        for parent, _ in fn.next_functions:
            if parent is not None:
                g.edge(visit(parent), nid)
        return out

    end = visit(y.grad_fn)
    if y.grad_fn not in by_fn:
        g.edge(end, var("y" if "y" not in names else "y", PALETTE["norm"]))
    return _render(name, g, texts)


def draw_bn_axes(shape, dims):
    """Draw which entries batch normalisation averages over, for one channel (or feature).

    ``shape``: the input's shape, (n, c) or (n, c, h, w); ``dims``: the dimensions the section's
    mean reduces over, e.g. ``(0,)`` or ``(0, 2, 3)``. Cells of channel 0 that enter one mean
    are coloured; the other channels' cells are left white.
    """
    name = "draw_bn_axes"
    shape, dims = tuple(shape), tuple(sorted(dims))
    if len(shape) not in (2, 4) or dims not in ((0,), (0, 2, 3)) or (
            len(shape) == 2 and dims != (0,)) or (len(shape) == 4 and dims != (0, 2, 3)):
        raise FigureError(f"{name}: expects shape (n, c) with dims (0,) or (n, c, h, w) with "
                          f"dims (0, 2, 3), got shape {shape} and dims {dims}")
    fig, ax = _new_figure(name, (1, 1))
    hi, other = PALETTE["hi"][0], PALETTE["cell"]
    if len(shape) == 2:
        n, c = shape
        for i in range(n):
            for j in range(c):
                ax.add_patch(Rectangle((j, -i - 1), 1, 1, fc=hi if j == 0 else other,
                                       ec=PALETTE["edge"], lw=0.8))
        _text(ax, c / 2, 0.5, f"特征（{c} 个）", fontsize=10)
        _text(ax, -0.5, -n / 2, f"样本（{n} 个）", rotation=90, fontsize=10)
        _text(ax, c + 0.4, -n / 2, "一个特征：对批量\n中的全部样本求均值", ha="left",
              fontsize=10)
    else:
        n, c, h, w = shape
        for s in range(n):  # one panel per example: channels side by side, h x w each
            for ch in range(c):
                x0 = ch * (w + 0.6)
                y0 = -s * (h + 0.8)
                for i in range(h):
                    for j in range(w):
                        ax.add_patch(Rectangle((x0 + j * 1, y0 - i - 1), 1, 1,
                                               fc=hi if ch == 0 else other,
                                               ec=PALETTE["edge"], lw=0.6))
                if s == 0:
                    _text(ax, x0 + w / 2, 0.5, f"通道 {ch}", fontsize=10)
            _text(ax, -0.5, -s * (h + 0.8) - h / 2, f"样本 {s}", rotation=90, fontsize=10)
        _text(ax, c * (w + 0.6) + 0.2, -(n * (h + 0.8)) / 2,
              "一个通道：对批量中全部样本\n的全部位置（高 × 宽）求均值", ha="left", fontsize=10)
    fig.set_size_inches(*_inches(ax, 0.3 if len(shape) == 4 else 0.42))
    return _finish(name, fig, ax, {"shape": shape, "dims": dims})


def draw_flow(steps, cycle=False, title=None, rankdir="LR", inputs=None):
    """A small flow chart: ``steps`` is a list of labels (or (label, note) pairs) joined by
    arrows; ``cycle=True`` adds an arrow from the last step back to the second; ``inputs``
    maps a step's index to the label of an extra input drawn beside it, e.g. ``{2: '新样本'}``."""
    name = "draw_flow"
    if not steps or len(steps) < 2:
        raise FigureError(f"{name}: needs at least two steps, got {steps!r}")
    g = _digraph(name, rankdir)
    if title:
        g.attr(label=title, labelloc="t")
    texts = []
    for k, step in enumerate(steps):
        label, note = step if isinstance(step, tuple) else (step, None)
        html = _esc(label) + (f'<BR/><FONT POINT-SIZE="9">{_esc(note)}</FONT>' if note else "")
        g.node(f"s{k}", f"<{html}>", fillcolor=PALETTE["hi"][k % 4] if k else PALETTE["io"])
        texts.append(label)
        if k:
            g.edge(f"s{k - 1}", f"s{k}")
    for k, label in (inputs or {}).items():
        if not (isinstance(k, int) and 0 <= k < len(steps)):
            raise FigureError(f"{name}: inputs has key {k!r}, not the index of a step")
        g.node(f"in{k}", _esc(label), fillcolor=PALETTE["io"], style="rounded,dashed")
        g.edge(f"in{k}", f"s{k}", style="dashed")
        texts.append(label)
    if cycle:
        g.edge(f"s{len(steps) - 1}", "s1", style="dashed", constraint="false", label=" 重复")
    return _render(name, g, texts)


def draw_copy_to_device(X, Y, device):
    """Draw ``Z = X.to(device)`` followed by ``Y + Z``: the copy each operation needs.

    ``X``, ``Y``: the section's tensors; ``device``: where ``Y`` lives (e.g. ``d2l.try_gpu()``).
    """
    name = "draw_copy_to_device"
    if not isinstance(X, torch.Tensor) or not isinstance(Y, torch.Tensor):
        raise FigureError(f"{name}: X and Y must be tensors")
    dst = torch.device(device)
    g = _digraph(name, "LR", compound="true")
    src_dev, dst_dev = str(X.device), str(dst)
    with g.subgraph(name="cluster_src") as s:
        s.attr(label=f"<{_code(src_dev)}>", style="rounded", color="#9a9a9a")
        s.node("X", f"<{_code('X')}<BR/>{tuple(X.shape)}>", fillcolor=PALETTE["conv"])
    with g.subgraph(name="cluster_dst") as s:
        s.attr(label=f"<{_code(dst_dev)}>", style="rounded", color="#9a9a9a")
        s.node("Z", f"<{_code('Z')}<BR/>{tuple(X.shape)}>", fillcolor=PALETTE["conv"])
        s.node("Y", f"<{_code('Y')}<BR/>{tuple(Y.shape)}>", fillcolor=PALETTE["pool"])
        s.node("add", "+", shape="ellipse", fillcolor=PALETTE["merge"], style="filled")
        s.node("out", f"<{_code('Y + Z')}>", fillcolor=PALETTE["norm"])
    g.edge("X", "Z", label=f"<{_code(f'X.to({dst_dev!r})')}>", style="bold")
    g.edge("Z", "add")
    g.edge("Y", "add")
    g.edge("add", "out")
    return _render(name, g, [src_dev, dst_dev, "X", "Y", "Z"])


def _rnn_sizes(rnn, name):
    if not isinstance(rnn, nn.RNNBase):
        raise FigureError(f"{name}: expects an nn.RNN (or nn.GRU / nn.LSTM), got "
                          f"{type(rnn).__name__}")
    return rnn.input_size, rnn.hidden_size, type(rnn).__name__


def draw_rnn_cell(rnn):
    """Draw one time step of ``rnn``: H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h).

    The sizes (input, hidden) are read from the module; the activation from ``rnn.nonlinearity``.
    """
    name = "draw_rnn_cell"
    d, h, kind = _rnn_sizes(rnn, name)
    act = getattr(rnn, "nonlinearity", "tanh")
    g = _digraph(name, "BT")
    g.node("x", f"<<I>X</I><SUB>t</SUB> " f'<FONT POINT-SIZE="9">（{d} 维）</FONT>>',
           fillcolor=PALETTE["io"])
    g.node("hp", f"<<I>H</I><SUB>t−1</SUB> " f'<FONT POINT-SIZE="9">（{h} 维）</FONT>>',
           fillcolor=PALETTE["norm"])
    g.node("cell", f"<全连接层 + {_code(act)}<BR/>"
                   f'<FONT POINT-SIZE="9">{_code(kind)}({d}, {h})</FONT>>',
           fillcolor=PALETTE["conv"])
    g.node("h", f"<<I>H</I><SUB>t</SUB> " f'<FONT POINT-SIZE="9">（{h} 维）</FONT>>',
           fillcolor=PALETTE["norm"])
    g.node("o", "<输出层<BR/>(例如 <I>O</I><SUB>t</SUB>)>", fillcolor=PALETTE["linear"])
    g.edge("x", "cell")
    g.edge("hp", "cell")
    g.edge("cell", "h")
    g.edge("h", "o")
    with g.subgraph() as s:
        s.attr(rank="same")
        s.node("x")
        s.node("hp")
    return _render(name, g, ["X_t", "H_{t-1}", act, kind, f"{d}", f"{h}"],
                   values={"input_size": d, "hidden_size": h})


def draw_rnn_unrolled(rnn, num_steps):
    """Draw ``rnn`` unrolled over ``num_steps`` time steps: the same cell (same parameters) at
    every step, the hidden state passed from each step to the next."""
    name = "draw_rnn_unrolled"
    d, h, kind = _rnn_sizes(rnn, name)
    if not isinstance(num_steps, int) or not 1 <= num_steps <= 8:
        raise FigureError(f"{name}: num_steps must be an int from 1 to 8, got {num_steps!r}")
    act = getattr(rnn, "nonlinearity", "tanh")
    g = _digraph(name, "BT", nodesep="0.35")
    g.node("h0", "<<I>H</I><SUB>0</SUB>>", fillcolor=PALETTE["norm"])
    for t in range(1, num_steps + 1):
        g.node(f"x{t}", f"<<I>X</I><SUB>{t}</SUB>>", fillcolor=PALETTE["io"])
        g.node(f"c{t}", f"<{_code(act)}>", fillcolor=PALETTE["conv"])
        g.node(f"h{t}", f"<<I>H</I><SUB>{t}</SUB>>", fillcolor=PALETTE["norm"])
        g.edge(f"x{t}", f"c{t}")
        g.edge(f"h{t - 1}", f"c{t}")
        g.edge(f"c{t}", f"h{t}")
    with g.subgraph() as s:
        s.attr(rank="same")
        s.node("h0")
        for t in range(1, num_steps + 1):
            s.node(f"c{t}")
            s.edge("h0" if t == 1 else f"c{t - 1}", f"c{t}", style="invis")  # keep time order
    g.attr(label=f"<同一个 {_code(kind)}({d}, {h})：每个时间步共享参数>", labelloc="b")
    return _render(name, g, [f"X_{t}" for t in range(1, num_steps + 1)],
                   values={"input_size": d, "hidden_size": h, "num_steps": num_steps})
