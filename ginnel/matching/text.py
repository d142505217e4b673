"""Free text to TF-IDF vectors on words, concepts and character n-grams; nothing from Django.

Three families of tokens come out of a text (lower-cased, split into words,
stop words dropped):

- ``w:`` a word, lightly stemmed ("gardening", "gardener", "gardens" → ``w:garden``);
- ``c:`` a *concept* from a small built-in lexicon of everyday help
  ("allotment", "weeding", "digging" → ``c:garden``), so that wording people
  actually use meets the words of others;
- ``g:`` character 3- to 5-grams of each word with its boundaries
  (`` gar``, ``arden``…), so spellings and forms the stemmer misses still meet.

:class:`Vectoriser` is fitted once on a corpus (vocabulary and inverse
document frequencies) and then transforms any text with them: a text changed
later is transformed alone, with the same vocabulary, which is what makes an
incremental update equal to a rebuild. Rows are L2-normalised, so the dot
product of two rows is their cosine similarity.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped, unused-ignore]

_WORD = re.compile(r"[a-z][a-z']*")

_STOP_TEXT = """
a about after again all also am an and any anyone are as at be been being but by can
could do does doing for from get give got had has have having he her here him his how
i i'd i'll i'm if in into is it it's its just like me mine more most my need needs
needed no not now of off on once one only or other our out own please really she so
some someone something than that the their them then there these they this those to
too up us very want wanted was we week weekly were what when where which while who
will with would you you're your yours help helping helped helps happy bit little
time times day days hour hours regular regularly sometimes occasionally looking
lend hand offer offering ask asking support
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

# Everyday words to a shared concept, one line per concept. Small on purpose: a
# community's own taxonomy names are in the vocabulary too (see engine.Encoder.fit).
_CONCEPTS = {
    "garden": "allotment weed weeding dig digging lawn mow mowing hedge prune pruning plant "
    "planting veg vegetable greenhouse compost garden yard",
    "computer": "computer laptop tablet ipad email internet online smartphone zoom wifi printer it",
    "shop": "shop shopping grocery groceries supermarket prescription errand",
    "transport": "lift drive driving car transport hospital appointment",
    "befriend": "chat company lonely cuppa coffee tea befriend befriending visit friendly",
    "paperwork": "form letter benefit paperwork bill council",
    "diy": "diy shelf shelves flatpack furniture drill paint painting decorating repair fix "
    "fixing tap",
    "cook": "cook cooking meal bake baking recipe dinner soup",
    "pet": "dog cat pet walkies puppy",
    "craft": "knit knitting sew sewing alteration crochet mend mending",
    "music": "guitar piano sing singing music choir",
    "language": "english conversation spanish french polish urdu language",
}
LEXICON: dict[str, str] = {
    word: concept for concept, line in _CONCEPTS.items() for word in line.split()
}

#: Bounds on what one text contributes, so memory stays bounded whatever the data
#: (a 50 MB description once took a worker to 12 GB): the first ``MAX_TEXT_CHARS``
#: characters are read, the first ``MAX_WORDS`` words of those kept, and each word
#: cut to ``MAX_WORD_CHARS`` before its n-grams are made. A fitted vocabulary keeps
#: at most ``MAX_VOCABULARY`` tokens, the commonest. See docs/privacy.md.
MAX_TEXT_CHARS = 20_000
MAX_WORDS = 2_000
MAX_WORD_CHARS = 40
MAX_VOCABULARY = 200_000

_SUFFIXES = ("ings", "ing", "ers", "er", "ies", "ied", "es", "ed", "s", "ly")


def stem(word: str) -> str:
    """A light suffix stripper: enough for "gardening"/"gardener"/"gardens" → "garden"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # digging → dig, shopping → shop
            if suffix == "es" and not base.endswith(("sh", "ch", "x", "s", "z")):
                base = word[:-1]  # hedges → hedge
                if base.endswith("e") and len(base) > 3:
                    return base
            return base
    return word


@lru_cache(maxsize=65_536)
def word_tokens(word: str) -> tuple[str, ...]:
    """The tokens one (lower-case, non-stop) word gives: its stem, concept, n-grams."""
    stemmed = stem(word)
    out = [f"w:{stemmed}"]
    concept = LEXICON.get(word) or LEXICON.get(stemmed)
    if concept is not None:
        out.append(f"c:{concept}")
    padded = f" {word} "
    for n in (3, 4, 5):
        out.extend(f"g:{padded[i : i + n]}" for i in range(max(len(padded) - n + 1, 0)))
    return tuple(out)


def words(text: str) -> list[str]:
    """The non-stop words of a text, lower-cased, in order (within the caps above)."""
    out: list[str] = []
    for match in _WORD.finditer(text[:MAX_TEXT_CHARS].lower()):
        word = match.group().strip("'")[:MAX_WORD_CHARS].strip("'")
        if word and word not in STOP_WORDS:
            out.append(word)
            if len(out) >= MAX_WORDS:
                break
    return out


def tokens(text: str) -> list[str]:
    out: list[str] = []
    for word in words(text):
        out.extend(word_tokens(word))
    return out


#: Weight of each family inside a vector (before normalising): n-grams are many
#: per word, so each counts for less.
FAMILY_WEIGHT = {"w": 1.0, "c": 2.0, "g": 0.35}


@dataclass(frozen=True, eq=False)
class Vectoriser:
    """A fitted vocabulary: token → column, with each column's IDF and whether it is a key.

    Keys are word and concept columns found in at most ``max_df`` of the
    corpus: the terms that retrieve candidates (see docs/matching.md).
    """

    vocabulary: dict[str, int]
    idf: Any  # NDArray[float64], one per column
    key: Any  # NDArray[bool_], one per column

    @classmethod
    def fit(cls, texts: Iterable[str], *, max_df: float = 0.05) -> Vectoriser:
        df: Counter[str] = Counter()
        count = 0
        for text in texts:
            df.update(set(tokens(text)))
            count += 1
        if len(df) > MAX_VOCABULARY:
            # The commonest tokens, ties broken by name so a fit is repeatable.
            kept = sorted(df.items(), key=lambda item: (-item[1], item[0]))[:MAX_VOCABULARY]
            df = Counter(dict(kept))
        names = sorted(df)
        vocabulary = {name: i for i, name in enumerate(names)}
        freq = np.array([df[name] for name in names], dtype=np.float64)
        idf = np.log((1 + count) / (1 + freq)) + 1.0
        limit = max(max_df * count, 50.0)
        key = np.array([name[0] in "wc" for name in names], dtype=bool) & (freq <= limit)
        return cls(vocabulary=vocabulary, idf=idf, key=key)

    @property
    def size(self) -> int:
        return len(self.vocabulary)

    def transform(self, texts: Sequence[str]) -> Any:
        """CSR (len(texts) x size), float64, rows L2-normalised (empty text: an empty row)."""
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        vocabulary = self.vocabulary
        for text in texts:
            counts: Counter[int] = Counter()
            weights: dict[int, float] = {}
            for token in tokens(text):
                column = vocabulary.get(token)
                if column is not None:
                    counts[column] += 1
                    weights[column] = FAMILY_WEIGHT[token[0]]
            row = sorted(counts)
            values = [(1.0 + math.log(counts[c])) * float(self.idf[c]) * weights[c] for c in row]
            norm = math.sqrt(sum(v * v for v in values)) or 1.0
            indices.extend(row)
            data.extend(v / norm for v in values)
            indptr.append(len(indices))
        return sp.csr_matrix(
            (
                np.asarray(data, dtype=np.float64),
                np.asarray(indices, dtype=np.int32),
                np.asarray(indptr, dtype=np.int64),
            ),
            shape=(len(texts), self.size),
        )
