"""Fulfillment pages: shipments appear once the carrier stage dispatches orders."""

from django.shortcuts import render

from oms.tenancy.decorators import member_required


@member_required
def shipment_list(request):
    return render(request, "fulfillment/shipment_list.html")
