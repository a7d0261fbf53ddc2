import click
from flask.cli import AppGroup

training_cli = AppGroup("training", help="Training reminders and compliance standings.")


@training_cli.command("remind")
def remind_command() -> None:
    """Queue reminder emails (at most one per person per day) and weekly manager digests."""
    from app.training.services import remind

    remind(click.echo)


@training_cli.command("rebuild-standings")
def rebuild_standings_command() -> None:
    """Rebuild the compliance standings from the data (after a bulk import or restore; safe to repeat)."""
    from app.training.services import rebuild_standings

    counts = rebuild_standings(click.echo)
    click.echo(f"training: {counts['people']} people and {counts['standings']} module standings rebuilt")
