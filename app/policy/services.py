"""Policy rules: importing and publishing versions, acknowledging, and what changed.

Which version is current, and whether a person's acknowledgement still counts:
versions sharing a `version_label` are translations of one revision. The latest
material revision sets a cut-off (the first time that label was published); an
acknowledgement of any version (in any language) published at or after the
cut-off counts, so a later minor change asks nothing of anyone.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app, g, has_app_context
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.audit.services import record
from app.extensions import db
from app.frontmatter import FrontMatterError, read_source, require
from app.markdown import render_markdown, render_plain
from app.people.models import LANGUAGE_CODES, User
from app.policy.models import CHANGE_KINDS, MATERIAL, Acknowledgement, Policy, PolicyVersion

DEFAULT_LANGUAGE = "en"
MAX_BODY = 200_000


def organisation_substitutions() -> dict[str, str]:
    from app.org.services import get_setting

    return {"organisation": str(get_setting("organisation.name"))}


def render(source: str):
    """A policy or lesson text as safe HTML, with the organisation's name filled in."""
    return render_markdown(source, organisation_substitutions())


def content_hash(title: str, body: str) -> str:
    """SHA-256 of a version's title and text (line endings normalised): its fingerprint."""
    text = f"{title.strip()}\n\n{normalise_body(body)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_body(body: str) -> str:
    return body.replace("\r\n", "\n").replace("\r", "\n").strip() + "\n"


# ---------------------------------------------------------------- which version counts

@dataclass(frozen=True)
class VersionInfo:
    id: int
    policy_id: int
    slug: str
    language: str
    version_label: str
    change: str
    title: str
    published_at: datetime

    @property
    def key(self) -> tuple:
        return (self.published_at, self.id)


@dataclass
class PolicyInfo:
    policy_id: int
    slug: str
    versions: list[VersionInfo]            # oldest first
    cutoff: tuple                          # acknowledgements of versions at or after this count

    def current_for(self, language: str | None) -> VersionInfo:
        """The version a person reads: their language when up to date, else English, else the newest."""
        for lang in (language or DEFAULT_LANGUAGE, DEFAULT_LANGUAGE):
            candidates = [v for v in self.versions if v.language == lang]
            if candidates and candidates[-1].key >= self.cutoff:
                return candidates[-1]
        return self.versions[-1]

    def languages(self) -> list[str]:
        return sorted({v.language for v in self.versions})


def _load_policies() -> list[PolicyInfo]:
    rows = db.session.execute(
        select(PolicyVersion.id, PolicyVersion.policy_id, Policy.slug, PolicyVersion.language,
               PolicyVersion.version_label, PolicyVersion.change, PolicyVersion.title, PolicyVersion.published_at)
        .join(Policy, Policy.id == PolicyVersion.policy_id)
        .order_by(PolicyVersion.policy_id, PolicyVersion.published_at, PolicyVersion.id)
    ).all()
    by_policy: dict[int, list[VersionInfo]] = {}
    for row in rows:
        by_policy.setdefault(row.policy_id, []).append(VersionInfo(*row))
    policies = []
    for policy_id, versions in by_policy.items():
        material = [v for v in versions if v.change == MATERIAL] or versions[:1]
        label = material[-1].version_label
        cutoff = min(v.key for v in versions if v.version_label == label)
        policies.append(PolicyInfo(policy_id, versions[0].slug, versions, cutoff))
    return policies


def policies() -> list[PolicyInfo]:
    """Every policy with its versions' metadata; read once per request."""
    if has_app_context() and "_policy_infos" in g:
        return g._policy_infos
    infos = _load_policies()
    if has_app_context():
        g._policy_infos = infos
    return infos


def _forget_cache() -> None:
    if has_app_context():
        g.pop("_policy_infos", None)


@dataclass
class PolicyStatus:
    """Where one person stands with one policy."""

    info: PolicyInfo
    current: VersionInfo
    satisfied: bool
    last_acknowledged: VersionInfo | None       # the newest version they acknowledged
    acknowledged_at: datetime | None

    @property
    def needs_acknowledgement(self) -> bool:
        return not self.satisfied


def _acknowledged(user_ids) -> dict[int, list[tuple[int, datetime]]]:
    """(version id, time) of acknowledgements per person; `user_ids` a list or a select of ids."""
    query = select(Acknowledgement.user_id, Acknowledgement.policy_version_id, Acknowledgement.acknowledged_at)
    query = query.where(Acknowledgement.user_id.in_(user_ids))
    result: dict[int, list[tuple[int, datetime]]] = {}
    for user_id, version_id, at in db.session.execute(query):
        result.setdefault(user_id, []).append((version_id, at))
    return result


def _status(info: PolicyInfo, language: str | None, acks: list[tuple[int, datetime]]) -> PolicyStatus:
    by_id = {v.id: v for v in info.versions}
    mine = sorted(((by_id[vid], at) for vid, at in acks if vid in by_id), key=lambda pair: pair[0].key)
    last, at = mine[-1] if mine else (None, None)
    satisfied = last is not None and last.key >= info.cutoff
    return PolicyStatus(info, info.current_for(language), satisfied, last, at)


def policy_statuses(user: User) -> list[PolicyStatus]:
    """The person's standing with every policy (two queries, whatever the number of versions)."""
    infos = policies()
    if not infos:
        return []
    acks = _acknowledged([user.id]).get(user.id, [])
    return [_status(info, user.language, acks) for info in infos]


def statuses_for_people(people: list[User], user_ids) -> dict[int, list[PolicyStatus]]:
    """Standing of many people at once, in a constant number of queries."""
    infos = policies()
    acks = _acknowledged(user_ids) if infos else {}
    return {p.id: [_status(info, p.language, acks.get(p.id, [])) for info in infos] for p in people}


def get_version(version_id: int) -> PolicyVersion | None:
    return db.session.get(PolicyVersion, version_id)


def versions_of(policy_id: int) -> list[PolicyVersion]:
    return list(db.session.scalars(select(PolicyVersion).where(PolicyVersion.policy_id == policy_id)
                                   .order_by(PolicyVersion.published_at.desc(), PolicyVersion.id.desc())))


def all_policies() -> list[Policy]:
    return list(db.session.scalars(select(Policy).order_by(Policy.slug)))


def latest_in_language(policy_id: int, language: str) -> PolicyVersion | None:
    return db.session.scalar(select(PolicyVersion).where(PolicyVersion.policy_id == policy_id,
                                                         PolicyVersion.language == language)
                             .order_by(PolicyVersion.published_at.desc(), PolicyVersion.id.desc()).limit(1))


def comparison_base(status: PolicyStatus) -> PolicyVersion | None:
    """The version to compare the current one with: what the person acknowledged, in the current language."""
    last = status.last_acknowledged
    if last is None:
        return None
    same_language = [v for v in status.info.versions if v.language == status.current.language and v.key <= last.key]
    labelled = [v for v in same_language if v.version_label == last.version_label]
    chosen = (labelled or same_language or [None])[-1]
    return db.session.get(PolicyVersion, chosen.id) if chosen else None


# ---------------------------------------------------------------- acknowledging

def acknowledge(user: User, version: PolicyVersion) -> bool:
    """Record that `user` read `version` (commits). Idempotent, also when two requests race:
    the unique constraint keeps one row. Returns True when this call recorded it."""
    values = {"user_id": user.id, "policy_version_id": version.id, "content_hash": version.content_hash,
              "acknowledged_at": _now()}
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (insert(Acknowledgement).values(**values)
                 .on_conflict_do_nothing(index_elements=["user_id", "policy_version_id"])
                 .returning(Acknowledgement.id))
    new_id = db.session.execute(statement).scalar()
    if new_id is not None:
        record("policy.acknowledged", actor=user, target_type="policy_version", target_id=version.id,
               target_label=f"{version.policy.slug} {version.version_label} ({version.language})",
               details={"content_hash": version.content_hash})
        from app.training.services import acknowledgement_recorded

        acknowledgement_recorded(user)
    db.session.commit()
    _forget_cache()
    return new_id is not None


def _now() -> datetime:
    from app.db import utcnow

    return utcnow()


# ---------------------------------------------------------------- importing and publishing

class PolicyError(ValueError):
    """A version that cannot be published; the message says why, `code` names the reason."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class VersionDraft:
    slug: str
    language: str
    version_label: str
    change: str
    title: str
    summary: str
    body: str

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.body)


def draft_from_meta(meta: dict, body: str) -> VersionDraft:
    """Check a policy file's front matter; raise FrontMatterError with the reason."""
    require(meta, ("slug", "title", "language", "version", "change"))
    slug = str(meta["slug"]).strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", slug):
        raise FrontMatterError(f"slug “{slug}” must be lowercase letters, digits and dashes")
    language = str(meta["language"]).strip()
    if language not in LANGUAGE_CODES:
        raise FrontMatterError(f"language “{language}” is not one of {', '.join(LANGUAGE_CODES)}")
    change = str(meta["change"]).strip().lower()
    if change not in CHANGE_KINDS:
        raise FrontMatterError(f"change “{change}” must be material or minor")
    label = str(meta["version"]).strip()
    if len(label) > 40:
        raise FrontMatterError("version is longer than 40 characters")
    title = str(meta["title"]).strip()
    if len(title) > 200:
        raise FrontMatterError("title is longer than 200 characters")
    if not body.strip():
        raise FrontMatterError("the policy text is empty")
    if len(body) > MAX_BODY:
        raise FrontMatterError("the policy text is too long")
    return VersionDraft(slug, language, label, change, title, str(meta.get("summary") or "").strip(), body)


def _publish(draft: VersionDraft, actor: User | None, source: str) -> PolicyVersion | None:
    """Add `draft` as a new version; None when the newest version in its language, or the version
    with its label, has the same text.

    Raises PolicyError when the label is already used for other text.
    """
    policy = db.session.scalar(select(Policy).where(Policy.slug == draft.slug))
    if policy is None:
        policy = Policy(slug=draft.slug)
        db.session.add(policy)
        db.session.flush()
    latest = latest_in_language(policy.id, draft.language)
    digest = draft.content_hash
    if latest is not None and latest.content_hash == digest:
        return None
    taken = db.session.scalar(select(PolicyVersion).where(
        PolicyVersion.policy_id == policy.id, PolicyVersion.language == draft.language,
        PolicyVersion.version_label == draft.version_label))
    if taken is not None and taken.content_hash == digest:
        return None  # an older version (e.g. a file that a later web edit superseded): nothing new
    if taken is not None:
        raise PolicyError("label_used", f"version {draft.version_label} ({draft.language}) is already published "
                          "with different text; give the new text a new version label")
    version = PolicyVersion(policy_id=policy.id, language=draft.language, version_label=draft.version_label,
                            change=draft.change, title=draft.title, summary=draft.summary,
                            body=normalise_body(draft.body), content_hash=digest, source=source,
                            published_at=_now(), published_by_id=actor.id if actor else None)
    db.session.add(version)
    db.session.flush()
    record("policy.published", actor=actor, target_type="policy_version", target_id=version.id,
           target_label=f"{policy.slug} {version.version_label} ({version.language})",
           details={"change": version.change, "content_hash": digest, "source": source})
    _forget_cache()
    return version


def publish(draft: VersionDraft, actor: User) -> PolicyVersion:
    """Publish a version written in the web editor (commits); PolicyError when nothing changed."""
    version = _publish(draft, actor, "web")
    if version is None:
        db.session.rollback()
        raise PolicyError("same_text", "the text is the same as the current version in this language")
    db.session.commit()
    return version


def import_policies(echo, directory: str | Path | None = None) -> dict[str, int]:
    """Import `policies/*.md` idempotently; echo what was created and every file refused, with why.

    A file is imported completely or not at all.
    """
    directory = Path(directory or current_app.config["POLICIES_DIR"])
    counts = {"created": 0, "unchanged": 0, "errors": 0}
    for path in sorted(directory.glob("*.md")):
        try:
            source = read_source(path)
            draft = draft_from_meta(source.meta, source.body)
        except FrontMatterError as error:
            echo(f"error: {path}: {error}")
            counts["errors"] += 1
            continue
        savepoint = db.session.begin_nested()
        try:
            version = _publish(draft, None, "file")
        except PolicyError as error:
            savepoint.rollback()
            echo(f"error: {path}: {error}")
            counts["errors"] += 1
            continue
        savepoint.commit()
        if version is None:
            counts["unchanged"] += 1
        else:
            counts["created"] += 1
            echo(f"created: policy {draft.slug} version {draft.version_label} ({draft.language}, {draft.change})")
    db.session.commit()
    if not counts["created"] and not counts["errors"]:
        echo(f"policies: nothing changed ({counts['unchanged']} unchanged)")
    return counts


# ---------------------------------------------------------------- what changed

@dataclass
class Section:
    heading: str
    text: str           # plain text (Markdown removed), for comparing


@dataclass
class SectionChange:
    kind: str                      # "added", "changed", "removed", "unchanged"
    heading: str
    old_heading: str = ""
    words: list[tuple[str, str]] = field(default_factory=list)   # ("same"|"added"|"removed", text)


def split_sections(body: str, substitutions: dict[str, str] | None = None) -> list[Section]:
    """The text split on `## ` headings; text before the first heading is an untitled section."""
    sections: list[Section] = []
    heading, lines = "", []
    for line in normalise_body(body).split("\n"):
        if line.startswith("## "):
            if heading or "".join(lines).strip():
                sections.append(Section(heading, "\n".join(lines)))
            heading, lines = line[3:].strip(), []
        else:
            lines.append(line)
    if heading or "".join(lines).strip():
        sections.append(Section(heading, "\n".join(lines)))
    return [Section(s.heading, render_plain(s.text, substitutions)) for s in sections]


def _words(old: str, new: str) -> list[tuple[str, str]]:
    a, b = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("removed", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(("added", "".join(b[j1:j2])))
    return out


def _similar(a: Section, b: Section) -> bool:
    return difflib.SequenceMatcher(None, a.text, b.text, autojunk=False).quick_ratio() >= 0.6 and \
        difflib.SequenceMatcher(None, a.text, b.text, autojunk=False).ratio() >= 0.5


def compare(old_body: str, new_body: str, substitutions: dict[str, str] | None = None) -> list[SectionChange]:
    """Section-by-section comparison: which sections were added, changed (with the changed
    words) or removed, in the order of the new text."""
    subs = substitutions if substitutions is not None else organisation_substitutions()
    old, new = split_sections(old_body, subs), split_sections(new_body, subs)
    keys_old = [s.heading.casefold() for s in old]
    keys_new = [s.heading.casefold() for s in new]
    changes: list[SectionChange] = []

    def pair(o: Section, n: Section) -> None:
        if o.text.split() == n.text.split() and o.heading == n.heading:
            changes.append(SectionChange("unchanged", n.heading))
        else:
            changes.append(SectionChange("changed", n.heading, o.heading if o.heading != n.heading else "",
                                         _words(o.text, n.text)))

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False).get_opcodes():
        if op == "equal":
            for o, n in zip(old[i1:i2], new[j1:j2], strict=True):
                pair(o, n)
            continue
        olds, news = old[i1:i2], new[j1:j2]
        used: set[int] = set()
        for n in news:
            match = next((k for k, o in enumerate(olds) if k not in used and _similar(o, n)), None)
            if match is None:
                changes.append(SectionChange("added", n.heading, words=[("added", n.text)]))
            else:
                used.add(match)
                pair(olds[match], n)
        for k, o in enumerate(olds):
            if k not in used:
                changes.append(SectionChange("removed", o.heading, words=[("removed", o.text)]))
    return changes


def export_rows(user_ids) -> list[tuple]:
    """Acknowledgements of the given people for an auditor: person, email, department,
    policy, language, version label, content hash, time (UTC, ISO 8601)."""
    from app.people.models import Department

    rows = db.session.execute(
        select(User.name, User.email, Department.name, Policy.slug, PolicyVersion.language,
               PolicyVersion.version_label, Acknowledgement.content_hash, Acknowledgement.acknowledged_at)
        .join(Acknowledgement, Acknowledgement.user_id == User.id)
        .join(PolicyVersion, PolicyVersion.id == Acknowledgement.policy_version_id)
        .join(Policy, Policy.id == PolicyVersion.policy_id)
        .outerjoin(Department, Department.id == User.department_id)
        .where(User.id.in_(user_ids))
        .order_by(User.name, Acknowledgement.acknowledged_at)
    )
    return [(*row[:7], row[7].isoformat(timespec="seconds")) for row in rows]
