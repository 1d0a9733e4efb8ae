"""The words the in-page annotator (static/js/annotator.js) shows, in the reader's language.

The script has no words of its own: the article page renders these, through the catalogues
like every other string, into a `json_script` element (`#annotator-strings`) that the script
reads. A key the script asks for and this dict lacks is a programming error the script reports
in the console (tests/test_annotator_strings.py holds the two to the same keys). `%(name)s`
placeholders are filled in by the script.
"""

from django.utils.translation import gettext as _


def annotator_strings() -> dict[str, str]:
    return {
        # The button that appears under selected words.
        "annotate": _("Annotate"),
        # Shown in place of that button when the selection runs over two provisions.
        "oneProvision": _("Select words within one provision to annotate them."),
        # Announced (aria-live) once the form has opened in the provision's slot.
        "formOpened": _("The annotation form is open below %(citation)s."),
        "formOpenedWithQuote": _(
            "The annotation form is open below %(citation)s, with the words you selected."
        ),
        "openFailed": _(
            "The annotation form could not be opened. Check your connection and try again, or "
            "follow the provision's “Annotate” link."
        ),
        "sendFailed": _(
            "The annotation could not be sent: the server did not answer. What you typed is "
            "still in the form; try again."
        ),
        "serverRefused": _(
            "The server could not save the annotation (error %(status)s). What you typed is "
            "still in the form; try again, or reload the page if you were signed out."
        ),
    }
