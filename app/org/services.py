"""Organisation settings: typed, defaulted, editable by the roles that own them.

Features declare their settings with `register_setting` at import time; the
settings page lists every declared setting the signed-in person may change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.access import Role
from app.extensions import db
from app.org.models import Setting


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: Any
    kind: str                # "str", "text", "bool", "int", "choice", "secret"
    default: Any
    section: Any
    roles: tuple[Role, ...] = (Role.ADMIN,)
    help: Any = ""
    choices: tuple[tuple[str, Any], ...] = ()
    max_length: int = 500


SETTINGS: dict[str, SettingSpec] = {}


def register_setting(spec: SettingSpec) -> None:
    SETTINGS[spec.key] = spec


register_setting(SettingSpec("organisation.name", _l("Organisation name"), "str", "Example Corp", _l("Organisation"),
                             help=_l("Shown in the site header, emails and the policy."), max_length=120))
register_setting(SettingSpec("organisation.timezone", _l("Time zone"), "str", "Europe/Copenhagen", _l("Organisation"),
                             help=_l("An IANA time zone name, such as Europe/Copenhagen."), max_length=64))


def parse_value(spec: SettingSpec, raw: str) -> Any:
    if spec.kind == "bool":
        return raw in ("1", "true", "True", "yes", "on")
    if spec.kind == "int":
        return int(raw)
    return raw


def serialise_value(spec: SettingSpec, value: Any) -> str:
    if spec.kind == "bool":
        return "1" if value else "0"
    return str(value)


def _loaded() -> dict[str, str]:
    """All stored settings, read once per request (or app context)."""
    if has_app_context() and "_settings" in g:
        return g._settings
    values = {row.key: row.value for row in db.session.scalars(select(Setting))}
    if has_app_context():
        g._settings = values
    return values


def get_setting(key: str) -> Any:
    """The setting's stored value, or its declared default."""
    spec = SETTINGS[key]
    raw = _loaded().get(key)
    if raw is None:
        return spec.default
    try:
        return parse_value(spec, raw)
    except ValueError:
        return spec.default


def set_setting(key: str, value: Any, actor=None, commit: bool = True) -> None:
    """Store a setting and record the change in the audit log (secrets are not logged)."""
    from app.audit.services import record

    spec = SETTINGS[key]
    raw = serialise_value(spec, value)
    row = db.session.get(Setting, key)
    if row is None:
        row = Setting(key=key, value=raw)
        db.session.add(row)
    elif row.value == raw:
        return
    else:
        row.value = raw
    row.updated_by_id = actor.id if actor is not None else None
    shown = "(hidden)" if spec.kind == "secret" else raw
    record("settings.changed", actor=actor, target_type="setting", target_id=key, details={"value": shown})
    if has_app_context():
        g.pop("_settings", None)
    if commit:
        db.session.commit()


def specs_for(user) -> list[SettingSpec]:
    """The settings `user` may change, grouped by section order of declaration."""
    from app.access import has_role

    return [spec for spec in SETTINGS.values() if any(has_role(user, role) for role in spec.roles)]
