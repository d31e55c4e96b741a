"""reports dialogues (being ported from handlers/)."""
