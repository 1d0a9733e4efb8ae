"""`manage.py send_outbox [--once] [--interval S]`: send the mail that requests queued.

Runs until stopped (SIGTERM or Ctrl-C finish the row in hand first), looking for due mail every
`--interval` seconds; `--once` sends what is due now and exits (for cron, or to see the demo's
mail on the console). A failed mail is tried again after 1, 2, 4… minutes, `--max-attempts`
times in all. Finished rows are forgotten after a week. How to run it: docs/operations.md.
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from django.utils.translation import gettext as _

from provisions.services import outbox


class Command(BaseCommand):
    help = "Send queued mail (password resets), with retries. Runs until stopped unless --once."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is due now, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="Seconds between two looks at the outbox (default 5).",
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=outbox.MAX_ATTEMPTS,
            help=f"Give a mail up after this many failures (default {outbox.MAX_ATTEMPTS}).",
        )

    def handle(self, *args, once, interval, max_attempts, **options):
        if interval <= 0 or max_attempts < 1:
            raise CommandError(_("--interval must be above 0 and --max-attempts at least 1."))
        if once:
            self._report(outbox.outbox_send_due(max_attempts=max_attempts), always=True)
            outbox.outbox_purge()
            return
        stopping = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stopping.append(True))
        while not stopping:
            # A long-running process: drop connections the database closed meanwhile.
            close_old_connections()
            try:
                self._report(outbox.outbox_send_due(max_attempts=max_attempts))
                outbox.outbox_purge()
            except DatabaseError as error:  # an outage: wait and try again, do not exit
                self.stderr.write(
                    _("Outbox: the database did not answer (%(error)s); trying again.")
                    % {"error": type(error).__name__}
                )
            slept = 0.0
            while slept < interval and not stopping:
                time.sleep(min(0.5, interval - slept))
                slept += 0.5

    def _report(self, outcomes, *, always: bool = False) -> None:
        if not (always or outcomes):
            return
        self.stdout.write(
            _(
                "Outbox: %(sent)s sent, %(retry)s to retry, %(failed)s failed, "
                "%(discarded)s with no account."
            )
            % {
                "sent": outcomes["sent"],
                "retry": outcomes["retry"],
                "failed": outcomes["failed"],
                "discarded": outcomes["discarded"],
            }
        )
