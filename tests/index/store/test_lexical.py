"""Lexical tokenization: our fast path gives exactly the words bm25s indexed."""

from __future__ import annotations

import bm25s
from hypothesis import given, settings
from hypothesis import strategies as st

from index.corpus.articles import BUILTIN_CORPUS, load_corpus
from index.store.lexical import _STEMMER, tokenize


def reference(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False)


def test_the_article_tokenizes_as_bm25s_does():
    lines = [line for a in load_corpus(BUILTIN_CORPUS) for line in a.raw.splitlines() if line.strip()]
    assert tokenize(lines) == reference(lines)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=80), min_size=1, max_size=4))
def test_any_text_tokenizes_as_bm25s_does(texts):
    assert tokenize(texts) == reference(texts)


def test_questions_with_punctuation_and_unicode():
    texts = ["Who's the U.S. envoy?", "ÉCOLE d'été — 3,000 troops!", "", "the and of", "Korea’s KOREA korean"]
    assert tokenize(texts) == reference(texts)
