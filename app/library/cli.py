"""`flask library ...`: the weekly digest and a one-off sync."""

from __future__ import annotations

import click
from flask.cli import AppGroup

library_cli = AppGroup("library", help="Content library and advocacy.")


@library_cli.command("digest")
def digest() -> None:
    """Queue this week's digest email to everyone who opted in (once per person per ISO week)."""
    from app.library.services import queue_digests

    click.echo(f"library digest: {queue_digests()} email(s) queued")
