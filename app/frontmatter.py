"""Markdown files with YAML front matter, as used in policies/ and content_library/."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml


class FrontMatterError(ValueError):
    """A file that cannot be read as front matter + Markdown; the message says why."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    meta: dict
    body: str

    @property
    def content_hash(self) -> str:
        """SHA-256 of the whole file as UTF-8 text, a stable fingerprint of this version."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def read_source(path: Path) -> SourceFile:
    """Parse `---\\n<yaml>\\n---\\n<markdown>`; raise FrontMatterError with the reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise FrontMatterError("the file is not UTF-8 text") from error
    if not text.startswith("---"):
        raise FrontMatterError("the file does not start with front matter (---)")
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise FrontMatterError("the front matter is not closed with a line of ---")
    head, body = parts
    try:
        meta = yaml.safe_load(head.lstrip("-").strip()) or {}
    except yaml.YAMLError as error:
        raise FrontMatterError(f"the front matter is not valid YAML: {error}") from error
    if not isinstance(meta, dict):
        raise FrontMatterError("the front matter must be a mapping of keys to values")
    return SourceFile(path=path, meta=meta, body=body.lstrip("-").lstrip("\n"))


def require(meta: dict, keys: tuple[str, ...]) -> None:
    missing = [key for key in keys if meta.get(key) in (None, "")]
    if missing:
        raise FrontMatterError(f"missing front matter key(s): {', '.join(missing)}")
