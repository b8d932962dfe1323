"""Build, check and cross-validate the labelled-examples model (core/precedent.py).

    .venv/bin/python bench/train_precedent.py            # retrain, write core/data/precedent.json
    .venv/bin/python bench/train_precedent.py --check    # exit 1 if the shipped file is stale
    .venv/bin/python bench/train_precedent.py --cv       # 5-fold CV by source: rules vs examples
    .venv/bin/python bench/train_precedent.py --calibrate  # fit the examples' confidence map

The model is trained on infrawork's own labelled items in bench/data (hand-written cases and real
items from public trackers and pages), never on the shared development set (../shared/data),
which stays a measure, nor on a sealed judge before it is measured (the next one will be
bench/data/public-sealed8.jsonl). Training is deterministic, so ``--check`` (run by
bench/run-all) proves the shipped weights come from the data in the repo.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import core.classify as classify_module  # noqa: E402
from core.classify import classify  # noqa: E402
from core.model import Quadrant  # noqa: E402
from core.precedent import L2, Precedent, data_digest, train  # noqa: E402
from core.signals import read  # noqa: E402

DATA = ROOT / "bench" / "data"
from core.precedent import SHIPPED_PATH as SHIPPED  # noqa: E402

# Every labelled file of ours except the sealed one. The rules were tuned on the first two; the
# others were only measured before they became training data (cross-validation scores those).
TUNED = ("extra.jsonl", "public-tune.jsonl")
MEASURED = (
    "blind.jsonl",
    "unseen.jsonl",
    "public-test.jsonl",
    "public-fresh.jsonl",
    "public-train2.jsonl",
    "public-sealed.jsonl",  # the judge of 3634f7a, measured once; training data since
    "public-sealed2.jsonl",  # the judge of bd9f7d1, measured once; training data since
    "public-train3.jsonl",
    "public-train4.jsonl",
    "public-sealed3.jsonl",  # the judge of 50d112b, measured once; training data since
    "public-train5.jsonl",
    "public-sealed4.jsonl",  # the judge of 4a6b228, measured once; training data since
    "public-train6.jsonl",
    "public-sealed5.jsonl",  # the judge of a4f2068, measured once; training data since
    "public-train7.jsonl",
    "public-train8.jsonl",
    "public-sealed6.jsonl",  # the judge of 86c22fe, measured once; training data since
    "public-train9.jsonl",
    "public-sealed7.jsonl",  # the judge of 158aac7, measured once; training data since
)


def _lines() -> Iterator[tuple[str, dict[str, object]]]:
    """(file name, parsed line) for every training item, in a fixed order."""
    for name in (*TUNED, *MEASURED):
        path = DATA / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield name, json.loads(line)


def examples() -> list[tuple[str, Quadrant, bool]]:
    """(text, quadrant, rules were tuned on it) for every training item, in a fixed order."""
    return [(str(d["text"]), Quadrant(str(d["quadrant"])), name in TUNED) for name, d in _lines()]


def _group(source: str, index: int) -> str:
    """Items from the same repository or site share words no other source uses (its name, its
    hosts): cross-validation keeps them in one fold, as the sealed sets keep their sources apart."""
    head = source.split()[0] if source.strip() else ""
    if head.startswith(("http://", "https://")):
        return urlsplit(head).netloc.removeprefix("www.")
    if "/" in head:  # owner/repo#123, or owner/repo followed by a file's path
        return "/".join(head.split("#", 1)[0].lower().split("/")[:2])
    return source or f"item {index}"


def logged_time(line: dict[str, object]) -> datetime | None:
    """A labelled line's ``logged_at`` (an ISO date or time, UTC unless it says), or None."""
    stamp = line.get("logged_at")
    if not stamp:
        return None
    moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def logged_times() -> list[datetime | None]:
    """When each item of :func:`examples` was written, where its set records it: the rules
    read its dates against that, as a capture does."""
    return [logged_time(d) for _, d in _lines()]


def groups() -> list[str]:
    """The cross-validation group of each item of :func:`examples`, in the same order."""
    return [_group(str(d.get("source", "")), i) for i, (_, d) in enumerate(_lines())]


def build(items: Sequence[tuple[str, Quadrant, bool]], l2: float = L2) -> Precedent:
    digest = data_digest(f"{text}\t{q.value}" for text, q, _ in items)
    return train([(read(text)[1], q) for text, q, _ in items], l2=l2, data_sha256=digest)


def cross_validate(items: Sequence[tuple[str, Quadrant, bool]], folds: int = 5) -> None:
    """Out-of-fold accuracy on the items the rules were not tuned on."""
    # Folds by source group (a stable hash of the group's name), so that no fold is scored on
    # items whose repository or site it also trained on.
    keys = groups()
    times = logged_times()
    fold_of = [int(hashlib.sha256(k.encode()).hexdigest(), 16) % folds for k in keys]
    print(
        f"{len(items)} items, {folds}-fold; scored on the "
        f"{sum(not t for *_, t in items)} the rules were not tuned on"
    )
    print("| l2 | rules alone: quadrant / axis | with examples: quadrant / axis | asked |")
    print("|---|---|---|---|")
    for l2 in (0.001, 0.01, 0.03):
        rules_right = rules_axis = right = axis = asked = n = 0
        for k in range(folds):
            held = {i for i in range(len(items)) if fold_of[i] == k}
            model = build([items[i] for i in range(len(items)) if i not in held], l2)
            for i in held:
                text, q, tuned = items[i]
                if tuned:
                    continue
                n += 1
                alone = classify(text, precedent=None, logged_at=times[i]).quadrant
                both = classify(text, precedent=model, logged_at=times[i])
                rules_right += alone == q
                rules_axis += alone.forced == q.forced
                right += both.quadrant == q
                axis += both.quadrant.forced == q.forced
                asked += both.low_confidence
        print(
            f"| {l2} | {rules_right / n:.1%} / {rules_axis / n:.1%} | "
            f"{right / n:.1%} / {axis / n:.1%} | {asked / n:.0%} |"
        )


@contextlib.contextmanager
def raw_shares() -> Iterator[None]:
    """classify() with its share map swapped for the identity: for an item the examples decide,
    its confidence is then the raw share of the answer it gives."""
    steps = classify_module._CALIBRATION_STEPS
    table = classify_module._SHARE_ROUNDED
    classify_module._SHARE_ROUNDED = tuple(i / steps for i in range(steps + 1))
    try:
        yield
    finally:
        classify_module._SHARE_ROUNDED = table


def calibrate(items: Sequence[tuple[str, Quadrant, bool]], folds: int = 5) -> None:
    """Fit the map from the examples' share to the share of such answers that are right: an
    isotonic fit of out-of-fold (share, right?) over the items the rules were not tuned on and are
    unsure of, folds by source. Prints the knots for core.classify's _SHARE_RAW / _SHARE_OUT."""
    keys = groups()
    times = logged_times()
    fold_of = [int(hashlib.sha256(k.encode()).hexdigest(), 16) % folds for k in keys]
    points: list[tuple[float, bool]] = []
    with raw_shares():
        for k in range(folds):
            model = build([items[i] for i in range(len(items)) if fold_of[i] != k])
            for i, (text, q, tuned) in enumerate(items):
                alone = classify(text, precedent=None, logged_at=times[i])
                if fold_of[i] != k or tuned or not alone.low_confidence:
                    continue
                both = classify(text, precedent=model, logged_at=times[i])
                points.append((both.confidence, both.quadrant == q))
    points.sort()
    # Pool adjacent violators: blocks of (sum of shares, right, count) with rising accuracy.
    blocks: list[list[float]] = []
    for share, right in points:
        blocks.append([share, float(right), 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            last = blocks.pop()
            for j in range(3):
                blocks[-1][j] += last[j]
    print(f"{len(points)} out-of-fold answers the rules were unsure of")
    knots = [(round(b[0] / b[2], 3), round(b[1] / b[2], 2)) for b in blocks if b[2] >= 10]
    for b in blocks:
        print(f"  share ≈ {b[0] / b[2]:.3f}: {b[1] / b[2]:.0%} right of {b[2]:.0f}")
    print("_SHARE_RAW =", tuple(x for x, _ in knots))
    print("_SHARE_OUT =", tuple(y for _, y in knots))


def _differs(shipped: str, rebuilt: str) -> str:
    """Why the shipped model is not the rebuilt one, or "" when they differ only as another
    machine's floating point could make them (the last printed digit of a weight, or a word at
    the pruning threshold)."""
    if not shipped:
        return "missing"
    a, b = json.loads(shipped), json.loads(rebuilt)
    for key in ("quadrants", "size", "data_sha256", "l2", "epochs"):
        if a[key] != b[key]:
            return f"{key} differs"
    fa, fb = a["features"], b["features"]
    for word in fa.keys() ^ fb.keys():
        row = fa.get(word) or fb[word]
        if max(map(abs, row[:4])) > 0.03:
            return f"word {word!r} only on one side"
    for word in fa.keys() & fb.keys():
        if fa[word][4:] != fb[word][4:] or any(
            abs(x - y) > 1e-3 for x, y in zip(fa[word][:4], fb[word][:4], strict=True)
        ):
            return f"weights of {word!r} differ"
    if any(abs(x - y) > 1e-3 for x, y in zip(a["bias"], b["bias"], strict=True)):
        return "bias differs"
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the shipped file is stale")
    ap.add_argument("--cv", action="store_true", help="cross-validate instead of writing")
    ap.add_argument("--calibrate", action="store_true", help="fit the confidence map, print it")
    args = ap.parse_args(argv)
    items = examples()
    if args.cv:
        cross_validate(items)
        return 0
    if args.calibrate:
        calibrate(items)
        return 0
    start = time.process_time()
    model = build(items)
    text = model.to_json()
    took = time.process_time() - start
    if args.check:
        shipped = SHIPPED.read_text(encoding="utf-8") if SHIPPED.exists() else ""
        if shipped != text:
            problem = _differs(shipped, text)
            if problem:
                print(f"{SHIPPED.relative_to(ROOT)} is stale ({problem}): run {__file__}")
                return 1
        print(f"{SHIPPED.relative_to(ROOT)} matches {model.size} examples ({took:.1f} s)")
        return 0
    SHIPPED.parent.mkdir(exist_ok=True)
    SHIPPED.write_text(text, encoding="utf-8")
    print(
        f"wrote {SHIPPED.relative_to(ROOT)}: {model.size} examples, {len(model)} features "
        f"({took:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
