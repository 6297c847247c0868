from django.core.management.base import BaseCommand, CommandError

from inventory.models import StockLevel
from inventory.selectors import ledger_mismatches


class Command(BaseCommand):
    help = "Prove that every stock level equals the sum of its ledger and of its active allocations."

    def handle(self, *args, **options):
        mismatches = ledger_mismatches()
        if mismatches:
            for item in mismatches:
                self.stderr.write(
                    f"{item.location_id}/{item.product_id}: {item.what}: {item.level} ≠ {item.expected}"
                )
            raise CommandError(f"{len(mismatches)} stock level(s) do not reconcile")
        self.stdout.write(
            f"all {StockLevel.objects.count()} stock levels reconcile with the ledger and allocations"
        )
