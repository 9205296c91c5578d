"""What every command group shares: one way to fail (one Chinese line, exit 2), the settings of
the invocation and its domain bundle."""

from __future__ import annotations

import click

from hazmap.config import ConfigError, Settings, load_settings


class Exit2(click.ClickException):
    exit_code = 2


def fail(message: str) -> None:
    raise Exit2(message)


def settings_of(ctx: click.Context, config: str | None = None) -> Settings:
    """The settings of this invocation (``--config`` / ``HAZMAP_CONFIG``); a bad setting exits 2."""
    try:
        return load_settings(config or (ctx.find_root().obj or {}).get("config"))
    except ConfigError as exc:
        fail(f"配置错误：{exc}")


def domain_of(settings: Settings):
    """The domain bundle for this command (built once); a bad data file or override exits 2."""
    from geo.reference_files import ReferenceDataError
    from geo.rules_files import RulesError
    from hazmap.domain import load_domain

    try:
        return load_domain(settings)
    except (ReferenceDataError, RulesError) as exc:
        fail(f"规则或参考数据错误：{exc}")
