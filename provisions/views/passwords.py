"""Django's password pages: change and reset-confirm also revoke the member's API tokens; the
reset request queues its mail in the outbox (`PasswordResetRequestForm`) instead of sending it.

A token is made under a password; when the password changes, whoever changed it may be the
owner shutting out someone who learned the old one, so every token made under it goes (each
revocation audited). Whatever route changes a password otherwise (`changepassword`, the shell),
the API refuses tokens made under another password (services/tokens.py).
"""

from django.contrib.auth import views as auth_views
from django.db import transaction

from provisions.access import member_required, public
from provisions.forms import PasswordResetRequestForm
from provisions.services.tokens import REVOKED_PASSWORD_CHANGED, api_tokens_revoke_all


class RevokeTokensOnSave:
    """For Django's password forms' views: once the new password is saved, in the same
    transaction, the member's API tokens are revoked."""

    @transaction.atomic
    def form_valid(self, form):
        response = super().form_valid(form)
        api_tokens_revoke_all(
            user=form.user, reason=REVOKED_PASSWORD_CHANGED, actor=form.user, request=self.request
        )
        return response


class PasswordChangeView(RevokeTokensOnSave, auth_views.PasswordChangeView):
    pass


class PasswordResetConfirmView(RevokeTokensOnSave, auth_views.PasswordResetConfirmView):
    pass


password_change = member_required(PasswordChangeView.as_view())
password_reset_confirm = public(PasswordResetConfirmView.as_view())
# The answer comes after the same work whether or not the address has an account: the mail is
# queued for `manage.py send_outbox`, never sent during the request.
password_reset = public(auth_views.PasswordResetView.as_view(form_class=PasswordResetRequestForm))
