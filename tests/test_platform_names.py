"""Names as a seller reads them in each language: marketplaces and their reports (core.platforms,
from every bundled profile) and region codes (core.countries.region_name)."""
import tomllib

from core.platforms import platform_name, report_name, supported_platforms
from core.resources import RESOURCES


def test_every_profile_names_its_platform_and_report_in_chinese():
    for path in sorted((RESOURCES / "profiles").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert data.get("platform_zh") and data.get("report_zh"), path.name
        assert platform_name(data["platform"], "zh_CN") == data["platform_zh"]
        assert report_name(data["platform"], data["report"], "zh_CN") == data["report_zh"]
        assert platform_name(data["platform"], "en") == data["platform"]  # English: the id as it is


def test_names_in_each_language():
    assert platform_name("Taobao/Tmall", "zh_CN") == "淘宝/天猫" and platform_name("JD", "zh") == "京东"
    assert report_name("Etsy", "Sold Orders", "zh_CN") == "已售订单"
    assert report_name("Etsy", "Sold Orders", "en") == "Sold Orders"
    assert platform_name("Mercado Libre", "zh_CN") == "Mercado Libre"  # no profile: as written
    assert "淘宝/天猫" in supported_platforms("zh_CN") and "Taobao/Tmall" in supported_platforms("en")
    assert len(supported_platforms("zh_CN")) == len(supported_platforms("en"))


def test_region_codes_are_named_for_their_country():
    from core.countries import region_name

    assert region_name("VT", "US", "zh_CN") == "佛蒙特州" and region_name("vt", "United States") == "Vermont"
    assert region_name("WA", "AU", "zh_CN") == "西澳大利亚州" and region_name("WA", "US", "zh_CN") == "华盛顿州"
    assert region_name("QC", "Canada", "zh_CN") == "魁北克省"
    assert region_name("Bayern", "DE", "zh_CN") == "Bayern" and region_name("VT", None) == "VT"
