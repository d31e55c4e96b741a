"""Declared forms and the one engine that runs them (channel-neutral)."""

from bot.forms.engine import Button, FileInput, FormEngine, Reply, Screen, StaleDraft
from bot.forms.model import Choice, Field, Form
from bot.forms import completions

__all__ = ["completions", "Button", "Choice", "Field", "FileInput", "Form", "FormEngine", "Reply", "Screen", "StaleDraft"]
