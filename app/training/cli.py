import click
from flask.cli import AppGroup

training_cli = AppGroup("training", help="Training reminders.")


@training_cli.command("remind")
def remind_command() -> None:
    """Queue reminder emails (at most one per person per day) and weekly manager digests."""
    from app.training.services import remind

    remind(click.echo)
