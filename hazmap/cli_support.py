"""What every command group shares: one way to fail (one Chinese line, exit 2), the settings of
the invocation and its domain bundle."""

from __future__ import annotations

import re

import click
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from hazmap.config import ConfigError, Settings, load_settings


class Exit2(click.ClickException):
    exit_code = 2

    def show(self, file=None) -> None:  # the message alone, on one line (no "Error:" prefix)
        click.echo(" ".join(self.format_message().split()), err=True)


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


def server_and_database(url: str) -> tuple[str, str]:
    u = make_url(url)
    return f"{u.host or 'localhost'}:{u.port or 5432}", u.database or ""


def describe_failure(exc: BaseException, database_url: str) -> str | None:
    """One Chinese line for a database or migration failure; None for anything else (a bug)."""
    from alembic.util.exc import CommandError

    server, database = server_and_database(database_url)
    if isinstance(exc, CommandError):
        m = re.search(r"Can't locate revision identified by '([^']*)'", str(exc))
        if m:
            return f"未知的数据库版本“{m.group(1)}”：请用 base、head 或 hazmap/db/migrations/versions 中的修订号"
        return f"数据库迁移失败：{' '.join(str(exc).split())}"
    if isinstance(exc, sa.exc.TimeoutError):
        return f"数据库 {server}/{database} 的连接都在使用中，等待超时（[database] pool_timeout_s），请稍后重试"
    if not isinstance(exc, sa.exc.DBAPIError):
        return None
    text = str(getattr(exc, "orig", None) or exc)
    state = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if state in ("42P01", "42883", "3F000", "42704"):  # undefined table / function / schema / object
        return (f"数据库 {database} 的表结构缺失或不完整（{_first_line(text)}）："
                "请运行 hazmap db init（数据需重新导入时再运行 hazmap etl run）")
    if isinstance(exc, sa.exc.OperationalError):
        if re.search(r'database "[^"]*" does not exist', text):
            return f"数据库 {database} 不存在（服务器 {server}）：请先运行 hazmap db init"
        if "Connection refused" in text or "No such file or directory" in text:
            return f"无法连接数据库服务器 {server}（连接被拒绝）：请检查 DATABASE_URL 与 PostgreSQL 服务是否在运行"
        if "timeout expired" in text or "timed out" in text:
            return f"连接数据库服务器 {server} 超时（[database] connect_timeout_s）：请检查网络与 PostgreSQL 服务"
        if re.search(r"password authentication failed|no pg_hba\.conf entry|role \"[^\"]*\" does not exist", text):
            return f"数据库服务器 {server} 拒绝登录：请检查 DATABASE_URL 中的用户名、密码及服务器的 pg_hba.conf"
        if "could not translate host name" in text:
            return f"无法解析数据库服务器地址 {server}：请检查 DATABASE_URL"
        if "canceling statement" in text or "statement timeout" in text:
            return "数据库语句超时被取消，请稍后重试"
        return f"数据库 {server}/{database} 暂不可用：{_first_line(text)}"
    return f"数据库错误（SQLSTATE {state or '未知'}）：{_first_line(text)}"


def _first_line(text: str) -> str:
    line = next((x.strip() for x in text.splitlines() if x.strip()), "")
    return line.removeprefix("connection failed: ")[:300]


class Guarded(click.Group):
    """The CLI's one error boundary: database and migration failures become one line, exit 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            try:
                url = load_settings(ctx.obj.get("config") if ctx.obj else None).database_url
            except ConfigError:
                raise exc from None
            message = describe_failure(exc, url)
            if message is None:
                raise
            raise Exit2(message) from None
