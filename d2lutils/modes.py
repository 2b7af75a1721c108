"""The execution mode: ``full`` (default) or ``quick`` (``D2L_QUICK=1``).

Quick mode makes every notebook run in seconds for tests and CI. This module is the
one place that decides what quick mode shrinks; the notebooks do not change.
"""

import os

QUICK_ENV_VAR = "D2L_QUICK"

# What quick mode keeps. Large enough for a model to beat chance, small enough for seconds.
QUICK_MAX_EPOCHS = 2
QUICK_MAX_EXAMPLES = {"train": 6000, "test": 1000}
QUICK_MAX_TOKENS = 10000  # of a text corpus (chapter 8)


# Accepted values of D2L_QUICK, in any case; unset means full mode too.
QUICK_VALUES = ("1", "true", "yes")
FULL_VALUES = ("0", "false", "no", "")


def is_quick():
    """True when the environment variable ``D2L_QUICK`` is set to 1 (or true/yes).

    Unset, empty, 0, false or no mean full mode; any other value is refused with a
    ``ValueError`` (a typo such as ``ture`` would otherwise silently mean full mode).
    """
    value = os.environ.get(QUICK_ENV_VAR, "")
    if value.strip().lower() in QUICK_VALUES:
        return True
    if value.strip().lower() in FULL_VALUES:
        return False
    raise ValueError(f"{QUICK_ENV_VAR}={value!r} is not a mode: use {QUICK_ENV_VAR}=1 "
                     f"(or true/yes) for quick mode, {QUICK_ENV_VAR}=0 (or false/no, empty, "
                     f"unset) for full mode; any case")


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


def limit_tokens(max_tokens):
    """How many tokens of a corpus to use: ``max_tokens`` (-1: all) in full mode, at most
    ``QUICK_MAX_TOKENS`` in quick mode (saying so in one line)."""
    if is_quick() and (max_tokens <= 0 or max_tokens > QUICK_MAX_TOKENS):
        print(f"quick mode ({QUICK_ENV_VAR}=1): using the first {QUICK_MAX_TOKENS} tokens "
              f"of the corpus")
        return QUICK_MAX_TOKENS
    return max_tokens
