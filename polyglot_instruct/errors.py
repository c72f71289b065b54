"""The root of every error the toolkit raises on purpose.

Each package keeps its own small hierarchy (``LimaXError``, ``MTBenchXError``, the translation
layer's ``TranslationError``) under this one root, so the command-line error handler can tell a
known failure (one line, exit 1) from a bug (one line plus a saved traceback, exit 1).
Messages say what was expected, what was found and where (file, line or row, id).
"""

from __future__ import annotations


class ToolkitError(Exception):
    """Base class of every error the toolkit raises on purpose."""
