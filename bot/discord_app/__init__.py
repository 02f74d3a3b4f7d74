"""hubbot in Discord: a thin layer that maps slash commands and mentions to the answer engine
and its :class:`~bot.reply.Reply` to embeds and buttons.

Start it with :func:`bot.discord_app.runner.run_from_cli` (what ``python -m bot run`` calls).
"""

import warnings

# discord.py imports the voice modules' audioop at import time; a text bot never uses voice.
warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
