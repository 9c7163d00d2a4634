"""Metric providers: each domain app contributes its own panels to the command overview.

A provider is any object with ``key``, ``title``, ``order``, ``available(user)`` and
``panel(user, scope, now)``. The ones shipped here (feedback, assistant) are listed in
``THANGLONG_COMMAND_PROVIDERS``; an app that lands later (camera AI, documents/OCR) either adds its
dotted path there or calls :func:`register` from its ``AppConfig.ready()`` — this module never
imports those apps, so the overview works with whichever of them are installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.utils.module_loading import import_string

from thanglong.command.scope import Scope

Actor = User | AnonymousUser
DEFAULT_PROVIDERS = (
    "thanglong.command.providers.feedback.FeedbackProvider",
    "thanglong.command.providers.assistant.AssistantProvider",
)


@dataclass
class Metric:
    """One number on the wall, with the same measure one period earlier and where to see the records."""

    key: str
    label: str
    value: int | float | None
    previous: int | float | None = None
    compare_label: str = ""  # "so với 1 giờ trước"
    url: str = ""
    higher_is_better: bool = False
    alert: bool = False  # drawn in the warning colour (e.g. overdue cases exist)

    @property
    def delta(self) -> int | float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def trend(self) -> str:
        """up | down | flat, and whether that is good news: "up good", "down bad", "flat"."""
        delta = self.delta
        if delta is None:
            return ""
        if delta == 0:
            return "flat"
        direction = "up" if delta > 0 else "down"
        good = (delta > 0) == self.higher_is_better
        return f"{direction} {'good' if good else 'bad'}"


@dataclass
class BreakdownRow:
    label: str
    value: int
    url: str = ""


@dataclass
class Breakdown:
    key: str
    title: str
    rows: list[BreakdownRow] = field(default_factory=list)


@dataclass
class Panel:
    key: str
    title: str
    metrics: list[Metric] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    note: str = ""


@runtime_checkable
class MetricProvider(Protocol):
    key: str
    title: str
    order: int

    def available(self, user: Actor) -> bool: ...

    def panel(self, user: Actor, scope: Scope, now: datetime) -> Panel: ...


_registry: dict[str, MetricProvider] = {}
_from_apps: dict[str, MetricProvider] = {}  # registered by the apps themselves at start-up
_loaded = False


def register(provider: MetricProvider) -> MetricProvider:
    """Add (or replace, by key) a provider; apps call this from ``AppConfig.ready()``."""
    if not isinstance(provider, MetricProvider):
        raise TypeError(f"{provider!r} is not a metric provider")
    _registry[provider.key] = provider
    from django.apps import apps

    if not apps.ready:  # an AppConfig.ready() registration: it outlives reset()
        _from_apps[provider.key] = provider
    return provider


def _load_configured() -> None:
    global _loaded
    if _loaded:
        return
    for path in getattr(settings, "THANGLONG_COMMAND_PROVIDERS", DEFAULT_PROVIDERS):
        provider_class = import_string(path)
        provider = provider_class()
        _registry.setdefault(provider.key, provider)
    _loaded = True


def providers() -> list[MetricProvider]:
    _load_configured()
    return sorted(_registry.values(), key=lambda provider: (provider.order, provider.key))


def panels(user: Actor, scope: Scope, now: datetime) -> list[Panel]:
    return [provider.panel(user, scope, now) for provider in providers() if provider.available(user)]


def reset() -> None:
    """Tests: forget providers registered since start-up and read the setting again."""
    global _loaded
    _registry.clear()
    _registry.update(_from_apps)
    _loaded = False
