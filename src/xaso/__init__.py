"""xaso — the digital commune."""
__version__ = "0.1.0"
