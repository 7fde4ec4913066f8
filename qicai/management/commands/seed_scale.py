from django.core.management.base import BaseCommand

from qicai.scale import Sizes, seed_scale


class Command(BaseCommand):
    help = (
        "Fill the database with a city-sized dataset (issue 16) on top of the demo district: ten districts over "
        "ten years, 10,000 projects, 150,000 cases by default. Bulk inserts, deterministic; ANALYZE at the end."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply every row count (0.01 for a quick run).")
        parser.add_argument("--seed", type=int, default=1, help="The random source's seed (same seed, same data).")
        for field, default in vars(Sizes()).items():
            parser.add_argument(f"--{field.replace('_', '-')}", type=int, default=default, dest=field)

    def handle(self, *args, scale=1.0, seed=1, verbosity=1, **options):
        sizes = Sizes(**{name: options[name] for name in vars(Sizes())}).scaled(scale)
        write = self.stdout.write if verbosity else (lambda _text: None)
        write(f"seed_scale: {sizes}")
        counts = seed_scale(sizes, seed=seed, write=write)
        write(self.style.SUCCESS("Rows written: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())))
