"""`flask demo load` and `flask content sync`: commands that span features."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.registry import content_sources, demo_loaders

demo_cli = AppGroup("demo", help="Demo data.")
content_cli = AppGroup("content", help="Policy, training and content library files.")


@content_cli.command("sync")
def content_sync() -> None:
    """Import policies/ and content_library/ idempotently, printing what changed."""
    for source in content_sources:
        click.echo(f"== {source.name}")
        source.fn(click.echo)


@demo_cli.command("load")
def demo_load() -> None:
    """Create the demo organisation (idempotent; safe to run again)."""
    for loader in demo_loaders:
        click.echo(f"demo: {loader.name}")
        loader.fn()
    click.echo("demo: ready")


def register_commands(app: Flask) -> None:
    import importlib

    from app import FEATURES

    app.cli.add_command(demo_cli)
    app.cli.add_command(content_cli)
    for name in FEATURES:
        try:
            module = importlib.import_module(f"app.{name}.cli")
        except ModuleNotFoundError as error:
            if error.name != f"app.{name}.cli":
                raise
            continue
        for attr in [n for n in vars(module) if n.endswith("_cli")]:
            app.cli.add_command(getattr(module, attr))
