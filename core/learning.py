"""A team's own conventions, learned from the quadrants its members picked when they corrected us.

Each team files some work differently from the rubric ("our vault work is always a planned
project"). :class:`TeamModel` keeps, per word and word pair, how often the team filed items that
contain it under each quadrant, and turns that into a per-quadrant log-score for new text: a
smoothed naive-Bayes-style vote in which a word counts more the more corrections it appeared in and
the more one-sided they were. Votes only ever raise the quadrants the team moved such words to:
corrections say where work goes, not where it never goes. The classifier blends the vote with its
rules, more strongly the more corrections the team has made.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.model import Quadrant

_QUADRANTS: tuple[Quadrant, ...] = tuple(Quadrant)
_WORD_RE = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?(?:-[a-z0-9]+)*", re.IGNORECASE)

# Words that say nothing about a team's conventions.
_STOPWORD_TEXT = """
a an the and or but of to in on at by for from with without into onto over under is are
was were be been being it its it's this that these those we our us you your they their i
me my he she them there here so as if then than too very just also not no yes can could
should would will shall may might must do does did done have has had get got getting need
needs want wants pls please lol ugh hey hi all any some more most less again still now rn
up down out off per via etc vs x y z one two new old
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True, slots=True)
class Correction:
    """A team member moved an item to ``quadrant``: the team files work like ``text`` there."""

    text: str
    quadrant: Quadrant


@dataclass(frozen=True, slots=True)
class TeamVote:
    """What a team's corrections say about one text.

    ``scores`` is a log-score per quadrant (0 for none); ``reasons`` the words behind the vote for
    each quadrant, strongest first, as (feature, number of corrections that filed it there, weight).
    """

    scores: dict[Quadrant, float]
    reasons: dict[Quadrant, list[tuple[str, int, float]]]


def features(text: str) -> list[str]:
    """Content words and adjacent content-word pairs of ``text``, lower-cased, deduplicated."""
    words = [w for w in (m.lower() for m in _WORD_RE.findall(text)) if w not in STOPWORDS]
    words = [w for w in words if len(w) > 1 and not w.isdigit()]
    out = dict.fromkeys(words)
    for a, b in itertools.pairwise(words):
        out[f"{a} {b}"] = None
    return list(out)


class TeamModel:
    """Per-team word statistics over the team's corrections; cheap to build and to apply."""

    __slots__ = ("_votes", "size")

    def __init__(self) -> None:
        self._votes: dict[str, tuple[tuple[int, int, float], ...]] = {}
        self.size = 0
        """How many corrections the model was built from."""

    @classmethod
    def from_corrections(cls, corrections: Iterable[Correction]) -> TeamModel:
        """Build a model from a team's corrections (any number, including none)."""
        model = cls()
        index = {q: i for i, q in enumerate(_QUADRANTS)}
        counts: dict[str, list[int]] = {}
        for c in corrections:
            model.size += 1
            qi = index[Quadrant(c.quadrant)]
            for f in features(c.text):
                row = counts.get(f)
                if row is None:
                    row = counts[f] = [0, 0, 0, 0]
                row[qi] += 1
        # Each word's vote, worked out once: (quadrant index, corrections, contribution).
        for f, row in counts.items():
            df = sum(row)
            # A word seen in more corrections is surer; a pair of words is more specific than one.
            weight = (df / (df + 1.0)) * (1.3 if " " in f else 1.0)
            votes = []
            for qi, n in enumerate(row):
                # Corrections record where the team moved items, not where they would never go:
                # a word says nothing against a quadrant it was simply never moved to.
                if n:
                    contribution = weight * math.log((n + 0.25) / (df + 1.0) / 0.25)
                    if contribution > 0:
                        votes.append((qi, n, contribution))
            model._votes[f] = tuple(votes)
        return model

    @property
    def influence(self) -> float:
        """How much the team's vote counts against the rules; grows with its corrections."""
        return 2.5 * self.size / (self.size + 2.0)

    def vote(self, text: str, words: Sequence[str] | None = None) -> TeamVote | None:
        """The team's vote on ``text``, or None when none of its words were ever corrected."""
        if self.size == 0:
            return None
        feats = features(text) if words is None else words
        scores = [0.0, 0.0, 0.0, 0.0]
        reasons: list[list[tuple[str, int, float]]] = [[], [], [], []]
        seen = False
        get = self._votes.get
        for f in feats:
            votes = get(f)
            if votes is None:
                continue
            seen = True
            for qi, n, contribution in votes:
                scores[qi] += contribution
                reasons[qi].append((f, n, contribution))
        if not seen:
            return None
        infl = self.influence
        for r in reasons:
            if len(r) > 1:
                r.sort(key=lambda x: (-x[2], x[0]))
        return TeamVote(
            {q: scores[i] * infl for i, q in enumerate(_QUADRANTS)},
            {q: reasons[i] for i, q in enumerate(_QUADRANTS)},
        )
