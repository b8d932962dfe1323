"""Benchmark the classifier: accuracy, throughput and what a team's corrections buy.

    .venv/bin/python bench/classify.py [--quick] [--show-errors tune|extra|public-tune]
    .venv/bin/python bench/classify.py --only calibration   # confidence bins vs share right
    .venv/bin/python bench/classify.py --only sealed        # the sealed judge: once per change

Accuracy is reported on the development set (../shared/data/workitems-dev.jsonl relative to the
repo root), split into a tuning part and a fixed held-out part (every 4th line, never used for
tuning), then on our own labelled sets in bench/data (bench/README.md, "Data sets"): extra,
unseen, blind, public-tune, public-test, public-fresh, public-train2…9 and public-sealed/2/…/7.
Since round 6 every one of those is training data of the labelled-examples model
(bench/train_precedent.py), so each set's first line is in-sample and the "rules alone" line
beside it shows the rules without the examples. Out-of-sample numbers: the dev set (the examples
never see it), `bench/train_precedent.py --cv`, and the sealed judge (`--only sealed`: the next
one is bench/data/public-sealed8.jsonl, still to be collected), which is measured once per change
meant to be judged and never printed item by item. Misclassified held-out items are never
printed either.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import core.classify as classify_module  # noqa: E402
from bench.train_precedent import logged_time  # noqa: E402
from core.classify import CLASSIFIER_VERSION, calibrated, classify  # noqa: E402
from core.learning import Correction, TeamModel  # noqa: E402
from core.model import LOW_CONFIDENCE, Quadrant  # noqa: E402
from core.signals import clear_cache  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "workitems-dev.jsonl"
EXTRA = ROOT / "bench" / "data" / "extra.jsonl"
UNSEEN = ROOT / "bench" / "data" / "unseen.jsonl"
BLIND = ROOT / "bench" / "data" / "blind.jsonl"
PUBLIC_TUNE = ROOT / "bench" / "data" / "public-tune.jsonl"
PUBLIC_TEST = ROOT / "bench" / "data" / "public-test.jsonl"
PUBLIC_FRESH = ROOT / "bench" / "data" / "public-fresh.jsonl"
PUBLIC_TRAIN2 = ROOT / "bench" / "data" / "public-train2.jsonl"
PUBLIC_SEALED = ROOT / "bench" / "data" / "public-sealed.jsonl"
PUBLIC_SEALED2 = ROOT / "bench" / "data" / "public-sealed2.jsonl"
PUBLIC_SEALED3 = ROOT / "bench" / "data" / "public-sealed3.jsonl"
PUBLIC_TRAIN3 = ROOT / "bench" / "data" / "public-train3.jsonl"
PUBLIC_TRAIN4 = ROOT / "bench" / "data" / "public-train4.jsonl"
PUBLIC_TRAIN5 = ROOT / "bench" / "data" / "public-train5.jsonl"
PUBLIC_SEALED4 = ROOT / "bench" / "data" / "public-sealed4.jsonl"
PUBLIC_SEALED5 = ROOT / "bench" / "data" / "public-sealed5.jsonl"
PUBLIC_TRAIN6 = ROOT / "bench" / "data" / "public-train6.jsonl"
PUBLIC_SEALED6 = ROOT / "bench" / "data" / "public-sealed6.jsonl"
PUBLIC_TRAIN7 = ROOT / "bench" / "data" / "public-train7.jsonl"
PUBLIC_TRAIN8 = ROOT / "bench" / "data" / "public-train8.jsonl"
PUBLIC_TRAIN9 = ROOT / "bench" / "data" / "public-train9.jsonl"
PUBLIC_SEALED7 = ROOT / "bench" / "data" / "public-sealed7.jsonl"
PUBLIC_SEALED8 = ROOT / "bench" / "data" / "public-sealed8.jsonl"
QUADRANTS = list(Quadrant)
TODAY = datetime.now(UTC)
"""When this run reads dates, for the line that answers as the command line does."""
ABBR = {
    Quadrant.FORCED_SHORT: "F·short",
    Quadrant.FORCED_LONG: "F·long",
    Quadrant.DISCRETIONARY_SHORT: "D·short",
    Quadrant.DISCRETIONARY_LONG: "D·long",
}


@dataclass(frozen=True)
class Item:
    text: str
    quadrant: Quadrant
    principles: frozenset[str]
    logged_at: datetime | None = None
    """When it was written, where the set records it (``logged_at``): its dates are read
    against that, as a capture reads them against when it is logged."""


def load(path: Path) -> list[Item]:
    with path.open(encoding="utf-8") as f:
        return [
            Item(
                d["text"],
                Quadrant(d["quadrant"]),
                frozenset(d.get("principles", ())),
                logged_time(d),
            )
            for d in map(json.loads, filter(str.strip, f))
        ]


def split_dev(items: Sequence[Item]) -> tuple[list[Item], list[Item]]:
    """Tuning part and the fixed held-out part (every 4th item: 50 of 200, all quadrants)."""
    tune = [it for i, it in enumerate(items) if i % 4 != 3]
    held = [it for i, it in enumerate(items) if i % 4 == 3]
    return tune, held


def report(name: str, items: Sequence[Item], team: TeamModel | None = None) -> float:
    confusion = {(a, b): 0 for a in QUADRANTS for b in QUADRANTS}
    axis_ok = 0
    tp = fp = fn = 0
    alone = alone_axis = today = today_axis = 0
    for it in items:
        c = classify(it.text, team=team, logged_at=it.logged_at)
        r = classify(it.text, team=team, precedent=None, logged_at=it.logged_at).quadrant
        alone += r == it.quadrant
        alone_axis += r.forced == it.quadrant.forced
        # What `infrawork classify` answers: dates read against the time it runs.
        t = classify(it.text, team=team, logged_at=TODAY).quadrant
        today += t == it.quadrant
        today_axis += t.forced == it.quadrant.forced
        confusion[(it.quadrant, c.quadrant)] += 1
        axis_ok += c.quadrant.forced == it.quadrant.forced
        got = {p.value for p in c.principles}
        tp += len(got & it.principles)
        fp += len(got - it.principles)
        fn += len(it.principles - got)
    n = len(items)
    right = sum(confusion[(q, q)] for q in QUADRANTS)
    print(f"\n### {name} — {n} items")
    stamped = sum(it.logged_at is not None for it in items)
    if stamped:
        print(f"({stamped} of them say when they were written: their dates are read against that)")
    print(f"quadrant accuracy {right / n:6.1%}   forced/discretionary axis {axis_ok / n:6.1%}")
    print(f"  rules alone, without the labelled examples: {alone / n:6.1%} / {alone_axis / n:6.1%}")
    print(
        f"  dates read against {TODAY:%Y-%m-%d}, as `infrawork classify` does: "
        f"{today / n:6.1%} / {today_axis / n:6.1%}"
    )
    per = []
    for q in QUADRANTS:
        total = sum(confusion[(q, b)] for b in QUADRANTS)
        if total:
            per.append(f"{ABBR[q]} {confusion[(q, q)] / total:.0%} ({confusion[(q, q)]}/{total})")
    print("per quadrant (recall): " + " · ".join(per))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"principles: precision {precision:.0%} recall {recall:.0%} F1 {f1:.0%}")
    print("confusion (rows = label, columns = predicted):")
    print("            " + "".join(f"{ABBR[q]:>9}" for q in QUADRANTS))
    for a in QUADRANTS:
        print(f"  {ABBR[a]:>9} " + "".join(f"{confusion[(a, b)]:>9}" for b in QUADRANTS))
    return right / n


_BINS = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def _scored(items: Sequence[Item]) -> list[tuple[float, float, bool]]:
    """(raw score, calibrated confidence, right?) per item. The raw score is read by swapping the
    calibration table for the identity while classifying (bench only)."""
    table = classify_module._CALIBRATED
    steps = classify_module._CALIBRATION_STEPS
    classify_module._CALIBRATED = tuple(i / steps for i in range(steps + 1))
    try:
        out = []
        for it in items:
            c = classify(it.text, precedent=None)
            out.append((c.confidence, calibrated(c.confidence), c.quadrant is it.quadrant))
        return out
    finally:
        classify_module._CALIBRATED = table


def reliability(name: str, items: Sequence[Item]) -> None:
    """Confidence bins against the share right, raw and calibrated, and what the ask threshold
    catches."""
    scored = _scored(items)
    n = len(scored)
    print(f"\n### Reliability: {name} — {n} items")
    for label, k in (("raw", 0), ("calibrated", 1)):
        gap = 0.0
        print(f"  {label:>10}: bin        n  mean  right")
        for lo, hi in pairwise(_BINS):
            sel = [s for s in scored if lo <= s[k] < hi]
            if sel:
                mean = sum(s[k] for s in sel) / len(sel)
                right = sum(s[2] for s in sel) / len(sel)
                gap += len(sel) / n * abs(mean - right)
                bin_ = f"[{lo:.1f},{min(hi, 1.0):.1f})"
                print(f"              {bin_}  {len(sel):4}  {mean:.2f}  {right:4.0%}")
        print(f"              ECE {gap:.3f}")
    asked = [s for s in scored if s[1] < LOW_CONFIDENCE]
    rest = [s for s in scored if s[1] >= LOW_CONFIDENCE]
    wrong = sum(not s[2] for s in scored)
    print(
        f"  asks below {LOW_CONFIDENCE}: {len(asked)}/{n}, right among asked "
        f"{sum(s[2] for s in asked) / max(len(asked), 1):.0%}, among the rest "
        f"{sum(s[2] for s in rest) / max(len(rest), 1):.0%}, wrong items asked about "
        f"{sum(not s[2] for s in asked)}/{wrong}"
    )


def final_reliability(name: str, items: Sequence[Item]) -> None:
    """Confidence bins against the share right for what the product says (rules and examples)."""
    scored = [
        (c.confidence, c.quadrant is it.quadrant)
        for it in items
        for c in [classify(it.text, logged_at=it.logged_at)]
    ]
    n = len(scored)
    print(f"\n### Reliability of the final confidence: {name} — {n} items")
    gap = 0.0
    print("   bin        n  mean  right")
    for lo, hi in pairwise(_BINS):
        sel = [s for s in scored if lo <= s[0] < hi]
        if sel:
            mean = sum(s[0] for s in sel) / len(sel)
            right = sum(s[1] for s in sel) / len(sel)
            gap += len(sel) / n * abs(mean - right)
            print(f"   [{lo:.1f},{min(hi, 1.0):.1f})  {len(sel):4}  {mean:.2f}  {right:4.0%}")
    asked = [s for s in scored if s[0] < LOW_CONFIDENCE]
    print(
        f"   ECE {gap:.3f}; asks below {LOW_CONFIDENCE}: {len(asked)}/{n}, catching "
        f"{sum(not s[1] for s in asked)} of {sum(not s[1] for s in scored)} wrong items"
    )


def show_errors(items: Iterable[Item]) -> None:
    for it in items:
        c = classify(it.text, logged_at=it.logged_at)
        if c.quadrant != it.quadrant:
            print(
                f"  {it.quadrant.value:>19} → {c.quadrant.value:<19} {c.confidence:.2f} {it.text}"
            )
            print(f"      {c.rationale()}")


def throughput(texts: Sequence[str], repeats: int) -> float:
    """Median items/s over ``repeats`` passes (CPU time); the word cache is emptied before each."""
    rates = []
    for _ in range(repeats):
        clear_cache()
        # CPU time of this process: what one core does, even when other work shares the machine.
        start = time.process_time()
        for t in texts:
            classify(t)
        rates.append(len(texts) / (time.process_time() - start))
    return statistics.median(rates)


# --- learning benchmark ---------------------------------------------------------------------------
# A made-up team whose conventions differ from the rubric: its "hermes" message bus is under a
# regulator-mandated replacement programme, so the team files all hermes work as forced_long; and
# it treats anything touching the payments ("paygate") alerts as forced_short because of a PCI
# on-call agreement. Items are generated from varied templates; the team's corrections come from
# the training half, accuracy is measured on the other half and on neutral items that must not move.

_HERMES = [
    "add a retry to the hermes consumer in {svc}",
    "hermes topic for {svc} events needs a dead-letter queue",
    "bump hermes client lib in {svc} to the latest minor",
    "document how to replay hermes messages for {svc}",
    "hermes partitions for {svc} are unbalanced, rebalance them",
    "move {svc} off the legacy hermes cluster",
    "hermes dashboard for {svc} is missing the lag panel",
    "set up hermes ACLs for {svc}",
    "{svc}: switch the hermes producer to batching",
    "clean up unused hermes queues left by {svc}",
]
_PAYGATE = [
    "paygate alert threshold for {svc} is too noisy, tune it",
    "add a runbook link to the paygate alerts for {svc}",
    "paygate latency alert for {svc} should page the payments on-call",
    "rename the paygate dashboards for {svc}",
    "paygate: add an alert on declined-rate for {svc}",
    "tweak the paygate health check timeout in {svc}",
    "{svc} paygate webhook retries should back off",
    "route paygate warnings for {svc} to #payments-alerts",
]
_NEUTRAL = [
    ("add --dry-run to the {svc} deploy script", Quadrant.DISCRETIONARY_SHORT),
    ("{svc} is returning 503s for all users", Quadrant.FORCED_SHORT),
    ("postgres 13 EOL: upgrade the {svc} database before the deadline", Quadrant.FORCED_LONG),
    ("rewrite {svc} provisioning as a self-service platform", Quadrant.DISCRETIONARY_LONG),
    ("fix the typo in the {svc} README", Quadrant.DISCRETIONARY_SHORT),
    ("{svc} pods OOMKilled in prod, users seeing errors", Quadrant.FORCED_SHORT),
]
_SERVICES = [
    "orders", "billing", "search", "checkout", "ledger", "inventory", "auth", "notifications",
    "reporting", "shipping", "catalog", "pricing",
]  # fmt: skip


def _team_items(rng: random.Random) -> tuple[list[Correction], list[Correction], list[Correction]]:
    def make(templates: Sequence[str], q: Quadrant) -> list[Correction]:
        return [Correction(t.format(svc=s), q) for t in templates for s in rng.sample(_SERVICES, 3)]

    convention = make(_HERMES, Quadrant.FORCED_LONG) + make(_PAYGATE, Quadrant.FORCED_SHORT)
    rng.shuffle(convention)
    half = len(convention) // 2
    neutral = [Correction(t.format(svc=s), q) for t, q in _NEUTRAL for s in _SERVICES[:4]]
    return convention[:half], convention[half:], neutral


def _accuracy(items: Sequence[Correction], team: TeamModel | None) -> float:
    return sum(classify(c.text, team=team).quadrant == c.quadrant for c in items) / len(items)


def learning(dev_tune: Sequence[Item], dev_held: Sequence[Item]) -> None:
    rng = random.Random(7)
    train, test, neutral = _team_items(rng)
    print("\n### Learning: a team with its own conventions")
    print(f"{len(train)} training items, {len(test)} held-out items of the team's conventions, "
          f"{len(neutral)} neutral items that follow the rubric")  # fmt: skip
    print("  corrections  convention accuracy  neutral accuracy")
    before_conv = _accuracy(test, None)
    before_neutral = _accuracy(neutral, None)
    print(f"  {0:>11}  {before_conv:>19.0%}  {before_neutral:>16.0%}")
    for k in (2, 5, 10, 20, len(train)):
        # People only correct the items the classifier got wrong.
        seen = train[:k]
        corrections = [c for c in seen if classify(c.text).quadrant != c.quadrant]
        team = TeamModel.from_corrections(corrections)
        conv = _accuracy(test, team)
        neu = _accuracy(neutral, team)
        print(f"  {len(corrections):>11}  {conv:>19.0%}  {neu:>16.0%}   (from {k} items logged)")

    if not dev_held:
        print(f"\ndev set not found at {DEV}: skipping the dev-set corrections replay")
    else:
        _replay_dev_corrections(dev_tune, dev_held)

    start = time.perf_counter()
    big = [Correction(f"{c.text} #{i}", c.quadrant) for i, c in enumerate((train + test) * 5)]
    model = TeamModel.from_corrections(big)
    built = time.perf_counter() - start
    texts = [c.text for c in test] * 20
    start = time.perf_counter()
    for t in texts:
        classify(t, team=model)
    rate = len(texts) / (time.perf_counter() - start)
    print(f"  building a model from {len(big)} corrections: {built * 1000:.1f} ms; "
          f"classifying with it: {rate:,.0f} items/s")  # fmt: skip


def _replay_dev_corrections(dev_tune: Sequence[Item], dev_held: Sequence[Item]) -> None:
    print("\n### Learning: corrections from the dev tuning split, measured on held-out")
    wrong = [
        Correction(it.text, it.quadrant)
        for it in dev_tune
        if classify(it.text).quadrant != it.quadrant
    ]
    team = TeamModel.from_corrections(wrong)
    before = sum(classify(it.text).quadrant == it.quadrant for it in dev_held) / len(dev_held)
    after = sum(classify(it.text, team=team).quadrant == it.quadrant for it in dev_held) / len(
        dev_held
    )
    print(f"  {len(wrong)} corrections: held-out accuracy {before:.1%} → {after:.1%}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer throughput repetitions")
    parser.add_argument(
        "--show-errors",
        choices=("tune", "extra", "public-tune"),
        help="print misclassified items (only from sets that may be tuned on)",
    )
    parser.add_argument(
        "--only",
        choices=("accuracy", "calibration", "throughput", "learning", "sealed"),
        help="run one section (calibration runs only when asked for)",
    )
    args = parser.parse_args(argv)

    print(f"classifier {CLASSIFIER_VERSION}, Python {sys.version.split()[0]}")
    extra = load(EXTRA) if EXTRA.exists() else []
    texts: list[str] = [it.text for it in extra]
    dev_tune: list[Item] = []
    dev_held: list[Item] = []
    accuracy = args.only in (None, "accuracy")
    if DEV.exists():
        dev_tune, dev_held = split_dev(load(DEV))
        texts += [it.text for it in dev_tune + dev_held]
        if accuracy:
            report("dev · tuning split", dev_tune)
            report("dev · held-out split (every 4th item, never tuned on)", dev_held)
            report("dev · all", dev_tune + dev_held)
    else:
        print(f"dev set not found at {DEV}: skipping the dev-set report")
    # Every set below is training data of the labelled-examples model (bench/train_precedent.py),
    # so its "quadrant accuracy" is in-sample; the "rules alone" line is what the rules do.
    # Out-of-sample numbers for the examples come from `bench/train_precedent.py --cv`, the dev
    # set above and the sealed set (`--only sealed`).
    in_sample = "; examples model trained on it"
    if extra and accuracy:
        report(
            f"extra (bench/data/extra.jsonl, our own cases, rules tuned on it{in_sample})", extra
        )
    if UNSEEN.exists() and accuracy:
        report(
            f"unseen (bench/data/unseen.jsonl, rules never tuned on it{in_sample})", load(UNSEEN)
        )
    if BLIND.exists() and accuracy:
        report(f"blind (bench/data/blind.jsonl, rules never tuned on it{in_sample})", load(BLIND))
    if PUBLIC_TUNE.exists() and accuracy:
        report(
            f"public · tuning half (bench/data/public-tune.jsonl, real items{in_sample})",
            load(PUBLIC_TUNE),
        )
    if PUBLIC_TEST.exists() and accuracy:
        report(
            f"public · test half (bench/data/public-test.jsonl, real, rules never tuned on it"
            f"{in_sample})",
            load(PUBLIC_TEST),
        )
    if PUBLIC_FRESH.exists() and accuracy:
        report(
            f"public · fresh (bench/data/public-fresh.jsonl, real, rules never tuned on it"
            f"{in_sample})",
            load(PUBLIC_FRESH),
        )
    if PUBLIC_TRAIN2.exists() and accuracy:
        report(
            f"public · train2 (bench/data/public-train2.jsonl, real, rules never tuned on it"
            f"{in_sample})",
            load(PUBLIC_TRAIN2),
        )
    for path, what in (
        (PUBLIC_SEALED, "judged 3634f7a once, then rules fixed from its errors"),
        (PUBLIC_SEALED2, "judged bd9f7d1 once"),
        (PUBLIC_TRAIN3, "real, rules never tuned on it"),
        (PUBLIC_TRAIN4, "real, rules never tuned on it"),
        (PUBLIC_SEALED3, "judged 50d112b once"),
        (PUBLIC_TRAIN5, "real, rules never tuned on it"),
        (PUBLIC_SEALED4, "judged 4a6b228 once"),
        (PUBLIC_TRAIN6, "real, rules never tuned on it"),
        (PUBLIC_SEALED5, "judged a4f2068 once"),
        (PUBLIC_TRAIN7, "real, rules never tuned on it"),
        (PUBLIC_TRAIN8, "real, rules never tuned on it"),
        (PUBLIC_SEALED6, "judged 86c22fe once"),
        (PUBLIC_TRAIN9, "real, rules never tuned on it"),
        (PUBLIC_SEALED7, "judged 158aac7 once"),
    ):
        if path.exists() and accuracy:
            report(f"public · {path.stem} (bench/data/{path.name}, {what}{in_sample})", load(path))
    if args.only == "sealed":
        # The current judge: measured once per classifier change that is meant to be judged;
        # never printed item by item, never trained or tuned on.
        if not PUBLIC_SEALED8.exists():
            print(f"no sealed judge at {PUBLIC_SEALED8.relative_to(ROOT)} (bench/README.md)")
        else:
            report(
                "public · sealed 8 (bench/data/public-sealed8.jsonl, never trained or tuned on)",
                load(PUBLIC_SEALED8),
            )
            final_reliability("public · sealed 8", load(PUBLIC_SEALED8))
    if args.show_errors == "tune":
        show_errors(dev_tune)
    elif args.show_errors == "extra":
        show_errors(extra)
    elif args.show_errors == "public-tune":
        show_errors(load(PUBLIC_TUNE))

    if args.only == "calibration":
        held = dev_held + (load(UNSEEN) if UNSEEN.exists() else [])
        held += load(BLIND) if BLIND.exists() else []
        tuned = dev_tune + extra + (load(PUBLIC_TUNE) if PUBLIC_TUNE.exists() else [])
        reliability("tuned on (dev tuning split, extra, public tuning half)", tuned)
        reliability("held out (dev held-out, unseen, blind; part of the calibration fit)", held)
        if PUBLIC_TEST.exists():
            reliability("public test half (never tuned on)", load(PUBLIC_TEST))
        final_reliability("dev held-out (examples never trained on it)", dev_held)
        final_reliability("dev · all (examples never trained on it)", dev_tune + dev_held)

    if args.only in (None, "throughput"):
        repeats = 3 if args.quick else 9
        corpus = (texts * (20_000 // max(len(texts), 1) + 1))[:20_000]
        rate = throughput(corpus, repeats)
        print(
            f"\n### Throughput: {rate:,.0f} items/s (median of {repeats} passes over "
            f"{len(corpus):,} items, one core, CPU time, caches emptied before each pass)"
        )
    if args.only in (None, "learning"):
        learning(dev_tune, dev_held)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
