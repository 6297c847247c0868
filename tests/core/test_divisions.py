"""Chinese administrative divisions: lookup by names and codes (no database)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from oms.core import divisions
from oms.core.divisions import Division, by_code, children, provinces, resolve

PROVINCES = [
    ("北京", "北京市", "110000"),
    ("天津", "天津市", "120000"),
    ("河北", "河北省", "130000"),
    ("山西", "山西省", "140000"),
    ("内蒙古", "内蒙古自治区", "150000"),
    ("辽宁", "辽宁省", "210000"),
    ("吉林", "吉林省", "220000"),
    ("黑龙江", "黑龙江省", "230000"),
    ("上海", "上海市", "310000"),
    ("江苏", "江苏省", "320000"),
    ("浙江", "浙江省", "330000"),
    ("安徽", "安徽省", "340000"),
    ("福建", "福建省", "350000"),
    ("江西", "江西省", "360000"),
    ("山东", "山东省", "370000"),
    ("河南", "河南省", "410000"),
    ("湖北", "湖北省", "420000"),
    ("湖南", "湖南省", "430000"),
    ("广东", "广东省", "440000"),
    ("广西", "广西壮族自治区", "450000"),
    ("海南", "海南省", "460000"),
    ("重庆", "重庆市", "500000"),
    ("四川", "四川省", "510000"),
    ("贵州", "贵州省", "520000"),
    ("云南", "云南省", "530000"),
    ("西藏", "西藏自治区", "540000"),
    ("陕西", "陕西省", "610000"),
    ("甘肃", "甘肃省", "620000"),
    ("青海", "青海省", "630000"),
    ("宁夏", "宁夏回族自治区", "640000"),
    ("新疆", "新疆维吾尔自治区", "650000"),
    ("台湾", "台湾省", "710000"),
    ("香港", "香港特别行政区", "810000"),
    ("澳门", "澳门特别行政区", "820000"),
]


@pytest.mark.parametrize(("short", "full", "code"), PROVINCES)
def test_every_province_by_short_and_full_name(short, full, code):
    for name in (short, full):
        division = resolve(province=name)
        assert division is not None, name
        assert (division.code, division.province, division.district) == (code, full, "")
        assert division.level == "province"
        assert division.name == full


@pytest.mark.parametrize(
    ("province", "city", "district", "code", "full_names"),
    [
        ("广东省", "深圳市", "光明区", "440311", ("广东省", "深圳市", "光明区")),
        ("广东", "深圳", "坪山区", "440310", ("广东省", "深圳市", "坪山区")),
        ("山东省", "济南市", "莱芜区", "370116", ("山东省", "济南市", "莱芜区")),
        ("山东", "济南", "钢城区", "370117", ("山东省", "济南市", "钢城区")),
        ("陕西省", "西安市", "鄠邑区", "610118", ("陕西省", "西安市", "鄠邑区")),
        ("浙江省", "杭州市", "临平区", "330113", ("浙江省", "杭州市", "临平区")),
        ("浙江", "杭州", "钱塘区", "330114", ("浙江省", "杭州市", "钱塘区")),
        ("浙江", "杭州", "西湖区", "330106", ("浙江省", "杭州市", "西湖区")),
        ("四川省", "成都市", "新津区", "510118", ("四川省", "成都市", "新津区")),
        ("上海市", "上海市", "浦东新区", "310115", ("上海市", "上海市", "浦东新区")),
        ("江苏省", "南京市", "江北新区", "320100", ("江苏省", "南京市", "")),
        ("江苏", "南京", "鼓楼区", "320106", ("江苏省", "南京市", "鼓楼区")),
        ("重庆", "", "两江新区", "500157", ("重庆市", "重庆市", "两江新区")),
        ("江苏省", "苏州市", "昆山市", "320583", ("江苏省", "苏州市", "昆山市")),
        ("浙江", "金华", "义乌", "330782", ("浙江省", "金华市", "义乌市")),
        ("江苏", "昆山", "", "320583", ("江苏省", "苏州市", "昆山市")),
        ("湖北", "仙桃", "", "429004", ("湖北省", "仙桃市", "")),
        ("湖北", "", "仙桃市", "429004", ("湖北省", "仙桃市", "")),
        ("广东", "东莞", "", "441900", ("广东省", "东莞市", "")),
        ("海南", "儋州市", "", "460400", ("海南省", "儋州市", "")),
        ("新疆", "石河子", "", "659001", ("新疆维吾尔自治区", "石河子市", "")),
        ("湖北", "恩施州", "恩施", "422801", ("湖北省", "恩施土家族苗族自治州", "恩施市")),
        ("四川", "凉山州", "西昌市", "513401", ("四川省", "凉山彝族自治州", "西昌市")),
        ("内蒙古", "锡林郭勒", "锡林浩特", "152502", ("内蒙古自治区", "锡林郭勒盟", "锡林浩特市")),
        ("广西", "南宁", "青秀", "450103", ("广西壮族自治区", "南宁市", "青秀区")),
        ("宁夏", "银川", "兴庆区", "640104", ("宁夏回族自治区", "银川市", "兴庆区")),
        ("西藏", "拉萨", "城关区", "540102", ("西藏自治区", "拉萨市", "城关区")),
        ("新疆", "阿克苏", "库车", "652902", ("新疆维吾尔自治区", "阿克苏地区", "库车市")),
        ("湖北", "", "神农架", "429021", ("湖北省", "神农架林区", "")),
        ("云南", "西双版纳", "景洪市", "532801", ("云南省", "西双版纳傣族自治州", "景洪市")),
        ("广东", "深圳", "南山", "440305", ("广东省", "深圳市", "南山区")),
        (" 广东 ", " 深圳市 ", "\t南山区 ", "440305", ("广东省", "深圳市", "南山区")),
        ("", "杭州", "临平", "330113", ("浙江省", "杭州市", "临平区")),
        ("", "", "昆山市", "320583", ("江苏省", "苏州市", "昆山市")),
        ("辽宁", "", "朝阳市", "211300", ("辽宁省", "朝阳市", "")),
        ("辽宁", "朝阳", "朝阳县", "211321", ("辽宁省", "朝阳市", "朝阳县")),
        ("辽宁", "朝阳", "", "211300", ("辽宁省", "朝阳市", "")),
        ("广东", "不存在市", "南山区", "440305", ("广东省", "深圳市", "南山区")),
    ],
)
def test_resolve_names_and_short_forms(province, city, district, code, full_names):
    division = resolve(province, city, district)
    assert division is not None
    assert division.code == code
    assert (division.province, division.city, division.district) == full_names


@pytest.mark.parametrize(
    ("province", "city", "district"),
    [
        ("北京", "", "朝阳区"),
        ("北京市", "北京市", "朝阳区"),
        ("北京", "市辖区", "朝阳区"),
        ("北京市", "北京", "朝阳"),
        ("", "北京", "朝阳区"),
        ("北京", "朝阳区", ""),
    ],
)
def test_municipality_layouts(province, city, district):
    division = resolve(province, city, district)
    assert division == by_code("110105")
    assert (division.province, division.city, division.district) == ("北京市", "北京市", "朝阳区")


def test_municipality_itself_is_its_own_city():
    beijing = resolve("北京")
    assert (beijing.code, beijing.province, beijing.city, beijing.district) == (
        "110000",
        "北京市",
        "北京市",
        "",
    )
    assert resolve("北京市", "北京市") == beijing
    assert resolve(city="北京") == beijing
    assert resolve("重庆", "重庆市", "江北区") == by_code("500000")


@pytest.mark.parametrize(
    ("province", "city", "district", "code"),
    [
        ("吉林省", "长春市", "朝阳区", "220104"),
        ("吉林", "", "朝阳区", "220104"),
        ("", "长春", "朝阳区", "220104"),
        ("北京", "", "朝阳区", "110105"),
        ("", "", "朝阳区", None),
        ("", "", "西湖区", None),
        ("江苏", "", "鼓楼区", "320000"),
        ("辽宁", "", "朝阳", "211321"),
    ],
)
def test_ambiguous_names_use_the_levels_given(province, city, district, code):
    division = resolve(province, city, district)
    assert (division.code if division else None) == code


@pytest.mark.parametrize(
    ("province", "city", "district", "code"),
    [
        ("广东", "深圳", "不存在区", "440300"),
        ("广东", "不存在市", "", "440000"),
        ("浙江", "杭州", "", "330100"),
        ("浙江省", "", "", "330000"),
    ],
)
def test_unknown_lower_levels_fall_back_to_the_level_above(province, city, district, code):
    division = resolve(province, city, district)
    assert division is not None
    assert division.code == code
    assert division.district == ""


@pytest.mark.parametrize(
    ("province", "city", "district"),
    [
        ("", "", ""),
        ("  ", "\u3000", ""),
        ("火星省", "", ""),
        ("火星省", "深圳", "南山区"),
        ("", "", "不存在区"),
        ("", "不存在市", ""),
    ],
)
def test_unknown_input_gives_none(province, city, district):
    assert resolve(province, city, district) is None


def test_every_division_resolves_from_its_own_full_names():
    everything = [division for province in provinces() for division in _descendants(province)]
    assert len(everything) == 3214
    wrong = [d.code for d in everything if resolve(d.province, d.city, d.district) != d]
    assert wrong == []


@pytest.mark.parametrize(
    "code", ["110105", "220104", "440311", "330113", "429004", "441900", "650000", "810000"]
)
def test_by_code_round_trip(code):
    division = by_code(code)
    assert division is not None
    assert division.code == code
    assert by_code(code + "000000") == division
    assert resolve(division.province, division.city, division.district) == division


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("110100", "110000"),
        ("500200", "500000"),
        (" 440305 ", "440305"),
        ("999999", None),
        ("", None),
        ("4403", None),
        ("440305000001", None),
    ],
)
def test_by_code_edge_cases(code, expected):
    division = by_code(code)
    assert (division.code if division else None) == expected


def test_provinces_are_the_34_province_level_units():
    found = provinces()
    assert [p.code for p in found] == [code for _, _, code in PROVINCES]
    assert all(p.level == "province" and p.district == "" for p in found)


def test_children():
    assert [d.district for d in children("440300")] == [
        "罗湖区",
        "福田区",
        "南山区",
        "宝安区",
        "龙岗区",
        "盐田区",
        "龙华区",
        "坪山区",
        "光明区",
    ]
    beijing = children("110000")
    assert len(beijing) == 16
    assert all(d.city == "北京市" and d.level == "district" for d in beijing)
    assert children("110100") == beijing
    hubei = {d.city for d in children("420000")}
    assert {"武汉市", "恩施土家族苗族自治州", "仙桃市", "神农架林区"} <= hubei
    assert children("441900") == []
    assert children("999999") == []


def test_coordinates_are_inside_china_and_near_the_seat():
    everything = [division for province in provinces() for division in _descendants(province)]
    located = [d for d in everything if d.latitude is not None and d.longitude is not None]
    assert len(everything) - len(located) <= 10
    assert all(3 < d.latitude < 54 and 73 < d.longitude < 136 for d in located)
    chaoyang = by_code("110105")
    assert chaoyang.latitude == pytest.approx(39.92, abs=0.05)
    assert chaoyang.longitude == pytest.approx(116.44, abs=0.05)
    guangming = by_code("440311")
    assert guangming.latitude == pytest.approx(22.75, abs=0.1)
    assert guangming.longitude == pytest.approx(113.92, abs=0.1)


def test_division_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        by_code("110105").code = "x"
    assert isinstance(by_code("110105"), Division)


def test_loading_is_lazy_cached_and_fast():
    divisions._index.cache_clear()
    started = time.perf_counter()
    assert resolve("广东", "深圳", "南山") is not None
    assert time.perf_counter() - started < 0.5
    assert divisions._index() is divisions._index()


def _descendants(division: Division) -> list[Division]:
    found = [division]
    for child in children(division.code):
        found += _descendants(child)
    return found
