"""Bot tokens never reach a log line.

Both platforms put the token in the URL path (`https://api.telegram.org/bot<TOKEN>/getMe`, Zalo's
`…/bot<TOKEN>/sendMessage`), and HTTP clients log their request lines and put URLs in exception
texts. A filter on the root handlers rewrites every record — message, arguments, traceback — before
it is written: the configured tokens, anything shaped like a token, and the path segment after `/bot`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable

REDACTED = "<redacted>"  # no spaces: redacting a redacted line changes nothing
# `<digits>:<secret>`, as both platforms issue them (Telegram: 8-10 digits and 35 characters).
TOKEN_SHAPE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{10,}")
# The token in an API URL's path, whatever its shape.
URL_TOKEN = re.compile(r"(://[^\s/]+(?:/[^\s]*?)?/bot)([^/\s?#'\"]+)")
ACCESS_LOGGERS = ("httpx", "httpcore", "aiohttp.access", "aiohttp.client")
TOKEN_ENV = ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN")


class TokenRedactingFilter(logging.Filter):
    """Rewrites records in place; never drops one."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self.add(*secrets)
        self._formatter = logging.Formatter()

    def add(self, *secrets: str | None) -> None:
        self.secrets |= {s for s in secrets if s and len(s) >= 8}

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        text = TOKEN_SHAPE.sub(REDACTED, text)
        return URL_TOKEN.sub(lambda m: m.group(1) + (m.group(2) if m.group(2) == REDACTED else REDACTED), text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: let the handler report it, redacted below
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)  # formatters use this text, not exc_info
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install(verbose: bool, secrets: Iterable[str] = ()) -> TokenRedactingFilter:
    """Put one filter on every root handler (after logging.basicConfig), with the tokens from the
    environment; quiet the HTTP access loggers unless verbose. Add the configured tokens later
    with `.add()`."""
    redactor = TokenRedactingFilter([*(os.environ.get(name, "") for name in TOKEN_ENV), *secrets])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    if not verbose:
        for name in ACCESS_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    return redactor
