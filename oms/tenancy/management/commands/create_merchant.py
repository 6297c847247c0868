from django.core.management.base import BaseCommand, CommandError

from oms.core.errors import DomainError
from oms.tenancy.services import merchant_create


class Command(BaseCommand):
    help = "Create a merchant (tenant) with its owner account."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args, slug, name, owner_email, password, **options):
        try:
            merchant = merchant_create(slug=slug, name=name, owner_email=owner_email, password=password)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"created merchant {merchant.slug} ({merchant.pk}) owned by {owner_email}")
