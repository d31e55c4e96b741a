"""Declared forms and the one engine that runs them (channel-neutral)."""

from bot.forms.engine import FormEngine
from bot.forms.io import Button, FileInput, Reply, Screen, StaleDraft
from bot.forms.model import Choice, Field, Form
from bot.forms import campaign_form, completions, nomination_form, registration_form, report_form

# Every declared form, for the one engine each channel builds (FormEngine(list(FORMS))).
FORMS = (campaign_form.FORM, *nomination_form.FORMS, report_form.FORM, registration_form.FORM)

__all__ = [
    "FORMS", "campaign_form", "completions", "nomination_form", "registration_form", "report_form",
    "Button", "Choice", "Field", "FileInput", "Form", "FormEngine", "Reply", "Screen", "StaleDraft",
]
