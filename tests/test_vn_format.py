"""Vietnamese number, size, title and name forms (bot.vn_format)."""

from bot import vn_format


def test_numbers_use_vietnamese_separators():
    assert vn_format.number(1500) == "1.500"
    assert vn_format.number(100000) == "100.000"
    assert vn_format.number(2.5) == "2,5"
    assert vn_format.number(0.25, decimals=2) == "0,25"
    assert vn_format.number(3.0) == "3"
    assert vn_format.number(1234.5) == "1.234,5"
    assert vn_format.percent(3, 8) == "37,5%"
    assert vn_format.percent(1, 0) == "0%"


def test_sizes_read_as_a_person_reads_them():
    assert vn_format.size(950) == "950 byte"
    assert vn_format.size(8644) == "8,4 KB"
    assert vn_format.size(3 * 1024 * 1024 // 2) == "1,5 MB"


def test_titles_are_cut_at_a_word():
    title = "Phong trào thi đua yêu nước các cấp, tiến tới đại hội"
    short = vn_format.shorten(title, 38)
    assert short == "Phong trào thi đua yêu nước các cấp…"
    assert vn_format.shorten("ngắn", 38) == "ngắn"
    assert vn_format.shorten("x" * 50, 10) == "x" * 9 + "…"


def test_names_all_lower_or_all_capitals_become_title_case():
    assert vn_format.person_name("nguyễn văn an") == ("Nguyễn Văn An", True)
    assert vn_format.person_name("TRẦN THỊ BÍCH") == ("Trần Thị Bích", True)
    assert vn_format.person_name("  Lê   Văn Tám ") == ("Lê Văn Tám", True)
    assert vn_format.person_name("Lê Văn Tám") == ("Lê Văn Tám", False)
    assert vn_format.person_name("McLean Nguyễn") == ("McLean Nguyễn", False)
