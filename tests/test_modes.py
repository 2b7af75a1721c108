"""The execution mode: full by default, quick with D2L_QUICK=1."""

import pytest

import d2lutils as d2l
from d2lutils import modes


@pytest.mark.parametrize("value", ["1", "true", "yes", "TRUE", " Yes "])
def test_is_quick_when_d2l_quick_is_set_to_a_true_value(monkeypatch, value):
    monkeypatch.setenv("D2L_QUICK", value)
    assert d2l.is_quick() is True


def test_is_not_quick_when_d2l_quick_is_unset(monkeypatch):
    monkeypatch.delenv("D2L_QUICK", raising=False)
    assert d2l.is_quick() is False


@pytest.mark.parametrize("value", ["0", "", "false", "no", "FALSE", " No "])
def test_is_not_quick_when_d2l_quick_is_set_to_a_false_value(monkeypatch, value):
    monkeypatch.setenv("D2L_QUICK", value)
    assert d2l.is_quick() is False


@pytest.mark.parametrize("value", ["maybe", "ture", "2", "on"])
def test_an_unrecognised_d2l_quick_value_is_refused_with_the_accepted_values(monkeypatch, value):
    monkeypatch.setenv("D2L_QUICK", value)
    with pytest.raises(ValueError, match=f"D2L_QUICK='{value}' is not a mode") as error:
        d2l.is_quick()
    for accepted in ("D2L_QUICK=1", "true/yes", "D2L_QUICK=0", "false/no", "unset"):
        assert accepted in str(error.value)


def test_mode_name_refuses_an_unrecognised_d2l_quick_value(monkeypatch):
    monkeypatch.setenv("D2L_QUICK", "maybe")
    with pytest.raises(ValueError, match="is not a mode"):
        d2l.mode_name()


def test_mode_name_is_quick_in_quick_mode(quick_mode):
    assert d2l.mode_name() == "quick"


def test_mode_name_is_full_in_full_mode(full_mode):
    assert d2l.mode_name() == "full"


def test_limit_epochs_caps_epochs_in_quick_mode(quick_mode):
    assert d2l.limit_epochs(10) == modes.QUICK_MAX_EPOCHS == 2


def test_limit_epochs_prints_one_line_when_it_caps(quick_mode, capsys):
    d2l.limit_epochs(10)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert "quick mode" in lines[0] and "2 of 10" in lines[0]


def test_limit_epochs_keeps_epochs_in_full_mode(full_mode, capsys):
    assert d2l.limit_epochs(10) == 10
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("num_epochs", [1, 2])
def test_limit_epochs_keeps_few_epochs_in_quick_mode_silently(quick_mode, capsys, num_epochs):
    assert d2l.limit_epochs(num_epochs) == num_epochs
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(("split", "num_examples", "kept"),
                         [("train", 60000, 6000), ("test", 10000, 1000)])
def test_limit_examples_shortens_splits_in_quick_mode(quick_mode, split, num_examples, kept):
    assert modes.limit_examples(num_examples, split) == kept


def test_limit_examples_keeps_small_splits_in_quick_mode(quick_mode):
    assert modes.limit_examples(500, "train") == 500


def test_limit_examples_keeps_everything_in_full_mode(full_mode):
    assert modes.limit_examples(60000, "train") == 60000
    assert modes.limit_examples(10000, "test") == 10000
