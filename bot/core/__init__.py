"""The channel-neutral conversation core: commands (slash names and Vietnamese words), one access
policy, and each feature's dialogue written once.

A channel adapter (Telegram: handlers/; Zalo: bot/zalo/) turns an update into a `Turn` (a person
and their words, button or file), calls `bot.core.dispatch.handle`, and renders the `Message`s
the turn collected: buttons and uploads on Telegram, numbered lines, typed words and signed links
on Zalo. Nothing here imports a channel.
"""
