"""The `/infrawork <verb>` sub-commands: a registry the command listener dispatches on.

Each verb module registers its handlers with :func:`verb`; help is generated from the registry,
so a verb is documented where it is implemented.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.services.container import Services
from bot.services.context import Actor


@dataclass(frozen=True)
class VerbRequest:
    """One `/infrawork` invocation, parsed: what the verb handler gets."""

    services: Services
    actor: Actor
    verb: str
    args: str
    ack: Callable[..., Awaitable[Any]]
    respond: Callable[..., Awaitable[Any]]
    client: Any
    trigger_id: str | None
    command: dict[str, Any]


Handler = Callable[[VerbRequest], Awaitable[None]]


@dataclass(frozen=True)
class Verb:
    name: str
    usage: str
    summary: str
    handler: Handler
    order: int


REGISTRY: dict[str, Verb] = {}


def verb(name: str, usage: str, summary: str, *, order: int = 50) -> Callable[[Handler], Handler]:
    """Register ``handler`` for `/infrawork <name> …`."""

    def decorate(handler: Handler) -> Handler:
        REGISTRY[name] = Verb(name, usage, summary, handler, order)
        return handler

    return decorate


def split_invocation(text: str) -> tuple[str, str]:
    """("verb", "the rest") from the slash command's text; ("", "") when empty."""
    text = (text or "").strip()
    if not text:
        return "", ""
    head, _, rest = text.partition(" ")
    return head.lower(), rest.strip()
