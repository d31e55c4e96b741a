"""Tests for bot.services.plan_reader: the three real launch documents plus messy variants."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from bench.untrusted_files import write_pdf
from bot.services.plan_reader import (
    PlanInfo,
    PlanReadError,
    extract_text,
    parse_plan_text,
    read_plan_bytes,
    read_plan_file,
)

PLANS = Path(__file__).parent / "fixtures" / "plans"
KH108 = PLANS / "kh-108-cam-my-2020.txt"
KH23 = PLANS / "kh-23-my-thanh-2015.txt"
KHH5 = PLANS / "kh-h5-cam-my-tuyen-truyen.txt"

# ------------------------------------------------------------------ the three real documents

EXPECTED_108 = {
    "doc_type": "KH",
    "doc_type_name": "Kế hoạch",
    "number": "108",
    "symbol": "KH-UBND",
    "place": "Cẩm Mỹ",
    "issued_on": "2020-05-26",
    "year": 2020,
    "title": "Phát động thi đua đặc biệt lập thành tích chào mừng Đại hội Đảng bộ các cấp, tiến tới Đại hội "
    "đại biểu toàn quốc lần thứ XIII của Đảng và kỷ niệm các ngày lễ lớn trong năm 2020",
    "period": {
        "start": None,
        "end": None,
        "text": "Thời gian tổ chức đợt thi đua đặc biệt này bắt đầu từ nay đến khi kết thúc Đại hội Đảng bộ "
        "tỉnh Đồng Nai lần thứ XI.",
    },
    "reporting": {
        "cadence": None,
        "text": "Kết thúc đợt thi đua, tổng kết báo cáo về UBND huyện (thông qua Phòng Nội vụ huyện), tổ chức "
        "bình xét, lựa chọn, lập hồ sơ đề xuất khen thưởng cho các tập thể, cá nhân có thành tích tiêu biểu.",
    },
    "quota": None,
    "reward_forms": [],
    "signer": {"name": "Trần Văn Chiến", "title": "CHỦ TỊCH"},
    "recipients": [
        "Sở Nội vụ (Ban TĐKT tỉnh)",
        "TT.HU, TT.HĐND huyện",
        "CT, các PCT.UBH",
        "Các cơ quan Đảng, đoàn thể, Mặt trận huyện",
        "Các cơ quan, đơn vị, Hội thuộc UBND huyện",
        "Các đơn vị ngành dọc trên địa bàn huyện",
        "UBND các xã trong huyện",
        "Đăng Trang thông tin điện tử huyện",
        "Chánh, Phó VP.UBH",
        "Lưu: VT, TH (NC)",
    ],
    "implements": {"number": "5232", "symbol": "KH-UBND", "issued_on": "2020-05-11", "issuer": "UBND tỉnh"},
}

EXPECTED_23 = {
    "doc_type": "KH",
    "doc_type_name": "Kế hoạch",
    "number": "23",
    "symbol": "KH-UBND",
    "place": "Mỹ Thạnh",
    "issued_on": "2015-03-13",
    "year": 2015,
    "title": "Về việc phát động phong trào thi đua “Đồng khởi mới”",
    "period": {
        "start": None,
        "end": "2020-12-31",
        "text": "Thời gian phát động phong trào thi đua “Đồng khởi mới” từ khi phát động phong trào đến cuối "
        "năm 2020.",
    },
    "reporting": {
        "cadence": "yearly",
        "text": "Hàng năm Ủy ban nhân dân tiến hành sơ kết đánh giá kết quả thực hiện phong trào, những kinh "
        "nghiệm, hạn chế cần khắc phục đồng thời đề ra phương hướng nhiệm vụ đẩy mạnh phong trào thi đua cho "
        "năm sau.",
    },
    "quota": {
        "collectives": 2,
        "individuals": 3,
        # the quota sentence has no cadence; its paragraph opens with "Hàng năm … sơ kết"
        "per": "year",
        "text": "Hội đồng Thi đua, khen thưởng xã sẽ xét chọn 02 tập thể, 03 cá nhân thật sự xuất sắc trong "
        "phong trào thi đua “Đồng khởi mới” để biểu dương, khen thưởng nhằm đưa phong trào thi đua xã nhà "
        "phát triển ngày càng rộng khắp cho những năm tiếp theo.",
    },
    "reward_forms": [],
    "signer": {"name": "Phạm Thanh Diễn", "title": "CHỦ TỊCH"},
    "recipients": [
        "Phòng Nội vụ huyện",
        "TT.Đảng ủy-HĐND xã",
        "Chủ tịch, các phó Chủ tịch",
        "Các ngành Đoàn thể",
        "HĐTĐKT xã",
        "Trưởng các ấp",
        "Lưu: VT, viet.27b",
    ],
    "implements": {
        "number": "519",
        "symbol": "KH-UBND",
        "issued_on": "2015-03-09",
        "issuer": "Ủy ban nhân dân huyện Giồng Trôm",
    },
}

_H5_SENTENCE = (
    "Định kỳ mỗi quý, mỗi cơ quan, đơn vị, địa phương, giới thiệu từ 01 đến 02 tập thể, cá nhân tiêu biểu có "
    "trích ngang thành tích gửi về Phòng Nội vụ (Thường trực Hội đồng Thi đua - Khen thưởng) để tổng hợp, giới "
    "thiệu các điển hình tiên tiến với các cơ quan thông tin, truyền thông ở huyện, tỉnh để tuyên truyền, "
    "tuyên dương khen thưởng nhân dịp tổ chức lễ tổng kết phong trào thi đua yêu nước, ký kết giao ước thi đua "
    "và tôn vinh điển hình tiên tiến các cấp; nội dung đánh giá về công tác tuyên truyền, giới thiệu gương điển "
    "hình tiên tiến của các đơn vị, địa phương phải được thể hiện trong báo cáo sơ kết, tổng kết phong trào thi "
    "đua yêu nước hàng năm của đơn vị, địa phương."
)

EXPECTED_H5 = {
    "doc_type": "KH",
    "doc_type_name": "Kế hoạch",
    "number": "H5",  # as printed (probably a mis-typed "45"); we do not guess
    "symbol": "KH-UBND",
    "place": "Cẩm Mỹ",
    "issued_on": "2020-02-25",  # as printed, although the body is about 2021
    "year": 2020,
    "title": "Tuyên truyền phong trào thi đua yêu nước, điển hình tiên tiến, mô hình mới, nhân tố mới trên địa "
    "bàn huyện năm 2021",
    "period": {"start": None, "end": None, "text": None},
    "reporting": {"cadence": "quarterly", "text": _H5_SENTENCE},
    "quota": {"collectives": 2, "individuals": 2, "per": "quarter", "text": _H5_SENTENCE},
    "reward_forms": [],
    "signer": {"name": "Huỳnh Tấn Thìn", "title": None},
    "recipients": [
        "Sở Nội vụ (Ban TĐKT tỉnh)",
        "TT.HU; TT.HĐND huyện",
        "Chủ tịch, các PCT.UBH",
        "Thành viên Hội đồng TĐKT huyện",
        "Các cơ quan Đảng, đoàn thể huyện",
        "Các cơ quan, đơn vị thuộc huyện",
        "UBND các xã trong huyện",
        "Đăng Trang thông tin điện tử huyện",
        "Chánh, Phó VP.UBH",
        "Lưu: VT-TH (NC)",
        "NV",  # "- NV*" with the stray asterisk removed
    ],
    "implements": {"number": "1107", "symbol": "KH-UBND", "issued_on": "2021-01-28", "issuer": "UBND tỉnh"},
}


@pytest.mark.parametrize(
    ("path", "expected"), [(KH108, EXPECTED_108), (KH23, EXPECTED_23), (KHH5, EXPECTED_H5)], ids=["108", "23", "H5"]
)
def test_real_documents(path, expected):
    info = read_plan_file(path)
    assert isinstance(info, PlanInfo)
    assert info.to_json_dict() == expected


def test_typed_fields():
    info = read_plan_file(KH23)
    assert info.issued_on == date(2015, 3, 13)
    assert info.period.end == date(2020, 12, 31)
    assert info.quota is not None and info.quota.collectives == 2
    assert list(info.to_json_dict()) == [
        "doc_type", "doc_type_name", "number", "symbol", "place", "issued_on", "year", "title",
        "period", "reporting", "quota", "reward_forms", "signer", "recipients", "implements",
    ]


# ------------------------------------------------------------------ messy variants of a real document

SAMPLE_108 = KH108.read_text(encoding="utf-8")


def _variant(old: str, new: str, text: str = SAMPLE_108) -> dict:
    assert old in text
    return parse_plan_text(text.replace(old, new)).to_json_dict()


def _same_except(got: dict, **changes) -> None:
    assert got == {**EXPECTED_108, **changes}


@pytest.mark.parametrize("line", ["Số:      /KH-UBND", "Số: /KH-UBND", "Số: ......./KH-UBND", "Số: ___/KH-UBND"])
def test_blank_number(line):
    _same_except(_variant("Số: **108** /KH-UBND", line), number=None)


def test_number_without_colon():
    _same_except(_variant("Số: **108** /KH-UBND", "Số 108/KH-UBND"))


def test_number_with_year():
    _same_except(_variant("Số: **108** /KH-UBND", "Số: 108/2020/KH-UBND"))


@pytest.mark.parametrize(
    "line",
    ["Cẩm Mỹ, ngày    tháng    năm 2022", "Cẩm Mỹ, ngày ... tháng ... năm 2022", "Cẩm Mỹ, ngày … tháng … năm 2022",
     "Cẩm Mỹ, ngày tháng năm 2022"],
)
def test_blank_date(line):
    _same_except(_variant("Cẩm Mỹ, ngày **26** tháng 5 năm 2020", line), issued_on=None, year=2022)


def test_impossible_date_is_null_but_year_kept():
    _same_except(_variant("ngày **26** tháng 5", "ngày 31 tháng 2"), issued_on=None)


def test_no_number_line():
    _same_except(_variant("Số: **108** /KH-UBND", ""), number=None, symbol=None)


def test_no_date_line_year_from_title():
    # title ends "… trong năm 2020": the year falls back to the title
    _same_except(_variant("Cẩm Mỹ, ngày **26** tháng 5 năm 2020", ""), place=None, issued_on=None, year=2020)


def test_no_heading_type_from_symbol():
    got = _variant("KẾ HOẠCH\n", "")
    assert (got["doc_type"], got["doc_type_name"], got["number"]) == ("KH", "Kế hoạch", "108")
    assert got["title"] is None  # without the heading we cannot tell where a trích yếu starts


def test_bold_markers_everywhere():
    text = (
        SAMPLE_108.replace("KẾ HOẠCH", "**KẾ HOẠCH**")
        .replace("Nơi nhận:", "**Nơi nhận:**")
        .replace("CHỦ TỊCH\n", "**CHỦ TỊCH**\n")
        .replace("Trần Văn Chiến", "**Trần Văn Chiến**")
        .replace("Cẩm Mỹ, ngày **26** tháng 5", "*Cẩm Mỹ, ngày **26** tháng **5***")
    )
    assert parse_plan_text(text).to_json_dict() == EXPECTED_108


def test_nbsp_stray_characters_crlf_bom_and_nfd():
    text = (
        "\ufeff"
        + SAMPLE_108.replace("Số: **108** /KH-UBND", "Số:\u00a0108\u00a0/KH\u2011UBND\u200b")
        .replace("Cẩm Mỹ, ngày **26** tháng 5", "Cẩm\u00a0Mỹ,  ngày\t26 tháng\u00a05")
        .replace("KẾ HOẠCH", "  KẾ\u00a0 HOẠCH  ")
        .replace("Trần Văn Chiến", "Trần\u00a0Văn  Chiến")
        .replace("\n", "\r\n")
    )
    text = unicodedata.normalize("NFD", text)
    assert parse_plan_text(text).to_json_dict() == EXPECTED_108


def test_diacritic_typos_in_labels():
    got = _variant("KẾ HOẠCH", "KÊ HOACH", SAMPLE_108.replace("Nơi nhận:", "Nơi nhân:"))
    assert got == EXPECTED_108


def test_cp1258_text_file(tmp_path):
    def to_cp1258(s: str) -> bytes:  # Windows-1258 stores the tone mark as a separate combining char
        out = b""
        for ch in s:
            try:
                out += ch.encode("cp1258")
            except UnicodeEncodeError:
                d = unicodedata.normalize("NFD", ch)
                tone = [c for c in d if c in "\u0300\u0301\u0303\u0309\u0323"]
                base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tone))
                out += base.encode("cp1258") + "".join(tone).encode("cp1258")
        return out

    path = tmp_path / "kh.txt"
    path.write_bytes(to_cp1258(SAMPLE_108))
    assert read_plan_file(path).to_json_dict() == EXPECTED_108


# ------------------------------------------------------------------ a Chỉ thị, a công văn, small rules

CHI_THI = """ỦY BAN NHÂN DÂN
HUYỆN CẨM MỸ
Số: 05/CT-UBND
Cẩm Mỹ, ngày 10 tháng 3 năm 2022
CHỈ THỊ
Về việc đẩy mạnh phong trào thi đua
“Dân vận khéo” năm 2022
Thời gian qua, phong trào thi đua “Dân vận khéo” đạt nhiều kết quả.
Để phát huy kết quả đạt được, Chủ tịch UBND huyện chỉ thị:
1. Các cơ quan, đơn vị tổ chức phát động thi đua. Thời gian thực hiện: từ ngày 01/4/2022 đến ngày 31/12/2022.
2. Mỗi xã lựa chọn 01 tập thể và 02 cá nhân tiêu biểu mỗi năm để đề nghị tặng Giấy khen; tập thể xuất sắc \
đề nghị Bằng khen của Chủ tịch UBND tỉnh, cá nhân đề nghị danh hiệu Chiến sĩ thi đua cơ sở.
3. Định kỳ 06 tháng, hằng năm báo cáo kết quả về UBND huyện (qua Phòng Nội vụ).
Nơi nhận:
- Như trên;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
(Đã ký)
Nguyễn Thị Hoa
"""


def test_chi_thi():
    assert parse_plan_text(CHI_THI).to_json_dict() == {
        "doc_type": "CT",
        "doc_type_name": "Chỉ thị",
        "number": "05",
        "symbol": "CT-UBND",
        "place": "Cẩm Mỹ",
        "issued_on": "2022-03-10",
        "year": 2022,
        "title": "Về việc đẩy mạnh phong trào thi đua “Dân vận khéo” năm 2022",
        "period": {
            "start": "2022-04-01",
            "end": "2022-12-31",
            "text": "Thời gian thực hiện: từ ngày 01/4/2022 đến ngày 31/12/2022.",
        },
        "reporting": {
            "cadence": "6-monthly",
            "text": "Định kỳ 06 tháng, hằng năm báo cáo kết quả về UBND huyện (qua Phòng Nội vụ).",
        },
        "quota": {
            "collectives": 1,
            "individuals": 2,
            "per": "year",
            "text": "Mỗi xã lựa chọn 01 tập thể và 02 cá nhân tiêu biểu mỗi năm để đề nghị tặng Giấy khen; tập "
            "thể xuất sắc đề nghị Bằng khen của Chủ tịch UBND tỉnh, cá nhân đề nghị danh hiệu Chiến sĩ thi đua "
            "cơ sở.",
        },
        "reward_forms": ["Giấy khen", "Bằng khen", "Chiến sĩ thi đua cơ sở"],
        "signer": {"name": "Nguyễn Thị Hoa", "title": "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"},
        "recipients": ["Như trên", "Lưu: VT"],
        "implements": None,
    }


def test_cong_van_from_vv_line():
    text = """ỦY BAN NHÂN DÂN HUYỆN CẨM MỸ
Số: 1234/UBND-NC
V/v triển khai phong trào thi đua
năm 2023
Cẩm Mỹ, ngày 05 tháng 01 năm 2023
Kính gửi: UBND các xã.
Đề nghị các xã báo cáo về UBND huyện trước ngày 15/01/2023.
"""
    got = parse_plan_text(text).to_json_dict()
    assert (got["doc_type"], got["doc_type_name"], got["number"], got["symbol"]) == ("CV", "Công văn", "1234", "UBND-NC")
    assert got["title"] == "triển khai phong trào thi đua năm 2023"
    assert (got["issued_on"], got["year"]) == ("2023-01-05", 2023)
    assert got["reporting"] == {"cadence": None, "text": "Đề nghị các xã báo cáo về UBND huyện trước ngày 15/01/2023."}
    assert got["signer"] == {"name": None, "title": None} and got["recipients"] == []


def test_symbol_abbreviations():
    assert parse_plan_text("Số: 12/QĐ-UBND\nCẩm Mỹ, ngày 1 tháng 2 năm 2021").doc_type == "QĐ"
    assert parse_plan_text("Số: 12/QD-UBND\nCẩm Mỹ, ngày 1 tháng 2 năm 2021").doc_type == "QĐ"
    assert parse_plan_text("Số: 3/TTr-UBND\nCẩm Mỹ, ngày 1 tháng 2 năm 2021").doc_type_name == "Tờ trình"
    assert parse_plan_text("Số 34-CT/TW\nHà Nội, ngày 7 tháng 4 năm 2014").to_json_dict()["symbol"] == "CT/TW"


def _body(*lines: str) -> PlanInfo:
    return parse_plan_text("\n".join(["Số: 1/KH-UBND", "KẾ HOẠCH", "Thi đua năm 2022", *lines]))


@pytest.mark.parametrize(
    ("sentence", "start", "end"),
    [
        ("Từ nay đến hết ngày 30/8/2022.", None, date(2022, 8, 30)),
        ("Thời gian: từ ngày 01/6/2020 đến ngày 31/12/2020.", date(2020, 6, 1), date(2020, 12, 31)),
        ("Thời gian thi đua từ ngày 01 tháng 6 năm 2020 đến hết ngày 30 tháng 9 năm 2020.", date(2020, 6, 1), date(2020, 9, 30)),
        ("Thời gian thực hiện từ tháng 6/2022 đến tháng 2/2023.", date(2022, 6, 1), date(2023, 2, 28)),
        ("Thời gian thực hiện: từ nay đến hết năm 2022.", None, date(2022, 12, 31)),
    ],
)
def test_period_forms(sentence, start, end):
    info = _body("Thời gian qua, phong trào đạt nhiều kết quả từ cơ sở.", sentence)
    assert (info.period.start, info.period.end, info.period.text) == (start, end, sentence)


@pytest.mark.parametrize(
    ("sentence", "cadence"),
    [
        ("Định kỳ 06 tháng báo cáo kết quả về Phòng Nội vụ.", "6-monthly"),
        ("Định kỳ mỗi quý gửi báo cáo về UBND huyện.", "quarterly"),
        ("Các đơn vị báo cáo kết quả hằng quý.", "quarterly"),
        ("Định kỳ hàng năm tổng kết, báo cáo UBND huyện.", "yearly"),
    ],
)
def test_reporting_cadences(sentence, cadence):
    assert _body(sentence).reporting.cadence == cadence


def test_quota_forms():
    q = _body("Mỗi đơn vị chọn từ 01 đến 03 tập thể và 05 cá nhân; tổng kết đợt thi đua.").quota
    assert (q.collectives, q.individuals, q.per) == (3, 5, "campaign")
    q = _body("Định kỳ 6 tháng một lần, chọn 04 cá nhân tiêu biểu.").quota
    assert (q.collectives, q.individuals, q.per) == (None, 4, "6-months")
    assert _body("Khen thưởng các tập thể, cá nhân tiêu biểu.").quota is None


def test_reward_forms_dedup_and_order():
    info = _body(
        "Tặng Bằng khen, giấy khen và danh hiệu “Tập thể lao động tiên tiến”, “Lao động tiên tiến”.",
        "Đề nghị Huân chương lao động hạng ba, Cờ thi đua của Chính phủ, Giấy khen, bằng khen, Giấy chứng nhận.",
    )
    assert info.reward_forms == [
        "Bằng khen", "Giấy khen", "Tập thể lao động tiên tiến", "Lao động tiên tiến",
        "Huân chương Lao động hạng Ba", "Cờ thi đua của Chính phủ", "Giấy chứng nhận",
    ]


def test_markdown_file(tmp_path):
    md = tmp_path / "kh.md"
    md.write_text(
        "| ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n|---|---|\n"
        "| Số: **108**/KH-UBND | *Cẩm Mỹ, ngày 26 tháng 5 năm 2020* |\n\n"
        + SAMPLE_108.split("KẾ HOẠCH", 1)[1].replace("\n- ", "\n* ").join(["# KẾ HOẠCH", ""]),
        encoding="utf-8",
    )
    assert read_plan_file(md).to_json_dict() == EXPECTED_108


# ------------------------------------------------------------------ .docx and .pdf read back to the same fields

MINI_HEADER = [
    ("ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("HUYỆN CẨM MỸ", "Độc lập - Tự do - Hạnh phúc"),
    ("Số: 45/KH-UBND", "Cẩm Mỹ, ngày 02 tháng 6 năm 2022"),
]
MINI_BODY = [
    "KẾ HOẠCH",
    "Phát động phong trào thi đua “Chung sức xây dựng nông thôn mới” năm 2022",
    "Thực hiện Kế hoạch số 5232/KH-UBND ngày 11/5/2022 của UBND tỉnh.",
    "I. NỘI DUNG",
    "1. Thời gian thực hiện: từ ngày 01/6/2022 đến ngày 31/12/2022.",
    "2. Mỗi xã chọn 02 tập thể, 03 cá nhân tiêu biểu mỗi quý để đề nghị tặng Giấy khen của Chủ tịch "
    "UBND huyện; tập thể xuất sắc đề nghị Bằng khen.",
    "3. Kết thúc phong trào, đề nghị tặng Cờ thi đua và Huân chương Lao động hạng Ba.",
    "II. TỔ CHỨC THỰC HIỆN",
    "Định kỳ 06 tháng báo cáo kết quả về UBND huyện (qua Phòng Nội vụ).",
]
MINI_RECIPIENTS = ["Nơi nhận:", "- Sở Nội vụ;", "- UBND các xã;", "- Lưu: VT."]
MINI_SIGNER = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Đã ký)", "", "Nguyễn Văn An"]
EXPECTED_MINI = {
    "doc_type": "KH",
    "doc_type_name": "Kế hoạch",
    "number": "45",
    "symbol": "KH-UBND",
    "place": "Cẩm Mỹ",
    "issued_on": "2022-06-02",
    "year": 2022,
    "title": "Phát động phong trào thi đua “Chung sức xây dựng nông thôn mới” năm 2022",
    "period": {
        "start": "2022-06-01",
        "end": "2022-12-31",
        "text": "Thời gian thực hiện: từ ngày 01/6/2022 đến ngày 31/12/2022.",
    },
    "reporting": {"cadence": "6-monthly", "text": "Định kỳ 06 tháng báo cáo kết quả về UBND huyện (qua Phòng Nội vụ)."},
    "quota": {
        "collectives": 2,
        "individuals": 3,
        "per": "quarter",
        "text": "Mỗi xã chọn 02 tập thể, 03 cá nhân tiêu biểu mỗi quý để đề nghị tặng Giấy khen của Chủ tịch "
        "UBND huyện; tập thể xuất sắc đề nghị Bằng khen.",
    },
    "reward_forms": ["Giấy khen", "Bằng khen", "Cờ thi đua", "Huân chương Lao động hạng Ba"],
    "signer": {"name": "Nguyễn Văn An", "title": "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH"},
    "recipients": ["Sở Nội vụ", "UBND các xã", "Lưu: VT"],
    "implements": {"number": "5232", "symbol": "KH-UBND", "issued_on": "2022-05-11", "issuer": "UBND tỉnh"},
}


def _mini_lines() -> list[str]:
    return [c for row in MINI_HEADER for c in row] + MINI_BODY + MINI_RECIPIENTS + MINI_SIGNER


def test_mini_as_text():
    assert parse_plan_text("\n".join(_mini_lines())).to_json_dict() == EXPECTED_MINI


def _make_docx(path: Path) -> None:
    import docx

    doc = docx.Document()
    header = doc.add_table(rows=len(MINI_HEADER), cols=2)
    for row, (left, right) in zip(header.rows, MINI_HEADER):
        row.cells[0].text, row.cells[1].text = left, right
    for line in MINI_BODY:
        doc.add_paragraph(line)
    closing = doc.add_table(rows=1, cols=2)
    closing.rows[0].cells[0].text = "\n".join(MINI_RECIPIENTS)
    for i, line in enumerate(MINI_SIGNER):
        cell = closing.rows[0].cells[1]
        (cell.paragraphs[0] if i == 0 else cell.add_paragraph()).text = line
    doc.save(str(path))


def test_docx_header_in_table(tmp_path):
    path = tmp_path / "ke-hoach.docx"
    _make_docx(path)
    assert read_plan_file(path).to_json_dict() == EXPECTED_MINI
    assert read_plan_bytes("KE-HOACH.DOCX", path.read_bytes()).to_json_dict() == EXPECTED_MINI


def test_docx_merged_cells_read_once(tmp_path):
    import docx

    doc = docx.Document()
    table = doc.add_table(rows=1, cols=2)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "KẾ HOẠCH"
    path = tmp_path / "m.docx"
    doc.save(str(path))
    assert extract_text(path).split() == ["KẾ", "HOẠCH"]


def make_text_pdf(lines: list[str]) -> bytes:
    """A minimal PDF with a real text layer: a Type0 font (Identity-H) whose ToUnicode CMap maps
    one 2-byte code per character used, so pypdf extracts exact Vietnamese text."""
    chars = sorted({c for line in lines for c in line})
    code = {c: i + 1 for i, c in enumerate(chars)}
    rows = "\n".join(f"<{''.join(f'{code[c]:04X}' for c in line)}> Tj 0 -14 Td" for line in lines)
    content = f"BT /F1 10 Tf 40 800 Td\n{rows}\nET".encode()
    bfchar = ""
    for i in range(0, len(chars), 100):
        block = chars[i : i + 100]
        bfchar += f"{len(block)} beginbfchar\n" + "".join(f"<{code[c]:04X}> <{ord(c):04X}>\n" for c in block)
        bfchar += "endbfchar\n"
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        f"1 begincodespacerange <0000> <FFFF> endcodespacerange\n{bfchar}"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Arial /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Arial "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    return write_pdf(objects)


def test_pdf_text_layer(tmp_path):
    lines = [x for x in _mini_lines() if x]
    # wrap the long quota sentence as a PDF would: the first half is the widest line on the page
    i = lines.index(MINI_BODY[5])
    lines[i : i + 1] = [MINI_BODY[5][:95].rstrip(), MINI_BODY[5][95:].lstrip()]
    assert max(map(len, lines)) == len(lines[i])
    path = tmp_path / "ke-hoach.pdf"
    path.write_bytes(make_text_pdf(lines))
    assert "Nguyễn Văn An" in extract_text(path)
    assert read_plan_file(path).to_json_dict() == EXPECTED_MINI


# ------------------------------------------------------------------ errors

def test_unsupported_extension(tmp_path):
    with pytest.raises(PlanReadError) as err:
        extract_text(("virus.exe", b"MZ\x90\x00"))
    assert str(err.value) == "Tệp .exe không được hỗ trợ. Hãy gửi tệp .docx, .pdf, .txt hoặc .md."
    with pytest.raises(PlanReadError, match="không được hỗ trợ"):
        read_plan_file(tmp_path / "old.doc")  # checked before the file is even opened


@pytest.mark.parametrize("data", [b"", b"  \n\r\n\t "])
@pytest.mark.parametrize("name", ["kh.txt", "kh.md", "kh.docx", "kh.pdf"])
def test_empty_file(name, data):
    with pytest.raises(PlanReadError, match="^Tệp rỗng"):
        extract_text(name, data)


def test_corrupt_docx(tmp_path):
    path = tmp_path / "hong.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(PlanReadError, match="^Không đọc được tệp .docx"):
        read_plan_file(path)
    with pytest.raises(PlanReadError, match="^Không đọc được tệp .docx"):
        read_plan_bytes("ke-hoach.docx", b"KE HOACH plain text renamed")


def test_corrupt_pdf():
    with pytest.raises(PlanReadError, match="^Không đọc được tệp .pdf"):
        extract_text("kh.pdf", b"%PDF-1.4\ngarbage without objects")


def test_scanned_pdf_without_text_layer():
    with pytest.raises(PlanReadError, match="không có lớp chữ.*scan"):
        extract_text("scan.pdf", make_text_pdf([]))


def test_missing_file(tmp_path):
    with pytest.raises(PlanReadError, match="Không đọc được tệp khong-co.txt"):
        read_plan_file(tmp_path / "khong-co.txt")


def test_text_that_is_not_a_document():
    with pytest.raises(PlanReadError, match="Không nhận ra văn bản"):
        read_plan_bytes("ghi-chu.txt", "Xin chào, mai họp lúc 8 giờ nhé.\nCảm ơn.".encode())


def test_signer_variants():
    base = "KẾ HOẠCH\nThi đua năm 2022\nNơi nhận:\n- Như trên;\n"
    assert parse_plan_text(base + "TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\nTRẦN VĂN AN").to_json_dict()["signer"] == {
        "name": "TRẦN VĂN AN", "title": "TL. CHỦ TỊCH / CHÁNH VĂN PHÒNG"}
    # no signer block at all: nothing is guessed from body text or headings
    info = parse_plan_text("QUYẾT ĐỊNH\nVề việc khen thưởng\nCăn cứ Luật Thi đua.\nQUYẾT ĐỊNH:\nĐiều 1. Tặng Giấy khen.")
    assert (info.signer.name, info.signer.title, info.recipients) == (None, None, [])
