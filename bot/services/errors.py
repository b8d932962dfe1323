"""Errors whose message is meant for the person in Slack (listeners show them ephemerally)."""

from __future__ import annotations


class UserFacingError(Exception):
    """Something the person can fix; ``str(error)`` is a friendly mrkdwn answer."""


class NotFound(UserFacingError):
    pass


class InvalidInput(UserFacingError):
    pass


class AnswerTooLate(Exception):
    """Work finished after Slack stopped waiting for the answer; it was rolled back."""
