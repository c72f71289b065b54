"""The ``lima-x`` command line: build Lima-X / Bactrian-X Hub repos and push them."""

from __future__ import annotations

import logging

import typer


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="lima-x",
        help="Build parallel multilingual instruction datasets (Lima-X, Bactrian-X) as Hub repos.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root() -> None:
        """Commands are listed below; each has --help."""

    @app.command("version")
    def version() -> None:
        """Print the installed version."""
        from lima_x import __version__

        typer.echo(__version__)

    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    build_app()()


if __name__ == "__main__":
    main()
