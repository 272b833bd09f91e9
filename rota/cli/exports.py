"""Commands: exports (being written)."""

import click

COMMANDS: list[click.Command] = []
