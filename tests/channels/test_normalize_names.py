"""People's names: Latin names capitalised, Chinese names family name first without a space (pure)."""

from __future__ import annotations

import pytest

from channels.normalize.names import format_name, full_name, has_cjk


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("o'brien", "O'Brien"),
        ("MÜLLER", "Müller"),
        ("jean-luc picard", "Jean-Luc Picard"),
        ("JEAN-LUC PICARD", "Jean-Luc Picard"),
        ("mary o’neil", "Mary O’Neil"),
        ("ÉMILE ZOLA", "Émile Zola"),
        ("anne-marie o'neill-smith", "Anne-Marie O'Neill-Smith"),
        ("mcdonald", "McDonald"),
        ("ludwig van beethoven", "Ludwig van Beethoven"),
        ("LEONARDO DA VINCI", "Leonardo da Vinci"),
        ("henry viii", "Henry VIII"),
        ("john smith iii", "John Smith III"),
        ("li xi", "Li Xi"),
        ("  john   smith  ", "John Smith"),
        # written in mixed case: kept as the owner wrote it
        ("McDonald", "McDonald"),
        ("DeShawn Jones", "DeShawn Jones"),
        ("van Gogh", "van Gogh"),
        ("Ronald MacDonald", "Ronald MacDonald"),
        # Chinese: no spaces, one kind of middle dot
        ("张三", "张三"),
        ("张 三", "张三"),
        ("欧阳 娜娜", "欧阳娜娜"),
        ("司马 相如", "司马相如"),
        ("  诸葛亮 ", "诸葛亮"),
        ("迪丽热巴•迪力木拉提", "迪丽热巴·迪力木拉提"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("王**", "王**"),
        ("", ""),
        (None, ""),
    ],
)
def test_format_name(given, expected):
    assert format_name(given) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("丽", "张", "张丽"),
        ("娜娜", "欧阳", "欧阳娜娜"),
        ("相如", "司马", "司马相如"),
        (" 三 ", " 张 ", "张三"),
        ("mary", "o'brien", "Mary O'Brien"),
        ("John", "SMITH", "John Smith"),
        ("jean-luc", "picard", "Jean-Luc Picard"),
        ("Tai Man", "CHAN", "Tai Man Chan"),
        ("DeShawn", "Jones", "DeShawn Jones"),
        ("Jane", "", "Jane"),
        ("", "Doe", "Doe"),
        (None, "王", "王"),
        (None, None, ""),
    ],
)
def test_full_name(first, last, expected):
    assert full_name(first, last) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("张三", True), ("John 张", True), ("John", False), ("", False)]
)
def test_has_cjk(text, expected):
    assert has_cjk(text) is expected
