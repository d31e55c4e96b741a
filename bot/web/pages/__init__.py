"""The pages: each module has `routes` (an aiohttp RouteTableDef) and, when it belongs on the home
page, `LINK` (href, label, about, the chat command whose roles may open it)."""

from __future__ import annotations

from bot.web.pages import campaigns, home, invites, nomination, review, units, upload

PAGES = (home, campaigns, nomination, review, units, invites, upload)
