"""The execution mode: ``full`` (default) or ``quick`` (``D2L_QUICK=1``).

Quick mode makes every notebook run in seconds for tests and CI. This module is the
one place that decides what quick mode shrinks; the notebooks do not change.
"""

import os

QUICK_ENV_VAR = "D2L_QUICK"

# What quick mode keeps. Large enough for a model to beat chance, small enough for seconds.
QUICK_MAX_EPOCHS = 2
QUICK_MAX_EXAMPLES = {"train": 6000, "test": 1000}


def is_quick():
    """True when the environment variable ``D2L_QUICK`` is set to 1 (or true/yes)."""
    return os.environ.get(QUICK_ENV_VAR, "").strip().lower() in {"1", "true", "yes"}


def mode_name():
    """``'quick'`` or ``'full'``."""
    return "quick" if is_quick() else "full"


def limit_epochs(num_epochs):
    """The number of epochs to run: ``num_epochs`` in full mode, at most 2 in quick mode."""
    if is_quick() and num_epochs > QUICK_MAX_EPOCHS:
        print(f"quick mode ({QUICK_ENV_VAR}=1): training {QUICK_MAX_EPOCHS} of {num_epochs} epochs")
        return QUICK_MAX_EPOCHS
    return num_epochs


def limit_examples(num_examples, split):
    """How many of ``num_examples`` examples of ``split`` ('train' or 'test') to keep."""
    keep = QUICK_MAX_EXAMPLES[split]
    if is_quick() and num_examples > keep:
        return keep
    return num_examples
