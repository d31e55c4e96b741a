"""campaigns dialogues (being ported from handlers/)."""
