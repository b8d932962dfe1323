"""Checks shared by the classifier's rule tables (tests/core/test_classify_round*.py)."""

from __future__ import annotations

from core.classify import classify
from core.model import Quadrant


def reads_as(text: str, expected: Quadrant) -> None:
    """The rules alone answer ``expected``; with the labelled examples the product does too, or
    asks the person (it never answers something else confidently)."""
    assert classify(text, precedent=None).quadrant is expected
    product = classify(text)
    assert product.quadrant is expected or product.low_confidence
