"""How far a long run has got and how long it still needs.

In a terminal the count is drawn as a tqdm progress bar (only when stderr is a terminal,
so logs stay clean); in Jupyter nothing is drawn here and ``status()`` gives the line of
text that the training functions show above their Animator plot.
"""

import time

from tqdm import tqdm

from .plot import in_notebook


def format_seconds(seconds):
    """A duration for people: '42 s', '3 min 05 s', '1 h 02 min'."""
    if seconds < 0:
        raise ValueError(f"seconds must be >= 0, got {seconds}")
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """Count the finished steps (e.g. minibatches) of a run of ``total`` steps.

    The time left is the mean time per finished step times the steps still to go.
    """

    def __init__(self, total, unit="batch", desc=None):
        if type(total) is not int or total < 1:
            raise ValueError(f"total must be a positive int (number of steps), got {total!r}")
        self.total, self.done = total, 0
        self._start = time.perf_counter()
        self._bar = None if in_notebook() else tqdm(total=total, unit=unit, desc=desc,
                                                    disable=None, leave=False)

    def update(self, steps=1):
        """Record ``steps`` more finished steps."""
        self.done = min(self.total, self.done + steps)
        if self._bar is not None:
            self._bar.update(steps)

    def seconds_left(self):
        """Estimated seconds until all steps are done (None before the first step)."""
        if self.done == 0:
            return None
        elapsed = time.perf_counter() - self._start
        return elapsed / self.done * (self.total - self.done)

    def status(self):
        """One line such as '40% done, about 1 min 12 s left'."""
        left = self.seconds_left()
        if left is None:
            return "starting"
        return f"{100 * self.done / self.total:.0f}% done, about {format_seconds(left)} left"

    def close(self):
        """Remove the terminal bar (if any)."""
        if self._bar is not None:
            self._bar.close()
