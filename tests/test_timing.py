"""d2lutils.timing: synchronize, and time_in_turns (fastest round of each, timed in turns)."""

import statistics
import time

import pytest
import torch

import d2lutils as d2l


def test_synchronize_accepts_a_cpu_device_in_any_form():
    for device in ('cpu', torch.device('cpu')):
        d2l.synchronize(device)  # nothing to wait for, and no error


def test_time_in_turns_returns_the_fastest_round_per_call():
    delays = iter([0.05, 0.02, 0.001, 0.001])  # the warm-up, then 3 rounds
    calls = []

    def uneven():
        calls.append(1)
        time.sleep(next(delays))

    seconds = d2l.time_in_turns({'uneven': uneven}, repeats=3)
    assert len(calls) == 4  # one warm-up, then one call per round
    assert 0.001 <= seconds['uneven'] < 0.015  # the fastest round, not the mean or the first


def test_keep_chooses_how_the_rounds_are_summarised():
    delays = iter([0.0, 0.001, 0.03, 0.012])  # the warm-up, then 3 rounds

    def uneven():
        time.sleep(next(delays))

    seconds = d2l.time_in_turns({'uneven': uneven}, repeats=3, keep=statistics.median)
    assert 0.012 <= seconds['uneven'] < 0.025  # the middle round


def test_time_in_turns_alternates_and_keeps_each_functions_key():
    order = []
    fns = {'a': lambda: order.append('a'), 'b': lambda: order.append('b')}
    seconds = d2l.time_in_turns(fns, repeats=3)
    assert set(seconds) == {'a', 'b'}
    # the warm-up of each, then rounds a, b, a, b, a, b
    assert order == ['a', 'b'] + ['a', 'b'] * 3


def test_short_calls_are_repeated_until_a_round_lasts_min_seconds():
    count = []
    seconds = d2l.time_in_turns({'fast': lambda: count.append(1)}, repeats=2, min_seconds=0.01)
    rounds = len(count) - 1  # after the warm-up: calibration (1, 2, 4, ... calls), then 2 rounds
    assert rounds > 100
    assert seconds['fast'] < 1e-4  # per call, not per round


def test_a_slower_function_is_measured_as_slower():
    seconds = d2l.time_in_turns({'short': lambda: time.sleep(0.001),
                                 'long': lambda: time.sleep(0.02)}, repeats=2)
    assert seconds['long'] > 5 * seconds['short']


@pytest.mark.parametrize('fns, kwargs', [({}, {}), ([print], {}), ({'x': 1}, {}),
                                        ({'f': print}, {'repeats': 0}),
                                        ({'f': print}, {'min_seconds': -1})])
def test_bad_arguments_say_what_is_expected(fns, kwargs):
    with pytest.raises(ValueError, match='fns must be|repeats'):
        d2l.time_in_turns(fns, **kwargs)
