"""A clean export shows zero problems (issue 15.2): each profile reads its platform's placeholders
for "no value" (Etsy and eBay `--`, 抖店 `-`, 淘宝 订单关闭原因 `订单未关闭`, a plain table's `N/A`)
as empty, in every column or in one column only, while a real bad value there is still reported."""
import shutil
import tomllib
from pathlib import Path

import pytest

from core.importing import import_files
from core.importing.profiles import ProfileError, parse_profile
from tests.conftest import DATA

EXPORTS = DATA / "exports"
CASES = sorted(p for p in EXPORTS.iterdir() if (p / "case.toml").exists())
CLEAN = [c for c in CASES
         if tomllib.loads((c / "case.toml").read_text("utf-8"))["expect"].get("problems", 0) == 0]


def case_files(case: Path) -> list[Path]:
    return sorted(p for p in case.iterdir() if p.is_file() and p.name not in ("case.toml", "README.md"))


@pytest.mark.parametrize("case", CLEAN, ids=[c.name for c in CLEAN])
def test_every_clean_fixture_imports_with_zero_problems(case):
    book = import_files(case_files(case))
    assert [p.message() for p in book.problems] == []


def _copy(case: str, tmp_path: Path) -> Path:
    folder = tmp_path / case
    shutil.copytree(EXPORTS / case, folder, ignore=shutil.ignore_patterns("expected", "case.toml"))
    return folder


def _replace_once(path: Path, old: str, new: str, encoding: str = "utf-8") -> None:
    text = path.read_text(encoding)
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1), encoding)


def _money_problems(book):
    return [(Path(p.file).name, p.row, p.column, dict(p.params).get("value"))
            for p in book.problems if p.message_id == "import.bad_money"]


def test_etsy_double_dash_is_not_adjusted_but_a_typo_there_is_reported(tmp_path):
    folder = _copy("etsy_us_pair", tmp_path)
    orders = folder / "EtsySoldOrders2025.csv"
    lines = orders.read_text("utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("09/02/25,"))  # an order not adjusted
    assert ",--,--,--," in lines[row]
    lines[row] = lines[row].replace(",--,--,--,", ",53..46,--,--,", 1)
    orders.write_text("\n".join(lines) + "\n", "utf-8")
    book = import_files(case_files(folder))
    assert _money_problems(book) == [("EtsySoldOrders2025.csv", row + 1, "Adjusted Order Total", "53..46")]
    assert len(book.problems) == 1  # the other `--` cells are still empty, not problems


def test_douyin_dash_is_empty_but_other_words_in_money_are_reported(tmp_path):
    folder = _copy("douyin_bom_tab_cells", tmp_path)
    export = next(folder.glob("*.csv"))
    _replace_once(export, ",89.00,103.80,", ",N/A,103.80,", encoding="utf-8-sig")
    book = import_files([export])
    assert _money_problems(book) == [(export.name, 2, "商品金额", "N/A")]  # N/A is no 抖店 placeholder
    assert len(book.problems) == 1


def test_a_placeholder_of_one_column_is_a_bad_value_in_another(tmp_path):
    folder = _copy("taobao_gbk_item_refunds", tmp_path)
    orders = next(folder.glob("ExportOrderList*.csv"))
    # 订单未关闭 is empty in 订单关闭原因 (every row has it) but not an amount in 买家实际支付金额.
    _replace_once(orders, ",116.00,0,交易成功,", ",订单未关闭,0,交易成功,", encoding="gbk")
    book = import_files(case_files(folder))
    assert _money_problems(book) == [(orders.name, 2, "买家实际支付金额", "订单未关闭")]
    assert len(book.problems) == 1
    closed = book.orders.set_index("order_id")["status"]
    assert closed["3412345678901234503"] == "refunded"  # 订单关闭原因 退款 is still read


def test_a_plain_table_reads_na_as_empty_and_reports_a_word(tmp_path):
    table = tmp_path / "transactions.csv"
    table.write_text("order_id,customer_id,order_date,amount\n"
                     "1,C-1,2025-01-05,10.00\n2,N/A,2025-01-06,N/A\n3,C-2,2025-01-07,ten\n", "utf-8")
    book = import_files([table])
    assert _money_problems(book) == [("transactions.csv", 4, "amount", "ten")]
    assert book.orders.set_index("order_id").loc["2", "customer_key"] == ""  # N/A is nobody


def test_a_column_placeholder_must_name_a_column_the_profile_reads():
    data = {"id": "x", "platform": "X", "detect": {"required_fields": ["order_id"]},
            "format": {"column_null_values": {"Nowhere": ["-"]}}, "order": {"order_id": "Order"}}
    with pytest.raises(ProfileError, match="nowhere"):
        parse_profile(data, Path("x.toml"))
