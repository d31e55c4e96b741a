"""members_admin dialogues (being ported from handlers/)."""
