"""nominations dialogues (being ported from handlers/)."""
