"""Registers each stage's CLI commands on the main app (one import per stage)."""
