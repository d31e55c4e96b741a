"""Telegram Bot API simulator used by the tests and the terminal demo."""

from devkit.simulator.server import ApiError, BotApiSimulator
from devkit.simulator.tracking import InboxTracker
from devkit.simulator.zalo import ZaloApiSimulator

__all__ = ["ApiError", "BotApiSimulator", "InboxTracker", "ZaloApiSimulator"]
