from django import forms
from django.utils.translation import gettext_lazy as _

from ballots.receipts import normalise


class VoteForm(forms.Form):
    """One choice (radio buttons), or for a weighted ballot with splitting a weight per choice."""

    def __init__(self, *args, ballot, weight: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        self.weight = weight
        choices = [(str(c.pk), c.label) for c in ballot.choices.all()]
        self.fields["choice"] = forms.ChoiceField(
            label=_("Uw keuze"),
            choices=choices,
            widget=forms.RadioSelect,
            required=not ballot.vote_splitting,
        )
        if ballot.vote_splitting:
            for pk, label in choices:
                self.fields[f"part_{pk}"] = forms.IntegerField(
                    label=_("Gewicht voor %(label)s") % {"label": label},
                    min_value=0,
                    max_value=weight,
                    required=False,
                )

    @property
    def part_fields(self):
        return [self[name] for name in self.fields if name.startswith("part_")]

    def cleaned_choice(self):
        """The service's choice argument: a choice id, or {choice id: weight} when split."""
        parts = {
            int(name.removeprefix("part_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("part_") and value
        }
        if parts:
            return parts
        return int(self.cleaned_data["choice"]) if self.cleaned_data.get("choice") else None

    def clean(self):
        data = super().clean()
        if self.is_valid_so_far() and self.cleaned_choice() is None:
            raise forms.ValidationError(_("Kies een van de mogelijkheden."))
        return data

    def is_valid_so_far(self) -> bool:
        return not self.errors


class ProxyForm(forms.Form):
    holder_email = forms.EmailField(label=_("E-mailadres van de gevolmachtigde"))


class ReceiptCheckForm(forms.Form):
    code = forms.CharField(label=_("Uw ontvangstcode"), max_length=40)

    def clean_code(self):
        code = normalise(self.cleaned_data["code"])
        if len(code.replace("-", "")) != 16:
            raise forms.ValidationError(
                _("Een ontvangstcode heeft 16 tekens, bijv. K7QM-2XHD-P9WA-ZT4N.")
            )
        return code


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Proces-verbaal (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_file(self) -> bytes:
        from ballots.document_check import MAX_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Het bestand is te groot voor een proces-verbaal."))
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(_("Dit is geen PDF-bestand."))
        return data
