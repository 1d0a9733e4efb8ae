from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisionsConfig(AppConfig):
    name = "provisions"
    verbose_name = _("Treaty provisions and analysis")

    def ready(self):
        # The system checks (provisions/checks.py) register themselves when imported; sign-ins,
        # their failures and sign-outs go to the audit log; edits in the admin retire every
        # cached page.
        from provisions import checks, signals  # noqa: F401

        signals.connect()
