"""Tracking pages: parcels appear once shipments carry a waybill."""

from django.shortcuts import render

from oms.tenancy.decorators import member_required


@member_required
def parcel_list(request):
    return render(request, "tracking/parcel_list.html")
