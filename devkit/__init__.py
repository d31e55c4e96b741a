"""The development kit: the Telegram and Zalo Bot API simulators, the terminal demos and the sample
campaign. Tests, benchmarks and `python -m bot demo` use it; nothing `python -m bot run` imports does."""
