"""Forms that parse and redisplay what people type; the services decide what is valid."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from provisions.country_names import sort_key
from provisions.models import (
    Commitment,
    Concern,
    Party,
    Provision,
    ProvisionLink,
    SafeguardDemand,
)
from provisions.queries.translations import with_translations
from provisions.services.annotations import MAX_BODY_CHARS, MAX_REVIEW_NOTE_CHARS
from provisions.services.outbox import password_reset_enqueue


class PointSelect(forms.Select):
    """A concern's or demand's drop-down: an option that shows the English title, for want of a
    translation into the page's language, says it is English (an <option> holds no markup)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        point = getattr(value, "instance", None)
        if point is not None and point.shown("title").fallback:
            option["attrs"] = {**option["attrs"], "lang": "en", "dir": "ltr"}
        return option


def points_in_reader_language(field, queryset) -> None:
    """Concern or demand choices read with their translations into the page's language (one
    query) and labelled with their titles in it, or the English marked as such (Shown): in a
    checkbox's label as markup, in a drop-down by PointSelect."""
    field.queryset = with_translations(queryset)
    if isinstance(field.widget, forms.CheckboxSelectMultiple):
        field.label_from_instance = lambda point: point.shown("title").__html__()
    else:
        field.label_from_instance = lambda point: point.shown("title").text


class ServiceErrorsForm(forms.Form):
    """A form whose input a service validates: its refusal is shown beside the field it names,
    or above the form, and what was typed stays (the one mapping for every such form)."""

    # A service's field name → this form's field (None: above the form), where they differ.
    service_fields: dict[str, str | None] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            field = self.service_fields.get(key, key)
            self.add_error(field if field in self.fields else None, messages)


class ProvisionField(forms.ModelChoiceField):
    """A provision of the form's queryset, by eid. `known`: the one the view has already read
    from that same queryset (with its article, in the view's one query), taken as it is
    instead of being read again."""

    known: Provision | None = None

    def to_python(self, value):
        if self.known is not None and value == self.known.eid:
            return self.known
        return super().to_python(value)


class AnnotationForm(ServiceErrorsForm):
    """An annotation's fields. The quote may be pasted (no JavaScript) or come from a selection."""

    service_fields = {"selectors": "quote", "in_reply_to": None, "status": None, "version": None}

    provision = ProvisionField(
        queryset=Provision.objects.none(), to_field_name="eid", label=_("Provision")
    )
    quote = forms.CharField(
        label=_("Quoted text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Paste the exact words you comment on, or leave empty for the whole provision."
        ),
    )
    prefix = forms.CharField(required=False, widget=forms.HiddenInput)
    suffix = forms.CharField(required=False, widget=forms.HiddenInput)
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Your note (Markdown)"),
        required=False,  # the service gives the clear "cannot be empty" message
        # Checked here too, not only by the service: an edit conflict renders and compares what
        # was typed before any service sees it (rendering and diffing cost grows with length).
        max_length=MAX_BODY_CHARS,
        error_messages={
            "max_length": _("The note is too long (at most %(limit_value)s characters).")
        },
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("**bold**, *italic*, [links](https://…), lists. No images or HTML."),
    )
    concerns = forms.ModelMultipleChoiceField(
        queryset=Concern.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Concerns"),
    )
    demands = forms.ModelMultipleChoiceField(
        queryset=SafeguardDemand.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Safeguard demands"),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=600,
        help_text=_("Comma-separated, e.g. surveillance, data protection"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, provisions=None, known_provision=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provision"].queryset = (
            provisions if provisions is not None else Provision.objects.all()
        )
        self.fields["provision"].known = known_provision
        self.fields["provision"].label_from_instance = lambda p: p.citation
        points_in_reader_language(self.fields["concerns"], Concern.objects.all())
        points_in_reader_language(self.fields["demands"], SafeguardDemand.objects.all())

    def offer(self, provisions: list[Provision]) -> None:
        """List only these provisions in the drop-down. Any of the form's provisions is still
        accepted, so that a refused one (a page opened before an import) gets the service's
        reason rather than a bare "not one of the available choices"."""
        field = self.fields["provision"]
        field.widget.choices = [("", field.empty_label), *((p.eid, p.citation) for p in provisions)]

    def clean(self):
        data = super().clean()
        # Hidden fields are filled by the page, and their own errors are never shown: say
        # where the person can see it that the form must be filled in again.
        if any(self.has_error(field.name) for field in self.hidden_fields()):
            self.add_error(
                None,
                _(
                    "The selection sent with the form could not be read. "
                    "Select the words again, or paste them as the quote."
                ),
            )
        return data

    def selectors(self) -> list[dict] | None:
        data = self.cleaned_data
        quote = data.get("quote") or ""
        if not quote.strip():
            return None
        selectors = [
            {
                "type": "TextQuoteSelector",
                "exact": quote,
                "prefix": data.get("prefix") or "",
                "suffix": data.get("suffix") or "",
            }
        ]
        if data.get("start") is not None and data.get("end") is not None:
            selectors.append(
                {"type": "TextPositionSelector", "start": data["start"], "end": data["end"]}
            )
        return selectors

    def tag_names(self) -> list[str]:
        return [t.strip() for t in (self.cleaned_data.get("tags") or "").split(",") if t.strip()]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply (Markdown)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LinkProposalForm(ServiceErrorsForm):
    provision = forms.ModelChoiceField(
        queryset=Provision.objects.none(), to_field_name="eid", label=_("Provision")
    )
    concern = forms.ModelChoiceField(
        queryset=Concern.objects.all(),
        to_field_name="slug",
        required=False,
        label=_("Concern"),
        widget=PointSelect,
    )
    demand = forms.ModelChoiceField(
        queryset=SafeguardDemand.objects.all(),
        to_field_name="slug",
        required=False,
        label=_("…or safeguard demand"),
        widget=PointSelect,
    )
    kind = forms.ChoiceField(choices=ProvisionLink.grouped_kind_choices, label=_("Kind of link"))
    rationale = forms.CharField(
        label=_("Rationale"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    sources = forms.CharField(
        label=_("Sources"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One web address per line."),
    )
    confidence = forms.ChoiceField(
        choices=ProvisionLink.Confidence.choices,
        initial=ProvisionLink.Confidence.MEDIUM,
        label=_("Confidence"),
    )

    def __init__(self, *args, provisions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provision"].queryset = (
            provisions if provisions is not None else Provision.objects.all()
        )
        self.fields["provision"].label_from_instance = lambda p: p.citation
        points_in_reader_language(self.fields["concern"], Concern.objects.all())
        points_in_reader_language(self.fields["demand"], SafeguardDemand.objects.all())

    def clean(self):
        data = super().clean()
        if bool(data.get("concern")) == bool(data.get("demand")):
            raise ValidationError(_("Choose either a concern or a safeguard demand."))
        return data


class RestoreForm(ServiceErrorsForm):
    """The editor's reason for restoring a version; the service (clean_restore_reason) decides
    that it is required and how long it may be."""

    reason = forms.CharField(
        label=_("Why restore this version?"),
        help_text=_("Required. Kept in the history and in the audit log."),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "maxlength": MAX_REVIEW_NOTE_CHARS, "required": True}
        ),
    )


class PasswordResetRequestForm(PasswordResetForm):
    """Django's password-reset form, but the mail goes to the outbox (`manage.py send_outbox`)
    instead of being sent during the request: the answer comes as fast, and after the same
    work, whether or not the address has an account."""

    def save(self, domain_override=None, use_https=False, request=None, **_ignored):
        if domain_override:
            domain = site_name = domain_override
        else:
            site = get_current_site(request)
            domain, site_name = site.domain, site.name
        password_reset_enqueue(
            users=list(self.get_users(self.cleaned_data["email"])),
            domain=domain,
            site_name=site_name,
            use_https=use_https,
        )


class _PartiesByLocalName(forms.models.ModelChoiceIterator):
    """The parties in the reader's language and its order (one query, as before)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        parties = sorted(self.queryset, key=lambda party: sort_key(party.display_name))
        for party in parties:
            yield self.choice(party)


class PartyChoiceField(forms.ModelChoiceField):
    iterator = _PartiesByLocalName

    def label_from_instance(self, obj):
        return obj.display_name


class CommitmentForm(ServiceErrorsForm):
    """A party's commitment to one safeguard demand, with its evidence (the scorecard)."""

    party = PartyChoiceField(queryset=Party.objects.all(), to_field_name="code", label=_("Party"))
    demand = forms.ModelChoiceField(
        queryset=SafeguardDemand.objects.order_by("position"),
        to_field_name="slug",
        label=_("Safeguard demand"),
        widget=PointSelect,
    )
    level = forms.ChoiceField(choices=Commitment.Level.choices, label=_("Commitment"))
    evidence_url = forms.CharField(
        label=_("Evidence: web address"),
        required=False,
        max_length=500,
        help_text=_("Required unless the commitment is “Unknown”."),
    )
    quote = forms.CharField(
        label=_("Quote from the evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence_date = forms.DateField(
        label=_("Date of the evidence (YYYY-MM-DD)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        demands = SafeguardDemand.objects.order_by("position")
        points_in_reader_language(self.fields["demand"], demands)
