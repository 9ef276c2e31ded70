"""The incident intake: the facts known when an incident is reported."""

from breachflow.intake.loader import load_intake, parse_intake
from breachflow.intake.model import Intake

__all__ = ["Intake", "load_intake", "parse_intake"]
