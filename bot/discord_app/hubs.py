"""The hubs one bot serves, and the one place that decides which hub a question is answered from.

A :class:`Hub` is one Maths Hub of the deployment: its settings (servers, staff roles and channels,
reminder channel, time zone), its knowledge base in service (a
:class:`~bot.discord_app.knowledge.KnowledgeService`, reloaded on its own, so a broken edit in one
hub's folder never touches another) and the state of its last reload.

:meth:`Hubs.pick` decides, for every command, message and click:

* **in a server**, the hub that lists the server; with one hub only, that hub for every server;
  a server no hub lists is not served (:attr:`Pick.unserved`);
* **in a direct message**, with one hub only, that hub; otherwise the hub the person chose when
  asked before, else the one hub whose servers they use the bot in; when that is still not clear,
  the bot asks which hub (:attr:`Pick.choices`: the hubs they were seen in, or every hub).

What a person chose and which hubs they were seen in are kept in memory only, for at most
:data:`REMEMBERED` people, and forgotten on restart — like who asked a handed-off question, and
never in the records. Wording the question or the refusal is :mod:`bot.discord_app.hub_choice`'s.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.config import DEFAULT_HUB_ID, HubSettings, Settings
from bot.discord_app.knowledge import KnowledgeService
from bot.knowledge.problems import KnowledgeError, Problem

if TYPE_CHECKING:
    from bot.staff.watch import KnowledgeWatcher

REMEMBERED = 50_000  # people whose hub choice and servers are remembered (least recently seen go first)


@dataclass(frozen=True)
class RefusedReload:
    """The last reload of a hub that was refused, while it is still the latest attempt."""

    at: dt.datetime
    problems: tuple[Problem, ...]


@dataclass(eq=False)
class Hub:
    """One hub the bot serves: its settings, its knowledge base in service and its reload state."""

    settings: HubSettings
    knowledge: KnowledgeService
    refused: RefusedReload | None = None
    watcher: KnowledgeWatcher | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return self.settings.id

    @property
    def name(self) -> str:
        """The hub's name as its knowledge base gives it (``hub.yaml``)."""
        return self.knowledge.current.kb.hub.name

    def today(self, now: dt.datetime) -> dt.date:
        """``now`` as a date in the hub's time zone: what deadline wording is relative to."""
        return now.astimezone(self.settings.zone).date()

    def has_staff_role(self, role_ids: Iterable[int]) -> bool:
        """Whether any of ``role_ids`` is one of the hub's staff roles."""
        staff = set(self.settings.staff_role_ids)
        return bool(staff) and any(role in staff for role in role_ids)


@dataclass(frozen=True)
class Pick:
    """Which hub answers: ``hub``; or none yet, and the hubs to ask about (``choices``); or none at all."""

    hub: Hub | None
    choices: tuple[Hub, ...] = ()

    @property
    def unserved(self) -> bool:
        """A server that no hub serves: nothing to answer from, nothing to ask."""
        return self.hub is None and not self.choices


class HubLoadError(Exception):
    """A hub's knowledge base could not be loaded at start; says which hub and why."""

    def __init__(self, hub: HubSettings, error: KnowledgeError) -> None:
        whose = "" if hub.id == DEFAULT_HUB_ID else f" of hub {hub.id}"
        super().__init__(f"the knowledge base{whose} in {hub.knowledge_dir} is invalid.\n{error}")
        self.hub = hub
        self.error = error


@dataclass
class _Person:
    chosen: str | None = None
    seen: set[str] = field(default_factory=set)


class Hubs:
    """Every hub of the deployment, by id and by server."""

    def __init__(self, hubs: Sequence[Hub], *, remembered: int = REMEMBERED) -> None:
        if not hubs:
            raise ValueError("a bot serves at least one hub")
        self._hubs = tuple(hubs)
        self._by_id = {hub.id: hub for hub in self._hubs}
        self._by_guild = {guild: hub for hub in self._hubs for guild in hub.settings.guild_ids}
        self._people: OrderedDict[int, _Person] = OrderedDict()
        self._remembered = remembered
        self._lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings) -> Hubs:
        """Load every hub's knowledge base; raises :class:`HubLoadError` for the first invalid one."""
        services = {}
        for hub in settings.hub_list:
            try:
                services[hub.id] = KnowledgeService.load(hub.knowledge_dir)
            except KnowledgeError as error:
                raise HubLoadError(hub, error) from None
        return cls.of(settings, services)

    @classmethod
    def of(cls, settings: Settings, knowledge: KnowledgeService | Mapping[str, KnowledgeService]) -> Hubs:
        """The settings' hubs with their knowledge bases: one service for the one hub, or one per hub id."""
        listed = settings.hub_list
        if isinstance(knowledge, KnowledgeService):
            if len(listed) != 1:
                raise ValueError(f"{len(listed)} hubs are configured: give each its knowledge base by hub id")
            knowledge = {listed[0].id: knowledge}
        missing = [hub.id for hub in listed if hub.id not in knowledge]
        if missing:
            raise ValueError(f"no knowledge base for hub {', '.join(missing)}")
        return cls([Hub(hub, knowledge[hub.id]) for hub in listed])

    def __iter__(self) -> Iterator[Hub]:
        return iter(self._hubs)

    def __len__(self) -> int:
        return len(self._hubs)

    def get(self, hub_id: str) -> Hub | None:
        return self._by_id.get(hub_id)

    @property
    def only(self) -> Hub:
        """The hub of a deployment of one (a :class:`LookupError` with several)."""
        if len(self._hubs) != 1:
            raise LookupError(f"{len(self._hubs)} hubs are configured; pick one by server or id")
        return self._hubs[0]

    def for_guild(self, guild_id: int | None) -> Hub | None:
        """The hub serving a server (None for a server no hub lists, or outside any server when
        there are several hubs). Pure: it remembers nothing.
        """
        if len(self._hubs) == 1:
            return self._hubs[0]
        return self._by_guild.get(guild_id) if guild_id is not None else None

    def pick(self, guild_id: int | None, user_id: int | None, shared_guild_ids: Iterable[int] = ()) -> Pick:
        """The hub to answer from (see the module docstring). In a server, it also remembers that the
        person uses this hub, for their direct messages; ``shared_guild_ids`` are servers the person is
        known to share with the bot (discord.py's member cache), counted the same way.
        """
        if guild_id is not None:
            hub = self.for_guild(guild_id)
            if hub is not None and user_id is not None and len(self._hubs) > 1:
                self._note(user_id, seen=hub.id)
            return Pick(hub)
        if len(self._hubs) == 1:
            return Pick(self._hubs[0])
        with self._lock:
            person = self._people.get(user_id) if user_id is not None else None
            chosen = person.chosen if person else None
            seen = set(person.seen) if person else set()
        if chosen is not None and chosen in self._by_id:
            return Pick(self._by_id[chosen])
        seen |= {hub.id for guild in shared_guild_ids if (hub := self._by_guild.get(guild)) is not None}
        if len(seen) == 1:
            return Pick(self._by_id[next(iter(seen))])
        offered = tuple(hub for hub in self._hubs if hub.id in seen) if len(seen) > 1 else self._hubs
        return Pick(None, offered)

    def choose(self, user_id: int, hub_id: str) -> Hub | None:
        """Remember the hub a person chose for their direct messages; None if there is no such hub."""
        hub = self._by_id.get(hub_id)
        if hub is not None:
            self._note(user_id, chosen=hub.id)
        return hub

    def _note(self, user_id: int, *, seen: str | None = None, chosen: str | None = None) -> None:
        with self._lock:
            person = self._people.pop(user_id, None) or _Person()
            if seen is not None:
                person.seen.add(seen)
            if chosen is not None:
                person.chosen = chosen
            self._people[user_id] = person
            while len(self._people) > self._remembered:
                self._people.popitem(last=False)
