"""The CLI's one way to fail: one Chinese line on stderr, exit status 2 (shared by every command group)."""

from __future__ import annotations

import click


class Exit2(click.ClickException):
    exit_code = 2


def fail(message: str) -> None:
    raise Exit2(message)
