"""Sort a work item into the essay's quadrants and tag the principles it serves, with reasons.

The rules follow the labelling rubric: ask what compels the work (breakage, exposure or an outside
deadline make it forced; otherwise it is chosen), then how far away the deadline is (forced) or
how big the change is (discretionary). Cues come from :mod:`core.signals`, dates from
:mod:`core.classify_dates`, a team's own conventions from :mod:`core.learning`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from math import exp
from operator import itemgetter

from core.classify_dates import TimeMention, find_times
from core.learning import TeamModel
from core.model import (
    LOW_CONFIDENCE,
    Axis,
    CaptureContext,
    Classification,
    Principle,
    Quadrant,
    Signal,
)
from core.precedent import SHIPPED, Precedent
from core.signals import CONDITIONALS, FORECAST, Flag, Hit, Kind, read

CLASSIFIER_VERSION = "rules-2026.11.27" + (
    f"+examples-{SHIPPED.data_sha256[:8]}" if SHIPPED is not None else ""
)
"""Changes whenever the rules or the labelled examples change, so results can be told apart."""

FORCED_THRESHOLD = 1.0
"""Forced evidence must outweigh discretionary evidence by this much to call an item forced."""

_MAX_DECIDING = 4
_RULES_FLOOR = 0.02
_WEIGHT = itemgetter(0)
_SLOTS = range(len(Principle))
_DEADLINE = Kind.DEADLINE
_EXPOSURE = Flag.EXPOSURE
_RESCALING = Flag.CONDITIONAL | Flag.REFRAMING
_LITTLE_EVIDENCE = 1.5
_LITTLE_EVIDENCE_CONFIDENCE = 0.45
_PRINCIPLE_THRESHOLD = 0.9
_PRINCIPLES = tuple(Principle)
_QUADRANTS = tuple(Quadrant)
_FS, _FL, _DS, _DL = _QUADRANTS
_PRINCIPLE_NAMES = tuple(p.value for p in Principle)
_FORCED, _DISCRETIONARY, _SHORT, _LONG = Axis.FORCED, Axis.DISCRETIONARY, Axis.SHORT, Axis.LONG

# Date weights on the horizon: a deadline inside two weeks makes forced work short-term, one
# further out makes it a planned project. For chosen work dates matter less than scope.
_DATE_SHORT_FORCED, _DATE_SHORT_DISC = -3.5, -1.0
_DATE_LONG_FORCED, _DATE_LONG_DISC = 3.0, 0.8
_DATE_UNPLACED_FORCED, _DATE_UNPLACED_DISC = 2.2, 0.6

_INCIDENT_NOW = 12.0
"""How hard an incident reaction pulls forced work to short-term when no far date is named."""

_DEADLINE_WORDS = ("by ", "before ", "until ", "till ", "due ", "no later")
_DEADLINE_LEADS = (" by", " before", " until", " till", " due", "effective")
_UNSHOWN = -99
"""Order of a part that counts in the score but is not worth naming in the explanation."""

# Classification is a frozen dataclass: its generated __init__ sets each field through
# object.__setattr__, which costs about twice as much as setting the slots through their
# descriptors. The result is the same object, as long as the fields are these five and nothing
# runs after __init__ (checked here, so a new field cannot be left unset).
if [f.name for f in fields(Classification)] != [
    *("quadrant", "confidence", "principles", "signals", "team_decided")
] or hasattr(Classification, "__post_init__"):
    raise RuntimeError("core.classify builds Classification field by field: update it")
_new_object = object.__new__
_SET_QUADRANT, _SET_CONFIDENCE, _SET_PRINCIPLES, _SET_SIGNALS, _SET_TEAM_DECIDED = (
    getattr(Classification, f.name).__set__ for f in fields(Classification)
)

# A piece of evidence on one axis: (weight, order, hit or None, evidence, meaning). Evidence and
# meaning are filled in only for dates and context; for words they come from the hit when shown.
_Part = tuple[float, int, Hit | None, str, str]


def classify(
    text: str,
    *,
    context: CaptureContext | None = None,
    logged_at: datetime | None = None,
    team: TeamModel | None = None,
    precedent: Precedent | None = SHIPPED,
) -> Classification:
    """Classify one work item.

    ``logged_at`` (aware) anchors relative dates; ``context`` says how it was captured (an
    incident-emoji reaction makes it forced); ``team`` blends in the team's past corrections;
    ``precedent`` is the model of labelled examples asked when the rules are unsure (None: the
    rules alone).
    """
    hits, tokens, dates, flags, lowered = read(text)
    if lowered == text:
        lowered = text  # which saves looking the shown words up again
        same_length = True
    else:
        same_length = len(text) == len(lowered)  # if not, positions in lowered are not in text
    # Without a conditional or a reframing cue nothing is rescaled (_scales would say None).
    scales = _scales(hits, tokens, flags) if flags & _RESCALING else None
    times = find_times(text, logged_at, tokens, dates) if dates else []
    # With a date named, its distance decides the horizon of forced work (tie-breaker 3); without
    # one, an outside deadline ("EOL", "contract") is assumed to be months away.
    dated = False
    for t in times:
        if not t.past and t.days is not None:
            dated = True
            break

    forced_parts: list[_Part] = []
    hz_forced: list[_Part] = []
    hz_disc: list[_Part] = []
    principle_scores = [0.0, 0.0, 0.0, 0.0, 0.0]
    principle_weight = [0.0, 0.0, 0.0, 0.0, 0.0]
    principle_hit: list[Hit | None] = [None, None, None, None, None]
    seen: set[int] = set()
    for order, hit in enumerate(hits):
        cue = hit[0]
        for slot, w in cue.slots:
            principle_scores[slot] += w
            if w > principle_weight[slot]:
                principle_weight[slot] = w
                principle_hit[slot] = hit
        if not cue.scored:
            continue
        key = id(cue)
        if key in seen:
            continue  # the same cue twice is one piece of evidence
        seen.add(key)
        # Cue weights are floats, so a weight times 1.0 is the weight itself: without scales
        # (about nine items in ten) the products are not formed.
        if scales is None:
            if cue.forced:
                forced_parts.append((cue.forced, order, hit, "", ""))
            if cue.hz_forced and not (dated and cue.kind is _DEADLINE):
                hz_forced.append((cue.hz_forced, order, hit, "", ""))
            if cue.hz_disc:
                hz_disc.append((cue.hz_disc, order, hit, "", ""))
            continue
        scale = scales[order]
        if cue.forced:
            forced_parts.append((cue.forced * scale, order, hit, "", ""))
        if cue.hz_forced and not (dated and cue.kind is _DEADLINE):
            hz_forced.append((cue.hz_forced * scale, order, hit, "", ""))
        if cue.hz_disc:
            hz_disc.append((cue.hz_disc * scale, order, hit, "", ""))

    if times:
        _add_times(times, lowered, forced_parts, hz_forced, hz_disc)
    incident = False
    if context is not None:
        _add_context(context, forced_parts, hz_forced, _far(times))
        incident = context.incident_channel or context.incident_reaction

    f_score = sum(map(_WEIGHT, forced_parts))
    if context is not None and context.incident_reaction:
        f_score = max(f_score, FORCED_THRESHOLD + 4.0)
    p_forced = 1.0 / (1.0 + exp(-1.2 * (f_score - FORCED_THRESHOLD)))
    p_long_f = 1.0 / (1.0 + exp(-0.8 * sum(map(_WEIGHT, hz_forced))))
    p_long_d = 1.0 / (1.0 + exp(-0.8 * sum(map(_WEIGHT, hz_disc))))
    # In Quadrant order: forced short, forced long, discretionary short, discretionary long.
    probs: tuple[float, ...] = (
        p_forced * (1 - p_long_f),
        p_forced * p_long_f,
        (1 - p_forced) * (1 - p_long_d),
        (1 - p_forced) * p_long_d,
    )
    top = max(probs)
    rules_index = probs.index(top)
    rules_quadrant = _QUADRANTS[rules_index]
    little = sum(map(abs, map(_WEIGHT, forced_parts))) + sum(map(abs, map(_WEIGHT, hz_forced)))
    if little < _LITTLE_EVIDENCE:
        # Hardly anything to go on ("misc", "look into the thing"): ask rather than guess.
        cap = _LITTLE_EVIDENCE_CONFIDENCE
        if team is not None:
            probs = tuple([cap if cap < p else p for p in probs])  # min(p, cap), without the calls
        if cap < top:
            top = cap  # the largest of the capped probabilities
    # The calibration table holds calibrated() at every 1e-4 (one index instead of a call).
    # _ROUNDED holds round(confidence, 4) for each entry, which the result carries.
    confidence = _ROUNDED[int(top * _CALIBRATION_STEPS)]
    quadrant = rules_quadrant
    team_signal: Signal | None = None
    lead: Signal | None = None
    if team is not None:
        quadrant, confidence, team_signal = _blend(text, probs, rules_quadrant, confidence, team)
        lead = team_signal
    # The team decided when its corrections moved the item off the rules' answer or its words are
    # named as the leading reason.
    team_decided = team_signal is not None or quadrant is not rules_quadrant
    # Neither the rules nor the team are sure (about one real item in four): ask the labelled
    # examples too, and take the quadrant the two beliefs multiplied make likeliest. Not when the
    # item was captured in an incident's context, which the examples (text only) know nothing of.
    if confidence < LOW_CONFIDENCE and precedent is not None and not team_decided and not incident:
        chosen, share = precedent.decide(tokens, probs)
        # The share of such answers that are right (a calibration table, like the rules').
        confidence = _SHARE_ROUNDED[int(share * _CALIBRATION_STEPS)]
        if chosen != rules_index:
            quadrant = _QUADRANTS[chosen]
            lead = _moved_by_examples(tokens, quadrant, confidence, precedent)

    forced = quadrant is _FS or quadrant is _FL
    long_term = quadrant is _FL or quadrant is _DL
    # The deciding signals: the few pieces of evidence that pushed towards the chosen quadrant,
    # most decisive first. Written out here rather than in helpers, because every item runs it.
    # First the parts pushing each way that are worth naming (not _UNSHOWN), strongest first
    # (first on a tie).
    axis = []
    if forced:
        for p in forced_parts:
            if p[0] > 0 and p[1] != _UNSHOWN:
                axis.append(p)
    else:
        for p in forced_parts:
            if p[0] < 0 and p[1] != _UNSHOWN:
                axis.append(p)
    if len(axis) > 1:
        axis.sort(key=_WEIGHT, reverse=forced)
        del axis[2:]
    horizon = []
    if long_term:
        for p in hz_forced if forced else hz_disc:
            if p[0] > 0 and p[1] != _UNSHOWN:
                horizon.append(p)
    else:
        for p in hz_forced if forced else hz_disc:
            if p[0] < 0 and p[1] != _UNSHOWN:
                horizon.append(p)
    if len(horizon) > 1:
        horizon.sort(key=_WEIGHT, reverse=long_term)
    # Name different evidence for the horizon when there is any ("CVE" → forced, "by Friday" →
    # short-term) unless the other words are much weaker than the decisive one.
    if axis and horizon:
        used0, used1 = axis[0][1], axis[-1][1]
        fresh = []
        for p in horizon:
            if p[1] != used0 and p[1] != used1:
                fresh.append(p)
                if len(fresh) == 2:
                    break
        if not fresh or abs(fresh[0][0]) < abs(horizon[0][0]) / 2:
            fresh = horizon[:1]
    else:
        fresh = horizon[:2]
    axis_effect = _FORCED if forced else _DISCRETIONARY
    hz_effect = _LONG if long_term else _SHORT
    # Both lists are strongest first: merging them (the axis first on a tie) orders the evidence
    # most decisive first, as sorting on (-weight, axis first, position) would. Each holds at most
    # two parts, so all of them fit in the _MAX_DECIDING signals.
    signals: list[Signal] = []
    i = j = 0
    n_axis, n_fresh = len(axis), len(fresh)
    while i < n_axis or j < n_fresh:
        if j < n_fresh and (i == n_axis or abs(fresh[j][0]) > abs(axis[i][0])):
            part = fresh[j]
            j += 1
            effect = hz_effect
        else:
            part = axis[i]
            i += 1
            effect = axis_effect
        part_hit = part[2]
        shown: tuple[str, str, str, float]
        if part_hit is None:
            shown = (part[3], part[4], effect, abs(part[0]))
        else:
            cue, pos, words, seen_as = part_hit
            # Hit.evidence, written out: the words as written in the text, or the cue's label.
            if cue.label:
                evidence = cue.label
            elif seen_as:
                evidence = seen_as
            else:
                evidence = tokens[pos] if words == 1 else " ".join(tokens[pos : pos + words])
                if lowered is not text:
                    at = lowered.find(evidence)
                    if at >= 0 and same_length:
                        evidence = text[at : at + len(evidence)]
            shown = (evidence, cue.meaning, effect, abs(part[0]))
        found = _SIGNALS.get(shown)
        signals.append(_new_signal(shown) if found is None else found)
    if lead is not None and lead.effect == quadrant.label:
        signals = [lead, *signals[: _MAX_DECIDING - 1]]
    picked = []
    for i in _SLOTS:
        if principle_scores[i] >= _PRINCIPLE_THRESHOLD:
            picked.append(i)
    if len(picked) > 1:
        picked.sort(key=principle_scores.__getitem__, reverse=True)  # stable: enum order on ties
    principles = tuple(map(_PRINCIPLES.__getitem__, picked))
    # Each principle's strongest cue, as a shared Signal. Written out rather than helpers: most
    # items name one or two principles.
    for i in picked:
        best = principle_hit[i]
        assert best is not None
        cue, pos, words, seen_as = best
        # Hit.evidence, written out (as for the deciding signals above).
        if cue.label:
            evidence = cue.label
        elif seen_as:
            evidence = seen_as
        else:
            evidence = tokens[pos] if words == 1 else " ".join(tokens[pos : pos + words])
            if lowered is not text:
                at = lowered.find(evidence)
                if at >= 0 and same_length:
                    evidence = text[at : at + len(evidence)]
        name = _PRINCIPLE_NAMES[i]
        meaning = cue.meaning
        if meaning == name:
            # Principle-only cues carry the principle's name as meaning; say something more useful.
            meaning = _PRINCIPLE_MEANING[_PRINCIPLES[i]]
        shown = (evidence, meaning, name, principle_scores[i])
        found = _SIGNALS.get(shown)
        signals.append(_new_signal(shown) if found is None else found)
    # Classification(quadrant, confidence, principles, tuple(signals), team_decided),
    # with its slots filled directly (see _SET_QUADRANT).
    result = _new_object(Classification)
    _SET_QUADRANT(result, quadrant)
    _SET_CONFIDENCE(result, confidence)  # rounded above
    _SET_PRINCIPLES(result, principles)
    _SET_SIGNALS(result, tuple(signals))
    _SET_TEAM_DECIDED(result, team_decided)
    return result


def _scales(hits: list[Hit], tokens: Sequence[str], flags: int) -> list[float] | None:
    """How much each cue counts once the rest of the sentence reframes it (None: all fully).

    In an incident follow-up the incident words describe the past; in "… so expiries stop being
    incidents" the exposure words describe what the work prevents; "we keep getting paged …, let's
    build …" is about removing a class of pages, not about this page; in "notify the channel when a
    backup fails" or "alert on cert expiry" the failure is a condition, not an event.
    """
    conditional = -1
    if flags & Flag.CONDITIONAL:
        conditional = next(i for i, t in enumerate(tokens) if t in CONDITIONALS)
        if any(h.pos < conditional and h.cue.kind is Kind.NOW for h in hits):
            conditional = -1  # "X crashes when Y" is still a crash
    if conditional < 0 and not flags & Flag.REFRAMING:
        return None
    # One pass over the hits for: the first MONITOR cue ("alert on cert expiry": the watched-for
    # condition is not an event happening now); which kinds occur; whether a chosen action comes
    # with PAST events ("bump the memory limit, it got OOMKilled twice last week": an action
    # about past events); where the purpose clause of a PREVENT cue opens (a few words before it);
    # where a document's topic starts ("docs for IP address exhaustion": the words after a
    # document's "for"/"about" are what it is about); whether an outside deadline or a named
    # vulnerability is in the text.
    monitor = -1
    window = 10_000
    topic = 10_000
    kinds = set()
    action = compelled = False
    for h in hits:
        cue = h[0]
        kind = cue.kind
        kinds.add(kind)
        if kind is Kind.MONITOR:
            if monitor < 0 or h[1] < monitor:
                monitor = h[1]
        elif kind is Kind.PREVENT and h[1] - 8 < window:
            window = h[1] - 8
        elif kind is Kind.TOPIC and h[1] < topic:
            topic = h[1]
        elif kind is Kind.DEADLINE or cue.flags & _EXPOSURE:
            compelled = True
        if cue.forced < 0 and kind is not Kind.PAST:
            action = True
    if monitor >= 0 and (conditional < 0 or monitor < conditional):
        conditional = monitor
    followup = Kind.FOLLOWUP in kinds
    past_action = Kind.PAST in kinds and action
    build = Kind.BUILD in kinds
    recurring_build = Kind.RECURRING in kinds and build
    # "upgrade … to avoid extended-support fees", "patch … to prevent RCE": preventing the
    # consequence of an outside deadline or a named vulnerability is not a choice to build
    # something, so the prevention words are not evidence of chosen work either.
    compelled = compelled and window < 10_000 and not build
    out: list[float] = []
    for h in hits:
        scale = 1.0
        kind = h.cue.kind
        if compelled and kind is Kind.PREVENT:
            out.append(0.2)
            continue
        if kind is Kind.NOW or kind is Kind.DEADLINE:
            if kind is Kind.NOW:
                if followup:
                    scale = 0.15
                elif past_action:
                    scale = 0.35
                if recurring_build:
                    scale = min(scale, 0.25)
                if 0 <= conditional < h.pos:
                    scale = min(scale, 0.3)
            # A purpose clause reframes an outside deadline only when the work builds something
            # lasting ("push-button upgrades so EOL deadlines stop being fire drills"); "upgrade to
            # avoid extended-support charges" is still the deadline. Patching a named
            # vulnerability "to prevent RCE" is still the vulnerability.
            if h.pos >= window and (build or (kind is Kind.NOW and not h.cue.flags & _EXPOSURE)):
                scale = min(scale, 0.1)
            if h.pos > topic:
                scale = min(scale, 0.2)
            if build and h.cue is FORECAST:
                scale = min(scale, 0.3)
        out.append(scale)
    return out


def _add_times(
    times: list[TimeMention],
    lowered: str,
    forced_parts: list[_Part],
    hz_forced: list[_Part],
    hz_disc: list[_Part],
) -> None:
    # The nearest deadline decides: a cutoff tonight beats a migration due next quarter. A
    # duration ("report within 24h") is not the deadline when a date is also named. One pass
    # finds the first nearest of each kind, as min() would, and the first past mention.
    nearest: TimeMention | None = None
    nearest_any: TimeMention | None = None
    first_past: TimeMention | None = None
    days = days_any = 0.0
    for t in times:
        if t.past:
            if first_past is None:
                first_past = t
            continue
        d = _days_key(t)
        if nearest_any is None or d < days_any:
            nearest_any, days_any = t, d
        if (nearest is None or d < days) and not t.evidence.lower().startswith("within"):
            nearest, days = t, d
    if nearest_any is not None:
        t = nearest if nearest is not None else nearest_any
        ev, meaning = t.evidence, t.meaning()
        # Work with a date attached is more often owed to someone than chosen (counted, not shown).
        low = ev.lower()
        stated = low.startswith(_DEADLINE_WORDS)
        if not stated:
            # "before 31 March": the date was found without the word that makes it a deadline.
            at = lowered.find(low)
            stated = at > 0 and lowered[max(0, at - 8) : at].rstrip().endswith(_DEADLINE_LEADS)
        forced_parts.append((1.2 if stated else 0.4, _UNSHOWN, None, ev, "a date it is due by"))
        if t.days is None:
            hz_forced.append((_DATE_UNPLACED_FORCED, -1, None, ev, meaning))
            hz_disc.append((_DATE_UNPLACED_DISC, -1, None, ev, meaning))
        elif t.short:
            hz_forced.append((_DATE_SHORT_FORCED, -1, None, ev, meaning))
            hz_disc.append((_DATE_SHORT_DISC, -1, None, ev, meaning))
        else:
            scale = 0.7 if t.days < 30 else 1.0
            hz_forced.append((_DATE_LONG_FORCED * scale, -1, None, ev, meaning))
            hz_disc.append((_DATE_LONG_DISC, -1, None, ev, meaning))
    if first_past is not None:
        ev = first_past.evidence
        forced_parts.append((0.8, -3, None, ev, "already happening"))
        if nearest_any is None:
            hz_forced.append((-1.5, -1, None, ev, "already happening"))


def _days_key(t: TimeMention) -> float:
    # An unplaced calendar date ("Q3" with no log time) sorts as far away.
    return 10_000.0 if t.days is None else t.days


def _far(times: list[TimeMention]) -> bool:
    """Whether the text names a deadline beyond two weeks ("in 6 months", "next quarter", "Q3")."""
    return any(not t.past and not t.short for t in times)


def _add_context(
    context: CaptureContext, forced_parts: list[_Part], hz_forced: list[_Part], far: bool
) -> None:
    if context.incident_reaction:
        # Someone reacted with the incident emoji: it is being handled now (forced, short-term)
        # unless the text itself puts the deadline weeks or months away.
        why = "someone flagged it as an incident"
        forced_parts.append((5.0, -2, None, "incident reaction", why))
        hz_forced.append((-1.5 if far else -_INCIDENT_NOW, -2, None, "incident reaction", why))
    elif context.incident_channel:
        why = "logged from an incident channel"
        forced_parts.append((1.2, -2, None, "incident channel", why))
        hz_forced.append((-0.6, -2, None, "incident channel", why))


def _moved_by_examples(
    tokens: Sequence[str], quadrant: Quadrant, share: float, precedent: Precedent
) -> Signal:
    """The signal naming the words that made the labelled examples move an item to ``quadrant``."""
    reason = precedent.reason(tokens, quadrant)
    if reason is None:
        evidence, meaning = "wording", "closest to labelled examples of this kind of work"
    else:
        evidence, n = reason
        many = "example" if n == 1 else "examples"
        meaning = f"like {n} labelled {many} of this kind of work"
    shown = (evidence, meaning, quadrant.label, round(share, 2))
    found = _SIGNALS.get(shown)
    return _new_signal(shown) if found is None else found


def _blend(
    text: str,
    probs: tuple[float, ...],
    base_quadrant: Quadrant,
    base_confidence: float,
    team: TeamModel,
) -> tuple[Quadrant, float, Signal | None]:
    """Fold the team's vote into the probabilities so far; name the team's words if they decided."""
    if team.size == 0:
        return base_quadrant, base_confidence, None
    vote = team.vote(text)
    if vote is None:
        return base_quadrant, base_confidence, None
    # The rules are never so sure that a team's own convention cannot overrule them.
    logits = [
        math.log(max(p, _RULES_FLOOR)) + vote.scores[q]
        for q, p in zip(_QUADRANTS, probs, strict=True)
    ]
    top = max(logits)
    total = sum(math.exp(v - top) for v in logits)
    best = logits.index(top)
    quadrant = _QUADRANTS[best]
    confidence = round(1.0 / total, 4)
    reasons = vote.reasons[quadrant]
    if not reasons or (quadrant == base_quadrant and vote.scores[quadrant] < 0.5):
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


# How often the rules are right at each raw score: a monotone piecewise-linear map through an
# isotonic fit of (raw score, correct?) on items the rules were not tuned on. With it, "confidence
# 0.8" means about 8 in 10 such items are right. Up to the ask threshold (0.75, at raw 0.6333) the
# map is round 4's; above it, round 6 refitted it on 1,511 real items from eight sets (GitHub
# titles and web pages alike; bench/RESULTS.md, classifier round 6), where round 4's map said
# 0.97 for answers right 9 times in 10. The threshold's raw score is kept, so the same items ask
# and the same items reach the labelled examples.
_CALIBRATION_RAW = (0.0, 0.378, 0.417, 0.540, 0.6333, 0.70, 0.745, 0.82, 0.94, 1.0)
_CALIBRATION_OUT = (0.10, 0.27, 0.50, 0.62, 0.75, 0.78, 0.84, 0.886, 0.916, 0.93)


# The same for the share that the rules' belief and the labelled examples' together give an
# answer (Precedent.decide, for the items the rules are unsure of): out-of-fold shares of such
# items, folds by source, fitted by `bench/train_precedent.py --calibrate` for the shipped model
# (bench/RESULTS.md, classifier round 8; below the first knot 0.2, the top capped at 0.97).
# Refit it when the model is retrained on new data.
_SHARE_RAW: tuple[float, ...] = (0.0, 0.358, 0.412, 0.503, 0.568, 0.594, 0.638, 0.685)
_SHARE_RAW += (0.715, 0.753, 0.823, 0.879, 0.925, 0.951, 0.969, 0.984, 0.994, 1.0)
_SHARE_OUT: tuple[float, ...] = (0.2, 0.31, 0.39, 0.44, 0.46, 0.54, 0.57, 0.59)
_SHARE_OUT += (0.65, 0.66, 0.7, 0.73, 0.77, 0.8, 0.86, 0.86, 0.9, 0.97)


def _piecewise(raw: float, xs: tuple[float, ...], ys: tuple[float, ...]) -> float:
    i = bisect_right(xs, raw)
    if i >= len(xs):
        return ys[-1]
    x0, x1 = xs[i - 1], xs[i]
    y0, y1 = ys[i - 1], ys[i]
    return y0 + (y1 - y0) * (raw - x0) / (x1 - x0)


def calibrated(raw: float) -> float:
    """The rules' raw score as the share of such items they get right."""
    return _piecewise(raw, _CALIBRATION_RAW, _CALIBRATION_OUT)


def calibrated_share(raw: float) -> float:
    """The rules' and the examples' joint share for an answer as the share of such answers that
    are right."""
    return _piecewise(raw, _SHARE_RAW, _SHARE_OUT)


_CALIBRATION_STEPS = 10_000
_CALIBRATED = tuple(calibrated(i / _CALIBRATION_STEPS) for i in range(_CALIBRATION_STEPS + 1))
_ROUNDED = tuple(round(c, 4) for c in _CALIBRATED)
_SHARE_ROUNDED = tuple(
    round(calibrated_share(i / _CALIBRATION_STEPS), 4) for i in range(_CALIBRATION_STEPS + 1)
)


_SIGNALS: dict[tuple[str, str, str, float], Signal] = {}


def _new_signal(key: tuple[str, str, str, float]) -> Signal:
    """A Signal, shared between classifications: they are immutable and the same few recur."""
    if len(_SIGNALS) > 50_000:
        _SIGNALS.clear()
    found = _SIGNALS[key] = Signal(*key)
    return found


_PRINCIPLE_MEANING = {
    Principle.SECURITY: "security-related",
    Principle.RELIABILITY: "keeps things up",
    Principle.USABILITY: "easier to use",
    Principle.EFFICIENCY: "saves cost or toil",
    Principle.LATENCY: "speed",
}
