"""What the essay suggests for a team's phase, citing its own numbers: a missed baseline's
principle, or a forced theme that keeps coming back ("disk full" logged 4 times in 4 weeks)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.baselines import BaselineStatus
from core.model import Phase, Principle
from core.phase import PhaseVerdict

__all__ = ["Advice", "Theme", "advice_for", "repeated_themes"]


# --- repeated forced themes -----------------------------------------------------------------

_STOPWORDS = frozenset(
    """a an and are as at be been but by for from has have in into is it its of on or our out
    so than that the their then there these this to up was we were will with within after again
    all any before can could did do does done during each get got had how i if me more most my
    no not now off only other over same should some still such too very via what when where which
    while who why you your us they them he she his her new""".split()  # noqa: SIM905
)
# Words too generic to be a theme on their own (they may still be part of a longer phrase).
_GENERIC = frozenset(
    """fix fixed fixing issue issues problem problems prod production staging bug bugs error
    errors failing failed fail fails broken down again today yesterday tomorrow week urgent asap
    please need needs needed help investigate investigating check checked look looking update
    updated team service services work working item items ticket incident incidents page pages
    paged alert alerts alerting handle handled""".split()  # noqa: SIM905
)
_URL = re.compile(r"(?:https?://|www\.)\S+|<[^>]*>")
_TOKEN = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")
_NOISE = re.compile(r"^(?:[a-f0-9]{7,}|[a-z]+-?\d+[a-z0-9]*|\d.*)$")  # hashes, ids like inc-1234
MAX_TEXT_CHARS = 300
MAX_TEXTS = 1000
MAX_CANDIDATES = 60


@dataclass(frozen=True, slots=True)
class Theme:
    """A phrase that recurs in forced work, and in how many items it appeared."""

    phrase: str
    count: int


def _stem(token: str) -> str:
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def _tokens(text: str) -> list[tuple[str, str]]:
    """``(stem, surface)`` pairs of meaningful words; ids, hashes and URLs dropped."""
    cleaned = _URL.sub(" ", text[:MAX_TEXT_CHARS].lower())
    words = _TOKEN.findall(cleaned)
    return [(_stem(w), w) for w in words if 1 < len(w) <= 30 and not _NOISE.match(w)]


def _ngrams(tokens: list[tuple[str, str]], max_n: int) -> Iterable[tuple[tuple[str, ...], str]]:
    # Word tests once per token, not once per n-gram: this loop is most of a big digest's build
    # time (bench/digest.py).
    stems = [stem for stem, _ in tokens]
    words = [surface for _, surface in tokens]
    stop = [w in _STOPWORDS for w in words]
    filler = [s or w in _GENERIC for s, w in zip(stop, words, strict=True)]
    for n in range(1, max_n + 1):
        for i in range(len(tokens) - n + 1):
            end = i + n
            if stop[i] or stop[end - 1]:
                continue
            if n == 1:
                if len(words[i]) < 3 or filler[i]:
                    continue
                yield (stems[i],), words[i]
                continue
            if all(filler[i:end]):
                continue
            yield tuple(stems[i:end]), " ".join(words[i:end])


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def repeated_themes(
    texts: Sequence[str], *, min_count: int = 3, max_n: int = 3, limit: int = 3
) -> tuple[Theme, ...]:
    """Phrases (1–3 words) that appear in at least ``min_count`` of the texts, most frequent
    first, longer phrases preferred over the words they contain.

    A cheap normalised n-gram count: lower-cased, URLs, ids and hashes dropped, plurals folded,
    each phrase counted once per text. Input is capped so a huge window stays cheap.
    """
    counts: Counter[tuple[str, ...]] = Counter()
    surfaces: dict[tuple[str, ...], Counter[str]] = {}
    for text in texts[:MAX_TEXTS]:
        seen: dict[tuple[str, ...], str] = {}
        for stems, surface in _ngrams(_tokens(text), max_n):
            seen.setdefault(stems, surface)
        for stems, surface in seen.items():
            counts[stems] += 1
            surface_counts = surfaces.get(stems)
            if surface_counts is None:
                surface_counts = surfaces[stems] = Counter()
            surface_counts[surface] += 1
    frequent = [(stems, n) for stems, n in counts.items() if n >= min_count]
    # Longest, most frequent first; then drop a phrase that a chosen longer one already covers
    # about as often (a word only counts as its own theme when it recurs beyond the phrase).
    frequent.sort(key=lambda entry: (-entry[1], -len(entry[0]), entry[0]))
    frequent = frequent[:MAX_CANDIDATES]  # bounds the pairwise check below
    chosen: list[tuple[tuple[str, ...], int]] = []
    for stems, n in sorted(frequent, key=lambda entry: (-len(entry[0]), -entry[1], entry[0])):
        if any(_contains(c, stems) and n <= c_n for c, c_n in chosen):
            continue
        if any(_contains(stems, c) and c_n <= n for c, c_n in chosen):
            continue
        chosen.append((stems, n))
    chosen.sort(key=lambda entry: (-entry[1], -len(entry[0]), entry[0]))
    return tuple(Theme(surfaces[s].most_common(1)[0][0], n) for s, n in chosen[:limit])


# --- advice ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Advice:
    """The essay's suggestion for a phase, as one paragraph.

    ``focus`` is the principle that comes first (a missed baseline), ``theme`` the repeated
    forced theme cited, if any.
    """

    phase: Phase | None
    text: str
    focus: tuple[Principle, ...] = ()
    theme: Theme | None = None


def advice_for(
    verdict: PhaseVerdict,
    statuses: Sequence[BaselineStatus] = (),
    themes: Sequence[Theme] = (),
    *,
    principles_without_baseline: Sequence[Principle] = (),
) -> Advice:
    """The advice for the verdict's phase, citing a missed baseline or a repeated theme."""
    weeks = verdict.thresholds.window_weeks
    span = "this week" if weeks == 1 else f"{weeks} weeks"
    if verdict.phase is None:
        return Advice(
            None,
            "log the team's work as it happens (`/infrawork add …`, or react to an incident "
            "message) so the next digest can tell which phase you are in.",
        )
    if verdict.phase is Phase.FIREFIGHTING:
        theme = themes[0] if themes else None
        if theme is not None:
            fix = (
                f"look for the fix that removes a class of forced work "
                f"(“{theme.phrase}” was logged {theme.count} times in {span})"
            )
        else:
            fix = "look for leveraged fixes that reduce future forced work"
        text = (
            "dig out by investing in operational excellence — shed and defer forced work, "
            f"{fix}, do less; if you still fall behind, hire."
        )
        return Advice(Phase.FIREFIGHTING, text, theme=theme)
    if verdict.phase is Phase.INVESTMENT:
        text = (
            "spend the discretionary budget like a product manager — discover the problems "
            "your users have, prioritise across them, and validate the approach before you "
            "build. Then set a baseline per principle (`/infrawork baseline set …`) so the "
            "balance has a line to keep."
        )
        return Advice(Phase.INVESTMENT, text)
    missed = tuple(s for s in statuses if s.missed and s.principle is not None)
    focus = tuple(p for p in Principle if any(s.principle is p for s in missed))
    if missed:
        first = missed[0]
        assert first.baseline is not None and first.principle is not None
        others = [p.value for p in focus if p is not first.principle]
        also = f" (then {', '.join(others)})" if others else ""
        text = (
            f"keep the balance by your baselines: {first.principle.value} missed its line "
            f"({first.baseline.describe()}, measured {first.value_text()}), so "
            f"{first.principle.value} work comes first{also}; go back to discretionary "
            "investment once it is met."
        )
        return Advice(Phase.PRINCIPLES, text, focus=focus)
    unknown = [s.principle.value for s in statuses if s.principle is not None and not s.met]
    text = (
        "keep the balance by your baselines: every measured baseline is met, so invest where "
        "the baselines leave room"
    )
    if unknown:
        text += f"; record a measurement for {', '.join(unknown)} so it can't go red unseen"
    if principles_without_baseline:
        names = ", ".join(p.value for p in principles_without_baseline)
        text += f"; consider a baseline for {names}"
    return Advice(Phase.PRINCIPLES, text + ".")
