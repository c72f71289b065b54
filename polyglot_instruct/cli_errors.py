"""One error handler for every command of both command lines (``lima-x``, ``mt-bench-x``).

* Usage errors (unknown option, bad value) are click's own: a usage line and exit 2.
* Known failures (a :class:`~polyglot_instruct.errors.ToolkitError`, or an operating-system
  error such as a read-only or full disk) print one line, ``error: <what, where, what to do>``,
  and exit 1.
* Anything else is a bug: one line naming the exception and the file the full traceback was
  written to, and exit 1.

Credentials never reach these lines: messages are built by the toolkit from paths, ids and
counts, never from request headers.
"""

from __future__ import annotations

import datetime as _dt
import errno
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from polyglot_instruct.errors import ToolkitError

#: What an operating-system error means for the user, by errno.
OS_ERROR_HINTS: dict[int, str] = {
    errno.EACCES: "check the permissions of that path or choose another one",
    errno.EROFS: "the file system is read-only: choose another path",
    errno.ENOSPC: "the disk is full: free space or choose another path",
    errno.ENAMETOOLONG: "the name is too long for the file system: choose a shorter one",
    errno.ENOENT: "check that the path exists",
    errno.EISDIR: "a folder stands where a file was expected",
    errno.ENOTDIR: "a file stands where a folder was expected",
    errno.EDQUOT: "the disk quota is used up: free space or choose another path",
}


def traceback_dir() -> Path:
    """Where full tracebacks of unexpected errors go: ``$POLYGLOT_TRACEBACK_DIR`` or the
    system's temporary folder."""
    return Path(os.environ.get("POLYGLOT_TRACEBACK_DIR") or tempfile.gettempdir())


def describe_os_error(error: OSError) -> str:
    """One line for an operating-system error: what failed, on which path, what to do."""
    reason = error.strerror or type(error).__name__
    where = f" ({error.filename})" if error.filename else ""
    hint = OS_ERROR_HINTS.get(error.errno or -1)
    return f"{reason}{where}" + (f": {hint}" if hint else "")


def write_traceback(program: str, error: BaseException) -> Path | None:
    """Write ``error``'s full traceback to a new file and return its path (None if even that
    fails, e.g. on a full disk)."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        folder = traceback_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f"{program}-{stamp}-", suffix=".txt", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            traceback.print_exception(type(error), error, error.__traceback__, file=out)
        return Path(name)
    except OSError:
        return None


def error_line(program: str, error: BaseException) -> str:
    """The one line printed for ``error`` (writing the traceback file for unexpected ones)."""
    if isinstance(error, ToolkitError):
        return f"error: {error}"
    if isinstance(error, OSError) and error.errno is not None:
        return f"error: {describe_os_error(error)}"
    saved = write_traceback(program, error)
    where = f"full traceback in {saved}" if saved else "the traceback could not be saved"
    return (
        f"error: unexpected {type(error).__name__}: {error} ({where}; please report it "
        "with that file)"
    )


class ToolkitGroup(TyperGroup):
    """A command group that applies these rules inside the command, so that the app behaves
    the same under :func:`run_cli` and when invoked directly (``typer.testing.CliRunner``).

    Use it as ``typer.Typer(cls=ToolkitGroup, ...)`` for the root app: usage errors,
    ``--help`` and ``typer.Exit`` pass through; every other exception becomes one line on
    stderr and exit 1.
    """

    def invoke(self, ctx: Any) -> Any:  # typer vendors click; its Context is not public
        try:
            return super().invoke(ctx)
        except (TyperException, Exit, Abort):  # usage errors (exit 2), --help, typer.Exit
            raise
        except Exception as error:
            program = ctx.find_root().info_name or self.name or "toolkit"
            typer.echo(error_line(program, error), err=True)
            raise typer.Exit(code=1) from None


def toolkit_app(name: str, help_text: str, version: str) -> typer.Typer:
    """The root app of a toolkit command line: the one error handler inside it
    (:class:`ToolkitGroup`), help when called without a command, and a ``version`` command."""
    app = typer.Typer(
        name=name,
        cls=ToolkitGroup,
        help=help_text,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root() -> None:
        """Commands are listed below; each has --help."""

    @app.command("version")
    def _version() -> None:
        """Print the installed version."""
        typer.echo(version)

    return app


def run_cli(program: str, app: typer.Typer) -> None:
    """Run ``app`` under the toolkit's error rules and exit with its code.

    Typer runs in its standalone mode, so usage errors, ``--help`` and ``typer.Exit`` keep
    their own behaviour (exit 2, 0 and the given code); every other exception that escapes a
    command ends here in one line.
    """
    try:
        app(prog_name=program)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as error:
        typer.echo(error_line(program, error), err=True)
        sys.exit(1)
