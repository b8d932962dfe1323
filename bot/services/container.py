"""Everything a listener may call, built once per process from settings and explicit clients."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock, SystemClock
from bot.metrics import Metrics
from bot.oauth import build_installation_store
from bot.services.baselines import BaselineService
from bot.services.capture import CaptureService
from bot.services.digest import DigestService
from bot.services.home import HomeService
from bot.services.items import ItemsService
from bot.services.learning import TeamModels
from bot.services.reactions import ReactionCapture
from bot.services.setup import SetupService
from bot.services.teams import TeamDirectory
from bot.services.workspaces import WorkspaceService
from bot.settings import Settings
from storage.uow import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    models: TeamModels = field(default_factory=TeamModels)
    metrics: Metrics = field(default_factory=Metrics)
    teams: TeamDirectory = field(default_factory=TeamDirectory)

    def __post_init__(self) -> None:
        self.capture = CaptureService(self.db, self.clock, self.models, self.metrics, self.teams)
        self.reactions = ReactionCapture(self.db, self.clock, self.capture)
        self.items = ItemsService(self.db, self.clock, self.models)
        self.setup = SetupService(self.db, self.clock, self.teams)
        self.workspaces = WorkspaceService(self.db, self.clock)
        self.baselines = BaselineService(self.db, self.clock)
        self.digests = DigestService(self.db, self.clock)
        self.home = HomeService(self.db, self.clock, self.digests)
        # OAuth mode: the installation store in the same database (None with SLACK_BOT_TOKEN).
        self.installations = build_installation_store(
            self.settings, self.db.engine, on_installed=self.workspaces.installed
        )
        self.workspaces.installations = self.installations
