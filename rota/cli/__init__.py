"""The thin command line: read -> (apply scenario) -> solve -> write. One module per area."""

from __future__ import annotations

import click

from rota import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rota")
def main() -> None:
    """rota: weekly rotas for multi-site therapy services."""


def _register() -> None:
    # Imported here so that each area's module stays independent of the others.
    from rota.cli import exports, inputs, scenarios, solving

    for module in (inputs, solving, exports, scenarios):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
