"""Reading the project's data files (``data/reference``, ``data/rules``) for the loaders in :mod:`geo`.

The loaders (``load_<thing>(directory)``) check what they read; these helpers only read, and raise the
loader's own error naming the file when it is missing, not UTF-8 CSV/TOML, or lacks columns.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path


def read_csv(path: Path, columns: tuple[str, ...], *, error: type[Exception], what: str) -> list[tuple[int, dict]]:
    """``(line number, row)`` for every data row, cells stripped (line 2 is the first row)."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = set(columns) - set(reader.fieldnames or ())
            if missing:
                raise error(f"{path.name} 缺少列 {', '.join(sorted(missing))}")
            return [(i, {k: (v or "").strip() for k, v in row.items() if k is not None})
                    for i, row in enumerate(reader, start=2)]
    except FileNotFoundError:
        raise error(f"{what}不存在：{path}") from None
    except UnicodeDecodeError:
        raise error(f"{path.name} 不是 UTF-8 编码") from None


def read_toml(path: Path, *, error: type[Exception], what: str) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{what}不存在：{path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise error(f"{path.name} 不是有效的 TOML：{e}") from None
