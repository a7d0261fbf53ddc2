"""Template globals and filters shared by every page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, g, request
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import has_role
from app.registry import nav_items


def visible_nav(section: str):
    """The navigation entries the current person may open, in order (worked out once per request)."""
    cache = g.setdefault("_visible_nav", {})
    if section not in cache:
        user = current_user._get_current_object()
        cache[section] = [item for item in nav_items
                          if item.section == section and any(has_role(user, role) for role in item.roles)]
    return cache[section]


def org_timezone() -> ZoneInfo:
    from app.org.services import get_setting

    try:
        return ZoneInfo(get_setting("organisation.timezone"))
    except Exception:  # an unknown zone name falls back to UTC rather than breaking pages
        return ZoneInfo("UTC")


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """Format an aware UTC datetime in the organisation's time zone."""
    if value is None:
        return ""
    return babel_format_datetime(value.astimezone(org_timezone()).replace(tzinfo=None), fmt)


ROLE_LABELS = {"employee": _l("employee"), "social": _l("social team"), "admin": _l("admin"),
               "decision_maker": _l("decision maker")}


def role_labels(user) -> str:
    """The person's roles in words, e.g. "employee, social team"."""
    return ", ".join(str(ROLE_LABELS[name]) for name in user.role_names)


def page_url(page: int) -> str:
    """The current URL with `page` replaced, keeping every filter."""
    from flask import url_for

    args = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register_templating(app: Flask) -> None:
    @app.context_processor
    def inject_globals():
        from app.org.services import get_setting

        user = current_user._get_current_object()  # the person itself: templates read it many times
        return {
            "current_user": user,
            "visible_nav": visible_nav,
            "has_role": lambda role: has_role(user, role),
            "organisation_name": get_setting("organisation.name"),
        }

    @app.context_processor
    def inject_banners():
        from app.registry import banner_providers

        banners = []
        for provider in banner_providers:
            banner = provider()
            if banner:
                banners.append(banner)
        return {"site_banners": banners}

    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.filters["role_labels"] = role_labels
