"""Sort a work item into the essay's quadrants and tag the principles it serves, with reasons.

The rules follow the labelling rubric: ask what compels the work (breakage, exposure or an outside
deadline make it forced; otherwise it is chosen), then how far away the deadline is (forced) or
how big the change is (discretionary). Cues come from :mod:`core.signals`, dates from
:mod:`core.classify_dates`, a team's own conventions from :mod:`core.learning`.
"""

from __future__ import annotations

import math
from datetime import datetime

from core.classify_dates import TimeMention, find_times
from core.learning import TeamModel
from core.model import Axis, CaptureContext, Classification, Principle, Quadrant, Signal
from core.signals import Cue, Hit, Kind, find_cues

CLASSIFIER_VERSION = "rules-2025.11.1"
"""Changes whenever the rules change, so stored classifications can be told apart."""

FORCED_THRESHOLD = 1.0
"""Forced evidence must outweigh discretionary evidence by this much to call an item forced."""

_MAX_DECIDING = 4
_PRINCIPLE_THRESHOLD = 0.9
_PRINCIPLE_ORDER = {p: i for i, p in enumerate(Principle)}

# Date weights on the horizon: a deadline inside two weeks makes forced work short-term, one
# further out makes it a planned project. For chosen work dates matter less than scope.
_DATE_SHORT_FORCED, _DATE_SHORT_DISC = -3.5, -1.0
_DATE_LONG_FORCED, _DATE_LONG_DISC = 3.0, 0.8
_DATE_UNPLACED_FORCED, _DATE_UNPLACED_DISC = 2.2, 0.6


class _Contribution:
    """One piece of evidence with its weight on one axis, for scoring and explaining."""

    __slots__ = ("axis_forced", "evidence", "meaning", "order", "weight")

    def __init__(
        self, evidence: str, meaning: str, weight: float, axis_forced: bool, order: int
    ) -> None:
        self.evidence = evidence
        self.meaning = meaning
        self.weight = weight
        self.axis_forced = axis_forced
        self.order = order


def classify(
    text: str,
    *,
    context: CaptureContext | None = None,
    logged_at: datetime | None = None,
    team: TeamModel | None = None,
) -> Classification:
    """Classify one work item.

    ``logged_at`` (aware) anchors relative dates; ``context`` says how it was captured (an
    incident-emoji reaction makes it forced); ``team`` blends in the team's past corrections.
    """
    hits, _tokens = find_cues(text)
    times = find_times(text, logged_at)
    scaled = _discount(hits)

    forced_parts: list[_Contribution] = []
    hz_forced: list[_Contribution] = []
    hz_disc: list[_Contribution] = []
    principle_scores: dict[Principle, float] = {}
    principle_evidence: dict[Principle, tuple[float, str, str]] = {}
    seen: set[int] = set()
    for order, (hit, scale) in enumerate(scaled):
        cue = hit.cue
        ev = hit.evidence(text)
        for principle, w in cue.principles:
            principle_scores[principle] = principle_scores.get(principle, 0.0) + w
            best = principle_evidence.get(principle)
            if best is None or w > best[0]:
                principle_evidence[principle] = (w, ev, _principle_meaning(cue, principle))
        key = id(cue)
        if key in seen:
            continue  # the same cue twice is one piece of evidence
        seen.add(key)
        if cue.forced:
            forced_parts.append(_Contribution(ev, cue.meaning, cue.forced * scale, True, order))
        if cue.hz_forced:
            hz_forced.append(_Contribution(ev, cue.meaning, cue.hz_forced * scale, False, order))
        if cue.hz_disc:
            hz_disc.append(_Contribution(ev, cue.meaning, cue.hz_disc * scale, False, order))

    _add_times(times, forced_parts, hz_forced, hz_disc)
    _add_context(context, forced_parts, hz_forced)

    f_score = sum(c.weight for c in forced_parts)
    hf_score = sum(c.weight for c in hz_forced)
    hd_score = sum(c.weight for c in hz_disc)
    if context is not None and context.incident_reaction:
        f_score = max(f_score, FORCED_THRESHOLD + 4.0)

    p_forced = _sigmoid(0.9 * (f_score - FORCED_THRESHOLD))
    p_long_f = _sigmoid(0.8 * hf_score)
    p_long_d = _sigmoid(0.8 * hd_score)
    probs = {
        Quadrant.FORCED_SHORT: p_forced * (1 - p_long_f),
        Quadrant.FORCED_LONG: p_forced * p_long_f,
        Quadrant.DISCRETIONARY_SHORT: (1 - p_forced) * (1 - p_long_d),
        Quadrant.DISCRETIONARY_LONG: (1 - p_forced) * p_long_d,
    }
    rules_quadrant = max(probs, key=lambda q: probs[q])
    quadrant, confidence, team_signal = _blend(text, probs, rules_quadrant, team)

    signals = _deciding_signals(quadrant, forced_parts, hz_forced, hz_disc)
    if team_signal is not None:
        signals = [team_signal, *signals[: _MAX_DECIDING - 1]]
    principles = _principles(principle_scores)
    for p in principles:
        _, ev, meaning = principle_evidence[p]
        signals.append(Signal(ev, meaning, p.value, round(principle_scores[p], 2)))
    return Classification(quadrant, round(confidence, 4), principles, tuple(signals))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _discount(hits: list[Hit]) -> list[tuple[Hit, float]]:
    """Scale cues that the rest of the sentence reframes.

    In an incident follow-up the incident words describe the past; in "… so expiries stop being
    incidents" the exposure words describe what the work prevents; "we keep getting paged …, let's
    build …" is about removing a class of pages, not about this page.
    """
    kinds = {h.cue.kind for h in hits}
    if not kinds & {Kind.FOLLOWUP, Kind.PREVENT, Kind.RECURRING}:
        return [(h, 1.0) for h in hits]
    followup = Kind.FOLLOWUP in kinds
    recurring_build = Kind.RECURRING in kinds and Kind.BUILD in kinds
    windows: list[tuple[int, int]] = []
    for h in hits:
        if h.cue.kind is Kind.PREVENT:
            # The purpose clause: from the nearest "so"/"until"/"so that" before it to the end.
            windows.append((max(0, h.index - 8), 10_000))
    out: list[tuple[Hit, float]] = []
    for h in hits:
        scale = 1.0
        if h.cue.kind in (Kind.NOW, Kind.DEADLINE):
            if followup and h.cue.kind is Kind.NOW:
                scale = 0.15
            if recurring_build and h.cue.kind is Kind.NOW:
                scale = min(scale, 0.25)
            if any(a <= h.index <= b for a, b in windows):
                scale = min(scale, 0.1)
        out.append((h, scale))
    return out


def _add_times(
    times: list[TimeMention],
    forced_parts: list[_Contribution],
    hz_forced: list[_Contribution],
    hz_disc: list[_Contribution],
) -> None:
    if not times:
        return
    future = [t for t in times if not t.past]
    past = [t for t in times if t.past]
    if future:
        # The nearest deadline decides: a cutoff tonight beats a migration due next quarter.
        nearest = min(future, key=_days_key)
        meaning = nearest.meaning()
        if nearest.days is None:
            hz_forced.append(
                _Contribution(nearest.evidence, meaning, _DATE_UNPLACED_FORCED, False, -1)
            )
            hz_disc.append(_Contribution(nearest.evidence, meaning, _DATE_UNPLACED_DISC, False, -1))
        elif nearest.short:
            hz_forced.append(
                _Contribution(nearest.evidence, meaning, _DATE_SHORT_FORCED, False, -1)
            )
            hz_disc.append(_Contribution(nearest.evidence, meaning, _DATE_SHORT_DISC, False, -1))
        else:
            scale = 0.7 if nearest.days < 30 else 1.0
            hz_forced.append(
                _Contribution(nearest.evidence, meaning, _DATE_LONG_FORCED * scale, False, -1)
            )
            hz_disc.append(_Contribution(nearest.evidence, meaning, _DATE_LONG_DISC, False, -1))
    if past and not future:
        t = past[0]
        forced_parts.append(_Contribution(t.evidence, "already happening", 0.8, True, -1))
        hz_forced.append(_Contribution(t.evidence, "already happening", -1.5, False, -1))


def _days_key(t: TimeMention) -> float:
    # An unplaced calendar date ("Q3" with no log time) sorts as far away.
    return 10_000.0 if t.days is None else t.days


def _add_context(
    context: CaptureContext | None,
    forced_parts: list[_Contribution],
    hz_forced: list[_Contribution],
) -> None:
    if context is None:
        return
    if context.incident_reaction:
        forced_parts.append(
            _Contribution("incident reaction", "someone flagged it as an incident", 5.0, True, -2)
        )
        hz_forced.append(
            _Contribution("incident reaction", "someone flagged it as an incident", -1.5, False, -2)
        )
    elif context.incident_channel:
        forced_parts.append(
            _Contribution("incident channel", "logged from an incident channel", 1.2, True, -2)
        )
        hz_forced.append(
            _Contribution("incident channel", "logged from an incident channel", -0.6, False, -2)
        )


def _blend(
    text: str,
    probs: dict[Quadrant, float],
    rules_quadrant: Quadrant,
    team: TeamModel | None,
) -> tuple[Quadrant, float, Signal | None]:
    """Fold the team's vote into the rules' probabilities; name the team's words if they decided."""
    confidence = probs[rules_quadrant]
    if team is None or team.size == 0:
        return rules_quadrant, confidence, None
    vote = team.vote(text)
    if vote is None:
        return rules_quadrant, confidence, None
    logits = {q: math.log(max(p, 1e-9)) + vote.scores[q] for q, p in probs.items()}
    top = max(logits.values())
    total = sum(math.exp(v - top) for v in logits.values())
    quadrant = max(logits, key=lambda q: logits[q])
    confidence = math.exp(logits[quadrant] - top) / total
    reasons = vote.reasons[quadrant]
    if not reasons or (quadrant == rules_quadrant and vote.scores[quadrant] < 0.5):
        return quadrant, confidence, None
    word, count, weight = reasons[0]
    times = "once" if count == 1 else f"{count} times"
    signal = Signal(
        word,
        f"your team filed \u2018{word}\u2019 work as {quadrant.label} {times}",
        quadrant.label,
        round(weight, 2),
    )
    return quadrant, confidence, signal


def _deciding_signals(
    quadrant: Quadrant,
    forced_parts: list[_Contribution],
    hz_forced: list[_Contribution],
    hz_disc: list[_Contribution],
) -> list[Signal]:
    """The few pieces of evidence that pushed towards the chosen quadrant, most decisive first."""
    forced = quadrant.forced
    long_term = quadrant.long_term
    axis_parts = [c for c in forced_parts if (c.weight > 0) == forced and c.weight != 0]
    horizon = hz_forced if forced else hz_disc
    hz_parts = [c for c in horizon if (c.weight > 0) == long_term and c.weight != 0]
    axis_parts.sort(key=lambda c: (-abs(c.weight), c.order))
    hz_parts.sort(key=lambda c: (-abs(c.weight), c.order))
    axis_effect = Axis.FORCED if forced else Axis.DISCRETIONARY
    hz_effect = Axis.LONG if long_term else Axis.SHORT
    chosen: list[tuple[float, int, Signal]] = []
    used: set[str] = set()
    for c in axis_parts[:2]:
        used.add(c.evidence)
        chosen.append((abs(c.weight), 0, Signal(c.evidence, c.meaning, axis_effect, abs(c.weight))))
    # Name different words for the horizon when there are any: "CVE" → forced, "by Friday" → short.
    fresh = [c for c in hz_parts if c.evidence not in used] or hz_parts[:1]
    for c in fresh[:2]:
        chosen.append((abs(c.weight), 1, Signal(c.evidence, c.meaning, hz_effect, abs(c.weight))))
    chosen.sort(key=lambda x: (-x[0], x[1]))
    out = [s for _, _, s in chosen[:_MAX_DECIDING]]
    return [Signal(s.evidence, s.meaning, s.effect, round(s.weight, 2)) for s in out]


def _principles(scores: dict[Principle, float]) -> tuple[Principle, ...]:
    picked = [p for p, s in scores.items() if s >= _PRINCIPLE_THRESHOLD]
    picked.sort(key=lambda p: (-scores[p], _PRINCIPLE_ORDER[p]))
    return tuple(picked)


def _principle_meaning(cue: Cue, principle: Principle) -> str:
    # Principle-only cues carry the principle's name as meaning; say something more useful.
    if cue.meaning == principle.value:
        return _PRINCIPLE_MEANING[principle]
    return cue.meaning


_PRINCIPLE_MEANING = {
    Principle.SECURITY: "security-related",
    Principle.RELIABILITY: "keeps things up",
    Principle.USABILITY: "easier to use",
    Principle.EFFICIENCY: "saves cost or toil",
    Principle.LATENCY: "speed",
}
