"""Long texts split for Zalo's 2,000-character messages."""

from __future__ import annotations

from bot.text_chunks import split_text
from bot import vn_format

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


def test_lengths_are_counted_in_utf16_units_as_telegram_counts():
    from bot.text_chunks import utf16_len

    assert utf16_len("📣") == 2 and utf16_len("Xã Cẩm Mỹ") == 9
    text = "📣" + "x" * 4095  # 4,096 Python characters, 4,097 for Telegram
    assert len(text) == 4096 and utf16_len(text) == 4097


def test_a_zalo_split_counts_emoji_as_two():
    text = "\n".join(["📚" * 600] * 3)  # 1,800 characters, 3,600 units
    pieces = split_text(text, LIMIT)
    assert len(pieces) == 3 and all(len(p.encode("utf-16-le")) // 2 <= LIMIT for p in pieces)


def test_a_list_is_shortened_at_a_line_with_how_many_are_left_out():
    from bot.text_chunks import shorten_lines, utf16_len

    head = ["📣 1.500 đơn vị chưa nộp", ""]
    items = [f"• Trường số {i:04d}" for i in range(1500)]
    text = shorten_lines([*head, *items], 4096, keep=len(head))
    assert utf16_len(text) <= 4096 and text.startswith("📣 1.500 đơn vị chưa nộp\n\n• Trường số 0000\n")
    shown = [line for line in text.split("\n") if line.startswith("• ")]
    assert shown == items[:len(shown)]
    assert text.endswith(f"\n… và {1500 - len(shown):,} đơn vị khác".replace(",", "."))
    assert shorten_lines(["a", "b"], 10) == "a\nb"  # what fits is left as it is


def test_vietnamese_numbers_and_a_free_text_clipped_at_a_line():
    from bot.text_chunks import clip, utf16_len

    assert (vn_format.number(7), vn_format.number(1234), vn_format.number(1234567)) == ("7", "1.234", "1.234.567")
    text = "\n".join(f"Dòng {i}: nội dung" for i in range(1000))
    clipped = clip(text, 4096)
    assert utf16_len(clipped) <= 4096 and clipped.startswith("Dòng 0: nội dung\n")
    assert clipped.endswith("dòng không hiện hết)") and "\n".join(clipped.split("\n")[:-1]) in text
