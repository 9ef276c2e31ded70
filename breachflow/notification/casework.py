"""Build the notification stage's inputs from a case folder (one place for CLI and tasks)."""

from __future__ import annotations

from breachflow.casestore import Case
from breachflow.notification.plan import IncidentFacts
from breachflow.notification.policy import Channel, ChannelPolicy
from breachflow.obligations.model import Decision
from breachflow.scoping.model import Person, PersonList

PERSONS_FILE = "persons.json"
DECISION_FILE = "decision.json"


def case_persons(case: Case) -> dict[str, Person]:
    """The scoped persons by id (personal data: stays in the process, never in Prefect)."""
    return {p.person_id: p for p in case.read_model(PERSONS_FILE, PersonList).persons}


def notifiable_persons(case: Case) -> list[Person]:
    """Persons to plan notices for: everyone scoped, minus those whose deletion request was closed."""
    from breachflow.requests import suppressed_person_ids

    suppressed = suppressed_person_ids(case)
    return [p for p in case_persons(case).values() if p.person_id not in suppressed]


def case_facts(case: Case) -> IncidentFacts:
    """The incident facts a notice tells every person."""
    from breachflow.reporting.facts import confirmed_harm, read_report_facts

    intake = case.intake()
    return IncidentFacts.build(
        incident_id=intake.incident_id, title=intake.title, discovered_on=intake.discovered_on,
        occurred_on=intake.occurred_on, cause=intake.event.cause, public_summary=intake.event.public_summary,
        subjects=intake.data.subjects, kind=intake.event.kind, certainty=intake.event.certainty,
        confirmed_harm=confirmed_harm(read_report_facts(case=case)),
    )


def case_decision(case: Case) -> Decision | None:
    """The current decision record, if the case was assessed."""
    return case.read_model(DECISION_FILE, Decision) if case.has(DECISION_FILE) else None


def channel_policy(*, extra_letter_for_sensitive: bool = False) -> ChannelPolicy:
    """The channel policy: email → letter → phone, optionally letters too for sensitive data."""
    return ChannelPolicy(extra_for_sensitive=[Channel.letter] if extra_letter_for_sensitive else [])
