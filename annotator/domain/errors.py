"""Errors a user can act on, as opposed to bugs.

A :class:`UserError` is shown as one line (command line) or one dialog (window)
and never with a traceback. Anything else that escapes is a bug.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix: a bad file, a missing path, a wrong option."""


class InputError(UserError):
    """Bad content in an input file, located by file and (optionally) line.

    ``str()`` gives the one-line message: ``path:line: problem``.
    """

    def __init__(self, problem: str, path: str | None = None, line: int | None = None) -> None:
        self.problem = problem
        self.path = path
        self.line = line
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one-line message: where, then what."""
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.problem}"

    def located(self, path: str | None = None, line: int | None = None) -> InputError:
        """Return a copy that names ``path`` and ``line`` where this one does not."""
        return InputError(self.problem, self.path or path, self.line if self.line is not None else line)

    def __str__(self) -> str:
        return self.message
