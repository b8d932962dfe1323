"""The essay's vocabulary as types: quadrants, principles, phases, sources and classifications."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Quadrant(StrEnum):
    """Where a piece of work sits: forced or discretionary, short- or long-term.

    The values are the stable wire ids used in storage, JSON, Block Kit and the CLI.
    """

    FORCED_SHORT = "forced_short"
    FORCED_LONG = "forced_long"
    DISCRETIONARY_SHORT = "discretionary_short"
    DISCRETIONARY_LONG = "discretionary_long"

    @classmethod
    def of(cls, *, forced: bool, long_term: bool) -> Quadrant:
        """The quadrant for the two answers."""
        if forced:
            return cls.FORCED_LONG if long_term else cls.FORCED_SHORT
        return cls.DISCRETIONARY_LONG if long_term else cls.DISCRETIONARY_SHORT

    @property
    def forced(self) -> bool:
        return self in (Quadrant.FORCED_SHORT, Quadrant.FORCED_LONG)

    @property
    def long_term(self) -> bool:
        return self in (Quadrant.FORCED_LONG, Quadrant.DISCRETIONARY_LONG)

    @property
    def label(self) -> str:
        """Display name, e.g. "Forced · short-term"."""
        return _QUADRANT_LABELS[self]

    @property
    def short_label(self) -> str:
        """Compact display name for tables, e.g. "Forced · short"."""
        return _QUADRANT_SHORT_LABELS[self]


_QUADRANT_LABELS = {
    Quadrant.FORCED_SHORT: "Forced · short-term",
    Quadrant.FORCED_LONG: "Forced · long-term",
    Quadrant.DISCRETIONARY_SHORT: "Discretionary · short-term",
    Quadrant.DISCRETIONARY_LONG: "Discretionary · long-term",
}
_QUADRANT_SHORT_LABELS = {
    Quadrant.FORCED_SHORT: "Forced · short",
    Quadrant.FORCED_LONG: "Forced · long",
    Quadrant.DISCRETIONARY_SHORT: "Discr. · short",
    Quadrant.DISCRETIONARY_LONG: "Discr. · long",
}


class Principle(StrEnum):
    """What a piece of work serves; a team sets a baseline per principle."""

    SECURITY = "security"
    RELIABILITY = "reliability"
    USABILITY = "usability"
    EFFICIENCY = "efficiency"
    LATENCY = "latency"


class Phase(StrEnum):
    """The essay's phases of an infrastructure team."""

    FIREFIGHTING = "firefighting"
    INVESTMENT = "investment"
    PRINCIPLES = "principles"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Source(StrEnum):
    """How an item was captured (wire values from the contract)."""

    SLASH_COMMAND = "slash_command"
    MODAL = "modal"
    MESSAGE_SHORTCUT = "message_shortcut"
    REACTION = "reaction"
    IMPORT = "import"


class ItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class Axis(StrEnum):
    """Which question a classification signal answers."""

    FORCED = "forced"
    DISCRETIONARY = "discretionary"
    SHORT = "short-term"
    LONG = "long-term"
    PRINCIPLE = "principle"


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of evidence that moved a classification, in plain words.

    ``evidence`` is what was seen (a word from the text, or the capture context), ``meaning`` what
    it is taken to mean, ``effect`` where it pushes (an :class:`Axis` value, or a principle name)
    and ``weight`` how hard.
    """

    evidence: str
    meaning: str
    effect: str
    weight: float = 1.0

    def explain(self) -> str:
        """E.g. ``"CVE" → security exposure → forced``."""
        return f"\u201c{self.evidence}\u201d \u2192 {self.meaning} \u2192 {self.effect}"


@dataclass(frozen=True, slots=True)
class Classification:
    """The result of classifying one work item."""

    quadrant: Quadrant
    confidence: float
    principles: tuple[Principle, ...] = ()
    signals: tuple[Signal, ...] = field(default=())
    team_decided: bool = False
    """True when the team's own corrections decided the quadrant (their words lead the signals)."""

    @property
    def low_confidence(self) -> bool:
        """True when the person should be asked to pick rather than trust the guess."""
        return self.confidence < LOW_CONFIDENCE

    def rationale(self) -> str:
        """The deciding signals joined into one line."""
        return " · ".join(
            s.explain()
            for s in self.signals
            if s.effect != Axis.PRINCIPLE and s.effect not in _PRINCIPLE_VALUES
        )

    def as_json(self) -> dict[str, object]:
        """The contract's JSON shape: quadrant, confidence, principles, signals."""
        return {
            "quadrant": self.quadrant.value,
            "confidence": round(self.confidence, 3),
            "principles": [p.value for p in self.principles],
            "signals": [s.explain() for s in self.signals],
        }


_PRINCIPLE_VALUES = frozenset(p.value for p in Principle)
"""Principle signals carry the principle's name as their effect; the rationale leaves them out."""

LOW_CONFIDENCE = 0.75
"""Below this confidence the confirmation asks the person to pick a quadrant.

Confidence is calibrated (see ``core.classify.calibrated``): below 0.75 the rules get about one in
three such items wrong, above it about one in twenty (bench/RESULTS.md, classifier round 4)."""


@dataclass(frozen=True, slots=True)
class CaptureContext:
    """Where an item was captured, which the classifier may weigh."""

    source: Source = Source.SLASH_COMMAND
    incident_channel: bool = False
    """Logged from one of the team's incident channels: leans forced."""
    incident_reaction: bool = False
    """Logged by an incident-emoji reaction: forced."""
