"""Smart paste: a name, a phone and an address pasted as one text, split into the standard address fields.

``parse_contact("张三 13800138000 广东省深圳市南山区科技园南区8栋")`` gives the name, the phone (E.164 when
valid), the province / city / district in their official names with the 6-digit ``region_code``, the
remaining ``detail`` and ``problems`` for what is missing. It reads labelled forms (``收货人：… 手机号码：…
所在地区：… 详细地址：…``) and loose ones in any order, separated by spaces, commas, newlines or tabs; the
region is read by ``channels.normalize.address.split_region`` on the official 2026 division list.

Pure functions, no Django.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from channels.normalize.address import (
    country_code,
    has_districts,
    is_division_name,
    normalize_address,
    province_code,
    split_region,
)
from channels.normalize.names import format_name
from oms.core.phones import phone_to_e164

__all__ = ["parse_contact"]

FIELDS = (
    "name",
    "phone",
    "country",
    "province",
    "province_code",
    "city",
    "district",
    "detail",
    "postal_code",
    "region_code",
)

_SEPARATORS = r"[\s,，;；、|]+"
_MOBILE = r"1[3-9]\d(?:[\s-]?\d){8}"
_LANDLINE = r"(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[\s-]?[2-9]\d{6,7}"
_CN_PHONE = re.compile(
    rf"(?<![\d+])(?:(?:\+|00)?86[\s-]?)?(?P<number>{_MOBILE}|{_LANDLINE})(?:(?:-|转|#|ext\.?)(?P<extension>\d{{1,6}}))?(?!\d)"
)
_CN_POSTAL = re.compile(r"(?:(?<=^)|(?<=[\s,，;；、|:：]))[0-8]\d{5}(?=$|[\s,，;；、|])")

_LABELS = {
    "name": ("收货人姓名", "收件人姓名", "联系人姓名", "收货人", "收件人", "联系人", "姓名", "名字", "客户"),
    "phone": ("手机号码", "联系电话", "电话号码", "联系方式", "手机号", "手机", "电话"),
    "region": ("所在地区", "所在城市", "省市区", "所在地", "地区"),
    "detail": ("详细地址", "收货地址", "收件地址", "街道地址", "地址"),
    "postal": ("邮政编码", "邮编"),
}
_LATIN_LABELS = {
    "name": ("recipient", "consignee", "name"),
    "phone": ("mobile", "phone", "tel"),
    "detail": ("address",),
    "postal": ("postcode", "zip"),
}
_LABEL = re.compile(
    r"(?:^|(?<=[\s,，;；、|]))(?P<label>"
    + "|".join(
        sorted(
            [re.escape(word) for words in _LABELS.values() for word in words]
            + [word for words in _LATIN_LABELS.values() for word in words],
            key=len,
            reverse=True,
        )
    )
    + r")\s*(?:[:：]\s*|(?=[\u4e00-\u9fff\d]))",
    re.IGNORECASE,
)
_LABEL_KIND = {
    word.casefold(): kind
    for table in (_LABELS, _LATIN_LABELS)
    for kind, words in table.items()
    for word in words
}

_HAN = r"\u3400-\u9fff\uf900-\ufaff"
_HAN_NAME = re.compile(rf"[{_HAN}]{{2,4}}|[{_HAN}]{{1,10}}·[{_HAN}·]{{1,20}}")
_LATIN = "A-Za-z\u00c0-\u024f"
_LATIN_WORD = re.compile(rf"[{_LATIN}]+(?:[.'’-][{_LATIN}]*)*")
_HONORIFICS = ("先生", "女士", "小姐")
# The last characters of place words: a token ending so (科技园, 粤海街道, 8栋) is not a name.
_PLACE_ENDINGS = (
    *"路街道巷弄号栋幢楼室层座村镇乡区县市省州盟旗园苑府城湾庄屯里院厦场站馆店校司部处寓舍铺港桥",
    *("中心", "广场", "大学", "公司", "小区", "门口"),
)
_NAME_AT_END = re.compile(rf"^(?P<place>.*[\d号室栋幢楼层座户元])(?P<name>[{_HAN}]{{2,4}})$")

_FOREIGN_POSTAL = {
    "US": re.compile(r"\b\d{5}(?:-\d{4})?\b"),
    "GB": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
    "CA": re.compile(r"\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b", re.IGNORECASE),
    "DE": re.compile(r"\b\d{5}\b"),
    "FR": re.compile(r"\b\d{5}\b"),
    "JP": re.compile(r"〒?\s?\b\d{3}-\d{4}\b"),
    "NL": re.compile(r"\b\d{4}\s?[A-Z]{2}\b", re.IGNORECASE),
    "AU": re.compile(r"\b\d{4}\b"),
}


_MARK = "\x00"
# Countries whose addresses put the town beside the postcode and name no state.
_TOWN_WITH_POSTCODE = frozenset(
    {"DE", "FR", "NL", "AT", "CH", "BE", "IT", "ES", "PL", "DK", "SE", "NO", "FI", "GB"}
)


@cache
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    words = set()
    for line in (Path(__file__).resolve().parent / "data" / "surnames.txt").read_text("utf-8").splitlines():
        if not line.startswith("#"):
            words.update(line.split())
    return frozenset(w for w in words if len(w) == 2), frozenset(w for w in words if len(w) == 1)


def _surname(text: str) -> str:
    compound, single = _surnames()
    if text[:2] in compound:
        return text[:2]
    return text[:1] if text[:1] in single else ""


def _problem(code: str, message: str) -> dict:
    return {"code": code, "message": message}


def _prepare(text: str) -> str:
    """Full-width letters, digits and punctuation to their usual forms; one kind of middle dot."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[•・‧∙⋅]", "·", text).replace("\u3000", " ")


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " + text[end:]


# --- Chinese names ---------------------------------------------------------------------------------------


def _is_place(token: str) -> bool:
    if token.endswith(_PLACE_ENDINGS) or any(char.isdigit() for char in token):
        return True
    if is_division_name(token):
        return True
    return split_region(token).division is not None


def _han_name_score(token: str) -> int:
    """How much a token looks like a Chinese name (0: not at all)."""
    if not _HAN_NAME.fullmatch(token) or _is_place(token.removesuffix("先生").removesuffix("女士")):
        return 0
    score = 1
    if _surname(token):
        score += 3
    if token.endswith(_HONORIFICS):
        score += 3
    if "·" in token:
        score += 3
    if len(token) <= 3:
        score += 1
    return score


def _latin_groups(tokens: list[str]) -> list[tuple[int, int]]:
    """Runs of Latin words (``John Smith``) as (first, last + 1) token positions."""
    groups, start = [], None
    for position, token in enumerate([*tokens, ""]):
        if token and _LATIN_WORD.fullmatch(token):
            start = position if start is None else start
        elif start is not None:
            if position - start <= 4:
                groups.append((start, position))
            start = None
    return groups


def _take_name(tokens: list[str]) -> tuple[str, list[str]]:
    """The name among loose tokens, and the tokens left for the address."""
    for position in range(len(tokens) - 1):
        # 王 小明: a family name and a given name typed apart.
        head, given = tokens[position], tokens[position + 1]
        if _surname(head) == head and re.fullmatch(f"[{_HAN}]{{1,2}}", given) and not _is_place(head + given):
            tokens = [*tokens[:position], head + given, *tokens[position + 2 :]]
            break
    best: tuple[int, int, int] | None = None  # score, first, last + 1
    for position, token in enumerate(tokens):
        score = _han_name_score(token)
        if score and position in (0, len(tokens) - 1):
            score += 1
        if score >= 3 and (best is None or score > best[0]):
            best = (score, position, position + 1)
    if best is None:
        for first, last in _latin_groups(tokens):
            if first == 0 or last == len(tokens):
                best = (1, first, last)
                break
    if best is not None:
        _, first, last = best
        return " ".join(tokens[first:last]), tokens[:first] + tokens[last:]
    return "", tokens


def _name_glued(address: str) -> tuple[str, str]:
    """A name written against the address: ``张三广东省深圳市…`` or ``…科技园南区8栋张三``."""
    for length in (2, 3, 4):
        head, rest = address[:length], address[length:]
        is_name = _surname(head) and _HAN_NAME.fullmatch(head) and not _is_place(head)
        if is_name and split_region(rest).division is not None:
            return head, rest
    match = _NAME_AT_END.match(address)
    if match and _surname(match["name"]) and not _is_place(match["name"]):
        return match["name"], match["place"]
    return "", address


# --- the parsers ------------------------------------------------------------------------------------------


def _region_in(address: str):
    """The region at the start of the address, or after one or two stray words (they end the detail)."""
    tokens = address.split(" ")
    for skip in range(min(3, len(tokens))):
        found = split_region(" ".join(tokens[skip:]))
        if found.division is not None:
            return found, tokens[:skip]
    return split_region(address), []


def _labelled(text: str) -> tuple[dict[str, str], str]:
    """The values after labels (``收货人：李四``) and the text outside any label."""
    values: dict[str, str] = {}
    matches = list(_LABEL.finditer(text))
    if not matches:
        return values, text
    rest = text[: matches[0].start()]
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        value = text[match.end() : following.start() if following else len(text)].strip(" \t\r\n,，;；、|")
        kind = _LABEL_KIND[match["label"].casefold()]
        values[kind] = " ".join(part for part in (values.get(kind, ""), value) if part)
    return values, rest


def _chinese(text: str, result: dict, problems: list[dict]) -> None:
    text = text.replace("\n", " ").replace("\t", " ")
    phone = _CN_PHONE.search(text)
    extension = ""
    if phone:
        result["phone"] = re.sub(r"[\s()（）-]", "", phone.group(0)[: phone.end("number") - phone.start()])
        text = _blank(text, *phone.span())
        # A privacy number's or an office's extension (13800138000-1234, 0755-86013388转123): for the courier.
        extension = f"转{phone['extension']}" if phone["extension"] else ""
    postal = _CN_POSTAL.search(text)
    if postal:
        result["postal_code"] = postal.group(0)
        text = _blank(text, *postal.span())
    values, rest = _labelled(text)
    if values.get("postal") and not result["postal_code"]:
        result["postal_code"] = values.pop("postal")
    name_tokens = [token for token in re.split(_SEPARATORS, values.get("name", "")) if token]
    loose = [token for token in re.split(_SEPARATORS, rest) if token]
    if name_tokens and re.search(f"[{_HAN}]", name_tokens[0]):
        name, loose = name_tokens[0], name_tokens[1:] + loose
    elif name_tokens:
        name = " ".join(name_tokens)
    else:
        name, loose = _take_name(loose)
    address = " ".join(
        part
        for part in (values.get("region", ""), *loose, values.get("detail", ""), values.get("phone", ""))
        if part
    )
    address = " ".join(address.split())
    if not name and address:
        name, address = _name_glued(address)
    found, extra = _region_in(address)
    if not name and len(extra) == 1 and _surname(extra[0]) == extra[0]:
        name, extra = extra[0], []  # a family name alone: 陈 13800138000 广东省…
    result["name"] = format_name(name)
    if found.division is not None:
        division = found.division
        result.update(
            province=division.province,
            city=division.city,
            district=division.district,
            region_code=division.code,
            detail=" ".join(part for part in (found.detail, *extra, extension) if part),
            country="CN",
        )
        if not division.district and has_districts(division):
            problems.append(_problem("incomplete_address", "the district is missing or unknown"))
        elif not found.detail:
            problems.append(_problem("incomplete_address", "the street address is missing"))
    else:
        result["detail"] = " ".join(part for part in (address, extension) if part)
        if address:
            problems.append(_problem("unknown_region", "no province, city or district found in the address"))


def _foreign_name(segments: list[str]) -> tuple[str, list[str]]:
    """The name at the start: a first segment of Latin words, the Latin words before a house number
    (``Jean Tremblay 123 Rue…``) or a first CJK word that is not a place (``山田太郎 東京都…``)."""
    if not segments:
        return "", segments
    words = segments[0].split()
    latin = 0
    while latin < len(words) and _LATIN_WORD.fullmatch(words[latin]):
        latin += 1
    if latin == len(words) and latin <= 4:
        return segments[0], segments[1:]
    if 2 <= latin <= 4 and any(char.isdigit() for char in words[latin]):
        return " ".join(words[:latin]), [" ".join(words[latin:]), *segments[1:]]
    cjk_word = len(words) > 1 and re.fullmatch(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{2,6}", words[0])
    if cjk_word and not words[0].endswith(("都", "道", "府", "県", "市", "区", "町", "村")):
        return words[0], [" ".join(words[1:]), *segments[1:]]
    return "", segments


def _foreign_region(country: str, segments: list[str]) -> tuple[str, str, list[str]]:
    """The state (``CA``, ``Ontario``, ``東京都``) and the city before it, from the end of the address."""
    if not segments:
        return "", "", segments
    words = segments[-1].split()
    for size in (3, 2, 1):
        if len(words) >= size and province_code(country, " ".join(words[-size:])):
            province = " ".join(words[-size:])
            rest = " ".join(words[:-size])
            if rest:
                return province, "", [*segments[:-1], rest]
            if len(segments) >= 3:
                return province, segments[-2], segments[:-2]
            return province, "", segments[:-1]
    first = segments[0]
    for size in range(4, 1, -1):
        if province_code(country, first[:size]) and not first[:size].isascii():
            return first[:size], "", [first[size:].strip(), *segments[1:]]
    return "", "", segments


def _foreign(text: str, country: str, result: dict, problems: list[dict]) -> None:
    import phonenumbers

    for match in phonenumbers.PhoneNumberMatcher(text, country):
        result["phone"] = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        text = _blank(text, match.start, match.end)
        break
    pattern = _FOREIGN_POSTAL.get(country)
    postal = list(pattern.finditer(text)) if pattern else []
    if postal:
        result["postal_code"] = postal[-1].group(0).lstrip("〒 ")
        start, end = postal[-1].span()
        text = text[:start] + _MARK + text[end:]
    values, rest = _labelled(text)
    segments = [" ".join(part.split()) for part in re.split(r"[\n,;|]+", rest) if part.strip(" .-")]
    name = values.get("name", "")
    if not name:
        name, segments = _foreign_name(segments)
    if values.get("detail"):
        segments.append(values["detail"])
    town = next((position for position, segment in enumerate(segments) if _MARK in segment), None)
    segments = [" ".join(segment.replace(_MARK, " ").split()) for segment in segments]
    if country in _TOWN_WITH_POSTCODE and town is not None and segments[town] and town > 0:
        # 10115 Berlin, London SW1A 2AA: the words beside the postcode are the town.
        result["city"] = segments.pop(town)
    else:
        result["province"], result["city"], segments = _foreign_region(country, segments)
    result["name"] = format_name(name)
    result["detail"] = ", ".join(segment for segment in segments if segment.strip(" .-"))
    if not result["detail"]:
        problems.append(_problem("missing_address", "no address found"))


def parse_contact(text: str, country: str = "CN") -> dict:
    """Split pasted text into name, phone and address; see the module docstring."""
    text = _prepare(text)
    country = country_code(country or "") or country_code("", text) or "CN"
    result = dict.fromkeys(FIELDS, "")
    result["country"] = country
    problems: list[dict] = []
    if country == "CN":
        _chinese(text, result, problems)
    else:
        _foreign(text, country, result, problems)
        result.update({key: value for key, value in normalize_address(dict(result)).items() if key in FIELDS})
    if result["phone"]:
        e164 = phone_to_e164(result["phone"], country)
        if e164:
            result["phone"] = e164
        else:
            problems.append(_problem("invalid_phone", f"{result['phone']!r} is not a valid phone number"))
    else:
        problems.append(_problem("missing_phone", "no phone number found"))
    if not result["name"]:
        problems.append(_problem("missing_name", "no name found"))
    if not (result["detail"] or result["region_code"]) and not any(
        p["code"] == "missing_address" for p in problems
    ):
        problems.append(_problem("missing_address", "no address found"))
    result["problems"] = problems
    return result
