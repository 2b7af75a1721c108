"""Text data of chapter 8: the Tang poems offline, tokens, vocabulary, sequence minibatches.

The corpus is 唐诗三百首 as Debian's ``fortunes-zh`` installs it (``tang300``: UTF-8, poems
separated by lines holding ``%``, the title and author lines wrapped in terminal colour
escapes). It is small (about 23 thousand characters of poem text), so it is held in memory
as one list of token indices, like the book's other data sets.
"""

import collections
import hashlib
import os
import random
import re
from pathlib import Path
from typing import NamedTuple

import torch

from . import modes
from .data import DataFileError

# SHA-256 of the file's bytes, from Debian's fortunes-zh 2.98 (bookworm).
POEM_CORPORA = {
    "tang300": "b69cab0cb84c49dc1808d95aea7156c8911a7022ec630e194eecf360b78feff5",
    "song100": "05a0af125f3572b895e06046c417df0f8f1b8cb9cf0b5115ee9420ae5524683b",
}
DEBIAN_FORTUNES_DIR = Path("/usr/share/games/fortunes")
POEMS_INSTALL_HINT = "sudo apt-get install fortunes-zh"
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")  # terminal colour codes such as ESC[32m and ESC[m
HEADER = re.compile(r"^(?:题目[:：])?《(?P<title>.*)》.*\n(?:作者[:：])(?P<author>.*)$", re.M)
TEST_EVERY = 10  # every 10th poem is held out


class Poem(NamedTuple):
    """One poem: its title (without 《》), its author and its lines of text."""

    title: str
    author: str
    lines: list


def find_poem_corpus(name="tang300"):
    """The path of corpus ``name`` (``tang300`` or ``song100``) from Debian's fortunes-zh.

    Looks in ``$D2L_DATA_DIR``, ``./data`` and ``/usr/share/games/fortunes``, in that order;
    raises ``FileNotFoundError`` naming the places and the install command when it is nowhere.
    """
    if name not in POEM_CORPORA:
        raise ValueError(f"unknown poem corpus {name!r}; choose one of {sorted(POEM_CORPORA)}")
    dirs = [Path(os.environ["D2L_DATA_DIR"])] if os.environ.get("D2L_DATA_DIR") else []
    dirs += [Path("data"), DEBIAN_FORTUNES_DIR]
    for d in dirs:
        if (d / name).is_file():
            return d / name
    looked = ", ".join(str(d) for d in dirs)
    raise FileNotFoundError(f"the poem corpus {name!r} was not found in {looked}. Install it "
                            f"with: {POEMS_INSTALL_HINT}  (or copy the file into $D2L_DATA_DIR)")


def read_poems(name="tang300"):
    """The poems of corpus ``name`` as a list of ``Poem``, after checking the file's SHA-256.

    The colour escapes are removed; each poem keeps its lines in order.
    """
    path = find_poem_corpus(name)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != POEM_CORPORA[name]:
        raise DataFileError(f"checksum mismatch for {path}: the file was changed or is corrupt "
                            f"(sha256 {digest[:12]}..., expected {POEM_CORPORA[name][:12]}...). "
                            f"Reinstall it: sudo apt-get install --reinstall fortunes-zh")
    text = ESCAPE.sub("", data.decode("utf-8"))
    poems = []
    for chunk in re.split(r"^%\n", text, flags=re.M):
        if not chunk.strip():
            continue
        header = HEADER.match(chunk)
        if header is None:
            raise DataFileError(f"{path}: a poem without a 《title》 and author line: "
                                f"{chunk[:40]!r}")
        lines = [line for line in chunk[header.end():].split("\n") if line.strip()]
        poems.append(Poem(header["title"], header["author"].strip(), lines))
    return poems


def split_poems(poems, every=TEST_EVERY):
    """``(train, test)``: every ``every``-th poem (the 10th, 20th, ...) is held out for testing.

    The corpus is ordered by form (five-character poems first), so this spreads the
    held-out poems over all forms and authors.
    """
    if type(every) is not int or every < 2:
        raise ValueError(f"every must be an int >= 2, got {every!r}")
    train = [p for i, p in enumerate(poems) if i % every != every - 1]
    test = [p for i, p in enumerate(poems) if i % every == every - 1]
    return train, test


def poem_lines(poems):
    """Each poem's text as one line (its lines joined without breaks), e.g. for ``tokenize``."""
    return ["".join(p.lines) for p in poems]


def tokenize(lines, token="word"):  # @save
    """Split each text line into tokens: words (separated by spaces) or characters."""
    if token == "word":
        return [line.split() for line in lines]
    if token == "char":
        return [list(line) for line in lines]
    raise ValueError(f"unknown token type {token!r}; use 'word' or 'char'")


def count_corpus(tokens):  # @save
    """Count token frequencies; ``tokens`` is a list of tokens or a list of token lists."""
    if len(tokens) > 0 and isinstance(tokens[0], list):
        tokens = [tok for line in tokens for tok in line]  # flatten the lines
    return collections.Counter(tokens)


class Vocab:  # @save
    """A vocabulary: maps tokens to indices and back.

    Index 0 is the unknown token '<unk>', then the reserved tokens, then the tokens that
    occur at least ``min_freq`` times, most frequent first (ties in order of appearance).
    """

    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        counter = count_corpus(tokens or [])
        self._token_freqs = sorted(counter.items(), key=lambda kv: kv[1], reverse=True)
        self.idx_to_token = ['<unk>'] + list(reserved_tokens or [])
        self.token_to_idx = {tok: idx for idx, tok in enumerate(self.idx_to_token)}
        for tok, freq in self._token_freqs:
            if freq < min_freq:
                break  # sorted by frequency: all the rest are rarer
            if tok not in self.token_to_idx:
                self.token_to_idx[tok] = len(self.idx_to_token)
                self.idx_to_token.append(tok)

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        """The index of a token (0 for unknown ones), or a list of indices for a list."""
        if isinstance(tokens, (list, tuple)):
            return [self[tok] for tok in tokens]
        return self.token_to_idx.get(tokens, self.unk)

    def to_tokens(self, indices):
        """The token of an index, or a list of tokens for a list of indices."""
        if isinstance(indices, (list, tuple)):
            return [self.idx_to_token[i] for i in indices]
        return self.idx_to_token[indices]

    @property
    def unk(self):  # the index of the unknown token
        return 0

    @property
    def token_freqs(self):  # (token, count) pairs, most frequent first
        return self._token_freqs


def load_corpus_poems(max_tokens=-1, split="train", vocab=None, min_freq=2):  # @save
    """The Tang poems as one list of character indices, and the vocabulary.

    Each poem's characters are followed by '\\n', which marks where it ends. The vocabulary
    is built from the training poems (characters seen fewer than ``min_freq`` times become
    '<unk>'); pass it as ``vocab`` to encode the held-out poems (``split='test'``).
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    train, test = split_poems(read_poems("tang300"))
    poems = train if split == "train" else test
    tokens = [tok for line in tokenize(poem_lines(poems), "char") for tok in line + ['\n']]
    if vocab is None:
        vocab = Vocab(tokens, min_freq=min_freq)
    corpus = vocab[tokens]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


def seq_data_iter_random(corpus, batch_size, num_steps):  # @save
    """Minibatches of subsequences drawn at random positions (random partitioning).

    Yields ``X, Y`` of shape (batch_size, num_steps); Y is X shifted by one token.
    """
    corpus = corpus[random.randint(0, num_steps - 1):]  # a random start for each epoch
    num_subseqs = (len(corpus) - 1) // num_steps  # -1: the last token has no label
    starts = list(range(0, num_subseqs * num_steps, num_steps))
    random.shuffle(starts)  # neighbouring minibatches are not neighbours in the text
    for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
        batch = starts[i:i + batch_size]
        X = [corpus[j:j + num_steps] for j in batch]
        Y = [corpus[j + 1:j + 1 + num_steps] for j in batch]
        yield torch.tensor(X), torch.tensor(Y)


def seq_data_iter_sequential(corpus, batch_size, num_steps):  # @save
    """Minibatches that continue each other (sequential partitioning).

    Row i of a minibatch continues row i of the previous one in the text, so a hidden state
    can be carried over. Yields ``X, Y`` of shape (batch_size, num_steps).
    """
    offset = random.randint(0, num_steps)  # a random start for each epoch
    num_tokens = (len(corpus) - offset - 1) // batch_size * batch_size
    Xs = torch.tensor(corpus[offset:offset + num_tokens]).reshape(batch_size, -1)
    Ys = torch.tensor(corpus[offset + 1:offset + 1 + num_tokens]).reshape(batch_size, -1)
    for i in range(0, Xs.shape[1] // num_steps * num_steps, num_steps):
        yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps]


class SeqDataLoader:  # @save
    """An iterator over minibatches of the training poems, partitioned randomly or sequentially."""

    def __init__(self, batch_size, num_steps, use_random_iter, max_tokens):
        for name, value in (('batch_size', batch_size), ('num_steps', num_steps)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        self.data_iter_fn = seq_data_iter_random if use_random_iter else seq_data_iter_sequential
        self.corpus, self.vocab = load_corpus_poems(max_tokens)
        self.batch_size, self.num_steps = batch_size, num_steps

    def __iter__(self):
        return self.data_iter_fn(self.corpus, self.batch_size, self.num_steps)


def load_data_poems(batch_size, num_steps, use_random_iter=False, max_tokens=-1):  # @save
    """The training poems as minibatches of (batch_size, num_steps) indices, and the vocab."""
    max_tokens = modes.limit_tokens(max_tokens)  # quick mode: only the first tokens
    data_iter = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens)
    return data_iter, data_iter.vocab

