from django import template

from oms.tenancy.selectors import membership_list_for_user

register = template.Library()


@register.inclusion_tag("components/_merchant_switcher.html", takes_context=True)
def merchant_switcher(context):
    """The other merchants the user belongs to, for the switch menu (nothing when there is only one)."""
    request = context["request"]
    current = context.get("merchant")
    memberships = list(membership_list_for_user(user=request.user)) if request.user.is_authenticated else []
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "others": [m for m in memberships if current is None or m.merchant_id != current.pk],
        "show": len(memberships) > 1,
    }
