"""Smart paste: name, phone and address in one text, split into the standard fields (pure, no database)."""

from __future__ import annotations

import pytest

from channels.normalize.paste import parse_contact

KEYS = ("name", "phone", "province", "city", "district", "region_code", "detail", "postal_code")
SZ = ("广东省", "深圳市", "南山区", "440305")


def fields(name, phone, region, detail, postal_code="") -> tuple:
    province, city, district, code = region
    return (name, phone, province, city, district, code, detail, postal_code)


def got(text: str, country: str = "CN") -> tuple:
    parsed = parse_contact(text, country)
    return tuple(parsed[key] for key in KEYS)


LAYOUTS = [
    # name, phone, address in every order and with every separator
    (
        "张三 13800138000 广东省深圳市南山区科技园南区8栋",
        fields("张三", "+8613800138000", SZ, "科技园南区8栋"),
    ),
    (
        "广东省深圳市南山区科技园南区8栋 张三 13800138000",
        fields("张三", "+8613800138000", SZ, "科技园南区8栋"),
    ),
    (
        "13800138000 张三 广东省深圳市南山区科技园南区8栋",
        fields("张三", "+8613800138000", SZ, "科技园南区8栋"),
    ),
    (
        "广东省深圳市南山区科技园南区8栋 13800138000 张三",
        fields("张三", "+8613800138000", SZ, "科技园南区8栋"),
    ),
    (
        "张三，13800138000，广东省深圳市南山区科技园南区8栋",
        fields("张三", "+8613800138000", SZ, "科技园南区8栋"),
    ),
    (
        "张三,13800138000,广东省深圳市南山区科技园南区8栋",
        fields("张三", "+8613800138000", SZ, "科技园南区8栋"),
    ),
    (
        "张三\n13800138000\n广东省深圳市南山区科技园南区8栋",
        fields("张三", "+8613800138000", SZ, "科技园南区8栋"),
    ),
    (
        "张三\t13800138000\t广东省深圳市南山区科技园南区8栋",
        fields("张三", "+8613800138000", SZ, "科技园南区8栋"),
    ),
    (
        "张三；13800138000；广东省深圳市南山区科技园南区8栋",
        fields("张三", "+8613800138000", SZ, "科技园南区8栋"),
    ),
    ("张三13800138000广东省深圳市南山区科技园南区8栋", fields("张三", "+8613800138000", SZ, "科技园南区8栋")),
    ("张三广东省深圳市南山区科技园南区8栋13800138000", fields("张三", "+8613800138000", SZ, "科技园南区8栋")),
    (
        "广东省深圳市南山区科技园南区8栋张三 13800138000",
        fields("张三", "+8613800138000", SZ, "科技园南区8栋"),
    ),
    # labelled forms, as the platforms' "copy address" buttons give them
    (
        "收货人：李四 手机号码：138-0013-8000 所在地区：浙江省 杭州市 西湖区 详细地址：文三路90号",
        fields("李四", "+8613800138000", ("浙江省", "杭州市", "西湖区", "330106"), "文三路90号"),
    ),
    (
        "收货人:李四\n手机号码:13800138000\n所在地区:浙江省杭州市西湖区\n详细地址:文三路90号",
        fields("李四", "+8613800138000", ("浙江省", "杭州市", "西湖区", "330106"), "文三路90号"),
    ),
    (
        "姓名：王五 电话：13912345678 地址：北京市海淀区中关村大街1号 邮编：100080",
        fields("王五", "+8613912345678", ("北京市", "北京市", "海淀区", "110108"), "中关村大街1号", "100080"),
    ),
    (
        "联系人：赵六，联系电话：0755-86013388，收货地址：广东省深圳市南山区科技园",
        fields("赵六", "+867558601338" + "8", SZ, "科技园"),
    ),
    (
        "收件人 钱七 手机 13712345678 地址 江苏省苏州市姑苏区人民路1号",
        fields("钱七", "+8613712345678", ("江苏省", "苏州市", "姑苏区", "320508"), "人民路1号"),
    ),
    # Taobao's copied address: name, +86 phone, region parts spaced, town, postcode
    (
        "王五，86-13800138000，广东省 深圳市 南山区 粤海街道 科技园南区8栋，518057",
        fields("王五", "+8613800138000", SZ, "粤海街道 科技园南区8栋", "518057"),
    ),
    ("王五 +86 138 0013 8000 深圳市南山区粤海街道", fields("王五", "+8613800138000", SZ, "粤海街道")),
    ("王五 +8613800138000 深圳市南山区粤海街道", fields("王五", "+8613800138000", SZ, "粤海街道")),
    ("王五 138 0013 8000 深圳市南山区粤海街道", fields("王五", "+8613800138000", SZ, "粤海街道")),
    ("王五 0086 13800138000 深圳市南山区粤海街道", fields("王五", "+8613800138000", SZ, "粤海街道")),
    ("王五 (0755)86013388 深圳市南山区粤海街道", fields("王五", "+8675586013388", SZ, "粤海街道")),
    (
        "王五 010-62345678 北京市海淀区中关村",
        fields("王五", "+861062345678", ("北京市", "北京市", "海淀区", "110108"), "中关村"),
    ),
    (
        "王五 13800138000 518057 深圳市南山区粤海街道",
        fields("王五", "+8613800138000", SZ, "粤海街道", "518057"),
    ),
    # the country first; extensions of privacy numbers and offices kept for the courier
    ("王五 13800138000 中国广东省深圳市南山区粤海街道", fields("王五", "+8613800138000", SZ, "粤海街道")),
    ("王五 13800138000-1234 深圳市南山区粤海街道", fields("王五", "+8613800138000", SZ, "粤海街道 转1234")),
    ("王五 0755-86013388转123 深圳市南山区粤海街道", fields("王五", "+8675586013388", SZ, "粤海街道 转123")),
    # full-width digits and punctuation
    ("王五　１３８００１３８０００　深圳市南山区粤海街道", fields("王五", "+8613800138000", SZ, "粤海街道")),
]

NAMES = [
    ("欧阳娜娜 13800138000 北京朝阳区建国路1号", "欧阳娜娜"),
    ("司马光 13800138000 北京朝阳区建国路1号", "司马光"),
    ("诸葛亮 13800138000 北京朝阳区建国路1号", "诸葛亮"),
    ("迪丽热巴·迪力木拉提 13912345678 北京朝阳区建国路1号", "迪丽热巴·迪力木拉提"),
    ("阿依古丽•买买提 13912345678 北京朝阳区建国路1号", "阿依古丽·买买提"),
    ("王先生 13800138000 北京朝阳区建国路1号", "王先生"),
    ("李女士 13800138000 北京朝阳区建国路1号", "李女士"),
    ("张伟华 13800138000 北京朝阳区建国路1号", "张伟华"),
    ("张小山 13800138000 北京朝阳区建国路1号", "张小山"),
    ("王 小明 13800138000 北京朝阳区建国路1号", "王小明"),
    ("欧阳 娜娜 13800138000 北京朝阳区建国路1号", "欧阳娜娜"),
    ("陈 13800138000 北京朝阳区建国路1号", "陈"),
    ("北京朝阳区建国路1号 13800138000 刘丽", "刘丽"),
    ("John Smith 13800138000 北京朝阳区建国路1号", "John Smith"),
    ("北京朝阳区建国路1号 13800138000 mary o'brien", "Mary O'Brien"),
    ("13800138000 北京朝阳区建国路1号", ""),
]

REGIONS = [
    # the province missing: inferred from the city
    ("张三 13800138000 深圳市南山区科技园", SZ, "科技园"),
    ("张三 13800138000 杭州市西湖区文三路90号", ("浙江省", "杭州市", "西湖区", "330106"), "文三路90号"),
    # municipalities without 市, with the city repeated, with 市辖区
    ("张三 13800138000 北京朝阳区建国路1号", ("北京市", "北京市", "朝阳区", "110105"), "建国路1号"),
    ("张三 13800138000 北京市北京市朝阳区建国路1号", ("北京市", "北京市", "朝阳区", "110105"), "建国路1号"),
    (
        "张三 13800138000 上海 市辖区 浦东新区 世纪大道100号",
        ("上海市", "上海市", "浦东新区", "310115"),
        "世纪大道100号",
    ),
    ("张三 13800138000 重庆渝中区解放碑1号", ("重庆市", "重庆市", "渝中区", "500103"), "解放碑1号"),
    ("张三 13800138000 天津滨海新区", ("天津市", "天津市", "滨海新区", "120116"), ""),
    # autonomous prefectures, leagues, prefectures
    (
        "张三 13800138000 湖北省恩施土家族苗族自治州恩施市舞阳坝街道1号",
        ("湖北省", "恩施土家族苗族自治州", "恩施市", "422801"),
        "舞阳坝街道1号",
    ),
    (
        "张三 13800138000 湖北恩施州恩施市舞阳坝街道1号",
        ("湖北省", "恩施土家族苗族自治州", "恩施市", "422801"),
        "舞阳坝街道1号",
    ),
    (
        "张三 13800138000 内蒙古锡林郭勒盟锡林浩特市额尔敦路1号",
        ("内蒙古自治区", "锡林郭勒盟", "锡林浩特市", "152502"),
        "额尔敦路1号",
    ),
    (
        "张三 13800138000 新疆阿克苏地区阿克苏市解放路1号",
        ("新疆维吾尔自治区", "阿克苏地区", "阿克苏市", "652901"),
        "解放路1号",
    ),
    (
        "张三 13800138000 新疆维吾尔自治区乌鲁木齐市天山区人民路1号",
        ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "650102"),
        "人民路1号",
    ),
    (
        "张三 13800138000 广西南宁市青秀区民族大道1号",
        ("广西壮族自治区", "南宁市", "青秀区", "450103"),
        "民族大道1号",
    ),
    (
        "张三 13800138000 西藏拉萨城关区北京中路1号",
        ("西藏自治区", "拉萨市", "城关区", "540102"),
        "北京中路1号",
    ),
    # county-level cities, under a prefecture and directly under the province
    ("张三 13800138000 江苏省昆山市玉山镇1号", ("江苏省", "苏州市", "昆山市", "320583"), "玉山镇1号"),
    ("张三 13800138000 浙江义乌市稠城街道1号", ("浙江省", "金华市", "义乌市", "330782"), "稠城街道1号"),
    ("张三 13800138000 河南省济源市沁园街道1号", ("河南省", "济源市", "", "419001"), "沁园街道1号"),
    ("张三 13800138000 湖北省仙桃市干河街道1号", ("湖北省", "仙桃市", "", "429004"), "干河街道1号"),
    ("张三 13800138000 海南琼海市嘉积镇1号", ("海南省", "琼海市", "", "469002"), "嘉积镇1号"),
    ("张三 13800138000 广东省东莞市长安镇振安路1号", ("广东省", "东莞市", "", "441900"), "长安镇振安路1号"),
    # ambiguous district names resolved by the city before them
    ("张三 13800138000 吉林省长春市朝阳区红旗街1号", ("吉林省", "长春市", "朝阳区", "220104"), "红旗街1号"),
    ("张三 13800138000 福建福州鼓楼区五四路1号", ("福建省", "福州市", "鼓楼区", "350102"), "五四路1号"),
    ("张三 13800138000 江苏徐州鼓楼区中山北路1号", ("江苏省", "徐州市", "鼓楼区", "320302"), "中山北路1号"),
    ("张三 13800138000 吉林市船营区北京路1号", ("吉林省", "吉林市", "船营区", "220204"), "北京路1号"),
    # a former name
    ("张三 13800138000 重庆市渝北区龙塔街道1号", ("重庆市", "重庆市", "两江新区", "500157"), "龙塔街道1号"),
    # towns and streets stay in the detail
    (
        "张三 13800138000 广东省广州市番禺区大石街道1号",
        ("广东省", "广州市", "番禺区", "440113"),
        "大石街道1号",
    ),
    (
        "张三 13800138000 浙江省杭州市余杭区五常街道文一西路969号",
        ("浙江省", "杭州市", "余杭区", "330110"),
        "五常街道文一西路969号",
    ),
]


def test_there_are_enough_pasted_chinese_addresses():
    assert len(LAYOUTS) + len(NAMES) + len(REGIONS) >= 60


@pytest.mark.parametrize(("text", "expected"), LAYOUTS)
def test_layouts(text, expected):
    assert got(text) == expected


@pytest.mark.parametrize(("text", "name"), NAMES)
def test_names(text, name):
    parsed = parse_contact(text)

    assert (parsed["name"], parsed["region_code"], parsed["detail"]) == (name, "110105", "建国路1号")


@pytest.mark.parametrize(("text", "region", "detail"), REGIONS)
def test_regions(text, region, detail):
    assert got(text) == fields("张三", "+8613800138000", region, detail)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("张三 13800138000 广东省深圳市南山区科技园南区8栋", []),
        ("广东省深圳市南山区科技园南区8栋 张三", ["missing_phone"]),
        ("13800138000 广东省深圳市南山区科技园南区8栋", ["missing_name"]),
        ("张三 13800138000 科技园南区8栋", ["unknown_region"]),
        ("张三 13800138000 南山区科技园", ["unknown_region"]),
        ("张三 13800138000 广东省深圳市科技园", ["incomplete_address"]),
        ("张三 13800138000 广东省深圳市南山区", ["incomplete_address"]),
        ("张三 13800138000 广东省东莞市长安镇", []),
        ("张三 12345 广东省深圳市南山区科技园", ["missing_phone"]),
        ("张三", ["missing_phone", "missing_address"]),
        ("", ["missing_phone", "missing_name", "missing_address"]),
    ],
)
def test_problems(text, codes):
    assert [problem["code"] for problem in parse_contact(text)["problems"]] == codes


def test_every_problem_has_a_code_and_a_message():
    problems = parse_contact("")["problems"]

    assert problems and all(
        set(problem) == {"code", "message"} and problem["message"] for problem in problems
    )


def test_the_answer_has_every_key():
    assert set(parse_contact("张三")) == {
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
        "problems",
    }


def test_an_unknown_region_keeps_the_whole_address_in_the_detail():
    parsed = parse_contact("张三 13800138000 火星省某市某区1号")

    assert (parsed["province"], parsed["detail"]) == ("", "火星省某市某区1号")


# --- outside China --------------------------------------------------------------------------------------

FOREIGN = [
    (
        "John Smith, 1600 Amphitheatre Pkwy, Mountain View, CA 94043, +1 650-253-0000",
        "US",
        ("John Smith", "+16502530000", "CA", "CA", "Mountain View", "1600 Amphitheatre Pkwy", "94043"),
    ),
    (
        "Jane Doe\n350 5th Ave, Apt 12B\nNew York, NY 10118\n(212) 555-0142",
        "US",
        ("Jane Doe", "+12125550142", "NY", "NY", "New York", "350 5th Ave, Apt 12B", "10118"),
    ),
    (
        "Jane Doe\n10 Downing Street\nLondon SW1A 2AA\n+44 20 7946 0958",
        "GB",
        ("Jane Doe", "+442079460958", "", "", "London", "10 Downing Street", "SW1A 2AA"),
    ),
    (
        "山田太郎 〒100-0001 東京都千代田区千代田1-1 090-1234-5678",
        "JP",
        ("山田太郎", "+819012345678", "東京都", "JP-13", "", "千代田区千代田1-1", "100-0001"),
    ),
    (
        "Max Mustermann, Hauptstraße 5, 10115 Berlin, +49 30 123456",
        "DE",
        ("Max Mustermann", "+4930123456", "", "", "Berlin", "Hauptstraße 5", "10115"),
    ),
    (
        "Jean Tremblay 123 Rue Sainte-Catherine Montréal QC h2x1l4 +1 514 555 0199",
        "CA",
        ("Jean Tremblay", "+15145550199", "QC", "QC", "", "123 Rue Sainte-Catherine Montréal", "H2X 1L4"),
    ),
    (
        "Chan Tai Man, Flat A 10/F, 1 Harbour Road, Wan Chai, Hong Kong, +852 9123 4567",
        "HK",
        ("Chan Tai Man", "+85291234567", "", "", "", "Flat A 10/F, 1 Harbour Road, Wan Chai, Hong Kong", ""),
    ),
]


@pytest.mark.parametrize(("text", "country", "expected"), FOREIGN)
def test_foreign(text, country, expected):
    parsed = parse_contact(text, country)

    keys = ("name", "phone", "province", "province_code", "city", "detail", "postal_code")
    assert tuple(parsed[key] for key in keys) == expected
    assert (parsed["country"], parsed["region_code"], parsed["problems"]) == (country, "", [])


def test_country_names_are_understood():
    assert parse_contact("Jane Doe, 10 Downing Street, London SW1A 2AA", "United Kingdom")["country"] == "GB"
