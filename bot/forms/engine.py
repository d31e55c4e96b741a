"""The form engine: one engine runs every declared form, with its state in the database.

Each call loads the person's draft, applies one reply (typed text, a pressed button, a file, or a
navigation action), saves the draft and returns the next Screen. Any bot process can take the
next step; a restart loses nothing. Channels render Screens: buttons where they exist, numbered
text everywhere (choices are numbered so typing "2" works without buttons).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock, vn_format
from bot.texts import forms as t
from bot.forms.io import Button, FileInput, Reply, Screen, StaleDraft
from bot.forms.model import Answers, Choice, Field, Form
from bot.forms.typed import fold, parse_date  # noqa: F401 - read from here by the dialogues
from bot.services import files as files_service
from storage.models import FormDraft, StoredFile

LABEL_PREFIX = "_label:"
# A text this long, typed or pasted where a file is asked for and a .txt is accepted, is that file:
# a plan pasted into a chat that cannot send documents (Zalo) is read like the document.
PASTED_MIN = 200
CANCEL_ASKED = "_cancel_asked"  # in a draft's context: "hủy" was asked to be confirmed
QUESTIONS_SHOWN = "_questions"  # in a draft's context: the count of questions the last one showed
REVIEW_VALUE_MAX = 300


def pasted_text(text: str) -> FileInput:
    content = text.strip().encode("utf-8")

    async def fetch() -> bytes:
        return content

    return FileInput(filename="van-ban-dan.txt", size=len(content), mime_type="text/plain", fetch=fetch)


def display(form: Form, f: Field, answers: Answers) -> str:
    """A value as the review screen shows it."""
    value = answers.get(f.name)
    if value is None or value == [] or value == "":
        return t.EMPTY_VALUE
    if f.name in form.formatters:
        return form.formatters[f.name](value)
    label = answers.get(LABEL_PREFIX + f.name)
    if label:
        return label
    if f.kind in ("choice", "multi") and f.choices:  # prefilled or filled in: no label was kept
        labels = {c.value: c.label for c in f.choices}
        return ", ".join(labels.get(v, str(v)) for v in (value if isinstance(value, list) else [value]))
    if f.kind == "date":
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    if f.kind == "file":
        return ", ".join(item["filename"] for item in value)
    if isinstance(value, list):
        return ", ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    text = str(value)
    return vn_format.shorten(text, REVIEW_VALUE_MAX)


def _range_message(f: Field) -> str:
    if f.min_value is not None and f.max_value is not None:
        return t.NUMBER_RANGE.format(min=vn_format.number(f.min_value), max=vn_format.number(f.max_value))
    if f.min_value is not None:
        return t.NUMBER_MIN.format(min=vn_format.number(f.min_value))
    return t.NUMBER_MAX.format(max=vn_format.number(f.max_value))


# The same update is handled again when a crash cut its first handling short (bot.inbox): its
# inbox row id is not above the one the draft last took. Row ids only grow.
def _already_applied(draft: FormDraft, reply: Reply) -> bool:
    return (reply.update_id is not None and draft.last_update_id is not None
            and reply.update_id <= draft.last_update_id)


# A person's drafts, last touched first. Built once: looked up on every step of every form.
_LAST_DRAFT = (select(FormDraft).where(FormDraft.member_id == bindparam("member"))
               .order_by(FormDraft.updated_at.desc(), FormDraft.id.desc()).limit(1))
_DRAFT_OF_FORM = _LAST_DRAFT.where(FormDraft.form == bindparam("form"))


def review_items(form: Form, fields: list[Field]) -> list[tuple[int, Field]]:
    """The review's items numbered by their place in the form, not among those that apply now: a
    question an answer adds or drops leaves a gap rather than renumbering the items after it."""
    shown = {f.name for f in fields}
    numbers: dict[str, int] = {}
    for f in form.fields:  # fields of one slot (they never apply together) share a number
        numbers.setdefault(f.slot or f.name, len(numbers) + 1)
    return [(numbers[f.slot or f.name], f) for f in form.fields if f.name in shown]


class FormEngine:
    def __init__(self, forms: list[Form]) -> None:
        self.forms = {f.name: f for f in forms}

    # --- drafts ------------------------------------------------------------------------------------

    async def draft(self, session: AsyncSession, member_id: int, form: str | None = None) -> FormDraft | None:
        """The person's draft of `form`, or the one they touched last."""
        if form:
            return await session.scalar(_DRAFT_OF_FORM, {"member": member_id, "form": form})
        return await session.scalar(_LAST_DRAFT, {"member": member_id})

    async def discard_all(self, session: AsyncSession, member_id: int) -> None:
        await session.execute(delete(FormDraft).where(FormDraft.member_id == member_id))

    async def open(
        self,
        session: AsyncSession,
        member_id: int,
        form_name: str,
        *,
        prefill: Answers | None = None,
        context: dict[str, Any] | None = None,
        restart: bool = False,
        note: str | None = None,
        reopened: bool = False,
    ) -> Screen:
        """Start a form, or — if an unfinished draft exists — ask to continue or discard it.
        `reopened`: the prefill is a record sent before (a returned nomination), so an optional
        field it left empty was answered empty — not asked again — and the form opens at its review."""
        form = self.forms[form_name]
        existing = await self.draft(session, member_id, form_name)
        if existing is not None and not restart:
            return self._resume_screen(form, existing)
        if existing is not None:
            await session.delete(existing)
            await session.flush()
        optional = {f.name for f in form.fields if not f.required} if reopened else set()
        answers = {k: v for k, v in (prefill or {}).items() if v not in (None, "", []) or k in optional}
        draft = FormDraft(
            member_id=member_id,
            form=form_name,
            answers=answers,
            context=dict(context or {}),
            path=[],
            stage="filling",
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        session.add(draft)
        await session.flush()
        intro = "\n\n".join(p for p in (form.intro, note) if p)
        return await self._advance(session, form, draft, intro=intro or None)

    async def resume(self, session: AsyncSession, member_id: int, form_name: str | None = None) -> Screen | None:
        """Show the person where they were (after a day away, or a restart)."""
        draft = await self.draft(session, member_id, form_name)
        if draft is None:
            return None
        form = self.forms[draft.form]
        return await self._current_screen(session, form, draft)

    # --- one step --------------------------------------------------------------------------------------

    async def handle(self, session: AsyncSession, member_id: int, reply: Reply, draft_id: int | None = None) -> Screen | None:
        """Apply one reply to the person's draft. None: the person has no draft (not ours)."""
        # The draft is written once, when the caller commits: without this, every lookup a check
        # or a list of choices makes would first flush the half-changed draft (two UPDATEs a step,
        # and SQLite's write lock taken early).
        with session.no_autoflush:
            return await self._handle(session, member_id, reply, draft_id)

    async def _handle(self, session: AsyncSession, member_id: int, reply: Reply, draft_id: int | None) -> Screen | None:
        if draft_id is not None:
            draft = await session.get(FormDraft, draft_id)
            if draft is None or draft.member_id != member_id:
                raise StaleDraft(draft_id)
        else:
            draft = await self.draft(session, member_id)
            if draft is None:
                return None
        form = self.forms[draft.form]
        if _already_applied(draft, reply):
            return await self._current_screen(session, form, draft)
        draft.updated_at = clock.now()
        if reply.update_id is not None:
            draft.last_update_id = reply.update_id
        action = reply.action

        if action == "discard":
            # "Start over" from the resume question: drop the old draft, begin afresh.
            member, name, context = draft.member_id, draft.form, dict(draft.context)
            await session.delete(draft)
            await session.flush()
            return await self.open(session, member, name, context=context)
        if action == "cancel":
            answered = bool(draft.path)  # what they answered themselves, not what came filled in
            if answered and not draft.context.get(CANCEL_ASKED) and reply.arg != "yes":
                draft.context = {**draft.context, CANCEL_ASKED: True}  # a second “hủy” confirms
                return Screen(t.CANCEL_ASK.format(title=form.title), draft.id,
                              [[Button(t.CANCEL_YES, "cancel", "yes"), Button(t.CANCEL_NO, "continue")]],
                              form=form.name)
            await session.delete(draft)
            return Screen(t.CANCELLED.format(title=form.title), status="cancelled", form=form.name)
        if draft.context.get(CANCEL_ASKED):  # anything else: the question was answered by going on
            draft.context = {k: v for k, v in draft.context.items() if k != CANCEL_ASKED}
        if action == "continue":
            return await self._current_screen(session, form, draft)

        if draft.stage == "review":
            return await self._on_review(session, form, draft, reply)

        current = form.field(draft.current_field) if draft.current_field else None
        if current is None:
            return await self._advance(session, form, draft)
        if action == "back":
            return await self._back(session, form, draft)
        if action == "confirm":
            return await self._ask(session, form, draft, current, error=t.FINISH_FIRST)
        if action == "edit":
            return await self._ask(session, form, draft, current, error=t.FINISH_FIRST)
        if action == "skip":
            if current.required:
                return await self._ask(session, form, draft, current, error=t.CANNOT_SKIP)
            self._store(draft, current, None, None)
            return await self._after_answer(session, form, draft, current)
        return await self._answer(session, form, draft, current, reply)

    # --- answering ----------------------------------------------------------------------------------

    async def _answer(self, session: AsyncSession, form: Form, draft: FormDraft, f: Field, reply: Reply) -> Screen:
        if reply.unsupported:
            return await self._ask(session, form, draft, f, error=t.UNSUPPORTED[f.kind])
        if f.kind == "file":
            return await self._answer_file(session, form, draft, f, reply)
        if reply.file is not None:
            return await self._ask(session, form, draft, f, error=t.UNSUPPORTED[f.kind])
        if f.kind in ("choice", "multi"):
            return await self._answer_choice(session, form, draft, f, reply)
        text = (reply.text or "").strip()
        if reply.action == "done":
            return await self._ask(session, form, draft, f, error=t.TYPE_ANSWER)
        if not text:
            return await self._ask(session, form, draft, f, error=t.REQUIRED)
        value: Any
        label = None
        if f.kind == "text":
            text = re.sub(r"[ \t]+", " ", text)
            if len(text) > f.max_len:
                return await self._ask(session, form, draft, f, error=f.error or t.TOO_LONG.format(n=vn_format.number(len(text)), max=vn_format.number(f.max_len)))
            if len(text) < f.min_len:
                return await self._ask(session, form, draft, f, error=f.error or t.TOO_SHORT.format(n=vn_format.number(len(text)), min=vn_format.number(f.min_len)))
            if f.needs_letters and not any(c.isalnum() for c in text):
                return await self._ask(session, form, draft, f, error=f.error or t.NEEDS_LETTERS)
            value = text
        elif f.kind == "date":
            parsed, error = parse_date(text)
            if error:
                return await self._ask(session, form, draft, f, error=error)
            value = parsed.isoformat()
        elif f.kind == "number":  # "1.000" and "1,000" are both a thousand in Vietnamese use
            cleaned = text.replace(" ", "")
            if re.fullmatch(r"-?\d{1,3}(?:[.,]\d{3})+", cleaned):  # "1.000", but "9,5" is not 95
                cleaned = cleaned.replace(".", "").replace(",", "")
            if not re.fullmatch(r"-?\d{1,12}", cleaned):
                return await self._ask(session, form, draft, f, error=f.error or t.NUMBER_FORMAT.format(value=text[:40]))
            value = int(cleaned)
            if (f.min_value is not None and value < f.min_value) or (f.max_value is not None and value > f.max_value):
                return await self._ask(session, form, draft, f, error=f.error or _range_message(f))
        else:  # units and anything resolved by the form's own rule
            value = text
        if f.resolver is not None:
            value, error = await f.resolver(session, value, draft.answers, draft.context)
            if error:
                return await self._ask(session, form, draft, f, error=error)
        if f.check is not None:
            error = f.check(value, draft.answers)
            if error:
                return await self._ask(session, form, draft, f, error=error)
        if f.guard is not None and (error := await f.guard(session, value, draft.answers, draft.context)):
            return await self._ask(session, form, draft, f, error=error)
        self._store(draft, f, value, label)
        note = await self._fill(session, f, value, draft)
        return await self._after_answer(session, form, draft, f, note=note)

    async def _fill(self, session: AsyncSession, f: Field, value: Any, draft: FormDraft) -> str | None:
        if f.fills is None:
            return None
        updates, note = await f.fills(session, value, draft.answers, draft.context)
        if updates:
            answers = dict(draft.answers)
            for key, new in updates.items():
                # None is kept: the field counts as answered-empty (shown at review, not asked).
                answers[key] = None if new in ("", []) else new
                answers.pop(LABEL_PREFIX + key, None)
            draft.answers = answers
        return note

    async def _choices(self, session: AsyncSession, f: Field, draft: FormDraft) -> list[Choice]:
        if f.choices_provider is not None:
            return await f.choices_provider(session, draft.answers, draft.context)
        return list(f.choices)

    def _match_choice(self, choices: list[Choice], token: str, f: Field | None = None) -> Choice | None:
        token = token.strip().rstrip(".")
        if f is not None and f.pick_by_id:  # "7" or "#7": the choice whose id is 7, never the 7th
            number = token.lstrip("#").strip()
            return next((c for c in choices if number.isdigit() and c.value == number), None)
        if token.isdigit() and 1 <= int(token) <= len(choices):
            return choices[int(token) - 1]
        folded = fold(token)
        for c in choices:
            if folded and (folded == fold(c.label) or folded == fold(c.value)):
                return c
        return None

    @staticmethod
    def _choice_invalid(f: Field, choices: list[Choice]) -> str:
        if f.pick_by_id and choices:
            return t.CHOICE_INVALID_BY_ID.format(example=choices[0].value)
        return t.CHOICE_INVALID.format(n=len(choices))

    async def _answer_choice(self, session: AsyncSession, form: Form, draft: FormDraft, f: Field, reply: Reply) -> Screen:
        choices = await self._choices(session, f, draft)
        if f.kind == "choice":
            chosen = None
            if reply.action == "pick":
                chosen = next((c for c in choices if c.value == reply.arg), None)
            elif reply.text:
                chosen = self._match_choice(choices, reply.text, f)
            if chosen is None:
                return await self._ask(session, form, draft, f, error=f.error or self._choice_invalid(f, choices))
            if f.check is not None and (error := f.check(chosen.value, draft.answers)):
                return await self._ask(session, form, draft, f, error=error)
            if f.guard is not None and (error := await f.guard(session, chosen.value, draft.answers, draft.context)):
                return await self._ask(session, form, draft, f, error=error)
            self._store(draft, f, chosen.value, chosen.label)
            return await self._after_answer(session, form, draft, f)

        # multi: buttons toggle, typed "1, 3" sets, "done" finishes
        selected: list[str] = list(draft.answers.get(f.name) or [])
        if reply.action == "pick":
            if reply.arg not in {c.value for c in choices}:
                return await self._ask(session, form, draft, f, error=self._choice_invalid(f, choices))
            selected = [v for v in selected if v != reply.arg] if reply.arg in selected else selected + [reply.arg]
            self._store_multi(draft, f, selected, choices)
            return await self._ask(session, form, draft, f)
        if reply.action == "done" or (reply.text and fold(reply.text) in ("xong", "done", "ok")):
            if f.required and not selected:
                return await self._ask(session, form, draft, f, error=t.PICK_AT_LEAST_ONE)
            if f.name not in draft.answers:  # optional, nothing picked: answered empty, like /skip
                self._store(draft, f, None, None)
            return await self._after_answer(session, form, draft, f)
        tokens = [tok for tok in re.split(r"[,;\n]+|\s+(?=\d)", reply.text or "") if tok.strip()]
        picked: list[str] = []
        for tok in tokens:
            c = self._match_choice(choices, tok, f)
            if c is None:
                return await self._ask(session, form, draft, f, error=t.MULTI_INVALID.format(value=tok.strip()[:40], n=len(choices)))
            if c.value not in picked:
                picked.append(c.value)
        if not picked:
            return await self._ask(session, form, draft, f, error=t.PICK_AT_LEAST_ONE)
        self._store_multi(draft, f, picked, choices)
        return await self._after_answer(session, form, draft, f)

    async def _answer_file(self, session: AsyncSession, form: Form, draft: FormDraft, f: Field, reply: Reply) -> Screen:
        files: list[dict] = list(draft.answers.get(f.name) or [])
        if reply.action == "done" or (reply.text and fold(reply.text) in ("xong", "done")):
            if f.required and not files:
                return await self._ask(session, form, draft, f, error=t.FILE_NEEDED)
            if not files:  # optional, nothing sent: answered empty, like /skip
                self._store(draft, f, None, None)
            return await self._after_answer(session, form, draft, f)
        if reply.file is None and f.accept and ".txt" in f.accept and len((reply.text or "").strip()) >= PASTED_MIN:
            reply = dataclasses.replace(reply, file=pasted_text(reply.text))  # read like a .txt file
        if reply.file is None:
            return await self._ask(session, form, draft, f, error=t.FILE_NEEDED)
        item = reply.file
        suffix = "." + item.filename.rsplit(".", 1)[-1].lower() if "." in item.filename else ""
        if f.accept and suffix not in f.accept:
            return await self._ask(session, form, draft, f, error=t.FILE_TYPE.format(suffix=suffix or "(không có đuôi)", accept=", ".join(f.accept)))
        limit = item.limits.max_bytes if f.max_bytes is None else min(f.max_bytes, item.limits.max_bytes)
        if item.size > limit:
            too_big = t.FILE_OVER if item.size_at_least else t.FILE_TOO_BIG
            return await self._ask(session, form, draft, f, error=too_big.format(mb=item.size / 2**20, max=limit / 2**20))
        if item.size == 0:
            return await self._ask(session, form, draft, f, error=t.FILE_EMPTY)
        if len(files) >= f.max_files:  # asked again (/back, edit at review): a new file starts over
            files = []
        content = await item.fetch()
        if not content:
            return await self._ask(session, form, draft, f, error=t.FILE_EMPTY)
        if len(content) > limit:  # the channel's size was wrong
            return await self._ask(session, form, draft, f, error=t.FILE_TOO_BIG.format(mb=len(content) / 2**20, max=limit / 2**20))
        found: dict[str, Any] = {}
        if f.reads is not None:
            # Read before anything is written, so a slow file holds no database lock meanwhile.
            found, error = await f.reads(item.filename, content, item.limits)
            if error:
                return await self._ask(session, form, draft, f, error=error)
        stored = await session.get(StoredFile, item.stored_file_id) if item.stored_file_id is not None else None
        if stored is None:
            stored = await files_service.store(session, content, item.filename, item.mime_type, uploaded_by=draft.member_id)
        entry = {"filename": stored.filename, "size": stored.size, "mime_type": item.mime_type, "stored_file_id": stored.id,
                 **found}
        candidate = files + [entry]
        if f.resolver is not None:
            candidate, error = await f.resolver(session, candidate, draft.answers, draft.context)
            if error:
                await session.delete(stored)
                return await self._ask(session, form, draft, f, error=error)
        files = candidate
        self._store(draft, f, files, None)
        note = await self._fill(session, f, files, draft)
        if note:
            return await self._after_answer(session, form, draft, f, note=note)
        if f.max_files > 1 and len(files) < f.max_files:
            return await self._ask(session, form, draft, f, note=t.FILE_RECEIVED.format(n=len(files), max=f.max_files))
        return await self._after_answer(session, form, draft, f)

    def _store(self, draft: FormDraft, f: Field, value: Any, label: str | None) -> None:
        answers = dict(draft.answers)
        answers[f.name] = value
        if label:
            answers[LABEL_PREFIX + f.name] = label
        else:
            answers.pop(LABEL_PREFIX + f.name, None)
        draft.answers = answers  # a new dict, so the JSON column is seen as changed

    def _store_multi(self, draft: FormDraft, f: Field, values: list[str], choices: list[Choice]) -> None:
        labels = [c.label for c in choices if c.value in values]
        self._store(draft, f, values, ", ".join(labels) if labels else None)

    # --- moving ---------------------------------------------------------------------------------------

    async def _after_answer(self, session: AsyncSession, form: Form, draft: FormDraft, f: Field, note: str | None = None) -> Screen:
        if draft.stage == "editing":
            # A changed answer can make later questions apply (e.g. targeting by kind): ask those first.
            missing = self._next_missing(form, draft)
            if missing is not None:
                draft.current_field = missing.name
                return await self._ask(session, form, draft, missing, note=note)
            return await self._review(session, form, draft, note=note)
        if f.name not in draft.path:
            draft.path = [*draft.path, f.name]
        return await self._advance(session, form, draft, after=f.name, intro=note)

    def _next_missing(self, form: Form, draft: FormDraft) -> Field | None:
        for f in form.applicable(draft.answers):
            if f.name not in draft.answers:
                return f
        return None

    async def _advance(self, session: AsyncSession, form: Form, draft: FormDraft, after: str | None = None, intro: str | None = None) -> Screen:
        fields = form.applicable(draft.answers)
        if after is not None:
            names = [f.name for f in form.fields]
            position = names.index(after)
            fields = [f for f in fields if names.index(f.name) > position]
        for f in fields:
            if f.name not in draft.answers:
                draft.stage = "filling"
                draft.current_field = f.name
                return await self._ask(session, form, draft, f, note=intro)
        missing = self._next_missing(form, draft)
        if missing is not None:
            draft.current_field = missing.name
            return await self._ask(session, form, draft, missing, note=intro)
        return await self._review(session, form, draft, note=intro)

    async def _back(self, session: AsyncSession, form: Form, draft: FormDraft) -> Screen:
        if draft.stage == "editing":
            return await self._review(session, form, draft)
        path = list(draft.path)
        if not path:
            f = form.field(draft.current_field)
            return await self._ask(session, form, draft, f, error=t.AT_FIRST)
        previous = path.pop()
        draft.path = path
        draft.current_field = previous
        return await self._ask(session, form, draft, form.field(previous))

    async def _review(self, session: AsyncSession, form: Form, draft: FormDraft, note: str | None = None, error: str | None = None) -> Screen:
        draft.stage = "review"
        draft.current_field = None
        fields = form.applicable(draft.answers)
        lines = [t.REVIEW_HEAD.format(title=form.title)]
        for i, f in review_items(form, fields):
            lines.append(f"{i}. {f.label}: {display(form, f, draft.answers)}")
        lines.append("")
        lines.append(t.REVIEW_HOWTO.format(confirm=form.confirm_label))
        text = "\n".join(lines)
        if note:
            text = f"{note}\n\n{text}"
        if error:
            text = f"⚠️ {error}\n\n{text}"
        edit_buttons = [Button(f"✏️ {i}", "edit", f.name) for i, f in review_items(form, fields)]
        rows = [edit_buttons[i : i + 5] for i in range(0, len(edit_buttons), 5)]
        rows.append([Button(form.confirm_label, "confirm"), Button(t.CANCEL_BUTTON, "cancel")])
        return Screen(text, draft.id, rows, status="review", form=form.name)

    async def _on_review(self, session: AsyncSession, form: Form, draft: FormDraft, reply: Reply) -> Screen:
        fields = form.applicable(draft.answers)
        target: Field | None = None
        if reply.action == "confirm" or (reply.text and fold(reply.text) in ("xac nhan", "ok", "dong y", "gui")):
            missing = [f for f in fields if f.required and draft.answers.get(f.name) in (None, "", [])]
            if missing:
                draft.stage = "editing"
                draft.current_field = missing[0].name
                return await self._ask(session, form, draft, missing[0], error=t.REQUIRED)
            answers = {f.name: draft.answers.get(f.name) for f in fields}
            # Hidden values a form keeps for itself (e.g. "_plan": what the reader found).
            answers.update({k: v for k, v in draft.answers.items() if k.startswith("_") and not k.startswith(LABEL_PREFIX)})
            context = dict(draft.context)
            await session.delete(draft)
            return Screen(t.CONFIRMED.format(title=form.title), status="done", form=form.name, answers=answers, context=context)
        if reply.action == "edit":
            target = next((f for f in fields if f.name == reply.arg), None)
        elif reply.text:
            match = re.fullmatch(r"\s*(?:sửa|sua|edit)?\s*(\d{1,2})\s*", reply.text, flags=re.IGNORECASE)
            if match:
                target = dict(review_items(form, fields)).get(int(match.group(1)))
        if target is None:
            numbers = [i for i, _ in review_items(form, fields)]
            return await self._review(session, form, draft, error=t.REVIEW_INVALID.format(n=numbers[-1] if numbers else 1))
        draft.stage = "editing"
        draft.current_field = target.name
        return await self._ask(session, form, draft, target)

    async def _current_screen(self, session: AsyncSession, form: Form, draft: FormDraft) -> Screen:
        if draft.stage == "review" or draft.current_field is None:
            return await self._review(session, form, draft)
        return await self._ask(session, form, draft, form.field(draft.current_field))

    def _resume_screen(self, form: Form, draft: FormDraft) -> Screen:
        text = t.RESUME.format(title=form.title, when=clock.fmt_datetime(draft.updated_at))
        buttons = [[Button(t.CONTINUE_BUTTON, "continue"), Button(t.DISCARD_BUTTON, "discard")]]
        return Screen(text, draft.id, buttons, status="resume", form=form.name)

    async def _ask(self, session: AsyncSession, form: Form, draft: FormDraft, f: Field, *, error: str | None = None, note: str | None = None) -> Screen:
        # Count the questions this person answers, not those the form came filled in with (the one
        # open campaign, what the plan document said) unless they are asked to change one now: so
        # the launch form goes "(1/11)" → "(2/3)" once the plan is read, not → "(12/12)".
        fields = [x for x in form.applicable(draft.answers)
                  if x.name in draft.path or x.name not in draft.answers or x.name == f.name]
        position = next((i for i, x in enumerate(fields, 1) if x.name == f.name), len(fields))
        # The count changes when the plan fills answers in or an answer adds or drops a question:
        # say so once, so "(1/11)" → "(2/3)" reads as fewer questions, not as a mistake.
        before = draft.context.get(QUESTIONS_SHOWN)
        if before != len(fields):
            draft.context = {**draft.context, QUESTIONS_SHOWN: len(fields)}
        parts: list[str] = []
        if error:
            parts.append(f"⚠️ {error}")
        if note:
            parts.append(note)
        counter = f"{position}/{len(fields)}"
        if isinstance(before, int) and before != len(fields):
            counter += " — " + (t.COUNT_FEWER if len(fields) < before else t.COUNT_MORE).format(n=abs(len(fields) - before))
        question = f"({counter}) {f.prompt}"
        if f.hint:
            question += f"\n{f.hint}"
        if f.hint_provider is not None and (more := await f.hint_provider(session, draft.answers, draft.context)):
            question += f"\n{more}"
        parts.append(question)
        buttons: list[list[Button]] = []
        if f.kind in ("choice", "multi"):
            choices = await self._choices(session, f, draft)
            selected = set(draft.answers.get(f.name) or []) if f.kind == "multi" else set()
            listing = []
            for i, c in enumerate(choices, 1):
                mark = "☑️ " if c.value in selected else ""
                number = f"#{c.value}" if f.pick_by_id else f"{i}."
                listing.append(f"{number} {mark}{c.label}")
                buttons.append([Button(f"{number} {mark}{c.label}"[:60], "pick", c.value)])
            parts.append("\n".join(listing))
            if f.kind == "multi":
                parts.append(t.MULTI_HOWTO)
            elif f.pick_by_id and choices:
                parts.append(t.CHOICE_HOWTO_BY_ID.format(example=choices[0].value))
            else:
                parts.append(t.CHOICE_HOWTO)
            if f.kind == "multi":
                buttons.append([Button(t.DONE_BUTTON, "done")])
        elif f.kind == "file":
            have = draft.answers.get(f.name) or []
            if f.max_files > 1:
                parts.append(t.FILES_HOWTO.format(max=f.max_files, n=len(have)))
                buttons.append([Button(t.DONE_BUTTON, "done")])
        current = draft.answers.get(f.name)
        if current not in (None, "", []) and f.kind not in ("multi", "file"):
            parts.append(t.CURRENT_VALUE.format(value=display(form, f, draft.answers)))
        nav = []
        if draft.path or draft.stage == "editing":
            nav.append(Button(t.BACK_BUTTON, "back"))
        if not f.required:
            nav.append(Button(t.SKIP_BUTTON, "skip"))
        nav.append(Button(t.CANCEL_BUTTON, "cancel"))
        buttons.append(nav)
        parts.append(t.NAV_HOWTO_OPTIONAL if not f.required else t.NAV_HOWTO)
        return Screen("\n\n".join(parts), draft.id, buttons, status="asking", form=form.name, asks_file=f.kind == "file")
