"""A second opinion from labelled examples, for the items the rules are unsure of.

The rules (:mod:`core.classify`) know the rubric's cues; what they miss is wording with no cue at
all: a bare feature title ("Sharding support") or an alert summary without a failure word. For
those the rules' confidence is low, and :func:`core.classify.classify` asks this model too: a
multinomial logistic regression over the item's words, trained on infrawork's own labelled
real-world and hand-written items (``bench/data``; never on the shared development set), with its
weights shipped inside the package (``core/data/precedent.json``). Its probabilities are
multiplied with the rules' belief per quadrant, tempered (a product of experts), and the largest
product wins. When the examples move an item off the rules' answer, the explanation names the
word that did.

Word pairs were tried as well and cross-validated no better (bench/RESULTS.md), so the model is
single words, which keeps it cheap: one dictionary lookup per word of the item.

Everything here is pure Python. :func:`train` is deterministic (fixed seed, fixed order), so the
shipped weights can be rebuilt from the data with ``bench/train_precedent.py``.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterable, Sequence
from math import exp, log
from pathlib import Path

from core.learning import STOPWORDS as _LEARNING_STOPWORDS
from core.model import Quadrant

_QUADRANTS: tuple[Quadrant, ...] = tuple(Quadrant)

# Words that say nothing about a quadrant, and numbers ("3.5", "2024", "500"): left out of
# training, so they have no weights and cost one failed lookup when scoring. Leaving them out also
# keeps them out of the explanations ("'1' → like 31 labelled examples" says nothing).
_STOPWORDS = _LEARNING_STOPWORDS | frozenset(("around", "about", "after", "before", "since"))

L2 = 0.01
"""Weight decay of the shipped model (chosen by cross-validation, bench/RESULTS.md)."""
EPOCHS = 60
LEARNING_RATE = 0.5
SEED = 0
_PRUNE = 0.02
"""Words whose weights all stay below this in size are left out of the shipped file."""
RULES_WEIGHT = 0.5
"""How much the rules' own belief counts in the product: their probability per quadrant raised
to this power. Their whole four-way belief is used, so a horizon the rules are sure of ("by
Friday") stays sure while the examples weigh in on the forced/discretionary question. Chosen by
cross-validation with folds by source (bench/RESULTS.md, classifier round 7)."""
_TINY = 1e-9
_EVEN = (0.25, 0.25, 0.25, 0.25)

SHIPPED_PATH = Path(__file__).resolve().parent / "data" / "precedent.json"

_Weights = tuple[float, float, float, float]


def features(tokens: Sequence[str]) -> list[str]:
    """The words of lower-cased ``tokens`` that can carry a weight (a repeated word counts twice,
    in training as in scoring)."""
    return [t for t in tokens if t not in _STOPWORDS and not t[:1].isdigit()]


class Precedent:
    """Logistic-regression weights per word, with training counts for the explanations."""

    __slots__ = ("_bias", "_counts", "_pairs", "_start", "_weights", "data_sha256", "size")

    def __init__(
        self,
        weights: dict[str, _Weights],
        counts: dict[str, tuple[int, int, int, int]],
        bias: Sequence[float],
        size: int,
        data_sha256: str = "",
    ) -> None:
        self._weights = weights
        self._counts = counts
        self._bias = (bias[0], bias[1], bias[2], bias[3])
        self.size = size
        """How many labelled examples the model was trained on."""
        self.data_sha256 = data_sha256
        """Digest of the training data (see :func:`data_digest`), to tell when it is stale."""
        # For scoring, each word's four weights as two complex numbers (quadrants 0 + 1j·1 and
        # 2 + 1j·3): two additions per known word instead of four.
        self._pairs = {f: (complex(w[0], w[1]), complex(w[2], w[3])) for f, w in weights.items()}
        self._start = (complex(bias[0], bias[1]), complex(bias[2], bias[3]))

    def _scores(self, tokens: Sequence[str], rules: Sequence[float]) -> list[float]:
        """Per quadrant, the log of the rules' belief (tempered by :data:`RULES_WEIGHT`) times
        the examples' probability, up to the same constant. Runs for about one item in four, so
        it is written for speed."""
        front, back = self._start
        for w in map(self._pairs.get, tokens):
            if w is not None:
                front += w[0]
                back += w[1]
        # A probability can round to 0.0 when the rules' evidence is overwhelming: no log(0).
        r0, r1, r2, r3 = rules
        return [
            front.real + RULES_WEIGHT * log(r0 if r0 > _TINY else _TINY),
            front.imag + RULES_WEIGHT * log(r1 if r1 > _TINY else _TINY),
            back.real + RULES_WEIGHT * log(r2 if r2 > _TINY else _TINY),
            back.imag + RULES_WEIGHT * log(r3 if r3 > _TINY else _TINY),
        ]

    def shares(
        self, tokens: Sequence[str], rules: Sequence[float]
    ) -> tuple[float, float, float, float]:
        """The rules' belief (``rules``: their probability per quadrant, in :class:`Quadrant`
        order) tempered by :data:`RULES_WEIGHT`, times the examples' probabilities, normalised."""
        s = self._scores(tokens, rules)
        top = max(s)
        e = [exp(x - top) for x in s]
        z = e[0] + e[1] + e[2] + e[3]
        return (e[0] / z, e[1] / z, e[2] / z, e[3] / z)

    def decide(self, tokens: Sequence[str], rules: Sequence[float]) -> tuple[int, float]:
        """The index of the largest of :meth:`shares` (the first on a tie) and that share to
        4 places: what :func:`core.classify.classify` needs, without normalising all four."""
        s0, s1, s2, s3 = self._scores(tokens, rules)
        best, top = 0, s0
        if s1 > top:
            best, top = 1, s1
        if s2 > top:
            best, top = 2, s2
        if s3 > top:
            best, top = 3, s3
        share = 1.0 / (exp(s0 - top) + exp(s1 - top) + exp(s2 - top) + exp(s3 - top))
        # int(x + 0.5) rather than round(x, 4), which formats the float (several times slower).
        return best, int(share * 10_000 + 0.5) / 10_000

    def probs(self, tokens: Sequence[str]) -> tuple[float, float, float, float]:
        """The examples' own probability per quadrant, without the rules."""
        return self.shares(tokens, _EVEN)

    def reason(self, tokens: Sequence[str], quadrant: Quadrant) -> tuple[str, int] | None:
        """The word that pushes hardest towards ``quadrant`` (more than towards the others on
        average), with how many training examples of that quadrant contain it; None when no
        known word pushes that way."""
        q = _QUADRANTS.index(quadrant)
        best, best_push = None, 0.0
        for f in features(tokens):
            w = self._weights.get(f)
            if w is not None:
                push = w[q] - (sum(w) - w[q]) / 3
                if push > best_push:
                    best, best_push = f, push
        return None if best is None else (best, self._counts[best][q])

    def to_json(self) -> str:
        """The shipped file's text: sorted words, weights rounded to 4 places, then counts."""
        doc = {
            "model": "multinomial logistic regression over words (core/precedent.py)",
            "quadrants": [q.value for q in _QUADRANTS],
            "size": self.size,
            "data_sha256": self.data_sha256,
            "l2": L2,
            "epochs": EPOCHS,
            "bias": [round(b, 4) for b in self._bias],
            "features": {
                f: [*(round(v, 4) for v in self._weights[f]), *self._counts[f]]
                for f in sorted(self._weights)
            },
        }
        return json.dumps(doc, indent=0, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Precedent:
        doc = json.loads(text)
        if doc["quadrants"] != [q.value for q in _QUADRANTS]:
            raise ValueError("precedent model: quadrants out of order")
        weights: dict[str, _Weights] = {}
        counts: dict[str, tuple[int, int, int, int]] = {}
        for f, row in doc["features"].items():
            weights[f] = (row[0], row[1], row[2], row[3])
            counts[f] = (row[4], row[5], row[6], row[7])
        return cls(weights, counts, doc["bias"], doc["size"], doc["data_sha256"])

    def __len__(self) -> int:
        return len(self._weights)


def data_digest(lines: Iterable[str]) -> str:
    """sha256 over the training examples as (text, quadrant) lines, in order."""
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def train(
    examples: Sequence[tuple[Sequence[str], Quadrant]],
    *,
    l2: float = L2,
    epochs: int = EPOCHS,
    seed: int = SEED,
    data_sha256: str = "",
) -> Precedent:
    """Fit the model to ``(tokens, quadrant)`` examples: AdaGrad SGD on the softmax loss with
    weight decay. Deterministic for the same examples in the same order."""
    xs = [features(tokens) for tokens, _ in examples]
    ys = [_QUADRANTS.index(Quadrant(q)) for _, q in examples]
    weights: dict[str, list[float]] = {}
    sq_grads: dict[str, list[float]] = {}
    bias = [0.0, 0.0, 0.0, 0.0]
    bias_sq = [1e-8] * 4
    order = list(range(len(xs)))
    rng = random.Random(seed)
    rate = LEARNING_RATE
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            x = xs[i]
            scores = bias[:]
            for f in x:
                w = weights.get(f)
                if w is not None:
                    for k in range(4):
                        scores[k] += w[k]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            z = sum(exps)
            grad = [e / z for e in exps]
            grad[ys[i]] -= 1.0
            for k in range(4):
                bias_sq[k] += grad[k] * grad[k]
                bias[k] -= rate * grad[k] / math.sqrt(bias_sq[k])
            for f in x:
                w = weights.get(f)
                if w is None:
                    w = weights[f] = [0.0, 0.0, 0.0, 0.0]
                    sq_grads[f] = [1e-8] * 4
                g2 = sq_grads[f]
                for k in range(4):
                    g = grad[k] + l2 * w[k]
                    g2[k] += g * g
                    w[k] -= rate * g / math.sqrt(g2[k])
    counts: dict[str, list[int]] = {}
    for x, y in zip(xs, ys, strict=True):
        for f in set(x):
            counts.setdefault(f, [0, 0, 0, 0])[y] += 1
    kept_w: dict[str, _Weights] = {}
    kept_n: dict[str, tuple[int, int, int, int]] = {}
    for f, w in weights.items():
        if max(map(abs, w)) >= _PRUNE:
            kept_w[f] = (w[0], w[1], w[2], w[3])
            n = counts[f]
            kept_n[f] = (n[0], n[1], n[2], n[3])
    return Precedent(kept_w, kept_n, bias, len(xs), data_sha256)


def load(path: Path = SHIPPED_PATH) -> Precedent | None:
    """The model in ``path``, or None if there is no such file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return Precedent.from_json(text)


SHIPPED: Precedent | None = load()
"""The model built from infrawork's labelled examples (None only if the file is missing)."""
