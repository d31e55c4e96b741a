"""Telegram's HTML parse_mode in the simulator: plain text and entities back, as Telegram answers."""

from __future__ import annotations

import html.parser
from typing import Any

from devkit.simulator.common import ApiError, JsonDict, bad_request, _utf16_len


# --------------------------------------------------------------------------- #
# HTML parse_mode: the bot sees plain text + entities back, exactly like Telegram,
# and malformed markup is rejected so formatting bugs surface in tests.
# --------------------------------------------------------------------------- #

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


class _TelegramHtmlParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.utf16_pos = 0
        # (tag, entity or None); None marks <code> nested in <pre>, which only
        # contributes the language of the enclosing pre entity.
        self.stack: list[tuple[str, JsonDict | None]] = []
        self.entities: list[JsonDict] = []

    @staticmethod
    def _fail(detail: str) -> ApiError:
        return bad_request(f"can't parse entities: {detail}")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.utf16_pos += _utf16_len(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        kind = _HTML_TAGS.get(tag)
        if kind is None or (tag == "span" and attributes.get("class") != "tg-spoiler"):
            raise self._fail(f'Unsupported start tag "{tag}" at byte offset {self.utf16_pos}')
        if tag == "code" and self.stack and self.stack[-1][0] == "pre":
            pre_entity = self.stack[-1][1]
            language = attributes.get("class", "")
            if pre_entity is not None and language.startswith("language-"):
                pre_entity["language"] = language.removeprefix("language-")
            self.stack.append((tag, None))
            return
        entity: JsonDict = {"type": kind, "offset": self.utf16_pos}
        if tag == "a":
            entity["url"] = attributes.get("href", "")
        elif tag == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id", "")
        self.stack.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            expected = f'"</{self.stack[-1][0]}>"' if self.stack else "no end tag"
            raise self._fail(
                f"Unmatched end tag at byte offset {self.utf16_pos}, "
                f'expected {expected}, found "</{tag}>"'
            )
        _, entity = self.stack.pop()
        if entity is None:
            return
        entity["length"] = self.utf16_pos - entity["offset"]
        if entity["length"] > 0:
            self.entities.append(entity)

    def result(self) -> tuple[str, list[JsonDict]]:
        self.close()
        if self.stack:
            raise self._fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


def format_text(
    text: Any, parse_mode: Any, entities: Any
) -> tuple[str, list[JsonDict] | None]:
    """Turn (text, parse_mode, entities) into what Telegram stores: text + entities.

    Only HTML is rendered; Markdown modes pass through unrendered (a known
    simplification) so tests can still match on the raw text.
    """
    text = "" if text is None else str(text)
    if isinstance(parse_mode, str) and parse_mode.lower() == "html":
        parser = _TelegramHtmlParser()
        parser.feed(text)
        plain, parsed = parser.result()
        return plain, parsed or None
    if isinstance(entities, list) and entities:
        return text, entities
    return text, None
