"""Channel pages: the connected shops, connecting a new one, and its webhook address."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from channels import services
from channels.forms import ChannelForm
from channels.models import ChannelAccount
from oms.core.errors import DomainError
from oms.tenancy.context import current_membership
from oms.tenancy.decorators import admin_required, member_required


@member_required
def channel_list(request):
    membership = current_membership(request)
    channels = ChannelAccount.objects.for_merchant(membership.merchant)
    return render(
        request, "channels/channel_list.html", {"channels": channels, "can_edit": membership.can_admin}
    )


@admin_required
def channel_create(request):
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.channel_create(
                merchant=current_membership(request).merchant, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Channel %(name)s connected.") % {"name": channel.name})
            return redirect("channels:detail", channel_id=channel.pk)
    return render(request, "channels/channel_form.html", {"form": form})


@member_required
def channel_detail(request, channel_id):
    merchant = current_membership(request).merchant
    channel = get_object_or_404(ChannelAccount.objects.for_merchant(merchant), pk=channel_id)
    context = {"channel": channel, "webhook_url": request.build_absolute_uri(channel.webhook_path)}
    return render(request, "channels/channel_detail.html", context)
