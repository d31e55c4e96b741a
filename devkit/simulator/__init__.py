"""Telegram Bot API simulator used by the tests and the terminal demo."""

from bot.simulator.server import ApiError, BotApiSimulator
from bot.simulator.tracking import InboxTracker
from bot.simulator.zalo import ZaloApiSimulator

__all__ = ["ApiError", "BotApiSimulator", "InboxTracker", "ZaloApiSimulator"]
