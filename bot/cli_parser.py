"""argparse in Vietnamese: the help's own headings, the -h line and every usage error.

argparse writes its words in English (through gettext, with no Vietnamese catalogue). The parser
below overrides only documented methods: `format_usage`/`format_help` (headings rewritten) and
`error` (one Vietnamese line and exit status 2, as the CLI answers every mistake).
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

EXIT_USAGE = 2

HEADINGS = (
    ("usage: ", "Cách dùng: "),
    ("positional arguments:", "Tham số:"),
    ("options:", "Tùy chọn:"),
    ("optional arguments:", "Tùy chọn:"),
    ("show this help message and exit", "xem hướng dẫn này rồi thoát"),
)

# argparse's own messages (CPython 3.11–3.13), each as a pattern and its Vietnamese.
MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), vi) for p, vi in (
    (r"^the following arguments are required: (?P<a>.+)$", "thiếu {a}"),
    (r"^unrecognized arguments: (?P<a>.+)$", "không hiểu: {a}"),
    (r"^argument (?P<arg>[^:]+): invalid choice: (?P<v>.+?) \(choose from (?P<c>.+)\)$",
     "{arg}: không có lựa chọn {v} (chọn một trong: {c})"),
    (r"^argument (?P<arg>[^:]+): invalid (?P<t>\w+) value: (?P<v>.+)$", "{arg}: giá trị {v} không hợp lệ (cần {t})"),
    (r"^argument (?P<arg>[^:]+): expected one argument$", "{arg}: cần một giá trị"),
    (r"^argument (?P<arg>[^:]+): expected at most one argument$", "{arg}: nhiều nhất một giá trị"),
    (r"^argument (?P<arg>[^:]+): expected at least one argument$", "{arg}: cần ít nhất một giá trị"),
    (r"^argument (?P<arg>[^:]+): ignored explicit argument (?P<v>.+)$", "{arg}: không nhận giá trị {v}"),
    (r"^argument (?P<arg>[^:]+): not allowed with argument (?P<o>.+)$", "{arg}: không dùng cùng {o}"),
    (r"^ambiguous option: (?P<o>\S+) could match (?P<m>.+)$", "{o} có thể là {m}: ghi đầy đủ hơn"),
))
TYPES = {"int": "số nguyên", "float": "số"}


def translate(message: str) -> str:
    """argparse's error message in Vietnamese (unknown ones are kept as they are)."""
    for pattern, vietnamese in MESSAGES:
        if match := pattern.match(message):
            parts = {k: TYPES.get(v, v) for k, v in match.groupdict().items()}
            return vietnamese.format(**parts)
    return message


class Formatter(argparse.HelpFormatter):
    """Help text: the same layout, a little wider for Vietnamese words."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=100)


class VietnameseParser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - ArgumentParser's
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    @staticmethod
    def _vietnamese(text: str) -> str:
        for english, vietnamese in HEADINGS:
            text = text.replace(english, vietnamese)
        return text

    def format_usage(self) -> str:
        return self._vietnamese(super().format_usage())

    def format_help(self) -> str:
        return self._vietnamese(super().format_help())

    def error(self, message: str) -> NoReturn:
        """One line: what is wrong and where the help is; exit status 2."""
        sys.stderr.write(f"{self.prog}: lỗi: {translate(message)}. Xem: {self.prog} --help\n")
        sys.exit(EXIT_USAGE)
