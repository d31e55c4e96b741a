"""digests dialogues (being ported from handlers/)."""
