"""The command menu: strangers see /start and /help; members see their role's commands."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot import texts
from bot.core import commands
from bot.texts.commands import ALIASES

log = logging.getLogger(__name__)


async def set_default_menu(bot: Bot) -> None:
    await bot.set_my_commands(
        [BotCommand(c.name, c.description) for c in texts.STRANGER_COMMANDS], scope=BotCommandScopeDefault()
    )


def menu_of(role: str) -> list[BotCommand]:
    """Each command of the role, then the same without diacritics (/report, /baocao)."""
    entries = []
    for c in commands.visible(role):
        entries.append(BotCommand(c.name, c.wording.about))
        if c.name in ALIASES:
            entries.append(BotCommand(ALIASES[c.name], f"{c.wording.about} (như /{c.name})"))
    return entries


async def set_menu_for(bot: Bot, chat_id: int, role: str) -> None:
    """Best effort: a menu that fails to update must not fail the join or leave itself."""
    try:
        await bot.set_my_commands(menu_of(role), scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not set the command menu of chat %s: %s", chat_id, exc)


async def clear_menu_for(bot: Bot, chat_id: int) -> None:
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not clear the command menu of chat %s: %s", chat_id, exc)
