"""Inventory pages: warehouses and stores, and the product catalog. Stock levels arrive with the ledger."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from oms.catalog.models import Product
from oms.locations.models import Location
from oms.tenancy.context import current_membership
from oms.tenancy.decorators import member_required

PAGE_SIZE = 50


@member_required
def location_list(request):
    merchant = current_membership(request).merchant
    locations = Location.objects.for_merchant(merchant).order_by("kind", "code")
    return render(request, "inventory/location_list.html", {"locations": locations})


@member_required
def product_list(request):
    merchant = current_membership(request).merchant
    search = request.GET.get("search", "").strip()
    products = Product.objects.for_merchant(merchant)
    if search:
        products = products.filter(Q(sku__icontains=search) | Q(title__icontains=search) | Q(barcode=search))
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inventory/product_list.html", {"page_obj": page, "search": search})
