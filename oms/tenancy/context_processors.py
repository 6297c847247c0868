from oms.tenancy.context import current_membership


def merchant(request):
    membership = current_membership(request)
    return {"membership": membership, "merchant": membership.merchant if membership else None}
