"""`flask library ...`: the weekly digest and the analytics rollup."""

from __future__ import annotations

import click
from flask.cli import AppGroup

library_cli = AppGroup("library", help="Content library and advocacy.")


@library_cli.command("digest")
def digest() -> None:
    """Queue this week's digest email to everyone who opted in (once per person per ISO week)."""
    from app.library.services import queue_digests

    click.echo(f"library digest: {queue_digests()} email(s) queued")


@library_cli.command("rollup")
@click.option("--rebuild", is_flag=True, help="Summarise every day again from the first click.")
def rollup(rebuild: bool) -> None:
    """Summarise clicks and shares up to a minute ago for the analytics page (idempotent; cron every 5 minutes)."""
    from app.library.services import rollup as run

    result = run(rebuild=rebuild)
    click.echo(f"library rollup: {result['days']} closed day(s) summarised, complete until "
               f"{result['rolled_until']:%Y-%m-%d %H:%M} UTC")
