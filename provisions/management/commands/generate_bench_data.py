"""`manage.py generate_bench_data --size 10k`: benchmark data on top of the seeded Convention.

For a throwaway database only (bench/run.py makes one): it adds many annotations, members and
links that look real. See bench/generate.py and bench/README.md.
"""

from django.core.management.base import BaseCommand, CommandError

from bench.generate import FEATURED_PUBLISHED, SIZES, generate


class Command(BaseCommand):
    help = "Add benchmark annotations, replies, tags and links (a throwaway database only)."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--size", choices=sorted(SIZES), help="1k, 10k or 100k annotations")
        group.add_argument("--annotations", type=int, help="any number of annotations")
        parser.add_argument("--featured", type=int, default=FEATURED_PUBLISHED)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--login-password",
            default=None,
            help="password of the analyst bench-analyst (the benchmark signs in with it)",
        )

    def handle(self, *args, size=None, annotations=None, featured, seed, login_password, **opts):
        total = SIZES[size] if size else annotations
        try:
            generate(
                total,
                featured=featured,
                seed=seed,
                login_password=login_password,
                progress=lambda line: self.stdout.write(line),
            )
        except (RuntimeError, ValueError) as error:
            raise CommandError(str(error)) from None
