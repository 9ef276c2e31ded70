"""``python -m breachflow`` runs the CLI."""

from breachflow.cli import main

main()
