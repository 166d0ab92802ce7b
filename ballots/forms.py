from django import forms
from django.utils.translation import gettext_lazy as _

from ballots.errors import InvalidVote
from ballots.receipts import normalise


class VoteForm(forms.Form):
    """One choice (radio buttons), or for a weighted ballot with splitting a weight per choice."""

    def __init__(self, *args, ballot, weight: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        self.weight = weight
        choices = [(str(c.pk), c.label) for c in ballot.choices.all()]
        self.fields["choice"] = forms.ChoiceField(
            # Django's message repeats the posted value (into the session, via messages).
            error_messages={"invalid_choice": _("Kies een van de keuzes van deze stemming.")},
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
        if not self.is_valid_so_far():
            return data
        chosen = self.cleaned_choice()
        if chosen is None:
            raise forms.ValidationError(_("Kies een van de mogelijkheden."))
        # The review step must refuse a split that casting would refuse (found by
        # tests/abuse: it showed a confirmation for parts not adding up to the weight).
        if isinstance(chosen, dict) and sum(chosen.values()) != self.weight:
            raise forms.ValidationError(
                _("De delen moeten samen precies uw stemgewicht (%(weight)s) zijn."),
                params={"weight": self.weight},
            )
        return data

    def is_valid_so_far(self) -> bool:
        return not self.errors


def cast_choice(post, prefix: str | None = None):
    """The service's choice argument straight from a confirmed vote's POST data: a choice
    id, or {choice id: weight} when the weight is split. Only the shape is checked here;
    ballots.services.cast_vote checks every id and weight against the ballot, so the confirm
    step needs no form (and no query) of its own."""

    name = (lambda field: f"{prefix}-{field}") if prefix else (lambda field: field)
    part_prefix = name("part_")
    parts = {
        _number(key.removeprefix(part_prefix)): _number(value)
        for key, value in post.items()
        if key.startswith(part_prefix) and value not in ("", "0")
    }
    if parts:
        return parts
    chosen = post.get(name("choice"), "")
    if chosen:
        return _number(chosen)
    raise InvalidVote("Kies een van de mogelijkheden.")


def _number(text: str) -> int:
    # Plain ASCII digits only, as the form's fields accept: int() would also take " 7", "+7"
    # and other scripts' digits.
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise InvalidVote("Een keuze of stemgewicht is geen geldig getal.")
    return int(text)


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
