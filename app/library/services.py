"""Content library rules: authoring and review, suggestions, sharing, tracked links, the pause, analytics.

This module is the only library code that commits. Other features call
`draft_from_report` (the desk's "Amplify") and read `is_paused`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from flask import current_app, g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    delete,
    distinct,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased, selectinload

from app.access import Role
from app.audit.services import record
from app.db import utcnow
from app.extensions import db
from app.library import text as textrules
from app.library.models import (
    ACCEPTED,
    ARCHIVED,
    CAPTION_NETWORKS,
    DECLINED,
    DRAFT,
    EMAIL,
    FACEBOOK,
    IN_REVIEW,
    LINKEDIN,
    NETWORKS,
    PENDING,
    PUBLISHED,
    Click,
    ContentItem,
    ContentSuggestion,
    LibraryDepartmentDay,
    LibraryDepartmentPeriod,
    LibraryDepartmentVisitorToday,
    LibraryItemDay,
    LibraryItemPeriod,
    LibraryItemVisitorToday,
    LibraryPreference,
    LibraryRollupState,
    ShareEvent,
    ShareLink,
    SharingPause,
    X,
    content_item_department,
)
from app.org.services import SettingSpec, get_setting, register_setting
from app.people.models import LANGUAGE_CODES, Department, User
from app.training import services as training_services

log = logging.getLogger("touchpoint.library")

NETWORK_LABELS = {LINKEDIN: "LinkedIn", X: "X", FACEBOOK: "Facebook", EMAIL: _l("Email"), "copy": _l("Copied text")}

register_setting(SettingSpec(
    "library.disclosure", _l("Disclosure added to every share"), "str", "#WorkingAtExample", _l("Content library"),
    roles=(Role.SOCIAL, Role.ADMIN), max_length=60,
    help=_l("Appended to every employee's post so readers know they work here, e.g. #WorkingAtExample.")))
register_setting(SettingSpec(
    "library.four_eyes", _l("Publishing needs a second social team member's approval"), "bool", True,
    _l("Content library"), roles=(Role.ADMIN,),
    help=_l("Four eyes: whoever wrote or submitted an item cannot publish it themselves.")))
register_setting(SettingSpec(
    "library.blocked_words", _l("Blocked words"), "text", "", _l("Content library"), roles=(Role.SOCIAL, Role.ADMIN),
    max_length=5000,
    help=_l("One word or phrase per line. Checked when items are saved and on employees' own wording.")))
register_setting(SettingSpec(
    "library.leaderboard", _l("Sharing leaderboard"), "bool", True, _l("Content library"), roles=(Role.ADMIN,),
    help=_l("Employees who opt in see a leaderboard for their department. Turn off for the whole organisation.")))


class LibraryError(ValueError):
    """Input the rules refuse; `errors` maps a form field to a message for the person."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class SharingRefused(Exception):
    """A share the rules do not allow right now (paused, or not cleared)."""

    def __init__(self, reason: str, message: str, gaps: list | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.gaps = gaps or []


# ------------------------------------------------------------------ settings helpers

def disclosure() -> str:
    return (get_setting("library.disclosure") or "").strip()


def blocked_words() -> list[str]:
    return textrules.parse_word_list(get_setting("library.blocked_words"))


def four_eyes() -> bool:
    return bool(get_setting("library.four_eyes"))


def leaderboard_enabled() -> bool:
    return bool(get_setting("library.leaderboard"))


def organisation() -> str:
    return get_setting("organisation.name")


def substituted(text: str) -> str:
    """Text with `{{ organisation }}` replaced by the organisation's name."""
    from app.markdown import substitute

    return substitute(text or "", {"organisation": organisation()})


def excerpt(item: ContentItem, length: int = 220) -> str:
    """The start of an item's "why share it" text, without markup."""
    return _excerpt(item.body or "", organisation(), length)


@lru_cache(maxsize=4096)
def _excerpt(body: str, organisation_name: str, length: int) -> str:
    """Pure function of its arguments, so cached per process: the feed shows the same items again and again."""
    from app.markdown import render_plain

    text = " ".join(render_plain(body, {"organisation": organisation_name}).split())
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "…"


# ------------------------------------------------------------------ who sees what

def _live_clause(now: datetime):
    return and_(ContentItem.status == PUBLISHED,
                or_(ContentItem.publish_at.is_(None), ContentItem.publish_at <= now),
                or_(ContentItem.expires_at.is_(None), ContentItem.expires_at > now))


def _audience_clause(user: User):
    lang = user.language or "en"
    has_departments = exists().where(content_item_department.c.item_id == ContentItem.id)
    language_ok = or_(ContentItem.audience_languages == "", ContentItem.audience_languages.contains(f",{lang},"))
    if user.department_id is None:
        return and_(language_ok, ~has_departments)
    in_department = exists().where(content_item_department.c.item_id == ContentItem.id,
                                   content_item_department.c.department_id == user.department_id)
    return and_(language_ok, or_(~has_departments, in_department))


def is_live(item: ContentItem, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (item.status == PUBLISHED and (item.publish_at is None or item.publish_at <= now)
            and (item.expires_at is None or item.expires_at > now))


def in_audience(item: ContentItem, user: User) -> bool:
    languages = item.language_list
    if languages and (user.language or "en") not in languages:
        return False
    department_ids = {d.id for d in item.departments}
    return not department_ids or user.department_id in department_ids


def feed_query(user: User, topic: str = "", search: str = "", now: datetime | None = None):
    """Published, in-window items for `user`'s audience, newest first, optionally by topic or words."""
    now = now or utcnow()
    query = select(ContentItem).where(_live_clause(now), _audience_clause(user))
    if topic:
        query = query.where(ContentItem.topics.contains(f",{topic.strip().lower()},", autoescape=True))
    if search:
        query = query.where(or_(ContentItem.title.icontains(search, autoescape=True),
                                ContentItem.body.icontains(search, autoescape=True),
                                ContentItem.caption_linkedin.icontains(search, autoescape=True)))
    return query.order_by(func.coalesce(ContentItem.publish_at, ContentItem.published_at).desc(),
                          ContentItem.id.desc())


def feed_topics(user: User) -> list[str]:
    """Every topic of the items `user` can see, for the filter."""
    rows = db.session.scalars(select(ContentItem.topics).where(_live_clause(utcnow()), _audience_clause(user)))
    return sorted({t for row in rows for t in row.split(",") if t})


def home_panel(user: User) -> dict:
    """Figures for the home page: what is new to share, and for the social team what waits for them."""
    now = utcnow()
    live = select(func.count()).select_from(ContentItem).where(_live_clause(now), _audience_clause(user))
    fresh = live.where(func.coalesce(ContentItem.publish_at, ContentItem.published_at) >= now - timedelta(days=14))
    context = {"live": db.session.scalar(live), "fresh": db.session.scalar(fresh), "manage": can_manage(user)}
    if context["manage"]:
        context["in_review"] = db.session.scalar(select(func.count()).select_from(ContentItem)
                                                 .where(ContentItem.status == IN_REVIEW))
        context["suggestions"] = db.session.scalar(select(func.count()).select_from(ContentSuggestion)
                                                   .where(ContentSuggestion.status == PENDING))
    return context


def can_manage(user: User) -> bool:
    from app.access import has_role

    return has_role(user, Role.SOCIAL)


def item_for(user: User, item_id: int) -> ContentItem | None:
    """The item if `user` may see it: the social team sees all, others live items for their audience."""
    item = db.session.get(ContentItem, item_id)
    if item is None:
        return None
    if can_manage(user):
        return item
    if not is_live(item) or not in_audience(item, user):
        return None
    return item


# ------------------------------------------------------------------ validation

def _check_link(link: str, errors: dict, key: str = "link") -> str:
    link = (link or "").strip()
    if not textrules.is_safe_link(link):
        errors[key] = str(_l("Enter a full web address starting with https:// (or http://)."))
    return link


def _check_blocked(fields: dict[str, str], errors: dict) -> None:
    blocked = blocked_words()
    if not blocked:
        return
    for key, value in fields.items():
        found = textrules.words_in(value, blocked)
        if found and key not in errors:
            errors[key] = str(_l("Please rephrase: “%(words)s” is on the organisation's blocked-words list.",
                                 words=", ".join(found)))


def caption_error(network: str, caption: str) -> str | None:
    """Why a caption is too long for `network` (with the disclosure and link), or None."""
    limit = textrules.LIMITS[network]
    used = textrules.share_length(network, substituted(caption), disclosure())
    if used > limit:
        return str(_l("This caption is %(used)d characters with the link and disclosure; %(network)s allows "
                      "%(limit)d.", used=used, limit=limit, network=NETWORK_LABELS[network]))
    return None


def _to_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip().lower() for v in value if str(v).strip()]


def _packed(values: list[str]) -> str:
    values = list(dict.fromkeys(values))
    return f",{','.join(values)}," if values else ""


def unique_slug(base: str, exclude_id: int | None = None) -> str:
    base = textrules.slugify(base)
    taken = set(db.session.scalars(select(ContentItem.slug).where(
        or_(ContentItem.slug == base, ContentItem.slug.startswith(base + "-", autoescape=True)),
        ContentItem.id != (exclude_id or 0))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ------------------------------------------------------------------ authoring

def save_item(item: ContentItem, actor: User, data: dict, image: bytes | None = None) -> ContentItem:
    """Create or update an item from form data; validate, store the image, audit (commits).

    Raises LibraryError with a message per field. Editing a published item while
    four eyes are on sends it back to review, so nobody changes live content alone.
    """
    from app.uploads import UploadError, delete_stored, store_image

    errors: dict[str, str] = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = str(_l("Give the item a title."))
    link = _check_link(data.get("link"), errors)
    captions = {n: (data.get(f"caption_{n}") or "").strip() for n in CAPTION_NETWORKS}
    for network, caption in captions.items():
        message = caption_error(network, caption) if caption else None
        if message:
            errors[f"caption_{network}"] = message
    body = data.get("body") or ""
    _check_blocked({"title": title, "body": body, **{f"caption_{n}": c for n, c in captions.items()}}, errors)
    publish_at, expires_at = data.get("publish_at"), data.get("expires_at")
    if publish_at and expires_at and expires_at <= publish_at:
        errors["expires_at"] = str(_l("The expiry must come after the publish time."))
    languages = [lang for lang in _to_list(data.get("audience_languages")) if lang in LANGUAGE_CODES]
    language = data.get("language") or item.language or "en"
    stored = None
    if image and not errors:
        try:
            stored = store_image(image, "library")
        except UploadError as error:
            errors["image"] = str(error)
    if errors:
        raise LibraryError(errors)

    is_new = item.id is None
    changes = []
    if not is_new:
        for key, value in (("title", title), ("link", link), ("body", body)):
            if getattr(item, key) != value:
                changes.append(key)
        changes.extend(f"caption_{n}" for n, c in captions.items() if item.caption(n) != c)
    item.title = title
    item.link = link
    item.body = body
    item.kind = (data.get("kind") or "").strip()[:40]
    item.topics = _packed(_to_list(data.get("topics")))
    item.language = language if language in LANGUAGE_CODES else "en"
    item.audience_languages = _packed(languages)
    for network, caption in captions.items():
        setattr(item, f"caption_{network}", caption)
    item.publish_at, item.expires_at = publish_at, expires_at
    department_ids = [int(d) for d in data.get("department_ids") or [] if int(d)]
    item.departments = list(db.session.scalars(select(Department).where(Department.id.in_(department_ids)))) \
        if department_ids else []
    if stored is not None or data.get("remove_image"):
        delete_stored("library", item.image_name)
        delete_stored("library", item.image_thumb)
        item.image_name = stored.name if stored else None
        item.image_thumb = stored.thumbnail if stored else None
    item.updated_by_id = actor.id
    if is_new:
        item.slug = unique_slug(data.get("slug") or title)
        item.status = DRAFT
        item.created_by_id = actor.id
        db.session.add(item)
    db.session.flush()
    if is_new:
        record("library.item.created", actor=actor, target_type="content_item", target_id=item.id,
               target_label=item.title)
    else:
        record("library.item.updated", actor=actor, target_type="content_item", target_id=item.id,
               target_label=item.title, details={"changed": changes})
        if item.status == PUBLISHED and four_eyes() and changes:
            item.status = IN_REVIEW
            item.submitted_by_id, item.submitted_at = actor.id, utcnow()
            record("library.item.submitted", actor=actor, target_type="content_item", target_id=item.id,
                   target_label=item.title, details={"reason": "edited while published"})
    db.session.commit()
    return item


def _transition(item: ContentItem, actor: User, action: str, **details) -> None:
    record(f"library.item.{action}", actor=actor, target_type="content_item", target_id=item.id,
           target_label=item.title, details=details)
    db.session.commit()


def submit_for_review(item: ContentItem, actor: User) -> None:
    if item.status != DRAFT:
        raise LibraryError({"status": str(_l("Only a draft can be sent for review."))})
    item.status = IN_REVIEW
    item.submitted_by_id, item.submitted_at = actor.id, utcnow()
    _transition(item, actor, "submitted")


def publish_blocker(item: ContentItem, actor: User) -> str | None:
    """Why `actor` may not publish `item` now, or None."""
    if item.status == PUBLISHED:
        return str(_l("This item is already published."))
    if item.status == ARCHIVED:
        return str(_l("Archived items cannot be published again; make a new item."))
    if four_eyes():
        if item.status != IN_REVIEW:
            return str(_l("Send the item for review first: a second social team member publishes it."))
        authors = {item.created_by_id, item.submitted_by_id, item.updated_by_id} - {None}
        if actor.id in authors:
            return str(_l("Four eyes: someone other than the author or submitter must approve and publish this "
                          "item."))
    return None


def publish(item: ContentItem, actor: User) -> None:
    """Publish an item; with four eyes on, only a social team member who did not write or submit it.

    A suggester is told in the same transaction that their idea is now in the library.
    """
    from app.outbox.services import queue_email
    from app.urls import absolute_url

    blocker = publish_blocker(item, actor)
    if blocker:
        raise LibraryError({"status": blocker})
    item.status = PUBLISHED
    item.published_by_id, item.published_at = actor.id, utcnow()
    if item.submitted_at is None:
        item.submitted_by_id, item.submitted_at = actor.id, item.published_at
    suggester = db.session.get(User, item.suggested_by_id) if item.suggested_by_id else None
    if suggester is not None and suggester.active:
        queue_email(suggester.email, "library_suggestion_published",
                    {"user": suggester, "item_title": item.title,
                     "link": absolute_url("library.item", item_id=item.id)},
                    dedupe_key=f"library-suggestion-published:{item.id}")
    _transition(item, actor, "published", four_eyes=four_eyes())


def return_to_draft(item: ContentItem, actor: User) -> None:
    if item.status not in (IN_REVIEW, PUBLISHED):
        raise LibraryError({"status": str(_l("Only items in review or published can go back to draft."))})
    item.status = DRAFT
    _transition(item, actor, "returned_to_draft")


def archive(item: ContentItem, actor: User) -> None:
    """Take an item out of the feed for good; its tracked links keep redirecting."""
    if item.status == ARCHIVED:
        return
    item.status = ARCHIVED
    item.archived_by_id, item.archived_at = actor.id, utcnow()
    _transition(item, actor, "archived")


def manage_query(status: str = "", search: str = ""):
    query = select(ContentItem).options(selectinload(ContentItem.departments))
    if status in (DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED):
        query = query.where(ContentItem.status == status)
    if search:
        query = query.where(ContentItem.title.icontains(search, autoescape=True))
    return query.order_by(ContentItem.updated_at.desc(), ContentItem.id.desc())


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(ContentItem.status, func.count()).group_by(ContentItem.status))
    return dict(rows.all())


def people_by_id(ids) -> dict[int, User]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


# ------------------------------------------------------------------ suggestions and the desk

def suggest(user: User, link: str, why: str, caption: str = "") -> ContentSuggestion:
    """File an employee's suggestion for the review queue (commits)."""
    errors: dict[str, str] = {}
    link = _check_link(link, errors)
    why = (why or "").strip()
    if not why:
        errors["why"] = str(_l("Say in a sentence or two why it matters."))
    _check_blocked({"why": why, "caption": caption or ""}, errors)
    if errors:
        raise LibraryError(errors)
    suggestion = ContentSuggestion(link=link, why=why[:5000], caption=(caption or "").strip()[:3000],
                                   suggested_by_id=user.id)
    db.session.add(suggestion)
    db.session.flush()
    record("library.suggestion.created", actor=user, target_type="content_suggestion", target_id=suggestion.id,
           target_label=link)
    db.session.commit()
    return suggestion


def _notify_suggester(suggestion: ContentSuggestion) -> None:
    from app.outbox.services import queue_email
    from app.urls import absolute_url

    user = suggestion.suggested_by
    if user is None or not user.active:
        return
    queue_email(user.email, "library_suggestion", {
        "user": user, "suggestion": suggestion, "accepted": suggestion.status == ACCEPTED,
        "link": absolute_url("library.suggest")}, dedupe_key=f"library-suggestion:{suggestion.id}")


def accept_suggestion(suggestion: ContentSuggestion, actor: User, title: str) -> ContentItem:
    """Turn a suggestion into a draft crediting the suggester (commits)."""
    if suggestion.status != PENDING:
        raise LibraryError({"status": str(_l("This suggestion has already been decided."))})
    title = (title or "").strip() or suggestion.link[:200]
    name = suggestion.suggested_by.name if suggestion.suggested_by else str(_l("a former colleague"))
    caption = suggestion.caption
    item = ContentItem(
        title=title[:200], slug=unique_slug(title), link=suggestion.link, body=suggestion.why,
        caption_linkedin=caption, caption_facebook=caption,
        caption_x=caption if caption and caption_error(X, caption) is None else "",
        status=DRAFT, source="suggestion", credit=str(_l("Suggested by %(name)s", name=name))[:300],
        suggested_by_id=suggestion.suggested_by_id, created_by_id=actor.id, updated_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    suggestion.status, suggestion.reviewed_by_id, suggestion.reviewed_at = ACCEPTED, actor.id, utcnow()
    suggestion.item_id = item.id
    record("library.suggestion.accepted", actor=actor, target_type="content_suggestion", target_id=suggestion.id,
           target_label=suggestion.link, details={"item_id": item.id})
    record("library.item.created", actor=actor, target_type="content_item", target_id=item.id,
           target_label=item.title, details={"from_suggestion": suggestion.id})
    _notify_suggester(suggestion)
    db.session.commit()
    return item


def decline_suggestion(suggestion: ContentSuggestion, actor: User, note: str) -> None:
    """Decline with a note the suggester sees (commits)."""
    if suggestion.status != PENDING:
        raise LibraryError({"status": str(_l("This suggestion has already been decided."))})
    note = (note or "").strip()
    if not note:
        raise LibraryError({"note": str(_l("Tell the colleague why, in a sentence."))})
    suggestion.status, suggestion.reviewed_by_id, suggestion.reviewed_at = DECLINED, actor.id, utcnow()
    suggestion.decision_note = note[:2000]
    record("library.suggestion.declined", actor=actor, target_type="content_suggestion", target_id=suggestion.id,
           target_label=suggestion.link)
    _notify_suggester(suggestion)
    db.session.commit()


def pending_suggestions() -> list[ContentSuggestion]:
    return list(db.session.scalars(select(ContentSuggestion).where(ContentSuggestion.status == PENDING)
                                   .order_by(ContentSuggestion.created_at)))


def suggestions_of(user: User) -> list[ContentSuggestion]:
    return list(db.session.scalars(select(ContentSuggestion).where(ContentSuggestion.suggested_by_id == user.id)
                                   .order_by(ContentSuggestion.created_at.desc()).limit(50)))


def review_items() -> list[ContentItem]:
    return list(db.session.scalars(select(ContentItem).where(ContentItem.status == IN_REVIEW)
                                   .order_by(ContentItem.submitted_at)))


def draft_from_report(url: str, title: str, note: str, created_by) -> ContentItem:
    """A draft item with the report's link, crediting the report; audited and committed.

    Raises LibraryError when the link is not an http(s) address. Called by the desk's "Amplify".
    """
    errors: dict[str, str] = {}
    link = _check_link(url, errors)
    if errors:
        raise LibraryError(errors)
    title = (title or "").strip()[:200] or urlsplit(link).hostname or "From a report"
    item = ContentItem(title=title, slug=unique_slug(title), link=link, body=(note or "").strip(),
                       status=DRAFT, source="report", credit=str(_l("From a report to the social team")),
                       created_by_id=getattr(created_by, "id", None), updated_by_id=getattr(created_by, "id", None))
    db.session.add(item)
    db.session.flush()
    record("library.item.created", actor=created_by, target_type="content_item", target_id=item.id,
           target_label=item.title, details={"from": "report"})
    db.session.commit()
    return item


# ------------------------------------------------------------------ the crisis pause

def current_pause() -> SharingPause | None:
    """The active pause, or None; read once per request."""
    if has_app_context() and "_library_pause" in g:
        return g._library_pause
    pause = db.session.scalar(select(SharingPause).where(SharingPause.id == 1, SharingPause.active.is_(True)))
    if has_app_context():
        g._library_pause = pause
    return pause


def is_paused() -> bool:
    return current_pause() is not None


def _pause_row() -> None:
    dialect = db.session.get_bind().dialect.name
    insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert_(SharingPause).values(id=1, active=False, reason="")
                       .on_conflict_do_nothing(index_elements=["id"]))


def _notify_social(template: str, context: dict, key: str) -> None:
    from app.outbox.services import queue_email

    team = db.session.scalars(select(User).where(User.is_social.is_(True), User.active.is_(True)))
    for person in team:
        queue_email(person.email, template, {"user": person, **context}, dedupe_key=f"{key}:{person.id}")


def pause_sharing(actor: User, reason: str) -> bool:
    """Stop all new shares with a reason; audit and tell the social team. False if already paused."""
    reason = (reason or "").strip()
    if not reason:
        raise LibraryError({"reason": str(_l("Say why sharing is paused; every employee sees it."))})
    _pause_row()
    now = utcnow()
    result = db.session.execute(
        update(SharingPause).where(SharingPause.id == 1, SharingPause.active.is_(False))
        .values(active=True, reason=reason[:1000], paused_by_id=actor.id, paused_at=now, resumed_by_id=None,
                resumed_at=None).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    record("library.sharing.paused", actor=actor, target_type="sharing_pause", target_id=1, details={"reason": reason})
    _notify_social("library_pause", {"actor": actor, "reason": reason, "paused": True},
                   f"library-pause:{now.isoformat()}")
    db.session.commit()
    g.pop("_library_pause", None)
    return True


def resume_sharing(actor: User) -> bool:
    """Lift the pause; audit and tell the social team. False if sharing was not paused."""
    now = utcnow()
    result = db.session.execute(
        update(SharingPause).where(SharingPause.id == 1, SharingPause.active.is_(True))
        .values(active=False, resumed_by_id=actor.id, resumed_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    record("library.sharing.resumed", actor=actor, target_type="sharing_pause", target_id=1)
    _notify_social("library_pause", {"actor": actor, "reason": "", "paused": False},
                   f"library-resume:{now.isoformat()}")
    db.session.commit()
    g.pop("_library_pause", None)
    return True


def pause_banner() -> dict | None:
    """The banner every signed-in page shows while sharing is paused."""
    from flask_login import current_user

    if not (current_user and current_user.is_authenticated):
        return None
    pause = current_pause()
    if pause is None:
        return None
    return {"level": "warning",
            "text": str(_l("Sharing is paused by the social team: %(reason)s", reason=pause.reason))}


# ------------------------------------------------------------------ sharing

@dataclass
class ShareResult:
    intent_url: str
    text: str
    tracked_url: str
    network: str


def new_code() -> str:
    """An unguessable link code: 96 random bits, URL-safe."""
    return secrets.token_urlsafe(12)


def link_for(user_id: int, item_id: int, network: str) -> ShareLink:
    """The person's tracked link for an item and network, made on first use (race-safe)."""
    query = select(ShareLink).where(ShareLink.user_id == user_id, ShareLink.item_id == item_id,
                                    ShareLink.network == network)
    link = db.session.scalar(query)
    if link is not None:
        return link
    dialect = db.session.get_bind().dialect.name
    insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert_(ShareLink).values(code=new_code(), user_id=user_id, item_id=item_id,
                                                 network=network, created_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["user_id", "item_id", "network"]))
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def tracked_url(code: str) -> str:
    from app.urls import absolute_url

    return absolute_url("library.go", code=code)


def intent_url(network: str, text: str, url: str, title: str) -> str:
    """The network's documented share-intent URL (or a mailto:) carrying the tracked link."""
    if network == LINKEDIN:
        return "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})
    if network == X:
        return "https://twitter.com/intent/tweet?" + urlencode({"text": text, "url": url})
    if network == FACEBOOK:
        return "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})
    if network == EMAIL:
        return f"mailto:?subject={quote(title)}&body={quote(text + chr(10) + chr(10) + url)}"
    return url


def clearance_of(user: User):
    return training_services.sharing_clearance(user)


def share(user: User, item: ContentItem, network: str, caption: str) -> ShareResult:
    """Share an item in the person's own words through their tracked link (commits).

    Refuses while paused or when the person is not cleared (SharingRefused), and
    refuses wording that is too long or uses blocked words (LibraryError). The
    disclosure is appended here, so no browser can leave it out.
    """
    if network not in NETWORKS:
        raise LibraryError({"network": str(_l("Choose a network."))})
    pause = current_pause()
    if pause is not None:
        raise SharingRefused("paused", str(_l("Sharing is paused: %(reason)s", reason=pause.reason)))
    clearance = clearance_of(user)
    if not clearance.cleared:
        raise SharingRefused("not_cleared", str(_l("Finish these steps before you share:")), clearance.missing)
    if not is_live(item) or not in_audience(item, user):
        raise SharingRefused("not_live", str(_l("This item is no longer available to share.")))
    suggested = substituted(item.caption(network)).strip()
    caption = (caption or "").replace("\r\n", "\n").strip() or suggested
    errors: dict[str, str] = {}
    message = caption_error(network, caption)
    if message:
        errors["caption"] = message
    _check_blocked({"caption": caption}, errors)
    if errors:
        raise LibraryError(errors)
    link = link_for(user.id, item.id, network)
    url = tracked_url(link.code)
    text = textrules.with_disclosure(caption, disclosure())
    db.session.add(ShareEvent(share_link_id=link.id, item_id=item.id, user_id=user.id, network=network,
                              personalised=caption != suggested))
    db.session.commit()
    full = text if network == X else f"{text}\n{url}"
    return ShareResult(intent_url=intent_url(network, text, url, item.title), text=full, tracked_url=url,
                       network=network)


# ------------------------------------------------------------------ /s/<code>

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|facebookexternalhit|facebookcatalog|embedly|preview|curl/|wget/|python-|"
    r"httpclient|java/|go-http|okhttp|scrapy|pingdom|monitor|validator|whatsapp|skypeuripreview|bingpreview|"
    r"lighthouse|feedfetcher|axios/|node-fetch|libwww", re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    share_link_id: int
    item_id: int
    network: str
    destination: str


LINK_LOOKUP = (select(ShareLink.id, ShareLink.item_id, ShareLink.network, ContentItem.link, ContentItem.slug)
               .join(ContentItem, ContentItem.id == ShareLink.item_id).where(ShareLink.code == bindparam("code")))
CLICK_INSERT = insert(Click)


def _target(row) -> Target | None:
    if row is None or not textrules.is_safe_link(row.link):
        return None
    return Target(row.id, row.item_id, row.network, textrules.with_utm(row.link, row.network, row.slug))


def follow(code: str, ip: str, user_agent: str, referrer: str | None) -> str | None:
    """Resolve a tracked link and record the click on one pooled connection: one indexed lookup and one
    insert, no ORM session and no user loaded. Returns the destination, or None for unknown codes.

    Recording never breaks the redirect: a failure is retried once, then logged and rolled back.
    """
    if not CODE_PATTERN.match(code or ""):
        return None
    with db.engine.connect() as connection:
        target = _target(connection.execute(LINK_LOOKUP, {"code": code}).first())
        if target is None:
            return None
        values = click_values(target, ip, user_agent, referrer)
        for attempt in (1, 2):
            try:
                connection.execute(CLICK_INSERT, values)
                connection.commit()
                break
            except Exception:  # the redirect must never break; a second try covers a transient lock
                connection.rollback()
                if attempt == 2:
                    log.exception("could not record a click for share link %s", target.share_link_id)
    return target.destination


@lru_cache(maxsize=4)
def _daily_key(secret: str, day: date) -> bytes:
    return hmac.new(secret.encode(), f"touchpoint-click-visitor:{day.isoformat()}".encode(), hashlib.sha256).digest()


def visitor_key(ip: str, user_agent: str, when: datetime) -> str:
    """A keyed hash of IP and user agent; the key changes every UTC day, so visitors cannot be followed."""
    key = _daily_key(current_app.config["SECRET_KEY"], when.astimezone(UTC).date())
    return hmac.new(key, f"{ip}\n{user_agent}".encode(errors="replace"), hashlib.sha256).hexdigest()


def is_bot(user_agent: str) -> bool:
    return not user_agent or bool(BOT_PATTERN.search(user_agent))


def referrer_host(referrer: str | None) -> str | None:
    if not referrer:
        return None
    try:
        host = urlsplit(referrer).hostname
    except ValueError:
        return None
    return host[:255].lower() if host else None


def click_values(target: Target, ip: str, user_agent: str, referrer: str | None) -> dict:
    """The click row: UTC time, network, referrer host only, bot flag and the daily visitor key; never the IP."""
    now = utcnow()
    user_agent = (user_agent or "")[:1000]
    return {"share_link_id": target.share_link_id, "item_id": target.item_id, "network": target.network,
            "occurred_at": now, "referrer_host": referrer_host(referrer), "is_bot": is_bot(user_agent),
            "visitor_key": visitor_key(ip or "", user_agent, now)}


# ------------------------------------------------------------------ analytics

@dataclass
class Stats:
    shares: int = 0
    sharers: int = 0
    personalised: int = 0
    clicks: int = 0
    bots: int = 0
    visitors: int = 0
    by_network: dict = field(default_factory=lambda: defaultdict(lambda: {"shares": 0, "clicks": 0, "visitors": 0}))

    @property
    def clicks_per_share(self) -> float:
        return round(self.clicks / self.shares, 1) if self.shares else 0.0

    @property
    def personalised_share(self) -> int:
        return round(100 * self.personalised / self.shares) if self.shares else 0


def _since(query, column, since: datetime | None):
    return query.where(column >= since) if since else query


def item_stats(since: datetime | None = None, item_ids: list[int] | None = None,
               user_id: int | None = None) -> dict[int, Stats]:
    """Shares, sharers, clicks (humans), bots and unique visitors per item and network: four queries."""
    stats: dict[int, Stats] = defaultdict(Stats)
    shares = select(ShareEvent.item_id, ShareEvent.network, func.count(), func.sum(
        case((ShareEvent.personalised.is_(True), 1), else_=0))).group_by(ShareEvent.item_id, ShareEvent.network)
    sharers = select(ShareEvent.item_id, func.count(distinct(ShareEvent.user_id))).group_by(ShareEvent.item_id)
    clicks = (select(Click.item_id, Click.network, Click.is_bot, func.count(), func.count(distinct(Click.visitor_key)))
              .group_by(Click.item_id, Click.network, Click.is_bot))
    visitors = (select(Click.item_id, func.count(distinct(Click.visitor_key))).where(Click.is_bot.is_(False))
                .group_by(Click.item_id))
    shares, sharers = _since(shares, ShareEvent.created_at, since), _since(sharers, ShareEvent.created_at, since)
    clicks, visitors = _since(clicks, Click.occurred_at, since), _since(visitors, Click.occurred_at, since)
    if item_ids is not None:
        shares = shares.where(ShareEvent.item_id.in_(item_ids))
        sharers = sharers.where(ShareEvent.item_id.in_(item_ids))
        if user_id is None:
            clicks, visitors = clicks.where(Click.item_id.in_(item_ids)), visitors.where(Click.item_id.in_(item_ids))
    if user_id is not None:
        # One person's clicks are found through their own links (a click carries its link's item), so the
        # database walks the few clicks of those links rather than every click of the items on the page.
        mine = select(ShareLink.id).where(ShareLink.user_id == user_id)
        if item_ids is not None:
            mine = mine.where(ShareLink.item_id.in_(item_ids))
        shares = shares.where(ShareEvent.user_id == user_id)
        sharers = sharers.where(ShareEvent.user_id == user_id)
        clicks, visitors = clicks.where(Click.share_link_id.in_(mine)), visitors.where(Click.share_link_id.in_(mine))
    for item_id, network, count, personalised in db.session.execute(shares):
        entry = stats[item_id]
        entry.shares += count
        entry.personalised += personalised or 0
        entry.by_network[network]["shares"] += count
    for item_id, count in db.session.execute(sharers):
        stats[item_id].sharers = count
    for item_id, network, bot, count, unique in db.session.execute(clicks):
        if bot:
            stats[item_id].bots += count
        else:
            stats[item_id].clicks += count
            stats[item_id].by_network[network]["clicks"] += count
            stats[item_id].by_network[network]["visitors"] += unique
    for item_id, count in db.session.execute(visitors):
        stats[item_id].visitors = count
    return stats


def totals(stats: dict[int, Stats]) -> Stats:
    total = Stats()
    for entry in stats.values():
        for key in ("shares", "personalised", "clicks", "bots", "visitors"):
            setattr(total, key, getattr(total, key) + getattr(entry, key))
        for network, values in entry.by_network.items():
            for key, value in values.items():
                total.by_network[network][key] += value
    return total


def items_by_id(ids) -> dict[int, ContentItem]:
    ids = list(ids)
    if not ids:
        return {}
    return {i.id: i for i in db.session.scalars(select(ContentItem).where(ContentItem.id.in_(ids)))}


# ------------------------------------------------------------------ analytics rollups
#
# A period is whole UTC days: "the last 30 days" are the 29 days before today and today so far. The
# page reads everything before `rolled_until` from summaries and only what came after from the raw
# tables. `rollup()` (`flask library rollup`, cron every 5 minutes) summarises clicks and shares up to
# `rolled_until`, a minute before it runs (a click's time is taken just before its insert commits, so
# the last minute is left to the next run): each UTC day in `library_item_day` /
# `library_department_day`, today as a partial day replaced on every run, and each period's totals over
# its days ending on `period_day` (the run's today) in `library_item_period` / `library_department_period`.
# A page adds the clicks and shares since `rolled_until` (minutes of them, through the index on
# occurred_at / created_at), so it costs the same whatever the history holds and its figures are exact
# and current. The tracked link is untouched: it still only inserts a click.
#
# Unique visitors add up across days: the visitor key is an HMAC whose key changes every UTC day, so the
# same visitor on two days is two keys, and a period's distinct keys are the sum of each day's. The keys
# already counted on the last summarised day are in `library_item_visitor_today` /
# `library_department_visitor_today` (rewritten by each run, read through their primary keys), so a
# later click of the same visitor that day is not counted again. Sharers (distinct people) do not add
# up; each period's summary counts them exactly, and the page adds only the people sharing after
# `rolled_until` who have no share in the summarised part. Department figures group by the sharer's
# department: the current one for the latest clicks, the one at the time of the rollup for the rest.
#
# Between midnight and the first run after it, the summary ends yesterday: the page reads the period one
# day shorter (kept for that) and today from the click log. When the job lags by more than that, the
# page takes away the days that left the period and counts sharers from the raw shares; a summary that
# ends before the period starts is not used. The figures are exact either way.

ROLLUP_PERIODS = (30, 90, 365)
ALL_TIME = 0
# Each period also one day shorter: after midnight and before the next run, the last 30 days are the 29
# summarised days ending yesterday, and today from the click log.
SUMMARY_PERIODS = (*ROLLUP_PERIODS, *(days - 1 for days in ROLLUP_PERIODS), ALL_TIME)
_HELD = ",".join(map(str, SUMMARY_PERIODS))
ROLLUP_SETTLE = timedelta(minutes=1)
SHARE_MEASURES = ("shares", "personalised", *(f"shares_{n}" for n in NETWORKS))
ITEM_MEASURES = (*SHARE_MEASURES, "clicks", "bots", "visitors")
DEPARTMENT_MEASURES = ("shares", "clicks", "visitors")
DEPARTMENT_PERIOD_MEASURES = ("shares", "sharers", "clicks", "visitors")
ANALYTICS_PER_PAGE = 50


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _period_start(days: int, today: date) -> datetime:
    """The first moment of a period of `days` whole UTC days ending with `today`."""
    return _day_start(today - timedelta(days=days - 1))


def _share_columns() -> list:
    """shares, own words and shares per network, in SHARE_MEASURES order."""
    return [func.count(), func.sum(case((ShareEvent.personalised.is_(True), 1), else_=0)),
            *(func.sum(case((ShareEvent.network == n, 1), else_=0)) for n in NETWORKS)]


def _click_columns(skip_counted: bool) -> list:
    """Human clicks, bot clicks and distinct human visitor keys (without those counted earlier that day)."""
    human = Click.is_bot.is_(False)
    if skip_counted:
        counted = LibraryItemVisitorToday
        human = and_(human, ~exists().where(counted.item_id == Click.item_id,
                                             counted.visitor_key == Click.visitor_key))
    return [func.sum(case((Click.is_bot.is_(False), 1), else_=0)), func.sum(case((Click.is_bot.is_(True), 1), else_=0)),
            func.count(distinct(case((human, Click.visitor_key))))]


def _zeros(n: int, first: int = 0) -> list:
    """`n` constant zero columns with distinct names (inline, so statements stay cacheable and groupable)."""
    return [literal_column("0").label(f"zero_{first + i}") for i in range(n)]


def _department():
    return func.coalesce(User.department_id, literal_column("0"))


def _sharer_department():
    """The department of a click's sharer (0 for none), looked up per click: a few index probes beat
    hashing every link."""
    return func.coalesce(
        select(User.department_id).join(ShareLink, ShareLink.user_id == User.id)
        .where(ShareLink.id == Click.share_link_id).scalar_subquery(), literal_column("0"))


def _item_figures(share_where, click_where, sharers: bool = False, skip_counted: bool = False) -> list:
    """Per item: the shares and the clicks matching the conditions, as ITEM_MEASURES columns (+ sharers 0)."""
    extra = _zeros(1, first=len(SHARE_MEASURES)) if sharers else []
    shares = (select(ShareEvent.item_id.label("item_id"), *_share_columns(), *_zeros(3 + len(extra)))
              .where(share_where).group_by(ShareEvent.item_id))
    clicks = (select(Click.item_id.label("item_id"), *_zeros(len(SHARE_MEASURES)), *_click_columns(skip_counted),
                     *extra).where(click_where).group_by(Click.item_id))
    return [shares, clicks]


def _department_figures(share_where, click_where, sharers: bool = False, skip_counted: bool = False) -> list:
    """Per sharer's department: shares, (sharers 0,) human clicks and visitors matching the conditions."""
    shares = (select(_department().label("department_id"), func.count(), *_zeros(2 + sharers))
              .select_from(ShareEvent).join(User, User.id == ShareEvent.user_id)
              .where(share_where).group_by(_department()))
    human = (select(_sharer_department().label("department_id"), Click.visitor_key)
             .where(click_where, Click.is_bot.is_(False)).subquery())
    visitor = human.c.visitor_key
    if skip_counted:
        counted = LibraryDepartmentVisitorToday
        visitor = case((~exists().where(counted.department_id == human.c.department_id,
                                        counted.visitor_key == human.c.visitor_key), human.c.visitor_key))
    clicks = (select(human.c.department_id, *_zeros(1 + sharers), func.count(), func.count(distinct(visitor)))
              .group_by(human.c.department_id))
    return [shares, clicks]


def _summed(parts: list, key: str, measures: tuple[str, ...], nonzero: tuple[str, ...] = ()):
    """Sum a UNION ALL of parts (key + measures columns) per key; keep keys where a `nonzero` measure is."""
    union = union_all(*parts).subquery()
    columns = dict(zip(measures, list(union.c)[1:], strict=True))
    # Integer sums: PostgreSQL would add bigint counts up as numeric, slow to add and sum again.
    query = select(list(union.c)[0].label(key), *(cast(func.coalesce(func.sum(c), 0), Integer).label(m)
                                                  for m, c in columns.items())).group_by(list(union.c)[0])
    return query.having(or_(*(func.sum(columns[m]) > 0 for m in nonzero))) if nonzero else query


def _insert():
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _rollup_state(lock: bool = False) -> LibraryRollupState:
    db.session.execute(_insert()(LibraryRollupState).values(id=1).on_conflict_do_nothing(index_elements=["id"]))
    query = select(LibraryRollupState).where(LibraryRollupState.id == 1).execution_options(populate_existing=True)
    return db.session.scalars(query.with_for_update() if lock else query).one()


def _rollup_until(now: datetime) -> datetime:
    """Where a run's snapshot ends: a minute before `now`, on the minute."""
    return (now.astimezone(UTC) - ROLLUP_SETTLE).replace(second=0, microsecond=0)


def rollup(now: datetime | None = None, rebuild: bool = False) -> dict:
    """Summarise clicks and shares up to a minute ago: the days not summarised yet, today so far, each
    period's totals and the visitors counted today (commits).

    Idempotent and set-based (a few INSERT … SELECT per day and table): run it from cron every 5 minutes.
    A run on the same day as the last one replaces today's partial rows and adds the change to the period
    totals; the first run of a day, a run after a lag and `rebuild` (which starts again from the first
    click) compute the period totals afresh. Concurrent runs wait for each other on the state row.
    """
    now = (now or utcnow()).astimezone(UTC)
    until, today = _rollup_until(now), now.date()
    state = _rollup_state(lock=True)
    previous = None if rebuild else state.rolled_until
    if previous is None:
        db.session.execute(delete(LibraryItemDay))
        db.session.execute(delete(LibraryDepartmentDay))
        oldest = [db.session.scalar(select(func.min(Click.occurred_at))),
                  db.session.scalar(select(func.min(ShareEvent.created_at)))]
        first = min([o.astimezone(UTC).date() for o in oldest if o is not None] + [until.date()])
    else:
        first = min(previous.date(), until.date())
    # Every period ends today and is at least 29 days long, so it holds each day from `first` on.
    incremental = (previous is not None and state.period_day == today and previous <= until
                   and state.periods == _HELD
                   and first > today - timedelta(days=min(SUMMARY_PERIODS[:-1])))
    if incremental:
        _add_days_to_periods(first, -1)
    db.session.execute(delete(LibraryItemDay).where(LibraryItemDay.day >= first))
    db.session.execute(delete(LibraryDepartmentDay).where(LibraryDepartmentDay.day >= first))
    day = first
    while day <= until.date():
        _rollup_day(day, until)
        day += timedelta(days=1)
    if incremental:
        _add_days_to_periods(first, 1)
        _add_new_sharers(previous, until, today)
    else:
        _rollup_periods(today, until)
    _rollup_visitors(until)
    state.rolled_until, state.period_day, state.periods, state.refreshed_at = until, today, _HELD, now
    db.session.commit()
    return {"days": (until.date() - first).days, "rolled_until": until}


def rebuild_rollups() -> None:
    """Rebuild every summary from the raw tables (after a bulk load)."""
    rollup(rebuild=True)


def _rollup_day(day: date, until: datetime) -> None:
    """One day's rows, from the clicks and shares of that day before `until`."""
    start, end = _day_start(day), min(_day_start(day + timedelta(days=1)), until)
    shares_on = and_(ShareEvent.created_at >= start, ShareEvent.created_at < end)
    clicks_on = and_(Click.occurred_at >= start, Click.occurred_at < end)
    items = _summed(_item_figures(shares_on, clicks_on), "item_id", ITEM_MEASURES).subquery()
    db.session.execute(insert(LibraryItemDay.__table__).from_select(
        ["day", "item_id", *ITEM_MEASURES], select(literal(day, Date), *items.c)))
    departments = _summed(_department_figures(shares_on, clicks_on), "department_id",
                          DEPARTMENT_MEASURES).subquery()
    db.session.execute(insert(LibraryDepartmentDay.__table__).from_select(
        ["day", "department_id", *DEPARTMENT_MEASURES], select(literal(day, Date), *departments.c)))


def _rollup_visitors(until: datetime) -> None:
    """The visitor keys counted on the day of `until`, per item and per sharer's department."""
    db.session.execute(delete(LibraryItemVisitorToday))
    db.session.execute(delete(LibraryDepartmentVisitorToday))
    counted = and_(Click.occurred_at >= _day_start(until.date()), Click.occurred_at < until, Click.is_bot.is_(False))
    db.session.execute(insert(LibraryItemVisitorToday.__table__).from_select(
        ["item_id", "visitor_key"], select(Click.item_id, Click.visitor_key).where(counted).distinct()))
    db.session.execute(insert(LibraryDepartmentVisitorToday.__table__).from_select(
        ["department_id", "visitor_key"],
        select(_sharer_department(), Click.visitor_key).where(counted).distinct()))


def _add_into(model, key: tuple[str, ...], measures: tuple[str, ...], rows) -> None:
    """Insert `rows` (key + measures columns), or add their measures to the row with the same key."""
    table = model.__table__
    statement = _insert()(table).from_select([*key, *measures], rows)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=list(key), set_={m: table.c[m] + statement.excluded[m] for m in measures}))


def _add_days_to_periods(first: date, sign: int) -> None:
    """Add (1) or take away (-1) the day rows from `first` on to the totals of every period."""
    items = (select(LibraryItemDay.item_id, *(sign * func.sum(getattr(LibraryItemDay, m)) for m in ITEM_MEASURES))
             .where(LibraryItemDay.day >= first).group_by(LibraryItemDay.item_id).subquery())
    day = LibraryDepartmentDay
    departments = (select(day.department_id, sign * func.sum(day.shares), sign * func.sum(day.clicks),
                          sign * func.sum(day.visitors))
                   .where(day.day >= first).group_by(day.department_id).subquery())
    for period in SUMMARY_PERIODS:
        # WHERE true: SQLite reads INSERT … SELECT … ON CONFLICT only with a WHERE clause in the SELECT.
        _add_into(LibraryItemPeriod, ("period", "item_id"), ITEM_MEASURES,
                  select(literal(period), *items.c).where(true()))
        _add_into(LibraryDepartmentPeriod, ("period", "department_id"), DEPARTMENT_MEASURES,
                  select(literal(period), *departments.c).where(true()))


def _add_new_sharers(previous: datetime, until: datetime, today: date) -> None:
    """Add to each period's sharers the people sharing between `previous` and `until` who had not shared
    in the period before `previous` (per item, and at all for departments)."""
    shared = and_(ShareEvent.created_at >= previous, ShareEvent.created_at < until)
    for period in SUMMARY_PERIODS:
        summarised = (_period_start(period, today) if period else None, previous)
        items = (select(ShareEvent.item_id, func.count(distinct(ShareEvent.user_id)))
                 .where(shared, _not_shared_before(summarised, per_item=True)).group_by(ShareEvent.item_id)
                 .subquery())
        _add_into(LibraryItemPeriod, ("period", "item_id"), ("sharers",),
                  select(literal(period), *items.c).where(true()))
        departments = (select(_department(), func.count(distinct(ShareEvent.user_id)))
                       .select_from(ShareEvent).join(User, User.id == ShareEvent.user_id)
                       .where(shared, _not_shared_before(summarised, per_item=False)).group_by(_department())
                       .subquery())
        _add_into(LibraryDepartmentPeriod, ("period", "department_id"), ("sharers",),
                  select(literal(period), *departments.c).where(true()))


def _rollup_periods(today: date, until: datetime) -> None:
    """Each period's totals over its days ending `today`, up to `until`, sharers counted once per period."""
    db.session.execute(delete(LibraryItemPeriod))
    db.session.execute(delete(LibraryDepartmentPeriod))
    for period in SUMMARY_PERIODS:
        first = today - timedelta(days=period - 1) if period else None
        item_days = select(LibraryItemDay.item_id, *(getattr(LibraryItemDay, m) for m in ITEM_MEASURES),
                           *_zeros(1))
        department_days = select(LibraryDepartmentDay.department_id, LibraryDepartmentDay.shares, *_zeros(1),
                                 LibraryDepartmentDay.clicks, LibraryDepartmentDay.visitors)
        shared = ShareEvent.created_at < until
        if first is not None:
            item_days = item_days.where(LibraryItemDay.day >= first)
            department_days = department_days.where(LibraryDepartmentDay.day >= first)
            shared = and_(shared, ShareEvent.created_at >= _day_start(first))
        item_sharers = (select(ShareEvent.item_id, *_zeros(len(ITEM_MEASURES)),
                               func.count(distinct(ShareEvent.user_id))).where(shared).group_by(ShareEvent.item_id))
        items = _summed([item_days, item_sharers], "item_id", (*ITEM_MEASURES, "sharers")).subquery()
        db.session.execute(insert(LibraryItemPeriod.__table__).from_select(
            ["period", "item_id", *ITEM_MEASURES, "sharers"], select(literal(period), *items.c)))
        department_sharers = (select(_department(), *_zeros(1), func.count(distinct(ShareEvent.user_id)),
                                     *_zeros(2, first=1))
                              .select_from(ShareEvent).join(User, User.id == ShareEvent.user_id)
                              .where(shared).group_by(_department()))
        departments = _summed([department_days, department_sharers], "department_id",
                              DEPARTMENT_PERIOD_MEASURES).subquery()
        db.session.execute(insert(LibraryDepartmentPeriod.__table__).from_select(
            ["period", "department_id", *DEPARTMENT_PERIOD_MEASURES], select(literal(period), *departments.c)))


def _not_shared_before(summarised: tuple, per_item: bool):
    """The share's sharer has no share between `summarised` (start or None, end) (of the same item)."""
    start, end = summarised
    earlier = aliased(ShareEvent)
    before = [earlier.user_id == ShareEvent.user_id, earlier.created_at < end]
    if start is not None:
        before.append(earlier.created_at >= start)
    if per_item:
        before.append(earlier.item_id == ShareEvent.item_id)
    # A scalar subquery, not NOT EXISTS: PostgreSQL probes the index per raw share (a handful)
    # instead of hashing every share of the period.
    return select(func.count()).where(*before).scalar_subquery() == 0


@dataclass(frozen=True)
class _Window:
    """How a period splits into summarised rows and raw rows (see the comment above `ROLLUP_PERIODS`)."""

    period: int | None             # the summary to read, or None for raw rows only
    shares_raw: object             # conditions on ShareEvent for the raw part
    clicks_raw: object             # conditions on Click for the raw part
    dropped: tuple | None          # (first, last) days the summary holds and the period no longer does
    summarised: tuple | None       # (start or None, end) of the summarised shares; None: sharers from raw
    shares_all: object             # conditions on ShareEvent for the whole period (sharers without a summary)


def _window(days: int | None, now: datetime, state) -> _Window:
    today = now.astimezone(UTC).date()
    start = _period_start(days, today) if days else None
    everything = ShareEvent.created_at >= start if start is not None else true()
    rolled_until, period_day = (state.rolled_until, state.period_day) if state else (None, None)
    held = {int(p) for p in (state.periods or "").split(",") if p} if state else set()
    if (rolled_until is None or period_day is None or rolled_until > now or period_day > today
            or (days or ALL_TIME) not in held or (start is not None and rolled_until <= start)):
        return _Window(None, everything, Click.occurred_at >= start if start is not None else true(), None, None,
                       everything)
    # Bounded on both sides (nothing is recorded a day ahead): with only a lower bound SQLite's planner
    # walks every click in item order (to group without sorting) instead of the few minutes the index finds.
    end = now + timedelta(days=1)
    shares = and_(ShareEvent.created_at >= rolled_until, ShareEvent.created_at < end)
    clicks = and_(Click.occurred_at >= rolled_until, Click.occurred_at < end)
    if start is None:
        return _Window(ALL_TIME, shares, clicks, None, (None, rolled_until), everything)
    summarised = days - (today - period_day).days     # this period's days up to period_day, if held
    if summarised > 0 and summarised in held:
        return _Window(summarised, shares, clicks, None, (start, rolled_until), everything)
    dropped = (period_day - timedelta(days=days - 1), today - timedelta(days=days))
    return _Window(days, shares, clicks, dropped, None, everything)


def _sharer_condition(window: _Window, per_item: bool):
    """Share events whose sharer the period summary has not counted yet (all of them without a summary)."""
    if window.summarised is None:
        return window.shares_all
    return and_(window.shares_raw, _not_shared_before(window.summarised, per_item))


def _state():
    return db.session.execute(select(LibraryRollupState.rolled_until, LibraryRollupState.period_day,
                                     LibraryRollupState.periods,
                                     LibraryRollupState.refreshed_at).where(LibraryRollupState.id == 1)).first()


@dataclass
class AnalyticsRow:
    id: int
    title: str
    slug: str
    status: str


@dataclass
class AnalyticsPage:
    """One page of items, most clicked first, with the totals of every item, shaped like a paginate() result."""

    rows: list
    sums: Stats
    page: int
    per_page: int
    total: int
    refreshed_at: datetime | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page)) if self.per_page else 1

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)
    first = property(lambda self: (self.page - 1) * self.per_page + 1 if self.total else 0)
    last = property(lambda self: min(self.total, self.page * self.per_page))

    def iter_pages(self, left_edge=1, left_current=2, right_current=2, right_edge=1):
        previous = 0
        for number in range(1, self.pages + 1):
            if (number <= left_edge or self.page - left_current <= number <= self.page + right_current
                    or number > self.pages - right_edge):
                if previous and number - previous > 1:
                    yield None
                yield number
                previous = number


def analytics(days: int | None, page: int = 1, per_page: int | None = ANALYTICS_PER_PAGE,
              now: datetime | None = None) -> AnalyticsPage:
    """The items of the analytics page for the last `days` whole UTC days up to now (None: all time), most
    clicked first.

    Published and archived items are listed, and any other item with shares or clicks in the period.
    Two statements whatever the data: the summary state, and the page of items with the totals (window
    functions over the same rows), nothing per row. `per_page=None` returns every item (the CSV).
    """
    now = now or utcnow()
    state = _state()
    window = _window(days, now, state)
    # The summary (a row per item) is joined as it is; only the few raw rows are grouped.
    parts = _item_figures(window.shares_raw, window.clicks_raw, sharers=True, skip_counted=window.period is not None)
    if window.dropped is not None:
        day = LibraryItemDay
        parts.append(select(day.item_id, *(-getattr(day, m) for m in ITEM_MEASURES), *_zeros(1))
                     .where(day.day >= window.dropped[0], day.day <= window.dropped[1]))
    parts.append(select(ShareEvent.item_id, *_zeros(len(ITEM_MEASURES)), func.count(distinct(ShareEvent.user_id)))
                 .where(_sharer_condition(window, per_item=True)).group_by(ShareEvent.item_id))
    raw = _summed(parts, "item_id", (*ITEM_MEASURES, "sharers")).subquery()
    values = {m: func.coalesce(raw.c[m], 0) for m in (*ITEM_MEASURES, "sharers")}
    query = select(ContentItem.id, ContentItem.title, ContentItem.slug, ContentItem.status)
    if window.period is not None:
        summary = LibraryItemPeriod
        summarised = (select(summary.item_id, *(getattr(summary, m).label(m) for m in ITEM_MEASURES),
                             (summary.sharers if window.dropped is None else literal_column("0")).label("sharers"))
                      .where(summary.period == window.period).subquery())
        values = {m: v + func.coalesce(summarised.c[m], 0) for m, v in values.items()}
        query = query.outerjoin(summarised, summarised.c.item_id == ContentItem.id)
    everything = {m: func.sum(values[m]).over().label(f"total_{m}")
                  for m in ("shares", "personalised", "clicks", "bots", "visitors")}
    query = (query.add_columns(*(v.label(m) for m, v in values.items()), func.count().over().label("total_count"),
                               *everything.values())
             .outerjoin(raw, raw.c.item_id == ContentItem.id)
             .where(or_(ContentItem.status.in_((PUBLISHED, ARCHIVED)),
                        values["shares"] > 0, values["clicks"] > 0, values["bots"] > 0))
             .order_by(values["clicks"].desc(), values["shares"].desc(), func.lower(ContentItem.title), ContentItem.id))
    page = max(1, page)
    if per_page:
        query = query.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(query).all()
    if not result and page > 1:
        return analytics(days, 1, per_page, now)
    rows = []
    for row in result:
        stats = Stats(shares=row.shares, sharers=row.sharers, personalised=row.personalised, clicks=row.clicks,
                      bots=row.bots, visitors=row.visitors)
        for network in NETWORKS:
            if getattr(row, f"shares_{network}"):
                stats.by_network[network]["shares"] = getattr(row, f"shares_{network}")
        rows.append((AnalyticsRow(row.id, row.title, row.slug, row.status), stats))
    first = result[0] if result else None
    total = Stats(**{m: int(getattr(first, f"total_{m}") or 0) if first else 0 for m in everything})
    return AnalyticsPage(rows, total, page, per_page or max(1, len(rows)), first.total_count if first else 0,
                         state.refreshed_at if state else None)


def department_stats(days: int | None, now: datetime | None = None) -> list[dict]:
    """Shares, people sharing, clicks and visitors per sharer's department (one statement), most clicked first."""
    now = now or utcnow()
    state = _state()
    window = _window(days, now, state)
    parts = _department_figures(window.shares_raw, window.clicks_raw, sharers=True,
                                skip_counted=window.period is not None)
    if window.period is not None:
        summary = LibraryDepartmentPeriod
        parts.append(select(summary.department_id, summary.shares,
                            summary.sharers if window.dropped is None else _zeros(1)[0], summary.clicks,
                            summary.visitors).where(summary.period == window.period))
    if window.dropped is not None:
        day = LibraryDepartmentDay
        parts.append(select(day.department_id, -day.shares, *_zeros(1), -day.clicks, -day.visitors)
                     .where(day.day >= window.dropped[0], day.day <= window.dropped[1]))
    parts.append(select(_department(), *_zeros(1), func.count(distinct(ShareEvent.user_id)), *_zeros(2, first=1))
                 .select_from(ShareEvent).join(User, User.id == ShareEvent.user_id)
                 .where(_sharer_condition(window, per_item=False)).group_by(_department()))
    figures = _summed(parts, "department_id", DEPARTMENT_PERIOD_MEASURES, ("shares", "clicks")).subquery()
    query = (select(Department.name, *(figures.c[m] for m in DEPARTMENT_PERIOD_MEASURES))
             .select_from(figures).outerjoin(Department, Department.id == figures.c.department_id))
    result = [{"department": name or str(_l("No department")), "shares": shares_, "sharers": sharers,
               "clicks": clicks_, "visitors": visitors}
              for name, shares_, sharers, clicks_, visitors in db.session.execute(query)]
    result.sort(key=lambda r: (-r["clicks"], -r["shares"], r["department"]))
    return result


def item_detail_stats(item: ContentItem) -> dict:
    """One item's figures by network, its referrers and clicks per ISO week."""
    stats = item_stats(item_ids=[item.id]).get(item.id, Stats())
    referrers = db.session.execute(
        select(func.coalesce(Click.referrer_host, ""), func.count()).where(Click.item_id == item.id,
                                                                          Click.is_bot.is_(False))
        .group_by(Click.referrer_host).order_by(func.count().desc()).limit(10)).all()
    days = db.session.execute(
        select(func.date(Click.occurred_at), func.count()).where(Click.item_id == item.id, Click.is_bot.is_(False))
        .group_by(func.date(Click.occurred_at))).all()
    return {"stats": stats, "referrers": referrers, "weeks": _weeks(days)}


def _weeks(day_counts, weeks: int = 8) -> list[tuple[str, int]]:
    """Counts per ISO week for the last `weeks` weeks, oldest first."""
    per_week: dict[str, int] = defaultdict(int)
    for day, count in day_counts:
        day = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
        year, week, _ = day.isocalendar()
        per_week[f"{year}-W{week:02d}"] += count
    today = utcnow().date()
    labels = []
    for back in range(weeks - 1, -1, -1):
        year, week, _ = (today - timedelta(weeks=back)).isocalendar()
        labels.append(f"{year}-W{week:02d}")
    return [(label, per_week.get(label, 0)) for label in labels]


def my_impact(user: User) -> dict:
    """The person's shares and the clicks they brought, per item and per week."""
    stats = item_stats(user_id=user.id)
    items = items_by_id(stats)
    rows = [(items[i], s) for i, s in stats.items() if i in items]
    rows.sort(key=lambda r: (-r[1].clicks, -r[1].shares))
    mine = select(ShareLink.id).where(ShareLink.user_id == user.id)
    days = db.session.execute(select(func.date(Click.occurred_at), func.count())
                              .where(Click.share_link_id.in_(mine), Click.is_bot.is_(False))
                              .group_by(func.date(Click.occurred_at))).all()
    return {"rows": rows, "total": totals(stats), "weeks": _weeks(days)}


def period_bounds(period: str, today: date | None = None) -> tuple[datetime, datetime, str]:
    """The start and end (UTC) of the current month or quarter, and a label."""
    today = today or utcnow().date()
    if period == "quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = date(today.year, first_month, 1)
        label = f"{today.year} Q{(today.month - 1) // 3 + 1}"
        months = 3
    else:
        start = date(today.year, today.month, 1)
        label = start.strftime("%Y-%m")
        months = 1
    end_month = start.month + months
    end = date(start.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return (datetime.combine(start, time(), UTC), datetime.combine(end, time(), UTC), label)


def leaderboard(department_id: int | None, period: str = "month", limit: int = 10) -> list[dict]:
    """Opted-in colleagues of one department ranked by unique human visitors in the month or quarter."""
    if department_id is None:
        return []
    start, end, _label = period_bounds(period)
    opted = (select(User.id).join(LibraryPreference, LibraryPreference.user_id == User.id)
             .where(User.department_id == department_id, User.active.is_(True),
                    LibraryPreference.leaderboard.is_(True)))
    visitors = dict(db.session.execute(
        select(ShareLink.user_id, func.count(distinct(Click.visitor_key)))
        .join(ShareLink, ShareLink.id == Click.share_link_id)
        .where(ShareLink.user_id.in_(opted), Click.is_bot.is_(False), Click.occurred_at >= start,
               Click.occurred_at < end).group_by(ShareLink.user_id)).all())
    shares = dict(db.session.execute(
        select(ShareEvent.user_id, func.count()).where(ShareEvent.user_id.in_(opted), ShareEvent.created_at >= start,
                                                      ShareEvent.created_at < end)
        .group_by(ShareEvent.user_id)).all())
    people = people_by_id(set(visitors) | set(shares))
    rows = [{"user": people[uid], "visitors": visitors.get(uid, 0), "shares": shares.get(uid, 0)}
            for uid in people]
    rows.sort(key=lambda r: (-r["visitors"], -r["shares"], r["user"].name))
    return rows[:limit]


# ------------------------------------------------------------------ preferences and digest

def preference(user: User) -> LibraryPreference:
    pref = db.session.get(LibraryPreference, user.id)
    return pref or LibraryPreference(user_id=user.id, digest=False, leaderboard=False)


def set_preference(user: User, digest: bool, leaderboard: bool) -> None:
    pref = db.session.get(LibraryPreference, user.id)
    if pref is None:
        pref = LibraryPreference(user_id=user.id)
        db.session.add(pref)
    pref.digest, pref.leaderboard = bool(digest), bool(leaderboard)
    db.session.commit()


def queue_digests(now: datetime | None = None) -> int:
    """Queue this ISO week's digest of new items to everyone who opted in; once per person per week."""
    from app.outbox.services import queue_email
    from app.urls import absolute_url

    now = now or utcnow()
    since = now - timedelta(days=7)
    year, week, _ = now.isocalendar()
    items = list(db.session.scalars(
        select(ContentItem).options(selectinload(ContentItem.departments))
        .where(_live_clause(now), or_(ContentItem.published_at >= since, ContentItem.publish_at >= since))
        .order_by(ContentItem.published_at.desc())))
    if not items:
        return 0
    people = db.session.scalars(select(User).join(LibraryPreference, LibraryPreference.user_id == User.id)
                                .where(LibraryPreference.digest.is_(True), User.active.is_(True)))
    queued = 0
    for person in people:
        mine = [i for i in items if in_audience(i, person)]
        if not mine:
            continue
        entries = [{"title": i.title, "caption": substituted(i.caption_linkedin)[:280],
                    "url": absolute_url("library.item", item_id=i.id)} for i in mine]
        if queue_email(person.email, "library_digest",
                       {"user": person, "items": entries, "feed_url": absolute_url("library.feed"),
                        "impact_url": absolute_url("library.impact")},
                       dedupe_key=f"library-digest:{person.id}:{year}-W{week:02d}") is not None:
            queued += 1
    db.session.commit()
    return queued


# ------------------------------------------------------------------ content_library/ sync

def _as_datetime(value, key: str) -> datetime | None:
    from app.frontmatter import FrontMatterError

    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as error:
        raise FrontMatterError(f"{key} is not a date like 2026-10-06") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read_content_file(path: Path, folder: Path) -> tuple[dict, bytes | None, str]:
    """Parse and check one content file completely; raise FrontMatterError with the reason."""
    from app.frontmatter import FrontMatterError, read_source, require

    source = read_source(path)
    meta = source.meta
    require(meta, ("slug", "title", "link"))
    slug = str(meta["slug"])
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) or len(slug) > 120:
        raise FrontMatterError("slug must be lower-case letters, digits and hyphens")
    link = str(meta["link"]).strip()
    if not textrules.is_safe_link(link):
        raise FrontMatterError("link must be an http(s) URL")
    language = str(meta.get("language") or "en")
    if language not in LANGUAGE_CODES:
        raise FrontMatterError(f"unknown language {language!r} (use {', '.join(LANGUAGE_CODES)})")
    captions = meta.get("captions") or {}
    if not isinstance(captions, dict) or any(not isinstance(v, str) for v in captions.values()):
        raise FrontMatterError("captions must map linkedin, x and facebook to text")
    unknown = set(captions) - set(CAPTION_NETWORKS)
    if unknown:
        raise FrontMatterError(f"unknown caption network(s): {', '.join(sorted(unknown))}")
    for network, caption in captions.items():
        message = caption_error(network, caption)
        if message:
            raise FrontMatterError(f"captions.{network}: {message}")
    topics = meta.get("topics") or []
    if isinstance(topics, str):
        topics = topics.split(",")
    if not isinstance(topics, list):
        raise FrontMatterError("topics must be a list")
    audience = meta.get("audience_languages")
    if audience is None:
        audience = [] if language == "en" else [language]
    audience = _to_list(audience)
    if any(lang not in LANGUAGE_CODES for lang in audience):
        raise FrontMatterError("audience_languages has an unknown language")
    publish_at = _as_datetime(meta.get("publish_at"), "publish_at")
    expires_at = _as_datetime(meta.get("expires_at"), "expires_at")
    if publish_at and expires_at and expires_at <= publish_at:
        raise FrontMatterError("expires_at must come after publish_at")
    image = None
    digest = hashlib.sha256(path.read_bytes())
    if meta.get("image"):
        image_path = (folder / str(meta["image"])).resolve()
        if folder.resolve() not in image_path.parents or not image_path.is_file():
            raise FrontMatterError(f"image {meta['image']} is not a file in the content folder")
        image = image_path.read_bytes()
        digest.update(image)
    data = {"slug": slug, "title": str(meta["title"])[:200], "kind": str(meta.get("kind") or "")[:40],
            "link": link, "body": source.body, "language": language, "topics": _packed(_to_list(topics)),
            "audience_languages": _packed(audience), "publish_at": publish_at, "expires_at": expires_at,
            **{f"caption_{n}": (captions.get(n) or "").strip() for n in CAPTION_NETWORKS}}
    return data, image, digest.hexdigest()


def sync_content(echo=print, folder: Path | None = None) -> dict[str, int]:
    """Import content_library/*.md: new files become items awaiting review, changed files update them.

    Unchanged files do nothing; a malformed file is reported with its reason and
    nothing from it is imported.
    """
    from app.frontmatter import FrontMatterError
    from app.uploads import UploadError, delete_stored, store_image

    folder = Path(folder or current_app.config["CONTENT_LIBRARY_DIR"])
    counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    existing = {i.slug: i for i in db.session.scalars(select(ContentItem))}
    for path in sorted(folder.glob("*.md")):
        name = path.name
        try:
            data, image, content_hash = read_content_file(path, folder)
            item = existing.get(data["slug"])
            if item is not None and item.source != "file":
                raise FrontMatterError(f"slug {data['slug']} belongs to an item made in the web UI")
            if item is not None and item.source_path not in (None, name):
                raise FrontMatterError(f"slug {data['slug']} is already used by {item.source_path}")
            if item is not None and item.content_hash == content_hash:
                counts["unchanged"] += 1
                continue
            stored = store_image(image, "library") if image else None
        except (FrontMatterError, UploadError) as error:
            counts["failed"] += 1
            echo(f"skipped {folder.name}/{name}: {error}")
            continue
        created = item is None
        if created:
            item = ContentItem(status=IN_REVIEW, source="file", submitted_at=utcnow())
            db.session.add(item)
            existing[data["slug"]] = item
        else:
            delete_stored("library", item.image_name)
            delete_stored("library", item.image_thumb)
        for key, value in data.items():
            setattr(item, key, value)
        item.image_name = stored.name if stored else None
        item.image_thumb = stored.thumbnail if stored else None
        item.source_path, item.content_hash = name, content_hash
        db.session.flush()
        record("library.item.synced", target_type="content_item", target_id=item.id, target_label=item.slug,
               details={"file": name, "created": created})
        db.session.commit()
        counts["created" if created else "updated"] += 1
        echo(f"{'created' if created else 'updated'} {data['slug']} from {name}")
    echo(f"library: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged, "
         f"{counts['failed']} skipped")
    return counts
