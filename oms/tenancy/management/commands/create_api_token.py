from django.core.management.base import BaseCommand, CommandError

from oms.core.errors import DomainError
from oms.tenancy.models import Merchant
from oms.tenancy.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a merchant; the token is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--merchant", required=True, help="merchant slug")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--scopes", default="read,write", help="comma-separated: read, write")

    def handle(self, *args, merchant, name, scopes, **options):
        found = Merchant.objects.filter(slug=merchant).first()
        if found is None:
            raise CommandError(f"unknown merchant {merchant!r}")
        try:
            issued = api_token_create(
                merchant=found, name=name, scopes=[s.strip() for s in scopes.split(",") if s.strip()]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"token {issued.token.name} ({', '.join(issued.token.scopes)}) for {found.slug}:")
        self.stdout.write(issued.secret)
