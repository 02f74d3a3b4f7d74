"""hubbot: answers teachers' questions about a Maths Hub's professional-development offers."""

__version__ = "0.1.0"
