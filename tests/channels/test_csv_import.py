"""Orders from CSV and Excel files: row errors, grouping by external_id, encodings, progress, re-import."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from channels import imports
from channels.models import ImportJob, ImportStatus, InboundEvent, InboundStatus
from oms.catalog.services import product_create
from oms.orders.models import Order, OrderIssue

pytestmark = pytest.mark.django_db

HEADER = (
    "external_id,placed_at,customer_name,customer_phone,province,city,district,detail,"
    "shipping_total,sku,quantity,unit_price"
)
GOOD_AND_BAD = "\n".join(
    [
        HEADER,
        "A-1,2026-11-11 10:30,张伟,13800138000,广东省,深圳市,南山区,科技园 1 号,8.00,TEA-1,2,59.90",  # row 2
        'A-1,,,,,,,,,TEA-2,1,"1,299.00"',  # row 3
        "B-2,2026-11-11 11:00,李娜,13911112222,北京市,北京市,朝阳区,建国路 93 号,,TEA-1,0,10",  # row 4
        "B-2,,,,,,,,,TEA-2,1,10",  # row 5
        "C-3,2026/11/12 09:00,王芳,,上海市,上海市,徐汇区,漕溪北路 398 号,,TEA-1,1,abc",  # row 6
        ",,,,,,,,,TEA-1,1,5",  # row 7
        "D-4,not a date,,,,,,,,TEA-1,1,5",  # row 8
        "E-5,2026-11-13 08:00,赵敏,,江苏省,南京市,鼓楼区,汉口路 22 号,,TEA-1,1,19.9",  # row 9
        ",,,,,,,,,,,",  # an empty line is skipped (still counted as a spreadsheet row)
        "E-5,,,,,,,,5.00,TEA-2,3,19.90",  # row 11
        "F-6,,,,,,,,8.00,TEA-1,1,5",  # row 12
        "F-6,,,,,,,,9.00,TEA-2,1,5",  # row 13
    ]
)


@pytest.fixture
def catalog(merchant):
    for sku in ("TEA-1", "TEA-2"):
        product_create(merchant=merchant, sku=sku, title=f"Tea {sku}")


@pytest.fixture
def upload(owner_client, django_capture_on_commit_callbacks):
    """Upload a file on the import page; the task runs after commit, as it does in the quick start."""

    def send(content: bytes, name: str = "orders.csv", content_type: str = "text/csv") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.post(
                reverse("channels:import"),
                {"file": SimpleUploadedFile(name, content, content_type=content_type)},
            )
        assert response.status_code == 302, response.content.decode()[:2000]
        job = ImportJob.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
        assert response.url == reverse("channels:import_detail", args=[job.pk])
        return job

    return send


def orders_by_external_id(merchant) -> dict[str, Order]:
    return {
        order.external_id: order for order in Order.objects.filter(merchant=merchant, channel__kind="csv")
    }


def test_good_rows_make_orders_and_bad_rows_are_reported_exactly(upload, merchant, catalog):
    job = upload(GOOD_AND_BAD.encode())

    assert (job.status, job.total_rows, job.processed_rows, job.percent) == (ImportStatus.DONE, 11, 11, 100)
    assert [(error["row"], error["field"], error["message"]) for error in job.errors] == [
        (4, "quantity", "0 is not a whole number above zero."),
        (5, "external_id", "Order B-2 was not imported because of errors on its other rows (4)."),
        (6, "unit_price", "abc is not an amount; write it like 12.50."),
        (7, "external_id", "This column is required."),
        (8, "placed_at", "not a date is not a date and time; write it like 2026-11-11 10:30."),
        (12, "external_id", "Order F-6 was not imported because of errors on its other rows (13)."),
        (13, "shipping_total", "Differs from row 12 of the same order (8.00)."),
    ]
    orders = orders_by_external_id(merchant)
    assert sorted(orders) == ["A-1", "E-5"]
    assert sorted(job.created_orders) == sorted(str(order.pk) for order in orders.values())
    first = orders["A-1"]
    assert [(line.sku, line.quantity, line.unit_price) for line in first.lines.all()] == [
        ("TEA-1", 2, Decimal("59.90")),
        ("TEA-2", 1, Decimal("1299.00")),
    ]
    assert (first.shipping_total, first.total, first.currency) == (Decimal("8.00"), Decimal("1426.80"), "CNY")
    assert first.placed_at == datetime(2026, 11, 11, 2, 30, tzinfo=UTC)
    assert (first.customer_name, first.customer_phone, first.region_code) == (
        "张伟",
        "+8613800138000",
        "440305",
    )
    assert (orders["E-5"].shipping_total, orders["E-5"].total) == (Decimal("5.00"), Decimal("84.60"))
    issues = OrderIssue.objects.filter(order__in=orders.values()).exclude(code="insufficient_stock")
    assert list(issues.values_list("code", flat=True)) == []


def test_the_page_shows_errors_and_links_the_created_orders(upload, owner_client, merchant, catalog):
    job = upload(GOOD_AND_BAD.encode())

    response = owner_client.get(reverse("channels:import_detail", args=[job.pk]))

    html = response.content.decode()
    assert "hx-trigger" not in html
    assert 'value="100"' in html
    for order in orders_by_external_id(merchant).values():
        assert reverse("orders:detail", args=[order.pk]) in html and order.number in html
    assert "<code>shipping_total</code>" in html
    assert "Differs from row 12 of the same order (8.00)." in html
    assert "7 problems" in html


def test_the_page_polls_every_second_until_the_job_is_done(owner_client, merchant, catalog):
    job = imports.import_job_create(
        merchant=merchant, user=None, filename="o.csv", content=GOOD_AND_BAD.encode(), content_type="text/csv"
    )  # not committed in this test: the task has not run
    url = reverse("channels:import_detail", args=[job.pk])

    waiting = owner_client.get(url, HTTP_HX_REQUEST="true")
    imports.import_job_run(job_id=job.pk)
    finished = owner_client.get(url, HTTP_HX_REQUEST="true")

    assert waiting.templates[0].name == "channels/_import_progress.html"
    assert f'hx-get="{url}" hx-trigger="every 1s"' in waiting.content.decode()
    assert "hx-trigger" not in finished.content.decode()
    assert 'data-percent="100"' in finished.content.decode()


def test_progress_is_saved_after_each_batch(monkeypatch, merchant, catalog):
    rows = [HEADER] + [f"P-{n},,,,,,,,,TEA-1,1,5" for n in range(7)]
    job = imports.import_job_create(
        merchant=merchant,
        user=None,
        filename="o.csv",
        content="\n".join(rows).encode(),
        content_type="text/csv",
    )
    monkeypatch.setattr(imports, "BATCH_ROWS", 3)
    seen = []
    save = imports._Progress.save

    def recording_save(progress):
        save(progress)
        seen.append(ImportJob.objects.get(pk=job.pk).processed_rows)

    monkeypatch.setattr(imports._Progress, "save", recording_save)

    finished = imports.import_job_run(job_id=job.pk)

    assert seen == [3, 6, 7]
    assert (finished.status, finished.processed_rows, finished.total_rows, finished.percent) == (
        "done",
        7,
        7,
        100,
    )


def test_importing_the_same_file_again_creates_nothing_twice(upload, merchant, catalog):
    first = upload(GOOD_AND_BAD.encode())
    count = Order.objects.filter(merchant=merchant).count()

    second = upload(GOOD_AND_BAD.encode())

    assert Order.objects.filter(merchant=merchant).count() == count == 2
    assert second.created_orders == []
    assert sorted(second.existing_orders) == sorted(first.created_orders)
    assert second.errors == first.errors
    assert InboundEvent.objects.filter(merchant=merchant, source="import").count() == 2


def test_a_fixed_file_imports_only_the_orders_that_failed(upload, merchant, catalog):
    upload(GOOD_AND_BAD.encode())
    fixed = GOOD_AND_BAD.replace("TEA-1,0,10", "TEA-1,1,10").replace("TEA-1,1,abc", "TEA-1,1,7.50")

    job = upload(fixed.encode())

    assert sorted(orders_by_external_id(merchant)) == ["A-1", "B-2", "C-3", "E-5"]
    assert len(job.created_orders) == 2
    assert len(job.existing_orders) == 2


def test_the_uploaded_file_is_kept_as_an_inbound_event(upload, merchant, catalog):
    content = GOOD_AND_BAD.encode()

    job = upload(content)

    event = InboundEvent.objects.get(pk=job.inbound_event_id)
    assert (event.merchant, event.channel.kind, event.source, event.status) == (
        merchant,
        "csv",
        "import",
        "processed",
    )
    assert bytes(event.body) == content
    assert event.headers["filename"] == "orders.csv"
    assert sorted(event.order_ids) == sorted(job.created_orders)
    assert event.error == "7 rows not imported"


@pytest.mark.parametrize(
    ("encode", "name"),
    [
        (lambda text: text.encode("gb18030"), "gbk.csv"),
        (lambda text: text.encode("gbk"), "gbk-excel.csv"),
        (lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), "bom.csv"),
        (lambda text: text.encode("utf-16"), "unicode.txt"),
    ],
    ids=["gb18030", "gbk", "utf-8 with BOM", "utf-16"],
)
def test_chinese_text_survives_every_encoding_excel_writes(upload, merchant, catalog, encode, name):
    text = "\r\n".join(
        [
            "external_id,customer_name,province,city,district,detail,sku,quantity,unit_price",
            "G-1,欧阳娜娜,浙江省,杭州市,西湖区,文三路 90 号,TEA-1,1,39.00",
        ]
    )
    if name.endswith(".txt"):
        text = text.replace(",", "\t")

    job = upload(encode(text), name=name)

    order = orders_by_external_id(merchant)["G-1"]
    assert job.errors == []
    assert (order.customer_name, order.shipping_address["detail"], order.region_code) == (
        "欧阳娜娜",
        "文三路 90 号",
        "330106",
    )


def test_chinese_column_names_are_understood(upload, merchant, catalog):
    text = (
        "订单号,收货人,收货人电话,省,市,区,详细地址,商品编码,数量,单价\n"
        "H-1,王芳,13911112222,北京市,北京市,朝阳区,建国路 93 号,TEA-2,2,9.9\n"
    )

    upload(text.encode("gbk"))

    order = orders_by_external_id(merchant)["H-1"]
    assert (order.customer_name, order.shipping_address["name"], order.total) == (
        "王芳",
        "王芳",
        Decimal("19.80"),
    )


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_excel_file_with_typed_cells(upload, merchant, catalog):
    content = xlsx(
        [
            ["external_id", "placed_at", "customer_name", "customer_phone", "sku", "quantity", "unit_price"],
            [5500000000001, datetime(2026, 11, 11, 0, 1, 2), "张伟", 13800138000, "TEA-1", 2, 59.9],
            [5500000000001, None, None, None, "TEA-2", 1.0, 10],
            ["X-2", "yesterday", None, None, "TEA-1", 1.5, 5],
        ]
    )

    job = upload(content, name="orders.xlsx", content_type=imports.XLSX_TYPE)

    order = orders_by_external_id(merchant)["5500000000001"]
    assert [(error["row"], error["field"], error["message"]) for error in job.errors] == [
        (4, "placed_at", "yesterday is not a date and time; write it like 2026-11-11 10:30."),
        (4, "quantity", "1.5 is not a whole number above zero."),
    ]
    assert order.placed_at == datetime(2026, 11, 10, 16, 1, 2, tzinfo=UTC)
    assert order.customer_phone == "+8613800138000"
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines.all()] == [
        ("TEA-1", 2, Decimal("59.90")),
        ("TEA-2", 1, Decimal("10.00")),
    ]
    assert order.total == Decimal("129.80")


def test_times_are_read_in_the_merchants_time_zone(upload, merchant, catalog):
    merchant.timezone = "America/New_York"
    merchant.save()

    upload(
        b"external_id,placed_at,sku,quantity,unit_price\n"
        b"T-1,2026-07-01 09:00,TEA-1,1,5\n"
        b"T-2,2026-07-01T09:00:00+08:00,TEA-1,1,5\n"
    )

    orders = orders_by_external_id(merchant)
    assert orders["T-1"].placed_at == datetime(2026, 7, 1, 13, 0, tzinfo=UTC)
    assert orders["T-2"].placed_at == datetime(2026, 7, 1, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("content", "name", "errors"),
    [
        (
            b"external_id,qty\nA,1\n",
            "orders.csv",
            [
                (1, "sku", "The file has no sku column."),
                (1, "unit_price", "The file has no unit_price column."),
            ],
        ),
        (
            b"PK\x03\x04 not really a workbook",
            "orders.xlsx",
            [(1, "", "The file cannot be read as CSV or Excel .xlsx.")],
        ),
        (b"external_id,sku,quantity,unit_price\n", "orders.csv", [(1, "", "The file has no rows.")]),
    ],
    ids=["missing columns", "broken xlsx", "header only"],
)
def test_an_unreadable_file_fails_the_job_and_keeps_the_file(
    upload, merchant, content, name, errors, owner_client
):
    job = upload(content, name=name)

    assert job.status == ImportStatus.FAILED
    assert [(error["row"], error["field"], imports.error_message(error)) for error in job.errors] == errors
    event = InboundEvent.objects.get(pk=job.inbound_event_id)
    assert (event.status, bytes(event.body)) == (InboundStatus.FAILED, content)
    assert not Order.objects.exists()
    assert errors[0][2] in owner_client.get(reverse("channels:import_detail", args=[job.pk])).content.decode()


def test_an_unknown_sku_is_imported_with_an_issue_and_fixed_by_mapping_and_replay(
    upload, owner_client, merchant, catalog, django_capture_on_commit_callbacks
):
    upload(b"external_id,sku,quantity,unit_price\nU-1,WX-TEA-01,1,5\n")
    order = orders_by_external_id(merchant)["U-1"]
    assert order.issues.filter(code="unknown_sku", resolved_at__isnull=True).exists()

    owner_client.post(
        reverse("channels:mappings"),
        {"channel": order.channel_id, "channel_sku": "WX-TEA-01", "sku": "TEA-1"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            reverse("channels:mapping_replay"), {"channel": order.channel_id, "channel_sku": "WX-TEA-01"}
        )

    line = order.lines.get()
    assert (line.sku, line.channel_sku, line.product.sku) == ("TEA-1", "WX-TEA-01", "TEA-1")
    assert not order.issues.filter(code="unknown_sku", resolved_at__isnull=True).exists()
    assert Order.objects.filter(merchant=merchant).count() == 1


def test_templates_carry_every_column(owner_client):
    csv_response = owner_client.get(reverse("channels:import_template", args=["csv"]))
    xlsx_response = owner_client.get(reverse("channels:import_template", args=["xlsx"]))

    assert csv_response.content == b"\xef\xbb\xbf" + ",".join(imports.COLUMN_NAMES).encode() + b"\r\n"
    assert csv_response["Content-Disposition"] == 'attachment; filename="orders-template.csv"'
    workbook = load_workbook(io.BytesIO(xlsx_response.content))
    assert [cell.value for cell in workbook["orders"][1]] == list(imports.COLUMN_NAMES)
    assert [row[0].value for row in workbook["help"].iter_rows(min_row=2)] == list(imports.COLUMN_NAMES)


def test_the_template_imports_as_is_once_filled_in(upload, merchant, catalog):
    example = {column.name: column.example for column in imports.COLUMNS}
    workbook = load_workbook(io.BytesIO(imports.template_xlsx()))
    workbook["orders"].append([example[name] for name in imports.COLUMN_NAMES])
    out = io.BytesIO()
    workbook.save(out)
    product_create(merchant=merchant, sku="TEA-001", title="Tea")

    job = upload(out.getvalue(), name="filled.xlsx", content_type=imports.XLSX_TYPE)

    order = orders_by_external_id(merchant)["WX-1001"]
    assert job.errors == []
    assert (order.external_number, order.total, order.tags) == ("#1001", Decimal("127.80"), ["vip"])
