"""Commands: scenarios (being written)."""

import click

COMMANDS: list[click.Command] = []
