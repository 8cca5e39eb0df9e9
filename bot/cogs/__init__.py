"""The bot's areas, each an extension loaded by name (its module ends in ``setup(bot)``, which
adds the cog and its persistent buttons)."""
