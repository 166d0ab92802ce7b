from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Ledenbestand (CSV)"),
        help_text=_(
            "Kolommen: membership_number, name, email, region, role, weight. "
            "UTF-8, gescheiden door komma's of puntkomma's."
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
