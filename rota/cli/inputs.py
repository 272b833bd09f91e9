"""Commands: inputs (being written)."""

import click

COMMANDS: list[click.Command] = []
