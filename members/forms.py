from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from members.adapters import NotInRegister


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Ledenbestand (CSV)"),
        help_text=_(
            "Kolommen: <code>membership_number</code>, <code>name</code>, <code>email</code>, "
            "<code>region</code>, <code>role</code>, <code>weight</code>. UTF-8, gescheiden door "
            "komma's of puntkomma's."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        limit = settings.REGISTER_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("Het bestand is groter dan %(limit)s.") % {"limit": filesizeformat(limit)}
            )
        data = upload.read()
        if b"\x00" in data[:4096]:
            raise forms.ValidationError(
                _("Dit is geen CSV-bestand (sla het in Excel op als 'CSV UTF-8').")
            )
        return data


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's form, answering every address alike (issue #13). allauth runs the adapter's
    register check here too, and ACCOUNT_PREVENT_ENUMERATION does not silence it: "not in the
    register" for a stranger's or a suspended member's address and a redirect for a member's
    told anyone who is a member. Such an address now goes on as one without an account: the
    page says "sent" and allauth mails the address that it has no account."""

    def clean_email(self) -> str:
        try:
            return super().clean_email()
        except NotInRegister:
            self.users = []
            return self.cleaned_data["email"]


class AddEmailForm(AllauthAddEmailForm):
    """A member's address comes from the register (the import sets and changes it), so none is
    added on "Mijn account". allauth's form ran the register check first: "not in the register"
    for a stranger's address, and for another member's a confirmation mail sent to them, told
    any logged-in member who is a member. Every address now gets the same refusal."""

    def clean_email(self) -> str:
        raise forms.ValidationError(
            _(
                "Uw e-mailadres komt uit het ledenregister. Wilt u een ander adres gebruiken? "
                "Vraag dan het secretariaat om het in het register te wijzigen."
            )
        )
