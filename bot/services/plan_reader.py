"""The plan reader: pull the facts the bot needs out of a launch document (kế hoạch, chỉ thị…).

Input is a .txt/.md/.docx/text .pdf; output is a `PlanInfo` of plain values. The rule everywhere:
a field that is not in the document is None, never a guess. No telegram imports here.

Structural labels ("Số:", "ngày … tháng … năm", "Nơi nhận:", the type heading) are matched on a
*folded* copy of each line (diacritics removed, same length), so typos in diacritics still match and
the captured spans are cut from the original text. Content phrases (periods, cadences, quotas)
are matched on the real text, because folding makes "mỗi quý" collide with "mọi quy (định)".
"""

from __future__ import annotations

import calendar
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.texts import DOC_TYPES
from bot import vn_format

SUPPORTED_SUFFIXES = (".docx", ".pdf", ".txt", ".md")


class PlanReadError(Exception):
    """The file cannot be read as a document; the message is Vietnamese and meant for the user."""


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None
    text: str | None = None


@dataclass(frozen=True)
class Reporting:
    cadence: str | None = None  # "6-monthly" | "quarterly" | "yearly"
    text: str | None = None


@dataclass(frozen=True)
class Quota:
    collectives: int | None
    individuals: int | None
    per: str | None  # "quarter" | "6-months" | "year" | "campaign"
    text: str


@dataclass(frozen=True)
class Signer:
    name: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class PlanInfo:
    doc_type: str | None
    doc_type_name: str | None
    number: str | None
    symbol: str | None
    place: str | None
    issued_on: date | None
    year: int | None
    title: str | None
    period: Period
    reporting: Reporting
    quota: Quota | None
    reward_forms: list[str]
    signer: Signer
    recipients: list[str]
    # "Thực hiện Kế hoạch số 5232/KH-UBND ngày 11/5/2020 của UBND tỉnh": the higher level's plan
    # this one carries out ({number, symbol, issued_on, issuer}), when the text names one.
    implements: dict | None = None

    def to_json_dict(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        q = self.quota
        return {
            "doc_type": self.doc_type, "doc_type_name": self.doc_type_name,
            "number": self.number, "symbol": self.symbol, "place": self.place,
            "issued_on": iso(self.issued_on), "year": self.year, "title": self.title,
            "period": {"start": iso(self.period.start), "end": iso(self.period.end), "text": self.period.text},
            "reporting": {"cadence": self.reporting.cadence, "text": self.reporting.text},
            "quota": None if q is None else {"collectives": q.collectives, "individuals": q.individuals,
                                             "per": q.per, "text": q.text},
            "reward_forms": list(self.reward_forms),
            "signer": {"name": self.signer.name, "title": self.signer.title},
            "recipients": list(self.recipients),
            "implements": self.implements,
        }


# ---------------------------------------------------------------- text clean-up

def fold(s: str) -> str:
    """Strip diacritics char by char (đ -> d) so indices in the result match the input."""
    return "".join("d" if c == "đ" else "D" if c == "Đ" else unicodedata.normalize("NFD", c)[0] for c in s)


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")  # NBSP & co. -> one space
_MD_TABLE_RULE = re.compile(r"\s*:?-{3,}:?\s*")  # the |---|---| row of a markdown table
_OTHER_BULLET = re.compile(r"^\s*[*+•●▪◦]\s+")  # markdown/word bullets, unified to "- "


def _clean_line(line: str) -> str:
    line = line.translate(_INVISIBLE).replace("\u2010", "-").replace("\u2011", "-")
    line = re.sub(r"^\s*(?:#{1,6}|>)\s*", "", line)  # markdown heading / quote markers
    line = _OTHER_BULLET.sub("- ", line)
    line = line.replace("*", "")  # **bold** markers and stray asterisks ("- NV*")
    return _SPACES.sub(" ", line).strip()


def _lines(text: str) -> list[str]:
    out = []
    for raw in re.split(r"\r\n|[\r\n\x0b\x0c\u2028\u2029]", unicodedata.normalize("NFC", text)):
        cells = [raw]
        if raw.strip().startswith("|"):  # markdown table row: one line per cell
            cells = [c for c in raw.strip().strip("|").split("|") if not _MD_TABLE_RULE.fullmatch(c)]
        out += [c for c in map(_clean_line, cells) if c]
    return out


# List markers that open a paragraph: "- ", "1. ", "2.1. ", "a) ", "II. "
_ITEM_START = re.compile(r"^(?:[-–+•]\s*|\d+(?:\.\d+)*[.)]\s+|[a-zđ][.)]\s+|[IVXLC]+[.)]\s+)")
# Lines (folded) that begin body text rather than continue a title.
_BODY_START = re.compile(
    r"^(?:Thuc hien|Can cu|Theo|Nham|De|Tren co so|Xet|Huong ung|Kinh gui|Thoi gian qua|Hien nay"
    r"|Qua|Nam \d{4}|Dieu \d|[IVXLC]+[.)]\s|\d+[.)]\s)\b")


def _paragraphs(lines: list[str]) -> list[str]:
    """Join continuation lines (starting lowercase, e.g. a paragraph broken by a stray blank line)."""
    paras: list[str] = []
    for ln in lines:
        if paras and ln[0].islower() and not _ITEM_START.match(ln):
            paras[-1] += " " + ln
        else:
            paras.append(ln)
    return paras


def _sentences(para: str) -> list[str]:
    para = _ITEM_START.sub("", para, count=1)
    out: list[str] = []
    for piece in re.split(r"(?<=[.!?])\s+", para):
        if out and piece and (piece[0].islower() or piece[0].isdigit()):
            out[-1] += " " + piece  # "ngày 11/5/2020. và" is not a new sentence
        elif piece:
            out.append(piece)
    return out


# ---------------------------------------------------------------- header block

_HEADINGS = {re.sub(r"\s+", " ", fold(name).upper()): abbr for abbr, name in DOC_TYPES.items() if abbr != "CV"}
_SYMBOL_TYPES = {abbr.upper(): abbr for abbr in DOC_TYPES}
# Folded abbreviations ("QD" -> "QĐ") only where unambiguous: HD/HĐ and DA/ĐA collide.
for _abbr in DOC_TYPES:
    if list(map(fold, DOC_TYPES)).count(fold(_abbr)) == 1:
        _SYMBOL_TYPES.setdefault(fold(_abbr).upper(), _abbr)

# "Số: 108/KH-UBND", "Số: **108** /KH-UBND", "Số 23/KH-UBND", "Số: /KH-UBND" (blank number),
# "Số: 15/2020/QĐ-UBND" (number/year/symbol), "Số 05-CT/TU" (party style). Matched on folded text.
_NUMBER_LINE = re.compile(
    r"(?:^|\s)So\s*:?\s*(?P<num>[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?[\s._…]*[/-]\s*"
    r"(?:(?P<numyear>(?:19|20)\d{2})\s*/\s*)?(?P<sym>[A-Za-z][A-Za-z0-9.&/-]*)")
# "Cẩm Mỹ, ngày 26 tháng 5 năm 2020"; day/month may be blank, dotted or "…" (not signed yet).
_DATE_LINE = re.compile(
    r"(?:(?P<pre>[^,]*),\s*|^)ngay[\s._…]*(?P<d>\d{1,2})?[\s._…]*thang[\s._…]*(?P<m>\d{1,2})?"
    r"[\s._…]*nam\s*(?P<y>\d{4})", re.I)
_VV_LINE = re.compile(r"^V/v\s*:?\s*", re.I)  # công văn: trích yếu follows "V/v"


def _safe_date(y, m, d) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except (TypeError, ValueError):
        return None


def _place(prefix: str) -> str | None:
    """The capitalised words right before ", ngày" (drops a "Số: …" merged onto the same line)."""
    words = []
    for w in reversed(prefix.split()):
        if not w[0].isupper():
            break
        words.insert(0, w)
    return " ".join(words) or None


def _heading_type(line: str) -> str | None:
    return _HEADINGS.get(re.sub(r"[\s:.]+", " ", fold(line).upper()).strip())


def _title_from(lines: list[str]) -> tuple[str | None, int]:
    """Trích yếu: lines up to the first body paragraph. Returns (title, lines consumed)."""
    title: list[str] = []
    i = 0
    for i, ln in enumerate(lines):
        if re.fullmatch(r"[-_=~.…\s]{2,}", ln):  # decorative rule under the title
            if title:
                break
            continue
        if _DATE_LINE.search(fold(ln)):  # the date line of a flattened two-column header
            break
        if title and (_BODY_START.match(fold(ln)) or ln.isupper() or ln.endswith((".", ";", ":"))
                      or title[-1].endswith((".", ";", ":")) or len(title) >= 4):
            break
        if not title and re.match(r"^(?:Can cu|Kinh gui|[IVXLC]+\.\s)", fold(ln)):
            break  # no title at all
        title.append(ln)
    else:
        i = len(lines)
    return (" ".join(title) or None), i


# ---------------------------------------------------------------- body rules

_DATE = r"(?:ngày\s+)?(\d{1,2})\s*(?:[/.-]|\s+tháng\s+)\s*(\d{1,2})\s*(?:[/.-]|\s+năm\s+)\s*(\d{4})"
_PERIOD_START = re.compile(r"\btừ\s+" + _DATE, re.I)
_PERIOD_START_MONTH = re.compile(r"\btừ\s+tháng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})", re.I)
_PERIOD_END = re.compile(r"\bđến\s+(?:hết\s+)?" + _DATE, re.I)
_PERIOD_END_YEAR = re.compile(r"\bđến\s+(?:hết\s+)?(?:cuối|hết)\s+năm\s+(\d{4})", re.I)  # -> 31/12
_PERIOD_END_MONTH = re.compile(r"\bđến\s+(?:hết\s+|cuối\s+)?tháng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})", re.I)
# A "Thời gian …" sentence with a range word; "thời gian qua/tới" is prose, "tổng kết" is not the period.
_PERIOD_LEAD = re.compile(r"\bthời gian\b(?!\s+(?:qua|tới|gần đây|tổng kết|sơ kết))(?=.*\b(?:từ|đến|bắt đầu)\b)", re.I)
# Fallback: a range without the "Thời gian" label ("Từ nay đến hết ngày 30/8/2022").
_PERIOD_RANGE = re.compile(r"\b(?:từ nay|(?:kể )?từ ngày|từ tháng)\b.*\bđến\b", re.I)

_HANG = r"(?:mỗi|h[ằàă]ng)"
_CADENCES = {  # earliest match in the sentence wins
    "6-monthly": re.compile(rf"(?:định kỳ|{_HANG})\s+(?:0?6|sáu)\s+tháng|(?:0?6|sáu)\s+tháng\s*(?:một lần|/\s*lần)", re.I),
    "quarterly": re.compile(rf"(?:{_HANG}|theo|định kỳ)\s+quý\b|quý\s*/\s*lần", re.I),
    "yearly": re.compile(rf"{_HANG}\s+năm\b|định kỳ\s+năm\b|năm\s*/\s*lần", re.I),
}
_PER = {"6-monthly": "6-months", "quarterly": "quarter", "yearly": "year"}
_CAMPAIGN = re.compile(r"(?:kết thúc|tổng kết|cuối|sau)\s+(?:đợt|phong trào)|(?:cả|mỗi|toàn)\s+đợt", re.I)
_REPORT_WORD = re.compile(r"báo cáo|sơ kết|tổng kết|gửi về|gửi kết quả", re.I)
_REPORT_TO = re.compile(r"báo cáo(?:\s+kết quả)?\s+(?:về|cho|lên|gửi)\b|gửi báo cáo", re.I)

# "02 tập thể, 03 cá nhân"; "từ 01 đến 02 tập thể, cá nhân" means up to 2 collectives AND up to 2
# individuals: we apply the upper bound of a shared range to each group (the count is per group).
_N = r"(?:từ\s+)?(?:\d{1,3}\s*(?:đến|-|–)\s*)?(\d{1,3})"
_QUOTA_BOTH = re.compile(_N + r"\s+tập thể\s*,?\s*(?:và\s+|hoặc\s+)?cá nhân", re.I)
_QUOTA_COLL = re.compile(_N + r"\s+tập thể", re.I)
_QUOTA_IND = re.compile(_N + r"\s+cá nhân", re.I)

_ORDERS = {"lao động": "Lao động", "độc lập": "Độc lập", "hồ chí minh": "Hồ Chí Minh", "sao vàng": "Sao vàng",
           "bảo vệ tổ quốc": "Bảo vệ Tổ quốc", "chiến công": "Chiến công", "dũng cảm": "Dũng cảm",
           "hữu nghị": "Hữu nghị", "đại đoàn kết dân tộc": "Đại đoàn kết dân tộc", "quân công": "Quân công"}
# Canonical form -> pattern. Order matters: longer forms first so "Tập thể lao động tiên tiến"
# is not also counted as "Lao động tiên tiến".
_REWARD_FORMS = {
    "Huân chương": rf"huân chương(?:\s+(?:{'|'.join(_ORDERS)}))?(?:\s+hạng\s+(?:nhất|nhì|ba))?",
    "Anh hùng Lao động": r"anh hùng lao động",
    "Cờ thi đua của Chính phủ": r"cờ thi đua của chính phủ",
    "Cờ thi đua": r"cờ thi đua",
    "Chiến sĩ thi đua toàn quốc": r"chiến s[ĩỹ] thi đua toàn quốc",
    "Chiến sĩ thi đua cấp tỉnh": r"chiến s[ĩỹ] thi đua cấp tỉnh",
    "Chiến sĩ thi đua cơ sở": r"chiến s[ĩỹ] thi đua cơ sở",
    "Chiến sĩ thi đua": r"chiến s[ĩỹ] thi đua",
    "Tập thể lao động xuất sắc": r"tập thể lao động xuất sắc",
    "Tập thể lao động tiên tiến": r"tập thể lao động tiên tiến",
    "Lao động tiên tiến": r"lao động tiên tiến",
    "Chiến sĩ tiên tiến": r"chiến s[ĩỹ] tiên tiến",
    "Đơn vị quyết thắng": r"đơn vị quyết thắng",
    "Đơn vị tiên tiến": r"đơn vị tiên tiến",
    "Bằng khen": r"bằng khen",
    "Giấy khen": r"giấy khen",
    "Giấy chứng nhận": r"giấy chứng nhận",
    "Kỷ niệm chương": r"kỷ niệm chương",
}
_REWARD_RE = re.compile("|".join(f"(?P<f{i}>{p})" for i, p in enumerate(_REWARD_FORMS.values())), re.I)


def _first_match(sentences, pred):
    return next(((s, p) for s, p in sentences if pred(s)), (None, None))


def _earliest(text: str, patterns: dict) -> str | None:
    hits = [(m.start(), key) for key, rx in patterns.items() if (m := rx.search(text))]
    return min(hits)[1] if hits else None


def _find_period(sentences) -> Period:
    text, _ = _first_match(sentences, _PERIOD_LEAD.search)
    if text is None:
        text, _ = _first_match(sentences, _PERIOD_RANGE.search)
    if text is None:
        return Period()
    start = end = None
    if m := _PERIOD_START.search(text):
        start = _safe_date(m[3], m[2], m[1])
    elif m := _PERIOD_START_MONTH.search(text):
        start = _safe_date(m[2], m[1], 1)
    if m := _PERIOD_END.search(text):
        end = _safe_date(m[3], m[2], m[1])
    elif m := _PERIOD_END_YEAR.search(text):
        end = date(int(m[1]), 12, 31)
    elif (m := _PERIOD_END_MONTH.search(text)) and 1 <= int(m[1]) <= 12:
        end = date(int(m[2]), int(m[1]), calendar.monthrange(int(m[2]), int(m[1]))[1])
    return Period(start, end, text)


def _find_reporting(sentences) -> Reporting:
    text, _ = _first_match(sentences, lambda s: _earliest(s, _CADENCES) and _REPORT_WORD.search(s))
    if text:
        return Reporting(_earliest(text, _CADENCES), text)
    text, _ = _first_match(sentences, _REPORT_TO.search)  # a reporting duty with no stated cadence
    return Reporting(None, text)


def _find_quota(sentences) -> Quota | None:
    text, para = _first_match(sentences, lambda s: _QUOTA_COLL.search(s) or _QUOTA_IND.search(s))
    if text is None:
        return None
    if m := _QUOTA_BOTH.search(text):
        coll = ind = int(m[1])
    else:
        coll = int(m[1]) if (m := _QUOTA_COLL.search(text)) else None
        ind = int(m[1]) if (m := _QUOTA_IND.search(text)) else None
    per = None
    for scope in (text, para):  # "mỗi quý" in the sentence, else in its paragraph ("Hàng năm … xét chọn 02 tập thể")
        per = _PER.get(_earliest(scope, _CADENCES) or "") or ("campaign" if _CAMPAIGN.search(scope) else None)
        if per:
            break
    return Quota(coll, ind, per, text)


def _find_rewards(text: str) -> list[str]:
    names = list(_REWARD_FORMS)
    found: list[str] = []
    for m in _REWARD_RE.finditer(text):
        form = names[int(m.lastgroup[1:])]
        if form == "Huân chương":
            words = m[0].lower().split()[2:]
            cls = words.index("hạng") if "hạng" in words else len(words)
            form = " ".join(["Huân chương", _ORDERS.get(" ".join(words[:cls]), "")] + [w.capitalize() if w != "hạng" else w for w in words[cls:]])
            form = re.sub(r"\s+", " ", form).strip()
        if form not in found:
            found.append(form)
    return found


# ---------------------------------------------------------------- closing block

_RECIPIENTS_LABEL = re.compile(r"^Noi nhan\s*:?\s*", re.I)  # folded "Nơi nhận:"
_BULLET = re.compile(r"^[-–+•]\s*")
# Words that make an upper-case closing line a signer title (folded): CHỦ TỊCH, KT., TM., TL., …
_TITLE_WORDS = re.compile(r"\b(?:CHU TICH|GIAM DOC|TRUONG|PHO|BI THU|UY BAN|UBND|HOI DONG|CHANH|TONG"
                          r"|KT|TM|TL|TUQ|Q)\b")
_SIGN_NOISE = re.compile(r"^[(\[]?\s*(?:da ky|ky ten|ky,|ky va|chu ky|dong dau|ky\)|\[?ky)", re.I)


def _is_title(line: str) -> bool:
    return line.isupper() and len(line) <= 80 and bool(_TITLE_WORDS.search(fold(line)))


def _is_name(line: str) -> bool:
    """2–6 alphabetic words, each Capitalised ("Trần Văn Chiến") or all upper-case (not a title)."""
    words = line.split()
    if not 2 <= len(words) <= 6 or not all(w.isalpha() for w in words):
        return False
    if all(w.isupper() for w in words):
        return not _is_title(line) and not _heading_type(line)
    return all(w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words)


def _find_recipients(lines: list[str]) -> tuple[list[str], tuple[int, int] | None]:
    starts = [i for i, ln in enumerate(lines) if _RECIPIENTS_LABEL.match(fold(ln))]
    if not starts:
        return [], None
    i = starts[-1]
    items = [lines[i][_RECIPIENTS_LABEL.match(fold(lines[i])).end():]]
    j = i + 1
    while j < len(lines) and (_BULLET.match(lines[j]) or (lines[j].endswith((";", ".")) and len(lines[j]) < 100)):
        items.append(lines[j])
        j += 1
    cleaned = [re.sub(r"[\s;.,]+$", "", _BULLET.sub("", x)).strip() for x in items]
    return [x for x in cleaned if x], (i, j)


def _find_signer(lines: list[str], span: tuple[int, int] | None) -> Signer:
    region = lines[span[1]:] if span else lines[-8:]
    if span and not any(_is_name(x) or _is_title(x) for x in region):
        region = lines[max(0, span[0] - 8):span[0]]  # signer extracted before "Nơi nhận:"
    region = [x for x in region if not _SIGN_NOISE.match(fold(x))]
    names = [i for i, x in enumerate(region) if _is_name(x)]
    end = names[-1] if names else len(region)
    titles: list[str] = []
    for x in reversed(region[:end]):
        if not _is_title(x):
            break
        titles.insert(0, x)
    if names and region[end].isupper() and not titles:
        names = []  # an upper-case line counts as a name only right under a signer title
    return Signer(region[end] if names else None, " / ".join(titles) or None)


# ---------------------------------------------------------------- entry points

# "Thực hiện Kế hoạch số 519/KH-UBND ngày 09 tháng 3 năm 2015 của Ủy ban nhân dân huyện Giồng Trôm về…"
_IMPLEMENTS = re.compile(
    r"Thực hiện\s+(?:Kế hoạch|Chỉ thị|Quyết định|Hướng dẫn|Công văn)\s+số\s+(?P<num>\d+)\s*/\s*(?P<sym>[^\s,;]+)"
    r"(?:\s+ngày\s+(?P<date>\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?"
    r"(?:\s+của\s+(?P<issuer>.+?))?(?=\s+về\b|[,.;]|$)", re.I)


def _find_implements(text: str) -> dict | None:
    m = _IMPLEMENTS.search(text)
    if m is None:
        return None
    issued = None
    if m["date"]:
        d, mo, y = (int(x) for x in re.findall(r"\d+", m["date"]))
        issued = _safe_date(y, mo, d)
    return {"number": m["num"], "symbol": m["sym"].rstrip(".,;:"), "issued_on": issued.isoformat() if issued else None,
            "issuer": (m["issuer"] or "").strip()[:200] or None}


def parse_plan_text(text: str) -> PlanInfo:
    lines = _lines(text or "")
    if not lines:
        raise PlanReadError("Tệp rỗng: không có nội dung để đọc.")
    recipients, span = _find_recipients(lines)
    top = lines[:span[0]] if span else lines
    heading = next((i for i, ln in enumerate(top[:40]) if _heading_type(ln)), None)
    header = top[:heading] if heading is not None else top[:15]

    number = symbol = numyear = None
    if m := next(filter(None, map(_NUMBER_LINE.search, map(fold, header))), None):
        line = next(ln for ln in header if _NUMBER_LINE.search(fold(ln)))
        number = line[m.start("num"):m.end("num")] if m["num"] else None
        symbol, numyear = line[m.start("sym"):m.end("sym")].rstrip(".,;:/-"), m["numyear"]

    place = issued_on = None
    date_year = None
    for ln in header:
        if m := _DATE_LINE.search(fold(ln)):
            place = _place(ln[:m.end("pre")]) if m["pre"] is not None else None
            issued_on, date_year = _safe_date(m["y"], m["m"], m["d"]), int(m["y"])
            break

    doc_type = _heading_type(top[heading]) if heading is not None else None
    if doc_type is None and symbol:
        doc_type = _SYMBOL_TYPES.get(re.split(r"[-/]", symbol)[0].upper())
    body_from = 0
    if heading is not None:
        title, used = _title_from(top[heading + 1:])
        body_from = heading + 1 + used
    else:
        vv = next((i for i, ln in enumerate(top[:15]) if _VV_LINE.match(ln)), None)
        title, used = (None, 0) if vv is None else _title_from([_VV_LINE.sub("", top[vv])] + top[vv + 1:])
        body_from = 0 if vv is None else vv + used
        if vv is not None and doc_type is None:
            doc_type = "CV"

    if doc_type is None and symbol is None and date_year is None:
        raise PlanReadError("Không nhận ra văn bản: không thấy tên loại (KẾ HOẠCH, CHỈ THỊ…), "
                            "số/ký hiệu hay ngày ban hành.")
    year = date_year or (int(numyear) if numyear else None)
    if year is None:
        found = re.findall(r"\b(?:19|20)\d{2}\b", f"{symbol or ''} {title or ''}")
        year = int(found[-1]) if found else None

    paras = _paragraphs(top[body_from:])
    sentences = [(s, p) for p in paras for s in _sentences(p)]
    return PlanInfo(
        doc_type=doc_type, doc_type_name=DOC_TYPES.get(doc_type or ""), number=number, symbol=symbol,
        place=place, issued_on=issued_on, year=year, title=title,
        period=_find_period(sentences), reporting=_find_reporting(sentences), quota=_find_quota(sentences),
        reward_forms=_find_rewards(" ".join(paras)), signer=_find_signer(lines, span), recipients=recipients,
        implements=_find_implements(" ".join(paras)),
    )


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # old Vietnamese Windows files; NFC later recomposes its tone marks
        return data.decode("cp1258", errors="replace")


def _docx_text(data: bytes) -> str:
    try:
        import docx
        from docx.text.paragraph import Paragraph

        out: list[str] = []

        def walk(container) -> None:  # paragraphs and tables in document order, nested tables too
            for block in container.iter_inner_content():
                if isinstance(block, Paragraph):
                    out.append(block.text)
                    continue
                seen: list = []
                for row in block.rows:
                    for cell in row.cells:  # merged cells are returned once per grid column
                        if not any(cell._tc is tc for tc in seen):
                            seen.append(cell._tc)
                            walk(cell)

        walk(docx.Document(io.BytesIO(data)))
    except MemoryError:  # the reading process's limit (bot.services.untrusted_files), not a broken file
        raise
    except Exception as exc:  # zip/xml/package errors: all mean "not a readable .docx"
        raise PlanReadError("Không đọc được tệp .docx: tệp bị hỏng hoặc không phải tài liệu Word.") from exc
    return "\n".join(out)


def _pdf_text(data: bytes, max_pages: int | None = None) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        count = len(reader.pages)
        if max_pages is not None and count > max_pages:
            raise PlanReadError(f"Tệp PDF có {vn_format.number(count)} trang, nhiều hơn {vn_format.number(max_pages)} trang bot "
                                "đọc được. Hãy gửi riêng văn bản kế hoạch (bản .docx, hoặc PDF chỉ gồm các trang của nó).")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PlanReadError, MemoryError):
        raise
    except Exception as exc:
        raise PlanReadError("Không đọc được tệp .pdf: tệp bị hỏng, có mật khẩu hoặc không phải PDF.") from exc
    if not "".join(pages).strip():
        raise PlanReadError("Tệp PDF không có lớp chữ (có vẻ là bản scan hoặc ảnh chụp), nên không đọc được. "
                            "Hãy gửi bản .docx hoặc PDF có thể chọn, sao chép chữ.")
    return "\n".join(map(_unwrap_pdf_lines, pages))



def _unwrap_pdf_lines(page: str) -> str:
    """PDF text comes one visual line at a time: re-join lines that ran to the right margin."""
    lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
    width = max(map(len, lines), default=0)
    out: list[str] = []
    for ln in lines:
        prev = out[-1] if out else ""
        if (width >= 40 and len(prev) >= 0.75 * width and not prev.endswith((".", ";", ":", "!", "?"))
                and not _ITEM_START.match(ln) and not _BODY_START.match(fold(ln))):
            out[-1] = prev + " " + ln
        else:
            out.append(ln)
    return "\n".join(out)


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"Tệp {suffix}" if suffix else "Tệp không có phần mở rộng"
        raise PlanReadError(f"{shown} không được hỗ trợ. Hãy gửi tệp .docx, .pdf, .txt hoặc .md.")
    return suffix


def extract_text(source: str | Path | tuple[str, bytes], data: bytes | None = None, *,
                 max_pdf_pages: int | None = None) -> str:
    """Text of a plan file: `extract_text(path)`, `extract_text((filename, data))` or `extract_text(filename, data)`.

    Trusts the file: what people send is read through bot.services.untrusted_files, which calls
    this in a process of its own, with a time and memory limit, after checking a .docx's members."""
    if isinstance(source, tuple):
        source, data = source
    name = Path(source).name
    suffix = _suffix(name)
    if data is None:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise PlanReadError(f"Không đọc được tệp {name}.") from exc
    if not data.strip():
        raise PlanReadError("Tệp rỗng: không có nội dung để đọc.")
    if suffix == ".pdf":
        text = _pdf_text(data, max_pdf_pages)
    else:
        text = {".docx": _docx_text}.get(suffix, _decode_text)(data)
    if not text.strip():
        raise PlanReadError("Tệp rỗng: không có nội dung để đọc.")
    return text


def read_plan_file(path: str | Path) -> PlanInfo:
    return parse_plan_text(extract_text(path))


def read_plan_bytes(filename: str, data: bytes, *, max_pdf_pages: int | None = None) -> PlanInfo:
    """For files as bytes (in the bot, only inside bot.services.untrusted_files' reading process)."""
    return parse_plan_text(extract_text(filename, data, max_pdf_pages=max_pdf_pages))
