from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisionsConfig(AppConfig):
    name = "provisions"
    verbose_name = _("Treaty provisions and analysis")

    def ready(self):
        # Sign-ins, their failures and sign-outs go to the audit log.
        from provisions import signals

        signals.connect()
