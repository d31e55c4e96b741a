"""The bot's web pages, reached only through a one-time link asked for in chat (/web): upload,
campaign dashboard, review queue, units. Server-rendered HTML (Jinja2), one small stylesheet, no
JavaScript build; every page checks the member's role through bot.core.access, as the chat does."""
