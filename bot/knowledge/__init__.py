"""The knowledge base: its format, loading, validation and the in-memory model the bot answers from."""
