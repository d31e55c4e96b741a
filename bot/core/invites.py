"""invites dialogues (being ported from handlers/)."""
