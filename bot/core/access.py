"""The access policy: which roles may run each command. One table, read by every channel (and by
the web pages): the parser, /help, the Telegram menu and the check before a dialogue runs.

Roles are the member's (admin, officer, leader); STRANGER means anyone, members or not.
"""

from __future__ import annotations

from bot.services.members import MemberView

ADMIN, OFFICER, LEADER = "admin", "officer", "leader"
ALL = (ADMIN, OFFICER, LEADER)
READERS = (ADMIN, LEADER)
STRANGER = "stranger"

POLICY: dict[str, tuple[str, ...]] = {
    # joining and help: strangers too
    "start": (STRANGER,), "help": (STRANGER,), "consent": (STRANGER,),
    # every member
    "whoami": ALL, "web": ALL, "upload": ALL, "channel": ALL, "link": ALL, "mydata": ALL, "forget": ALL, "forget_confirmed": ALL,
    "leave": ALL, "leave_confirmed": ALL, "keep": ALL,
    "cancel": ALL, "back": ALL, "skip": ALL, "confirm": ALL, "continue": ALL, "discard": ALL,
    # the office
    "new_campaign": (ADMIN,), "resend": (ADMIN,), "review": (ADMIN,), "approve": (ADMIN,),
    "return_nomination": (ADMIN,), "reject": (ADMIN,), "later": (ADMIN,), "quota": (ADMIN,),
    "periods": (ADMIN,), "confirm_periods": (ADMIN,), "members": (ADMIN,), "deactivate": (ADMIN,),
    "invite": (ADMIN,), "forward": (ADMIN,),
    # the council (bot.core.council): admins run the sessions; its members are admins and leaders
    # (voting checks the membership)
    "council": (ADMIN,), "vote_open": (ADMIN,), "vote_close": (ADMIN,), "vote_extend": (ADMIN,), "vote_docs": (ADMIN,),
    "registration_call": (ADMIN,), "registrations": READERS, "register": (OFFICER,),
    "decision": (ADMIN,), "history": READERS, "history_merge": (ADMIN,), "history_split": (ADMIN,),
    "vote_status": READERS, "vote": READERS, "vote_yes": READERS, "vote_no": READERS,
    # the office and leaders
    # (officers: their own unit's campaigns, and a launch sent again)
    "campaigns": ALL, "campaign": ALL, "status": READERS, "digest": READERS,
    "digest_settings": READERS, "export": READERS, "report_docx": READERS,
    # the units
    "ack": (OFFICER,), "nominate": (OFFICER,), "my_nominations": (OFFICER,), "edit_nomination": (OFFICER,),
    "withdraw": (OFFICER,), "report": (OFFICER,), "due": (OFFICER,),
}


def allowed(command: str, member: MemberView | None) -> bool:
    roles = POLICY.get(command, ())
    if STRANGER in roles:
        return True
    return member is not None and member.role in roles


def roles_of(command: str) -> tuple[str, ...]:
    return POLICY.get(command, ())


# --- scope: what each command's numbers name, checked against the admin's or leader's reach ----------

# Argument position -> what it names. A number (or unit code) outside the person's scope is refused
# before the dialogue runs (bot.services.scope), so no command of a xã's office touches another xã.
TARGETS: dict[str, tuple[tuple[int, str], ...]] = {
    **{name: ((0, "campaign"),) for name in (
        "campaign", "resend", "status", "export", "report_docx", "periods", "confirm_periods", "vote_open",
        "registration_call", "registrations")},
    "quota": ((0, "campaign"), (1, "unit")),
    "members": ((0, "unit"),),
    **{name: ((0, "nomination"),) for name in ("approve", "reject", "return_nomination", "later", "forward")},
    "deactivate": ((0, "member"),),
    **{name: ((0, "session"),) for name in ("vote_close", "vote_extend", "vote_status", "vote_docs", "decision")},
    "history_merge": ((0, "award"), (1, "award")),
    "history_split": ((0, "award"),),
}
