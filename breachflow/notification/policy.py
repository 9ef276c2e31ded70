"""Channel policy: which channel reaches a person, and where they go when it fails."""

from __future__ import annotations

from functools import lru_cache

from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field

from breachflow.scoping.model import Person


class Channel(StrEnum):
    """How a notice reaches a person; ``substitute`` means 代替措置 (publication + inquiry desk)."""

    email = "email"
    letter = "letter"
    phone = "phone"
    substitute = "substitute"


class ChannelPolicy(BaseModel):
    """Configurable channel choice; the default is email → letter → phone → substitute list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order: list[Channel] = Field(
        default=[Channel.email, Channel.letter, Channel.phone],
        description="channels tried in this order; the first usable one is planned",
    )
    extra_for_sensitive: list[Channel] = Field(
        default_factory=list,
        description="channels planned in addition for persons with sensitive or financial data, e.g. [letter]",
    )
    call_attempts: int = Field(default=3, ge=1, description="no-answer calls before the person moves on")
    after_unreached_call: Channel = Field(
        default=Channel.letter, description="letter or substitute, for persons the call centre cannot reach"
    )


@lru_cache(maxsize=65536)
def valid_email(address: str | None) -> str | None:
    """The normalised address if its syntax is valid (no DNS lookup, ASCII only), else None."""
    if not address:
        return None
    try:
        # ASCII only: an SMTPUTF8 address would need a relay that supports it; such persons get a letter.
        return validate_email(address, check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError:
        return None


def usable_channels(person: Person) -> set[Channel]:
    """The channels this person's contact data makes possible."""
    usable: set[Channel] = set()
    if valid_email(person.email):
        usable.add(Channel.email)
    if person.postal_code and len(person.postal_code) == 7 and person.postal_code.isdigit() and person.address1:
        usable.add(Channel.letter)
    if person.phone:
        usable.add(Channel.phone)
    return usable


def choose_channels(person: Person, policy: ChannelPolicy) -> list[Channel]:
    """The channels planned for a person: the first usable one, plus any extra the policy asks for."""
    usable = usable_channels(person)
    first = next((c for c in policy.order if c in usable), Channel.substitute)
    chosen = [first]
    if person.sensitive or person.financial:
        chosen += [c for c in policy.extra_for_sensitive if c in usable and c not in chosen]
    return chosen


def next_channel(person: Person, failed: Channel, policy: ChannelPolicy, *, tried: set[Channel]) -> Channel:
    """Where a person goes after ``failed`` did not reach them: the next usable, untried channel."""
    usable = usable_channels(person) - tried - {failed}
    if failed is Channel.phone:
        preferred = policy.after_unreached_call
        if preferred is Channel.substitute or preferred in usable:
            return preferred
    later = policy.order[policy.order.index(failed) + 1 :] if failed in policy.order else policy.order
    return next((c for c in later if c in usable), Channel.substitute)
