"""Long texts split for Zalo's 2,000-character messages."""

from __future__ import annotations

from bot.text_chunks import split_text

LIMIT = 2000


def test_a_3000_character_launch_becomes_two_messages_split_on_a_line_boundary():
    lines = [f"Dòng {i:03d}: các đơn vị triển khai kế hoạch phát động thi đua." for i in range(50)]
    text = "\n".join(lines)
    assert 2900 < len(text) < 3400
    pieces = split_text(text, LIMIT)
    assert len(pieces) == 2 and all(len(p) <= LIMIT for p in pieces)
    assert all(p.split("\n")[0].startswith("Dòng ") and p.split("\n")[-1].endswith("thi đua.") for p in pieces)
    assert "\n".join(pieces) == text


def test_a_short_text_is_one_message():
    assert split_text("Xin chào", LIMIT) == ["Xin chào"]


def test_one_very_long_line_is_cut_between_words():
    text = " ".join(["điển hình tiên tiến"] * 300)
    pieces = split_text(text, LIMIT)
    assert all(len(p) <= LIMIT for p in pieces)
    assert " ".join(pieces) == text
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in pieces)


def test_only_a_word_longer_than_the_limit_is_cut_inside():
    word = "x" * 4500
    assert [len(p) for p in split_text(word, LIMIT)] == [2000, 2000, 500]
