"""The seller's own segmentation options (core.segment_options): one reader and one check for
`segment --cuts/--split/--shares/--rates` and the Segments page, each refusal a catalog message."""
import json

import pytest

from core.errors import InputError
from core.i18n import t
from core.segment_options import (
    MAX_CUTS, MIN_CUTS, check_cuts, check_shares, missing_rates, parse_axis_cuts, parse_cuts, parse_high_low,
    parse_shares, read_rates,
)


def refusal(call) -> tuple[str, dict]:
    with pytest.raises(InputError) as caught:
        call()
    problem = caught.value.problem
    return problem.message_id, dict(problem.params)


def test_cuts_from_the_command_line_and_from_one_box():
    assert parse_cuts("r=30,90,180,365;f=1,2,5,10") == {"r": [30, 90, 180, 365], "f": [1, 2, 5, 10]}
    assert parse_cuts(" R = 30, 90 ; m=50,100,250 ;") == {"r": [30, 90], "m": [50, 100, 250]}
    assert parse_cuts("") is None and parse_cuts(None) is None
    assert parse_axis_cuts("r", "30, 90，180、365") == [30, 90, 180, 365]  # Chinese commas too


# Each bad value and the message it gets: the same table the GUI's validation tests read.
BAD_CUTS = [
    ("x=1,2", "segments.cuts_axis", {"text": "x=1,2"}),
    ("r", "segments.cuts_axis", {"text": "r"}),
    ("r=", "segments.cuts_axis", {"text": "r="}),
    ("r=30", "segments.cuts_count", {"axis": "R", "low": MIN_CUTS, "high": MAX_CUTS}),
    ("f=1,2,3,4,5", "segments.cuts_count", {"axis": "F", "low": MIN_CUTS, "high": MAX_CUTS}),
    ("r=90,30", "segments.cuts_order", {"axis": "R"}),
    ("m=50,50", "segments.cuts_order", {"axis": "M"}),
    ("r=30,abc", "segments.cuts_numbers", {"axis": "R"}),
    ("r=-5,30", "segments.cuts_numbers", {"axis": "R"}),
    ("r=30,inf", "segments.cuts_numbers", {"axis": "R"}),
]


@pytest.mark.parametrize("text, message_id, params", BAD_CUTS)
def test_bad_cuts_are_refused_with_their_reason(text, message_id, params):
    assert refusal(lambda: parse_cuts(text)) == (message_id, params)
    assert t(message_id, **params) != message_id


def test_checks_take_numbers_as_the_app_holds_them():
    assert check_cuts("f", [1, 2, 4]) == [1.0, 2.0, 4.0]
    assert refusal(lambda: check_cuts("f", [2, 1]))[0] == "segments.cuts_order"
    assert check_shares((0.1, 0.3, 0.6)) == (0.1, 0.3, 0.6)  # 1.0000000000000002 is 100 %
    assert refusal(lambda: check_shares((0.1, 0.3, 0.5))) == ("segments.shares_sum", {"total": "90"})
    assert refusal(lambda: check_shares((0.5, 0.5)))[0] == "segments.shares_count"
    assert refusal(lambda: check_shares((0, 0.5, 0.5)))[0] == "segments.shares_count"


def test_shares_and_high_low_from_the_command_line():
    assert parse_shares("0.2,0.3,0.5") == (0.2, 0.3, 0.5)
    assert refusal(lambda: parse_shares("0.2,0.3,0.6")) == ("segments.shares_sum", {"total": "110"})
    assert refusal(lambda: parse_shares("0.2,x,0.8"))[0] == "segments.shares_count"
    assert parse_high_low("r=90;f=2;m=200") == {"r": 90, "f": 2, "m": 200}
    assert refusal(lambda: parse_high_low("r=0")) == ("segments.high_low_bad", {"axis": "R"})
    assert refusal(lambda: parse_high_low("m=1,2"))[0] == "segments.high_low_bad"


def test_rate_tables_in_toml_and_json(tmp_path):
    toml = tmp_path / "rates.toml"
    toml.write_text('base = "usd"\n[rates]\nCNY = 0.138\nEUR = 1.08\nUSD = 1\n', encoding="utf-8")
    assert read_rates(toml) == ({"CNY": 0.138, "EUR": 1.08}, "USD")
    data = tmp_path / "rates.json"
    data.write_text(json.dumps({"base": "USD", "rates": {"cny": "0.14"}}), encoding="utf-8")
    assert read_rates(data) == ({"CNY": 0.14}, "USD")
    assert missing_rates(["CNY", "USD", "GBP"], {"CNY": 0.14}, "USD") == ["GBP"]


BAD_RATES = [
    ('base = "USD"\n[rates]\nCNY = -1\n', "segments.rates_value"),
    ('base = "USD"\n[rates]\nCNY = "cheap"\n', "segments.rates_value"),
    ('base = "USD"\n[rates]\nYUAN = 0.14\n', "segments.rates_value"),
    ('base = "US"\n[rates]\nCNY = 0.14\n', "segments.rates_base"),
    ('[rates]\nCNY = 0.14\n', "segments.rates_base"),
    ('base = "USD"\n', "segments.rates_empty"),
    ('base = "USD"\n[rates]\nUSD = 1\n', "segments.rates_empty"),
    ("base = USD\n", "segments.rates_syntax"),
]


@pytest.mark.parametrize("text, message_id", BAD_RATES)
def test_bad_rate_tables_name_the_file_and_what_is_wrong(tmp_path, text, message_id):
    path = tmp_path / "my rates.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_rates(path)
    assert caught.value.problem.message_id == message_id
    assert caught.value.problem.message("en").startswith("my rates.toml: ")
    assert caught.value.problem.message("zh_CN").startswith("my rates.toml：")


def test_a_missing_rate_file_is_a_message_not_a_traceback(tmp_path):
    with pytest.raises(InputError) as caught:
        read_rates(tmp_path / "none.toml")
    assert caught.value.problem.message_id == "segments.rates_unreadable"
