"""One cached SQLAlchemy engine per process and database URL (``pool_pre_ping=True``)."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, create_engine

_engines: dict[tuple[str, int | None], Engine] = {}
_lock = threading.Lock()


def get_engine(url: str, statement_timeout_ms: int | None = None) -> Engine:
    """Return the process-wide engine for ``url`` (created on first use)."""
    key = (url, statement_timeout_ms)
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            connect_args = {}
            if statement_timeout_ms:
                connect_args["options"] = f"-c statement_timeout={int(statement_timeout_ms)}"
            engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
            _engines[key] = engine
        return engine


def dispose_all() -> None:
    """Close every pooled connection (tests call this before dropping a database)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
