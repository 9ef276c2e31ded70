"""``python -m cli`` runs the breachflow command line."""

from cli.main import main

main()
