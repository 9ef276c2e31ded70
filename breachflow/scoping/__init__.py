"""Scoping: what leaked and about whom."""
