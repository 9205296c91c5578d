"""Every table of hazmap on one ``metadata``: the core tables (:mod:`hazmap.db.models`) and each
wing's own module.  Import this module (not a single table module) wherever the whole schema
is needed — migrations, field checks before a load."""

from __future__ import annotations

from hazmap.db import models, models_assessment, models_history, models_security, models_transport  # noqa: F401 - registers the tables
from hazmap.db import models_consequence  # noqa: F401,E402 - threat zones and individual risk
from hazmap.db import models_waste  # noqa: F401,E402 - the waste wing's tables
from hazmap.db import models_incremental  # noqa: F401,E402 - what the last refresh read (incremental refresh)

metadata = models.metadata
