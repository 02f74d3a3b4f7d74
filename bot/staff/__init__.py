"""The hub staff workflow: records of what teachers asked, the staff report, deadline reminders,
the deadline calendar and watching the knowledge base for edits.

Everything here is plain Python with no Discord in it; ``bot/discord_app`` wires it into commands
and scheduled tasks.
"""
