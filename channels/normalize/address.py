"""Addresses from channels to the standard shape of CONTRACT.md.

In China the province / city / district are completed to their official full names (广东 → 广东省, 深圳 →
深圳市, the municipalities' city = province), from whatever field the channel put them in (``广东深圳`` in
the province field, a district in the city field, 济源市 in the district field, or the whole address in
``detail``), and ``region_code`` gets the 6-digit division code. Names come from ``oms.core.divisions``
(the 2026 official list); this module adds a scanner that reads a run of division names at the start of a
text, the Latin names of ``data/latin_names.csv`` (Shopify's ``Guangdong``, ``Shenzhen``) and the former
names of ``data/former_names.csv`` (襄樊 → 襄阳市, 渝北区 → 两江新区): ``data/SOURCE.md`` says where they
come from. Text that is not understood is kept where it was given (the core then raises ``unknown_region``
or ``incomplete_address``); nothing is dropped. Masked values (``王**``) are left untouched.

Outside China the fields are only tidied: whitespace, the postal code's case and spacing where the country
writes it so, and ``province_code`` for the subdivisions in ``data/subdivisions.csv``.

Pure functions, no Django.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from channels.normalize.names import format_name
from oms.core import divisions
from oms.core.addresses import is_masked
from oms.core.divisions import Division

__all__ = [
    "RegionMatch",
    "country_code",
    "has_districts",
    "is_division_name",
    "normalize_address",
    "postal_code",
    "province_code",
    "split_region",
]

DATA = Path(__file__).resolve().parent / "data"

_FULL, _SHORT, _FORMER = 0, 1, 2
_LEVEL_RANK = {"province": 0, "city": 1, "district": 2}

# What official tables and some platforms put where a level does not exist.
_PLACEHOLDERS = (
    "自治区直辖县级行政区划",
    "省直辖县级行政区划",
    "省直辖县级行政单位",
    "省直辖行政单位",
    "直辖县级",
    "市辖区",
    "县",
)
_COUNTRY_WORDS = ("中华人民共和国", "中国大陆", "中国")
_SEPARATORS = " \t\r\n,，、;；|/\\-－—:：()（）[]【】"
# A short name (南山 for 南山区) followed by these is a street or a place, not the division: 中山路, 朝阳门.
_NOT_AFTER_SHORT = (
    "路",
    "街",
    "道",
    "大道",
    "巷",
    "弄",
    "胡同",
    "里",
    "门",
    "桥",
    "村",
    "镇",
    "乡",
    "广场",
    "大厦",
    "公园",
    "花园",
    "小区",
    "社区",
    "站",
    "机场",
    "口岸",
    "中学",
    "小学",
    "大学",
    "医院",
)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af県]")  # 県: Japanese only
_LATIN_SUFFIXES = (
    "specialadministrativeregion",
    "autonomousregion",
    "autonomousprefecture",
    "municipality",
    "prefecture",
    "province",
    "district",
    "county",
    "zizhiqu",
    "zizhizhou",
    "sheng",
    "city",
    "shi",
    "qu",
    "xian",
    "sar",
)

_COUNTRIES = {
    "cn": "CN",
    "chn": "CN",
    "china": "CN",
    "prc": "CN",
    "peoplesrepublicofchina": "CN",
    "mainlandchina": "CN",
    "chinamainland": "CN",
    "中国": "CN",
    "中国大陆": "CN",
    "中华人民共和国": "CN",
    "us": "US",
    "usa": "US",
    "unitedstates": "US",
    "unitedstatesofamerica": "US",
    "美国": "US",
    "uk": "GB",
    "gb": "GB",
    "gbr": "GB",
    "unitedkingdom": "GB",
    "greatbritain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "英国": "GB",
    "hongkong": "HK",
    "香港": "HK",
    "中国香港": "HK",
    "macau": "MO",
    "macao": "MO",
    "澳门": "MO",
    "中国澳门": "MO",
    "taiwan": "TW",
    "台湾": "TW",
    "中国台湾": "TW",
    "japan": "JP",
    "日本": "JP",
    "germany": "DE",
    "deutschland": "DE",
    "德国": "DE",
    "canada": "CA",
    "加拿大": "CA",
    "australia": "AU",
    "澳大利亚": "AU",
    "netherlands": "NL",
    "thenetherlands": "NL",
    "nederland": "NL",
    "france": "FR",
    "singapore": "SG",
    "新加坡": "SG",
}


# --- the name index -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Index:
    divisions: dict[str, Division]
    parents: dict[str, str]
    has_children: frozenset[str]
    names: dict[str, tuple[tuple[str, int], ...]]  # a name → (code, kind) of every division it can mean
    longest: int
    latin: dict[str, tuple[str, ...]]  # a Latin name key → codes


def _latin_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "").casefold()
    return "".join(char for char in decomposed if "a" <= char <= "z")


def _latin_stem(key: str) -> str:
    for suffix in _LATIN_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            return key[: -len(suffix)]
    return key


@cache
def _index() -> _Index:
    found: dict[str, Division] = {}
    parents: dict[str, str] = {}
    stack = [(division, "") for division in divisions.provinces()]
    while stack:
        division, parent = stack.pop()
        found[division.code] = division
        parents[division.code] = parent
        stack.extend((child, division.code) for child in divisions.children(division.code))
    names: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for code, division in found.items():
        names[division.name].append((code, _FULL))
        for alias in divisions.short_names(division.name):
            names[alias].append((code, _SHORT))
    with (DATA / "former_names.csv").open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            if row["code"] in found:
                names[row["name"]].append((row["code"], _FORMER))
    latin: dict[str, list[str]] = defaultdict(list)
    with (DATA / "latin_names.csv").open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            if row["code"] in found and row["code"] not in latin[row["name"]]:
                latin[row["name"]].append(row["code"])
    return _Index(
        divisions=found,
        parents=parents,
        has_children=frozenset(parents.values()) - {""},
        names={name: tuple(dict.fromkeys(entries)) for name, entries in names.items()},
        longest=max(len(name) for name in names),
        latin={key: tuple(codes) for key, codes in latin.items()},
    )


def _ancestors(index: _Index, code: str) -> list[str]:
    chain = []
    while code:
        chain.append(code)
        code = index.parents[code]
    return chain


def _is_leaf(index: _Index, code: str) -> bool:
    return code not in index.has_children


# --- the scanner ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    part: int  # which text of the sequence
    start: int
    end: int
    codes: tuple[str, ...]  # every division the names read so far can still mean


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SEPARATORS:
        pos += 1
    return pos


def _placeholder_at(text: str, pos: int) -> int:
    for word in _PLACEHOLDERS:
        end = pos + len(word)
        if text.startswith(word, pos) and (len(word) > 2 or end == len(text) or text[end] in _SEPARATORS):
            return end
    return 0


def _candidates(index: _Index, text: str, pos: int, context: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
    """The longest division name at ``pos`` that fits ``context``: its end and the divisions it can mean.

    A name fits when it is below a division of the context, or repeats one of them or a level above it in
    full (北京市 again after 北京市朝阳区: the context stays).
    """
    for end in range(min(len(text), pos + index.longest), pos, -1):
        entries = index.names.get(text[pos:end])
        if not entries:
            continue
        follows = text[end:]
        codes = []
        for code, kind in entries:
            if kind != _FULL and follows.startswith(_NOT_AFTER_SHORT):
                continue
            if not context:
                division = index.divisions[code]
                if division.level != "district" or (kind == _FULL and end - pos >= 3):
                    # A district named alone is read only by its full name of 3+ characters (昆山市, 朝阳区):
                    # 东区, 南山 at the start of a text are more likely a street than a district.
                    codes.append(code)
                continue
            for known in context:
                if known in _ancestors(index, code):
                    codes.append(code)
                elif kind == _FULL and code in _ancestors(index, known):
                    codes.append(known)
        if codes:
            return end, tuple(dict.fromkeys(codes))
    return 0, ()


def _scan(index: _Index, texts: list[str], context: tuple[str, ...] = ()) -> list[_Step]:
    """Read division names from the start of each text in turn, each fitting the ones before."""
    steps: list[_Step] = []
    codes = context
    for part, text in enumerate(texts):
        pos = _skip(text, 0)
        country = (
            next((word for word in _COUNTRY_WORDS if text.startswith(word, pos)), "") if not part else ""
        )
        if country:
            steps.append(_Step(part, pos, pos + len(country), codes))
            pos = _skip(text, pos + len(country))
        while pos < len(text):
            end = _placeholder_at(text, pos)
            if end:
                steps.append(_Step(part, pos, end, codes))
                pos = _skip(text, end)
                continue
            end, found = _candidates(index, text, pos, codes)
            if not end:
                break
            codes = found
            steps.append(_Step(part, pos, end, codes))
            pos = _skip(text, end)
    return steps


def _choose(index: _Index, codes: tuple[str, ...]) -> str | None:
    """One division out of what a name can mean: the only one, or the only one of the highest level."""
    if len(codes) == 1:
        return codes[0]
    top = min(_LEVEL_RANK[index.divisions[code].level] for code in codes)
    highest = [code for code in codes if _LEVEL_RANK[index.divisions[code].level] == top]
    return highest[0] if len(highest) == 1 else None


def _settle(
    index: _Index, steps: list[_Step], context: tuple[str, ...] = ()
) -> tuple[str | None, list[_Step]]:
    """The division the steps name, dropping trailing names that stay ambiguous (鼓楼区 with no city)."""
    steps = list(steps)
    while steps:
        chosen = _choose(index, steps[-1].codes) if steps[-1].codes else None
        if chosen:
            return chosen, steps
        steps.pop()
    return (context[0] if len(context) == 1 else None), steps


# --- the public pieces ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionMatch:
    division: Division | None
    detail: str  # the text after the division names
    region_text: str  # the division names as written


def split_region(text: str, within: Division | None = None) -> RegionMatch:
    """Read the division names at the start of a Chinese address: ``深圳南山区科技园`` → 南山区 + ``科技园``.

    The province may be missing (深圳市… gives 广东省), a municipality may lack 市 (北京朝阳区), names may be
    short (广东深圳), former (襄樊) or separated by spaces; towns and streets (街道, 镇, 乡) stay in the
    detail. ``within`` limits the names to that division and below. A name that stays ambiguous (朝阳区 with
    no city) is left in the detail.
    """
    index = _index()
    text = " ".join((text or "").split())
    context = (within.code,) if within else ()
    code, steps = _settle(index, _scan(index, [text], context), context)
    end = steps[-1].end if steps else 0
    return RegionMatch(
        division=index.divisions[code] if code else None,
        detail=text[end:].lstrip(_SEPARATORS),
        region_text=text[:end].strip(),
    )


def is_division_name(text: str) -> bool:
    """Whether ``text`` is the name of a division, official, short or former (深圳市, 深圳, 襄樊)."""
    return text in _index().names


def has_districts(division: Division) -> bool:
    """Whether addresses in ``division`` need a lower level (东莞市, 济源市 and 仙桃市 have none)."""
    return not _is_leaf(_index(), division.code)


def country_code(country: str, *texts: str) -> str:
    """ISO 3166 alpha-2 of a country as channels write it (``China``, ``中国``, ``us``); empty stays empty
    unless the address is written in Chinese (Han characters without Japanese kana or Korean hangul)."""
    value = " ".join((country or "").split())
    if value:
        key = _latin_key(value) or value.replace(" ", "")
        return _COUNTRIES.get(key, value.upper() if len(value) == 2 else value)
    joined = "".join(texts)
    if _HAN.search(joined) and not _KANA_HANGUL.search(joined):
        return "CN"
    if any(_latin_province(text) for text in texts[:1]):
        return "CN"
    return ""


def _latin_province(text: str) -> str | None:
    key = _latin_key(text)
    if not key or _HAN.search(text or ""):
        return None
    index = _index()
    for candidate in (key, _latin_stem(key)):
        codes = [code for code in index.latin.get(candidate, ()) if index.divisions[code].level == "province"]
        if len(codes) == 1:
            return codes[0]
    return None


def _latin_below(text: str, context: str) -> str | None:
    """The division below ``context`` whose Latin name is ``text`` (``Shenzhen``, ``Nanshan District``)."""
    key = _latin_key(text)
    if not key or _HAN.search(text or ""):
        return None
    index = _index()
    for candidate in (key, _latin_stem(key)):
        codes = [
            code
            for code in index.latin.get(candidate, ())
            if not context or context in _ancestors(index, code)
        ]
        if not context:
            codes = [code for code in codes if index.divisions[code].level == "city"]
        if len(codes) == 1:
            return codes[0]
    return None


def _clean(value) -> str:
    return " ".join(str(value if value is not None else "").split())


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def normalize_address(address: dict) -> dict:
    """The channel's address in the standard shape: same keys, official names and ``region_code`` in China.

    See the module docstring. Keys other than the standard ones pass through untouched.
    """
    out = dict(address or {})
    for key, value in out.items():
        if isinstance(value, str) and not is_masked(value):
            out[key] = _clean(value)
    if out.get("name") and not is_masked(out["name"]):
        out["name"] = format_name(out["name"])
    fields = [out.get(key) or "" for key in ("province", "city", "district", "detail")]
    country = country_code(out.get("country") or "", *fields)
    if "country" in out or country:
        out["country"] = country
    if (country or "CN") != "CN":
        return _foreign(out, country)
    return _chinese(out)


def _chinese(out: dict) -> dict:
    index = _index()
    keys = ("province", "city", "district")
    given = [out.get(key) or "" for key in keys]
    if any(is_masked(value) for value in given):
        return out
    texts = list(given)
    for position, text in enumerate(texts):
        # Latin names as Shopify sends them (Guangdong / Shenzhen / Nanshan District), read in the context
        # of the fields before.
        if text and not _HAN.search(text):
            above, _ = _settle(index, _scan(index, texts[:position]))
            code = _latin_province(text) if position == 0 else _latin_below(text, above or "")
            if code:
                texts[position] = index.divisions[code].name
    code, steps = _settle(index, _scan(index, texts))
    if code is None and not any(texts):
        from_code = divisions.by_code(out.get("region_code") or "")
        code = from_code.code if from_code else None
    detail = out.get("detail") or ""
    if not is_masked(detail) and (code or not any(texts)):
        # The detail starts with the region too, or is all there is: read it there and take it out.
        context = (code,) if code else ()
        more, more_steps = _settle(index, _scan(index, [detail], context), context)
        if more_steps:
            code, detail = more, detail[more_steps[-1].end :].lstrip(_SEPARATORS)
    if code is None:
        return out
    division = index.divisions[code]
    resolved = [division.province, division.city, division.district]
    # A level the division does not have (东莞市 has no district) takes nothing: text there joins the detail.
    closed = [True, True, bool(division.district) or _is_leaf(index, code)]
    read = defaultdict(int)
    for step in steps:
        read[step.part] = max(read[step.part], step.end)
    leftovers = []
    for position in range(3):
        rest = texts[position][read[position] :].strip(_SEPARATORS)
        if rest and texts[position] != given[position] and not read[position]:
            rest = given[position]
        if resolved[position] or (closed[position] and division.level != "province"):
            if rest:
                leftovers.append(rest)
        else:
            resolved[position] = rest
    out.update(zip(keys, resolved, strict=True))
    out["detail"] = _join(*leftovers, detail)
    out["region_code"] = division.code
    return out


# --- outside China --------------------------------------------------------------------------------------


@cache
def _subdivisions() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = defaultdict(dict)
    with (DATA / "subdivisions.csv").open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            codes = table[row["country"]]
            codes[row["code"].casefold()] = row["code"]
            codes[_subdivision_key(row["name"])] = row["code"]
    return dict(table)


def _subdivision_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name).casefold()
    return "".join(char for char in decomposed if char.isalnum() and not unicodedata.combining(char))


def province_code(country: str, province: str) -> str:
    """The subdivision code of a state or province as the country's post writes it (``California`` → CA)."""
    codes = _subdivisions().get(country, {})
    text = _clean(province)
    if not text:
        return ""
    code = text.upper().removeprefix(f"{country}-")
    return codes.get(code.casefold()) or codes.get(_subdivision_key(text), "")


_POSTAL_FORMATS = {
    "GB": re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$"),
    "CA": re.compile(r"^([A-Z]\d[A-Z])\s*(\d[A-Z]\d)$"),
    "NL": re.compile(r"^(\d{4})\s*([A-Z]{2})$"),
}


def postal_code(country: str, value: str) -> str:
    text = _clean(value)
    pattern = _POSTAL_FORMATS.get(country)
    if pattern is None:
        return text
    text = text.upper()
    match = pattern.match(text)
    return f"{match.group(1)} {match.group(2)}" if match else text


def _foreign(out: dict, country: str) -> dict:
    if out.get("postal_code") and not is_masked(out["postal_code"]):
        out["postal_code"] = postal_code(country, out["postal_code"])
    province = out.get("province") or ""
    if province and not is_masked(province):
        code = province_code(country, province)
        if code:
            out["province_code"] = code
        elif out.get("province_code"):
            out["province_code"] = _clean(out["province_code"]).upper()
    return out
