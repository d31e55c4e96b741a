"""Telegram Bot API simulator used by the tests and the terminal demo."""

from bot.simulator.server import ApiError, BotApiSimulator
from bot.simulator.tracking import TrackingUpdateProcessor

__all__ = ["ApiError", "BotApiSimulator", "TrackingUpdateProcessor"]
