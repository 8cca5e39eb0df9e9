"""Answers and reports as cards: plain data cut to Discord's limits (card.py), one module per
card family, and the Discord embed (embed.py). The console prints the same cards as text."""
