"""Write the analyst notebooks (no outputs: small and diff-friendly). ``python notebooks/make_notebooks.py``"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SITING = [
    new_markdown_cell("# 选址复核：风险最高的一家企业\n\n"
                      "读取当前运行结果中评分最低的企业，查看其危险单元（S、R、α 与暴露人数）、冲突，"
                      "再以其库存在原址跑一次选址核查（与 `POST /api/v1/siting/check` 同一引擎）。\n\n"
                      "数据库由环境变量 `DATABASE_URL` 指定。坐标均为 WGS-84。"),
    new_code_cell("import os\n\nimport pandas as pd\n\n"
                  "from geo.postgis import collections as hz\nfrom geo.postgis.siting import check_site\n"
                  "from hazmap.config import load_settings\nfrom hazmap.db.session import get_engine\n"
                  "from hazmap.domain import load_domain, siting_area\n\n"
                  "settings = load_settings()\ndomain = load_domain(settings)\nengine = get_engine(settings.database_url)"),
    new_code_cell("with engine.connect() as conn:\n"
                  "    run = hz.read_snapshot(conn)  # one run for everything read here\n"
                  "    base = hz.base_params(run, domain.vocabulary)\n"
                  "    top = hz.stats(conn, run, vocabulary=domain.vocabulary)['top_risks'][0]\n"
                  "    ent = hz.feature(conn, hz.get('enterprises'), top['id'], base)\n"
                  "p = ent['properties']\n"
                  "print(p['name'], p['risk_color'], p['risk_score'], '重大危险源等级', p['major_hazard_grade'])\n"
                  "units = pd.DataFrame([{k: u[k] for k in ('unit_key', 'kind', 'S', 'R', 'alpha', 'exposed_people', 'grade')}\n"
                  "                      for u in p['hazard_units']])\nunits"),
    new_code_cell("conflicts = pd.DataFrame(p['conflict_list'])\n"
                  "conflicts[['name', 'category', 'distance_m', 'required_m', 'deficit_m', 'rule']].head(10) if len(conflicts) else conflicts"),
    new_code_cell("lon, lat = ent['geometry']['coordinates']\n"
                  "inventory = [{'chemical': line['chemical'], 'quantity_t': line['quantity_t'], 'unit': u['kind']}\n"
                  "             for u in p['hazard_units'] for line in u['inventory']]\n"
                  "with engine.connect() as conn:\n"
                  "    result = check_site(conn, {'location': {'lon': lon, 'lat': lat, 'crs': 'wgs84'},\n"
                  "                               'facility_type': p['facility_type'] or '其他', 'stage': p['stages'][0],\n"
                  "                               'inventory': inventory, 'exposed_people': None},\n"
                  "                        domain, area=siting_area(settings))\n"
                  "print(result['verdict']['label'], '—', result['verdict']['text'])\n"
                  "print(result['method']['label'], '—', result['method']['text'])\n"
                  "assert result['verdict']['decision'] in ('shortfall', 'no_shortfall_found')\n"
                  "assert result['major_hazard_grade'] == p['major_hazard_grade']"),
]

BY_TOWN = [
    new_markdown_cell("# 按镇街统计距离冲突\n\n"
                      "用 `hazmap.export` 导出冲突与企业（与 `hazmap export`、API 的 `format=geojson` 相同的数据），"
                      "用 geopandas 读入并按属地汇总。GeoJSON 为 RFC 7946（WGS-84）。"),
    new_code_cell("import tempfile\nfrom pathlib import Path\n\nimport geopandas as gpd\n\n"
                  "from geo.postgis import collections as hz\nfrom geo.postgis.collections import arguments\n"
                  "from hazmap import export\nfrom hazmap.config import load_settings\nfrom hazmap.db.session import get_engine\n"
                  "from hazmap.domain import load_domain, siting_area\n\n"
                  "settings = load_settings()\ndomain = load_domain(settings)\nengine = get_engine(settings.database_url)\n"
                  "out = Path(tempfile.mkdtemp())"),
    new_code_cell("def save(layer, **filters):\n"
                  "    \"\"\"The layer with the API's filters (e.g. risk='red,orange') as RFC 7946 GeoJSON.\"\"\"\n"
                  "    c = hz.get(layer)\n"
                  "    selection, _ = arguments.api_selection(c, filters, limits=settings.limits)\n"
                  "    path = out / f'{layer}.geojson'\n"
                  "    with engine.connect() as conn, open(path, 'w', encoding='utf-8') as f:\n"
                  "        ex = export.prepare(conn, c, selection, vocabulary=domain.vocabulary,\n"
                  "                            max_features=settings.limits.max_export_features)\n"
                  "        for chunk in export.geojson_chunks(conn, ex):\n"
                  "            f.write(chunk)\n"
                  "    return path\n\n"
                  "conflicts = gpd.read_file(save('conflicts'))\n"
                  "enterprises = gpd.read_file(save('enterprises'))\n"
                  "conflicts.crs, len(conflicts), len(enterprises)"),
    new_code_cell("joined = conflicts.merge(enterprises[['id', 'town', 'risk_color']], left_on='enterprise_id', right_on='id',\n"
                  "                         suffixes=('', '_ent'))\n"
                  "by_town = (joined.groupby('town')\n"
                  "           .agg(conflicts=('target_id', 'size'), sources=('enterprise_id', 'nunique'),\n"
                  "                mean_deficit_m=('deficit_m', 'mean'))\n"
                  "           .sort_values('conflicts', ascending=False))\n"
                  "assert by_town['conflicts'].sum() == len(conflicts)\nby_town"),
    new_code_cell("by_category = joined.groupby('category')['deficit_m'].describe()[['count', 'mean', 'max']]\nby_category"),
]

for name, cells in (("siting_review.ipynb", SITING), ("conflicts_by_town.ipynb", BY_TOWN)):
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    for i, cell in enumerate(nb.cells):  # stable ids: regenerating changes only what changed
        cell.id = f"{name.split('.')[0].replace('_', '-')}-{i}"
    nbformat.write(nb, HERE / name)
