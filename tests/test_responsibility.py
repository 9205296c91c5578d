"""三管三必管: departments derived from stages, chemicals and facility type, united with the registry's."""

from pathlib import Path

import pytest

from geo.reference import Chemical
from geo.responsibility import ResponsibilityFileError, departments, load_responsibility

ROOT = Path(__file__).resolve().parent.parent
WORK_PLAN = Path("/work/shared/seed/work-plan.txt")
CHLORINE = Chemical("T1-08", "氯", aliases=("液氯",), highly_toxic=True, toxic_inhalation=True)
AMMONIUM_NITRATE = Chemical("T1-45", "硝酸铵", explosive_precursor=True)
PETROL = Chemical("T1-62", "汽油")


@pytest.fixture(scope="module")
def table():
    return load_responsibility(ROOT / "data" / "rules")


def _names(assignments):
    return [a.department for a in assignments]


def test_a_filling_station_has_commerce_and_market_regulation_as_well_as_emergency(table):
    a = departments(stages=("trade_storage",), chemicals=(PETROL,), facility_type="加油站", table=table)
    assert _names(a) == ["区应急管理局", "区市场监管局", "区商务局"]
    commerce = next(x for x in a if x.department == "区商务局")
    assert commerce.basis == "城政办发〔2023〕25号 四（五）（本地分工）" and not commerce.registered


def test_a_highly_toxic_user_is_also_supervised_by_the_police(table):
    a = departments(stages=("use",), chemicals=(CHLORINE, PETROL), facility_type="污水处理厂",
                    registered=("区住建局",), table=table)
    assert _names(a) == ["区住建局", "区公安分局"]  # the registry's first, then the derived
    police = a[1]
    assert [r.rule_id for r in police.rules] == ["RESP-12"] and "剧毒化学品" in police.rules[0].quote
    assert departments(stages=("use",), chemicals=(AMMONIUM_NITRATE,), table=table)[0].rules[0].rule_id == "RESP-13"


def test_a_pipeline_has_its_protection_authority_marked_uncertain(table):
    a = departments(stages=("pipeline",), registered=("区应急管理局",), table=table)
    assert _names(a) == ["区应急管理局", "区能源局"]
    assert a[0].registered and a[0].basis == "登记数据；城政办发〔2023〕25号 三（一）1"
    assert a[1].rules[0].status == "uncertain" and a[1].basis.endswith("（待确认）")


def test_every_row_cites_the_plan_and_quotes_it(table):
    # the shared seed is outside the checkout: the quotes are compared with it where it is present
    text = WORK_PLAN.read_text(encoding="utf-8") if WORK_PLAN.exists() else None
    for rule in table.rules:
        assert rule.clause.startswith("城政办发〔2023〕25号"), rule.rule_id
        if rule.status == "work_plan":
            assert rule.clause.startswith("城政办发〔2023〕25号 三（一）") and rule.quote, rule.rule_id
        if text is not None and rule.quote:
            for part in rule.quote.split("……"):
                assert part.strip("。；") in text, (rule.rule_id, part)


def test_a_bad_table_names_file_and_row(tmp_path):
    text = (ROOT / "data" / "rules" / "responsibility.csv").read_text(encoding="utf-8")
    (tmp_path / "responsibility.csv").write_text(text.replace("stage,production", "stage,mining", 1), encoding="utf-8")
    with pytest.raises(ResponsibilityFileError, match="第2行（RESP-01）：未知环节"):
        load_responsibility(tmp_path)
