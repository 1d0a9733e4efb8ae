"""API tokens record the strength of the sign-in that made them, expire, and are bound to the
password they were made under (issue 11).

Tokens made before this migration were made without any of these checks: they keep working as
analyst-strength tokens (no editor powers: an editor makes a new one after two-factor sign-in),
for 90 days from their creation, and stop when their owner's password changes.
"""

import hashlib
from datetime import timedelta

from django.db import migrations, models


def fill_existing_tokens(apps, schema_editor):
    ApiToken = apps.get_model("provisions", "ApiToken")
    for token in ApiToken.objects.select_related("user"):
        token.expires_at = token.created_at + timedelta(days=90)
        # The rule of provisions.services.tokens.password_fingerprint, frozen here as it was.
        token.password_fingerprint = hashlib.sha256(token.user.password.encode("utf-8")).hexdigest()
        token.save(update_fields=["expires_at", "password_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [("provisions", "0008_cache_table")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires at"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="password_fingerprint",
            field=models.CharField(default="", max_length=64, verbose_name="password fingerprint"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_reason",
            field=models.CharField(blank=True, max_length=40, verbose_name="revoked because"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="two_factor_verified",
            field=models.BooleanField(default=False, verbose_name="made after two-factor sign-in"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="editor_powers",
            field=models.BooleanField(default=False, verbose_name="carries editor powers"),
        ),
        migrations.RunPython(fill_existing_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("editor_powers", False), ("two_factor_verified", True), _connector="OR"
                ),
                name="api_token_editor_powers_need_two_factor",
            ),
        ),
    ]
