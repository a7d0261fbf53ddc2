"""`flask desk watch` (run every minute from cron), `flask desk purge` (daily) and `flask desk deadlines`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

desk_cli = AppGroup("desk", help="Report desk: response-target warnings and retention.")


@desk_cli.command("watch")
def watch() -> None:
    """Warn once at 80% of a response target and once at breach (safe to run every minute)."""
    from app.desk import services

    counts = services.watch()
    click.echo(f"desk watch: {counts['warned']} warning(s), {counts['breached']} breach notice(s) queued")


@desk_cli.command("purge")
def purge() -> None:
    """Delete closed reports' screenshots and anonymous receipts after the retention period."""
    from app.desk import services

    counts = services.purge()
    click.echo(f"desk purge: {counts['screenshots']} screenshot(s) and {counts['receipts']} receipt(s) deleted "
               f"from {counts['reports']} closed report(s)")


@desk_cli.command("deadlines")
def deadlines() -> None:
    """Recompute every open report's stored deadline (after importing reports in bulk; safe any time)."""
    from app.desk import services

    count = services.refresh_deadlines(stale_only=False)
    click.echo(f"desk deadlines: {count} open report(s) recomputed")
