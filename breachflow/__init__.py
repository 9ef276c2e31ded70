"""breachflow: incident response for personal-data leaks under Japan's APPI."""

__version__ = "0.1.0"
