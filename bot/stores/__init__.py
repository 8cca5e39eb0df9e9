"""Where the bot keeps what it must remember: one SQLite file, opened one way (database.py);
what people asked and voted (feedback.py); each server's /settings (guild_settings.py)."""
