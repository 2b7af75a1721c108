"""Text data of chapter 8: the poems offline, tokens, Vocab and the sequence iterators.

Vocab, tokenize, count_corpus and the two iterators keep the behaviour of d2l's functions of
the same names (d2l-zh 2.0, chapter 8); the tests below spell that behaviour out.
"""

import random
import shutil

import pytest
import torch

import d2lutils as d2l
from d2lutils import text

TANG300 = text.DEBIAN_FORTUNES_DIR / "tang300"
needs_corpus = pytest.mark.skipif(not TANG300.is_file(),
                                  reason="apt-get install fortunes-zh for the Tang poems")


@pytest.fixture
def no_corpus(monkeypatch, tmp_path):
    """No $D2L_DATA_DIR, an empty ./data, and no Debian package."""
    monkeypatch.delenv("D2L_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(text, "DEBIAN_FORTUNES_DIR", tmp_path / "nowhere")
    return tmp_path


# --- the corpus ---------------------------------------------------------------------------------

def test_a_missing_corpus_names_where_it_looked_and_the_install_command(no_corpus, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(no_corpus / "mine"))
    with pytest.raises(FileNotFoundError) as err:
        d2l.find_poem_corpus()
    message = str(err.value)
    assert "mine" in message and "data" in message and "nowhere" in message
    assert "apt-get install fortunes-zh" in message


def test_an_unknown_corpus_name_is_refused():
    with pytest.raises(ValueError, match="tang300"):
        d2l.find_poem_corpus("tang301")


@needs_corpus
def test_the_corpus_is_found_in_d2l_data_dir_first(no_corpus, monkeypatch):
    (no_corpus / "mine").mkdir()
    shutil.copy(TANG300, no_corpus / "mine" / "tang300")
    monkeypatch.setenv("D2L_DATA_DIR", str(no_corpus / "mine"))
    assert d2l.find_poem_corpus() == no_corpus / "mine" / "tang300"


@needs_corpus
def test_an_altered_corpus_fails_its_checksum_with_a_reinstall_hint(no_corpus, monkeypatch):
    (no_corpus / "data").mkdir()
    data = TANG300.read_bytes()
    (no_corpus / "data" / "tang300").write_bytes(data[:-10])  # truncated
    with pytest.raises(d2l.DataFileError, match="checksum mismatch.*reinstall fortunes-zh"):
        d2l.read_poems()


@needs_corpus
def test_the_poems_have_titles_authors_and_lines_without_escapes():
    poems = d2l.read_poems()
    assert len(poems) == 313
    first = poems[0]
    assert first.title == "感遇・其一" and first.author == "张九龄"
    assert first.lines[0] == "兰叶春葳蕤，桂华秋皎洁。" and len(first.lines) == 4
    everything = "".join(p.title + p.author + "".join(p.lines) for p in poems)
    assert "\x1b" not in everything and "%" not in everything and "作者" not in everything


@needs_corpus
def test_the_song_poems_parse_too():
    poems = d2l.read_poems("song100")
    assert len(poems) == 95 and poems[0].title == "塞上" and poems[0].author.startswith("柳开")


@needs_corpus
def test_every_tenth_poem_is_held_out():
    poems = d2l.read_poems()
    train, test = d2l.split_poems(poems)
    assert len(test) == 31 and len(train) == 282
    assert test[0] == poems[9] and test[1] == poems[19]
    assert not {tuple(p.lines) for p in train} & {tuple(p.lines) for p in test}


def test_split_poems_refuses_a_bad_period():
    with pytest.raises(ValueError, match="every"):
        d2l.split_poems([], every=1)


@needs_corpus
def test_the_test_corpus_uses_the_training_vocabulary_with_unk_for_unseen_characters():
    corpus, vocab = d2l.load_corpus_poems()
    test, same = d2l.load_corpus_poems(split="test", vocab=vocab)
    assert same is vocab
    assert vocab.unk in test and vocab["\n"] in corpus
    train_chars = {t for p in d2l.split_poems(d2l.read_poems())[0] for t in "".join(p.lines)}
    unseen = [t for p in d2l.split_poems(d2l.read_poems())[1] for t in "".join(p.lines)
              if t not in train_chars]
    assert unseen and all(vocab[t] == vocab.unk for t in unseen)
    assert corpus.count(vocab["\n"]) == 282  # one end mark per training poem


@needs_corpus
def test_load_corpus_poems_cuts_to_max_tokens_and_checks_the_split():
    corpus, _ = d2l.load_corpus_poems(max_tokens=100)
    assert len(corpus) == 100
    with pytest.raises(ValueError, match="split"):
        d2l.load_corpus_poems(split="valid")


# --- tokens and the vocabulary ------------------------------------------------------------------

def test_tokenize_splits_words_at_spaces_and_chars_one_by_one():
    assert d2l.tokenize(["the time machine", ""]) == [["the", "time", "machine"], []]
    assert d2l.tokenize(["床前 明月"], "char") == [["床", "前", " ", "明", "月"]]


def test_tokenize_refuses_an_unknown_token_type():
    with pytest.raises(ValueError, match="'char'"):
        d2l.tokenize(["abc"], "letter")


def test_count_corpus_counts_a_flat_list_or_a_list_of_lines():
    assert d2l.count_corpus(["a", "b", "a"]) == {"a": 2, "b": 1}
    assert d2l.count_corpus([["a", "b"], ["a"]]) == {"a": 2, "b": 1}
    assert d2l.count_corpus([]) == {}


def test_vocab_puts_unk_first_then_reserved_then_tokens_by_frequency():
    vocab = d2l.Vocab([["b", "a", "c"], ["a", "c", "a"]], reserved_tokens=["<pad>"])
    assert vocab.idx_to_token == ["<unk>", "<pad>", "a", "c", "b"]
    assert vocab.unk == 0 and len(vocab) == 5
    assert vocab.token_freqs == [("a", 3), ("c", 2), ("b", 1)]


def test_vocab_breaks_ties_in_order_of_first_appearance():
    assert d2l.Vocab(list("xyzyx")).idx_to_token == ["<unk>", "x", "y", "z"]


def test_vocab_drops_tokens_rarer_than_min_freq():
    vocab = d2l.Vocab(list("aaabbc"), min_freq=2)
    assert vocab.idx_to_token == ["<unk>", "a", "b"]
    assert vocab["c"] == vocab.unk


def test_vocab_maps_tokens_and_lists_both_ways():
    vocab = d2l.Vocab(list("aab"))
    assert vocab["a"] == 1 and vocab[["b", "a", "?"]] == [2, 1, 0]
    assert vocab[("a", "b")] == [1, 2]
    assert vocab.to_tokens(2) == "b" and vocab.to_tokens([1, 0]) == ["a", "<unk>"]


def test_an_empty_vocab_holds_only_unk():
    assert d2l.Vocab().idx_to_token == ["<unk>"]


def test_a_reserved_token_is_not_added_twice():
    vocab = d2l.Vocab(list("<a"), reserved_tokens=["a"])
    assert vocab.idx_to_token == ["<unk>", "a", "<"]


# --- minibatches of sequences -------------------------------------------------------------------

def test_random_partitioning_gives_shifted_non_overlapping_subsequences():
    random.seed(0)
    corpus = list(range(35))
    batches = list(d2l.seq_data_iter_random(corpus, batch_size=2, num_steps=5))
    assert len(batches) == 3  # 6 subsequences of 5 from a corpus of 35 minus the offset
    starts = []
    for X, Y in batches:
        assert X.shape == Y.shape == (2, 5)
        assert torch.equal(Y, X + 1)  # the labels are the next tokens
        assert torch.equal(X[:, 1:] - X[:, :-1], torch.ones(2, 4, dtype=X.dtype))
        starts += X[:, 0].tolist()
    offset = min(starts) % 5
    assert sorted(starts) == [offset + 5 * i for i in range(6)]


def test_random_partitioning_starts_at_a_random_offset_below_num_steps():
    offsets = set()
    for seed in range(50):
        random.seed(seed)
        X, _ = next(d2l.seq_data_iter_random(list(range(100)), 1, 5))
        offsets.add(X[0, 0].item() % 5)
    assert offsets == {0, 1, 2, 3, 4}


def test_sequential_partitioning_continues_each_row_in_the_next_minibatch():
    random.seed(0)
    corpus = list(range(35))
    batches = list(d2l.seq_data_iter_sequential(corpus, batch_size=2, num_steps=5))
    assert len(batches) >= 2
    for (X0, _), (X1, _) in zip(batches, batches[1:]):
        assert torch.equal(X1[:, 0], X0[:, -1] + 1)
    for X, Y in batches:
        assert X.shape == (2, 5) and torch.equal(Y, X + 1)


def test_sequential_partitioning_offsets_reach_num_steps():
    offsets = set()
    for seed in range(60):
        random.seed(seed)
        X, _ = next(d2l.seq_data_iter_sequential(list(range(100)), 1, 5))
        offsets.add(X[0, 0].item())
    assert offsets == {0, 1, 2, 3, 4, 5}


@needs_corpus
def test_load_data_poems_gives_batches_of_the_training_poems_and_the_vocab(full_mode):
    data_iter, vocab = d2l.load_data_poems(4, 7)
    corpus, _ = d2l.load_corpus_poems()
    assert data_iter.corpus == corpus and len(vocab) > 1500
    X, Y = next(iter(data_iter))
    assert X.shape == Y.shape == (4, 7) and X.dtype == torch.int64
    random_iter, _ = d2l.load_data_poems(4, 7, use_random_iter=True)
    assert random_iter.data_iter_fn is d2l.seq_data_iter_random


@needs_corpus
def test_quick_mode_keeps_the_first_tokens_and_says_so(quick_mode, capsys):
    data_iter, _ = d2l.load_data_poems(4, 7)
    assert len(data_iter.corpus) == d2l.modes.QUICK_MAX_TOKENS
    assert "quick mode" in capsys.readouterr().out


@pytest.mark.parametrize("args", [(0, 5), (2, 0), (2.0, 5), (True, 5)])
def test_load_data_poems_refuses_bad_sizes(args):
    with pytest.raises(ValueError, match="positive int"):
        d2l.load_data_poems(*args)


def test_limit_tokens_caps_only_in_quick_mode(monkeypatch, capsys):
    from d2lutils import modes

    monkeypatch.delenv("D2L_QUICK", raising=False)
    assert modes.limit_tokens(-1) == -1 and modes.limit_tokens(50000) == 50000
    monkeypatch.setenv("D2L_QUICK", "1")
    assert modes.limit_tokens(100) == 100 and capsys.readouterr().out == ""
    assert modes.limit_tokens(-1) == modes.QUICK_MAX_TOKENS
    assert modes.limit_tokens(50000) == modes.QUICK_MAX_TOKENS
    assert capsys.readouterr().out.count("quick mode") == 2
