"""The merchant's settings pages, mounted under ``settings/`` with the namespace ``settings``."""

from django.urls import path

from oms.tenancy import views

app_name = "settings"

urlpatterns = [
    path("", views.settings_index, name="index"),
    path("members/", views.members, name="members"),
    path("members/<uuid:membership_id>/update/", views.member_update, name="member_update"),
    path("members/<uuid:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<uuid:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<uuid:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
