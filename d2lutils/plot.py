"""Plotting: SVG figures in notebooks, line plots, image grids, and a live Animator."""

from itertools import cycle

import torch
from matplotlib import pyplot as plt
from matplotlib_inline import backend_inline

DEFAULT_FMTS = ("-", "m--", "g-.", "r:")


def use_svg_display():
    """Show figures in notebooks as SVG (sharp at any zoom)."""
    backend_inline.set_matplotlib_formats("svg")


def set_figsize(figsize=(3.5, 2.5)):
    """Set the default figure size (inches) for new figures."""
    use_svg_display()
    plt.rcParams["figure.figsize"] = figsize


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Set labels, limits, scales and legend of matplotlib axes."""
    axes.set_xlabel(xlabel), axes.set_ylabel(ylabel)
    axes.set_xscale(xscale), axes.set_yscale(yscale)
    axes.set_xlim(xlim), axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def _as_series(data):
    """Turn one series or a list of series (lists, arrays or tensors) into a list of series."""
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().numpy()
    if hasattr(data, "ndim"):
        return [data] if data.ndim == 1 else list(data)
    if len(data) > 0 and not hasattr(data[0], "__len__"):
        return [data]
    return [d.detach().cpu().numpy() if isinstance(d, torch.Tensor) else d for d in data]


def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
         xscale="linear", yscale="linear", fmts=DEFAULT_FMTS, figsize=(3.5, 2.5), axes=None):
    """Plot one or several series: ``plot(x, [f(x), g(x)])``, or ``plot(y)`` against 0, 1, ...

    ``X`` and ``Y`` may be lists, NumPy arrays or tensors (detached and moved to the CPU).
    """
    if Y is None:
        ys = _as_series(X)
        xs = [range(len(y)) for y in ys]
    else:
        xs, ys = _as_series(X), _as_series(Y)
        if len(xs) == 1:
            xs = xs * len(ys)
    if len(xs) != len(ys):
        raise ValueError(f"got {len(xs)} x series for {len(ys)} y series; pass one x for all "
                         f"or one x per y")
    set_figsize(figsize)
    axes = axes if axes is not None else plt.gca()
    axes.cla()
    for x, y, fmt in zip(xs, ys, cycle(fmts)):
        axes.plot(x, y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
    return axes


def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):  # @save
    """Show images in a grid of ``num_rows`` x ``num_cols``; return the axes (flat).

    ``imgs``: tensors of shape (H, W) or (C, H, W), or arrays of shape (H, W) or (H, W, C).
    One-channel images are drawn in gray; ``scale`` is the size of one image in inches.
    """
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize, squeeze=False)
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        if isinstance(img, torch.Tensor):
            img = img.detach().cpu()
            if img.ndim == 3:  # (C, H, W) -> (H, W, C), or (H, W) for one channel
                img = img.permute(1, 2, 0).squeeze(-1)
            img = img.numpy()
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        ax.axis("off")
        if titles:
            ax.set_title(titles[i])
    return axes


def in_notebook():
    """True inside a Jupyter kernel (where figures can be displayed and updated)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in shell.config


def _is_sequence(v):
    return hasattr(v, "__len__") and not (isinstance(v, torch.Tensor) and v.ndim == 0)


def _as_points(v):
    """A number, a 0-dim tensor or a sequence of them, as a list."""
    return list(v) if _is_sequence(v) else [v]


class Animator:
    """Plot data points as they arrive, e.g. the loss after every epoch.

    In Jupyter the figure is drawn once and then updated in place, so a notebook keeps a
    single, final figure (also in the HTML book). Outside Jupyter nothing is displayed;
    the figure stays available as ``animator.fig``.
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
                 xscale="linear", yscale="linear", fmts=DEFAULT_FMTS, nrows=1, ncols=1,
                 figsize=(3.5, 2.5)):
        use_svg_display()
        self.fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
        plt.close(self.fig)  # shown only through our display handle, not again at cell end
        self.axes = list(axes.flatten())
        self.axes_config = (xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
        self.fmts = fmts
        self.X, self.Y = None, None
        self.title = None  # shown above the plot when set, e.g. the time left in training
        self._display = None

    def add(self, x, y):
        """Add one point per series: ``y`` is a number or a sequence (None skips a series)."""
        ys = _as_points(y)
        xs = _as_points(x) if _is_sequence(x) else [x] * len(ys)
        if self.X is None:
            self.X, self.Y = [[] for _ in ys], [[] for _ in ys]
        for i, (a, b) in enumerate(zip(xs, ys)):
            if a is not None and b is not None:
                self.X[i].append(float(a))
                self.Y[i].append(float(b))
        ax = self.axes[0]
        ax.cla()
        for xs_i, ys_i, fmt in zip(self.X, self.Y, cycle(self.fmts)):
            ax.plot(xs_i, ys_i, fmt)
        set_axes(ax, *self.axes_config)
        if self.title:
            ax.set_title(self.title, fontsize="small")
        self._show()

    def _show(self):
        if not in_notebook():
            return
        from IPython.display import display

        if self._display is None:
            self._display = display(self.fig, display_id=True)
        else:
            self._display.update(self.fig)
