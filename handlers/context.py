"""The per-update context: the person behind the update and the long-lived clients."""

from __future__ import annotations

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.services.members import MemberView
from storage.db import Database


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """CallbackContext plus `member`, set by the access gate once per update.

    python-telegram-bot builds one context per update and hands it to every handler group, so the
    gate's look-up is shared by the handler that answers.
    """

    def __init__(self, application: Application, chat_id: int | None = None, user_id: int | None = None):
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.member: MemberView | None = None

    @property
    def db(self) -> Database:
        return self.application.bot_data["db"]

    @property
    def settings(self) -> Settings:
        return self.application.bot_data["settings"]


def number_arg(context: BotContext) -> int | None:
    """The command's first argument as a number ("3" or "#3"); None when absent or not a number."""
    arg = context.args[0].lstrip("#") if context.args else ""
    return int(arg) if arg.isdigit() else None
