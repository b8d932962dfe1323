"""`app_uninstalled` and `tokens_revoked`: stop work for a workspace that removed the app."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.services.container import Services


def _where(body: dict[str, Any]) -> tuple[str | None, str]:
    """(enterprise_id, workspace) an Events API envelope is about."""
    enterprise = body.get("enterprise_id") or None
    return enterprise, str(body.get("team_id") or "")


def register(app: AsyncApp, services: Services) -> None:
    @app.event("app_uninstalled")
    async def on_app_uninstalled(body: dict[str, Any]) -> None:
        enterprise_id, workspace = _where(body)
        await services.workspaces.uninstalled(enterprise_id, workspace)

    @app.event("tokens_revoked")
    async def on_tokens_revoked(body: dict[str, Any], event: dict[str, Any]) -> None:
        enterprise_id, workspace = _where(body)
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):
            # Without its bot token the app can do nothing there: same as an uninstall.
            await services.workspaces.uninstalled(enterprise_id, workspace)
        elif tokens.get("oauth"):
            await services.workspaces.user_tokens_revoked(
                enterprise_id, workspace, [str(u) for u in tokens["oauth"]]
            )
