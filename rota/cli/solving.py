"""Commands: solving (being written)."""

import click

COMMANDS: list[click.Command] = []
