"""The thin command line: read -> (apply scenario) -> solve -> write. One module per area.

Each command's module is imported only when that command runs, so ``rota check`` and
``rota validate`` never load the solver.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, NoReturn

import click

from rota import __version__

#: Command name -> (module, attribute), in the order ``rota --help`` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "template": ("rota.cli.inputs", "template_command"),
    "validate": ("rota.cli.inputs", "validate_command"),
    "generate": ("rota.cli.inputs", "generate_command"),
    "solve": ("rota.cli.solving", "solve_command"),
    "check": ("rota.cli.checking", "check_command"),
    "explain": ("rota.cli.explaining", "explain_command"),
    "export": ("rota.cli.exports", "export_group"),
    "scenario": ("rota.cli.scenarios", "scenario_group"),
    "sweep": ("rota.cli.sweep", "sweep_command"),
    "serve": ("rota.cli.web", "serve_command"),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *super().list_commands(ctx)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            module, attr = COMMANDS[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; Ctrl-C before anything is written exits 130, a bug exits 3 with
        its traceback in a log file (see rota.cli.common)."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            _interrupted()
        except Exception as exc:  # noqa: BLE001 - the last line of defence, logged in full
            if _caused_by_ctrl_c(exc):
                _interrupted()  # e.g. Ctrl-C while OR-Tools loads surfaces as an ImportError
            from rota.cli.common import internal_error

            internal_error(exc)


def _caused_by_ctrl_c(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _interrupted() -> NoReturn:
    click.echo("\ninterrupted: nothing was written", err=True)
    sys.exit(130)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rota")
def main() -> None:
    """rota: weekly rotas for multi-site therapy services."""
