"""The shipped reader: checked against its card, scoring the card's pairs as the card says, and
joined to the hand-made ranking as fitted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.answering.reader import (
    CARD_FILE,
    MODEL_CARD,
    MODEL_FILE,
    READER_DIR,
    TOKENIZER_FILE,
    ReaderError,
    ReaderScore,
    best_span,
    check_files,
    fused_best,
    load,
    pair_tokenizer,
    shared_reader,
)


def test_the_shipped_files_match_their_card():
    card = check_files(READER_DIR)
    assert set(card["files"]) == {MODEL_FILE, TOKENIZER_FILE}
    assert (READER_DIR / MODEL_FILE).stat().st_size < 50 * 2**20


def test_the_shipped_reader_scores_the_cards_fixed_pairs_as_the_card_says():
    reader = shared_reader()
    fixed = reader.card["fixed_pairs"]
    assert len(fixed) >= 4
    for f in fixed:
        assert reader.read(f["question"], [f["sentence"]])[0].relevance == pytest.approx(
            f["relevance"], abs=1e-3
        )


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "reader"
    shutil.copytree(READER_DIR, folder)
    return folder


def test_a_damaged_model_file_is_a_clear_error(tmp_path):
    folder = _copy(tmp_path)
    data = bytearray((folder / MODEL_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / MODEL_FILE).write_bytes(bytes(data))
    with pytest.raises(ReaderError, match="damaged"):
        load(folder)


@pytest.mark.parametrize("name", [MODEL_FILE, TOKENIZER_FILE, CARD_FILE])
def test_a_missing_file_is_a_clear_error(tmp_path, name):
    folder = _copy(tmp_path)
    (folder / name).unlink()
    with pytest.raises(ReaderError, match="missing|cannot be read"):
        load(folder)


def test_the_reader_lifts_a_sentence_the_hand_made_score_put_second():
    sure, unsure = ReaderScore(4.0, None, 0.0), ReaderScore(-4.0, None, 0.0)
    assert fused_best([1.0, 0.9], [unsure, sure], weight=0.5) == 1
    assert fused_best([1.0, 0.2], [unsure, sure], weight=0.5) == 0  # too far behind to be lifted


def test_a_span_is_the_likeliest_stretch_of_the_sentence_never_of_the_question():
    import numpy as np

    tokenizer = pair_tokenizer(READER_DIR / TOKENIZER_FILE)
    sentence = "The harbourmaster, Ann Reid, said the pier would reopen."
    e = tokenizer.encode("Who is the harbourmaster?", sentence)
    start, end = np.zeros(len(e.ids)), np.zeros(len(e.ids))
    start[1] = end[1] = 50.0  # a question token: never a span
    ann, reid = e.char_to_token(sentence.index("Ann"), 1), e.char_to_token(sentence.index("Reid"), 1)
    start[ann], end[reid] = 9.0, 9.0
    span, p = best_span(e, start, end)
    assert sentence[span[0] : span[1]] == "Ann Reid" and p > 0.9


def test_the_model_card_for_people_names_each_files_checksum_and_the_training():
    card = check_files(READER_DIR)
    text = (READER_DIR / MODEL_CARD).read_text(encoding="utf-8")
    assert all(digest in text for digest in card["files"].values())
    assert str(card["seed"]) in text and card["command"] in text
