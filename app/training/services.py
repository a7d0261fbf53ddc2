"""Training rules. (The policy/training work fills this in; the clearance contract below is fixed.)"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClearanceGap:
    """One thing a person must still do before sharing: a label and where to do it."""

    label: str
    url: str


@dataclass(frozen=True)
class Clearance:
    cleared: bool
    missing: list[ClearanceGap] = field(default_factory=list)


def sharing_clearance(user) -> Clearance:
    """Whether `user` has acknowledged the current policy and holds valid completions of
    every module assigned to them, and what is missing. (Placeholder until training lands.)"""
    return Clearance(cleared=True, missing=[])
