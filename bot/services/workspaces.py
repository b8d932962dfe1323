"""A workspace's lifecycle: installed (active), uninstalled or revoked (inactive), purged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.clock import Clock
from storage.uow import Database

if TYPE_CHECKING:
    from slack_sdk.oauth.installation_store.async_installation_store import (
        AsyncInstallationStore,
    )

log = logging.getLogger(__name__)


class WorkspaceService:
    """Starts and stops work for a Slack workspace.

    An inactive workspace gets no digests (the scheduler only iterates active workspaces) and, in
    OAuth mode, no commands (its installation is gone, so Bolt cannot authorize its requests).
    """

    def __init__(
        self, db: Database, clock: Clock, installations: AsyncInstallationStore | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        self.installations = installations

    async def installed(self, enterprise_id: str | None, workspace: str | None) -> None:
        """An installation was saved: (re)activate the workspace."""
        if not workspace:
            return  # an org-wide Enterprise Grid install; its workspaces activate on first use
        async with self.db.uow() as uow:
            await uow.workspaces.ensure(workspace, enterprise_id, self.clock.now())
            await uow.workspaces.set_active(workspace, True, self.clock.now())
            await uow.commit()
        log.info("workspace %s installed; work for it is on", workspace)

    async def uninstalled(self, enterprise_id: str | None, workspace: str) -> None:
        """The app was uninstalled or its bot token revoked: stop all work for the workspace.

        The workspace's data stays (a re-install picks up where it left off); `infrawork
        workspace purge` deletes it.
        """
        if self.installations is not None:
            await self.installations.async_delete_bot(
                enterprise_id=enterprise_id, team_id=workspace
            )
            await self.installations.async_delete_installation(
                enterprise_id=enterprise_id, team_id=workspace
            )
        async with self.db.uow() as uow:
            await uow.workspaces.set_active(workspace, False, self.clock.now())
            await uow.commit()
        log.info("workspace %s uninstalled; work for it stopped", workspace)

    async def user_tokens_revoked(
        self, enterprise_id: str | None, workspace: str, user_ids: list[str]
    ) -> None:
        """Users revoked their own tokens: forget their installations, keep the bot working."""
        if self.installations is None:
            return
        for user_id in user_ids:
            await self.installations.async_delete_installation(
                enterprise_id=enterprise_id, team_id=workspace, user_id=user_id
            )

    async def is_active(self, workspace: str) -> bool:
        async with self.db.read() as uow:
            return await uow.workspaces.is_active(workspace)

    async def purge(self, workspace: str) -> dict[str, int]:
        """Delete everything infrawork keeps for ``workspace``: {table: rows deleted}."""
        async with self.db.uow() as uow:
            deleted = await uow.workspaces.purge(workspace)
            await uow.commit()
        log.info("workspace %s purged (%s rows)", workspace, sum(deleted.values()))
        return deleted
