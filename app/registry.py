"""Small registries through which features plug into shared pages and commands.

A feature registers its navigation entries, home panels, demo data loader and
content source at import time, so shared templates and commands never import
feature internals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.access import Role


@dataclass(frozen=True)
class NavItem:
    label: object            # a lazy_gettext string
    endpoint: str
    roles: tuple[Role, ...]
    order: int = 50
    section: str = "main"    # "main" or "manage"


@dataclass(frozen=True)
class HomePanel:
    template: str
    roles: tuple[Role, ...]
    order: int = 50
    context: Callable[[object], dict] | None = None


@dataclass(order=True)
class Registered:
    order: int
    name: str
    fn: Callable = field(compare=False)


nav_items: list[NavItem] = []
home_panels: list[HomePanel] = []
demo_loaders: list[Registered] = []
content_sources: list[Registered] = []


def add_nav(item: NavItem) -> None:
    if item not in nav_items:
        nav_items.append(item)
        nav_items.sort(key=lambda i: i.order)


def add_home_panel(panel: HomePanel) -> None:
    if panel not in home_panels:
        home_panels.append(panel)
        home_panels.sort(key=lambda p: p.order)


def add_demo_loader(order: int, name: str, fn: Callable[[], None]) -> None:
    """`fn()` adds a feature's demo data idempotently (called by `flask demo load`)."""
    if all(r.name != name for r in demo_loaders):
        demo_loaders.append(Registered(order, name, fn))
        demo_loaders.sort()


def add_content_source(order: int, name: str, fn: Callable[[Callable[[str], None]], None]) -> None:
    """`fn(echo)` imports files for `flask content sync`, echoing what changed."""
    if all(r.name != name for r in content_sources):
        content_sources.append(Registered(order, name, fn))
        content_sources.sort()


banner_providers: list[Callable[[], dict | None]] = []


def add_banner_provider(fn: Callable[[], dict | None]) -> None:
    """`fn()` returns {"level": "warning", "text": ...} to show on every page, or None."""
    if fn not in banner_providers:
        banner_providers.append(fn)


wsgi_middlewares: list[Callable] = []


def add_wsgi_middleware(factory: Callable) -> None:
    """`factory(wsgi_app, flask_app)` returns a WSGI app wrapping `wsgi_app` (inside any proxy fix)."""
    if factory not in wsgi_middlewares:
        wsgi_middlewares.append(factory)
