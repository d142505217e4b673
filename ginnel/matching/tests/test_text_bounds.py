"""The text a candidate contributes to matching is bounded, whatever the data.

A 50 MB description once took a worker to 12 GB: every word gave its character
n-grams. These tests count the features built (not time or memory): a text's
tokens, and a fitted vocabulary, stay under the caps in ``ginnel.matching.text``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ginnel.matching import text


def _letters(i: int) -> str:
    out = ""
    while True:
        i, rest = divmod(i, 26)
        out += "abcdefghijklmnopqrstuvwxyz"[rest]
        if not i:
            return out


def _long_description(words: int) -> str:
    # Distinct made-up words ("gardena", "gardenb", ...), so nothing collapses in a set.
    return " ".join(f"garden{_letters(i)}" for i in range(words))


def test_a_very_long_description_gives_no_more_words_than_the_cap() -> None:
    long = _long_description(200_000)  # about 2.6 million characters

    found = text.words(long)

    assert len(found) <= text.MAX_WORDS
    # The start of the text still counts: the first word is kept.
    assert found[0] == "gardena"


def test_a_very_long_description_gives_a_bounded_number_of_tokens() -> None:
    long = _long_description(200_000)

    # Each kept word gives its stem, perhaps a concept, and at most 3 * (length + 2) n-grams.
    per_word = 2 + 3 * (text.MAX_WORD_CHARS + 2)
    assert len(text.tokens(long)) <= text.MAX_WORDS * per_word


def test_one_enormous_word_gives_the_n_grams_of_its_start_only() -> None:
    word = "x" * 1_000_000

    tokens = text.tokens(word)

    assert len(tokens) <= 2 + 3 * (text.MAX_WORD_CHARS + 2)


def test_the_vocabulary_fitted_on_huge_texts_stays_under_its_cap() -> None:
    texts = [_long_description(50_000) for _ in range(3)] + ["gardening on Saturdays"]

    fitted = text.Vectoriser.fit(texts)

    assert fitted.size <= text.MAX_VOCABULARY
    # What an ordinary text says still meets the vocabulary.
    row = fitted.transform(["gardening"])
    assert row.nnz > 0


def test_the_vocabulary_cap_keeps_the_commonest_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "MAX_VOCABULARY", 5)
    # The tokens of "garden" are in all three texts; those of "shed" and "pond" in one.
    fitted = text.Vectoriser.fit(["garden", "garden shed", "garden pond"])

    assert fitted.size == 5
    assert set(fitted.vocabulary) <= set(text.tokens("garden"))


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_gives_at_most_the_capped_words(value: str) -> None:
    found = text.words(value * 20)

    assert len(found) <= text.MAX_WORDS
    assert all(len(w) <= text.MAX_WORD_CHARS for w in found)
