"""Spiders: where to start and what to follow. Pages go to newsspider.parsers."""
