"""Package data of hazmap (installed as ``hazmap_data``): ``reference/`` (facts from the
standards, each row citing its source), ``rules/`` (rules and policy parameters) and
``templates/`` (registry templates with Chinese headers).  Found by :func:`hazmap.domain.data_dir`;
``demo/`` and ``sources/`` stay in the repository only."""
