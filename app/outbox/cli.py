import time

import click
from flask.cli import AppGroup

from app.outbox import services

outbox_cli = AppGroup("outbox", help="Deliver queued email and webhooks.")


@outbox_cli.command("work")
@click.option("--loop", is_flag=True, help="Keep running, polling for new messages.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls with --loop.")
def work_command(loop: bool, interval: float) -> None:
    """Deliver every due message (safe to run on several hosts at once)."""
    while True:
        counts = services.work()
        if any(counts.values()) or not loop:
            click.echo(f"outbox: {counts['sent']} sent, {counts['retry']} to retry, {counts['failed']} failed")
        if not loop:
            return
        time.sleep(interval)
