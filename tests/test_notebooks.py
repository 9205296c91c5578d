"""The analyst notebooks run top to bottom against the demo database (nbclient)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.mark.parametrize("name", ["siting_review.ipynb", "conflicts_by_town.ipynb"])
def test_notebook_runs(demo_db, monkeypatch, name):
    monkeypatch.setenv("DATABASE_URL", demo_db[0])
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert outputs  # the last cells display tables
