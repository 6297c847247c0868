"""Dashboard pages: each stage's pages live in its own app; this file only mounts them."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from oms.tenancy import views as tenancy_views
from oms.tenancy.forms import EmailAuthenticationForm

password_reset_patterns = [
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="tenancy/password_reset_form.html",
            email_template_name="tenancy/password_reset_email.txt",
            subject_template_name="tenancy/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="tenancy/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="tenancy/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="tenancy/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="tenancy/login.html",
            authentication_form=EmailAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", tenancy_views.signup, name="signup"),
    path("accounts/no-merchant/", tenancy_views.no_merchant, name="no_merchant"),
    path("accounts/merchant/", tenancy_views.merchant_switch, name="merchant_switch"),
    *password_reset_patterns,
    path("invite/<str:secret>/", tenancy_views.invitation_accept, name="invitation_accept"),
    path("orders/", include("oms.orders.urls", namespace="orders")),
    path("inventory/", include("inventory.urls", namespace="inventory")),
    path("s/", include("inventory.public_urls", namespace="supplier_public")),
    path("channels/", include("channels.urls", namespace="channels")),
    path("fulfillment/", include("fulfillment.urls", namespace="fulfillment")),
    path("tracking/", include("tracking.urls", namespace="tracking")),
    path("settings/", include("oms.tenancy.urls", namespace="settings")),
]
