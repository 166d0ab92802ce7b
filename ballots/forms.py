from typing import NamedTuple

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ballots.errors import InvalidVote
from ballots.receipts import normalise
from ballots.services import choices_of


class RadioOption(NamedTuple):
    id: str
    label: str
    tag: SafeString


class VoteForm(forms.Form):
    """One choice (radio buttons), or for a weighted ballot with splitting a weight per choice."""

    def __init__(self, *args, ballot, weight: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        self.weight = weight
        self.shape = ballot.input_shape
        choices = [(str(c.pk), c.label) for c in choices_of(ballot).values()]
        # For the review step's summary: the choices already read, not a second query.
        self.labels = {int(pk): label for pk, label in choices}
        if self.shape != "one":
            self._add_kind_fields(ballot, choices)
            return
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
                    # static/js/split.js counts what is left to divide from these
                    widget=forms.NumberInput(attrs={"data-split-part": "", "inputmode": "numeric"}),
                )

    def _add_kind_fields(self, ballot, choices) -> None:
        """Approval: a checkbox per option. Ranked: a rank per option (1 = first choice),
        which static/js/ranking.js turns into a list the voter reorders with buttons."""
        if self.shape == "many":
            limit = ballot.max_choices or len(choices)
            self.fields["choices"] = forms.MultipleChoiceField(
                error_messages={"invalid_choice": _("Kies alleen opties van deze stemming.")},
                label=_("Kies ten hoogste %(limit)s") % {"limit": limit},
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
            )
            return
        places = [("", _("niet gerangschikt"))] + [
            (str(n), str(n)) for n in range(1, len(choices) + 1)
        ]
        for pk, label in choices:
            self.fields[f"rank_{pk}"] = forms.TypedChoiceField(
                label=label, choices=places, coerce=int, required=False, empty_value=None
            )

    @property
    def radio_options(self) -> list[RadioOption]:
        """The one-choice radio buttons, written here as Django's RadioSelect writes them
        (name, value, id, required, checked, aria-invalid): its four widget templates per
        option were 13% of the ballot page's CPU at an assembly (issue #18)."""
        bound = self["choice"]
        name, chosen = bound.html_name, bound.value()
        required = self.fields["choice"].required and self.use_required_attribute
        invalid = bool(bound.errors)
        options = []
        for index, (value, label) in enumerate(self.fields["choice"].choices):
            option_id = f"{bound.auto_id}_{index}"
            tag = format_html(
                '<input type="radio" name="{}" value="{}" id="{}"{}{}{}>',
                name,
                value,
                option_id,
                mark_safe(" required" if required else ""),
                mark_safe(" checked" if chosen is not None and str(chosen) == str(value) else ""),
                mark_safe(' aria-invalid="true"' if invalid else ""),
            )
            options.append(RadioOption(option_id, label, tag))
        return options

    @property
    def rank_fields(self):
        return [self[name] for name in self.fields if name.startswith("rank_")]

    @property
    def part_fields(self):
        return [self[name] for name in self.fields if name.startswith("part_")]

    def cleaned_choice(self):
        """The service's choice argument: a choice id, {choice id: weight} when split, a
        list of approved ids, or the ids in order of preference."""
        if self.shape == "many":
            return [int(pk) for pk in self.cleaned_data.get("choices", [])]
        if self.shape == "order":
            return ranking_from(
                {
                    int(name.removeprefix("rank_")): place
                    for name, place in self.cleaned_data.items()
                    if name.startswith("rank_") and place
                }
            )
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
        if isinstance(chosen, list):
            return self._clean_list(chosen, data)
        # Both a choice and a split: the split used to win silently (issue #16, item 6).
        if isinstance(chosen, dict) and data.get("choice"):
            raise forms.ValidationError(
                _("Kies één keuze of verdeel uw gewicht, niet allebei."), code="both"
            )
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

    def _clean_list(self, chosen: list, data):
        if not chosen:
            raise forms.ValidationError(_("Kies ten minste één van de opties."))
        limit = self.ballot.max_choices
        if self.shape == "many" and limit and len(chosen) > limit:
            raise forms.ValidationError(
                _("Kies ten hoogste %(limit)s van de opties."), params={"limit": limit}
            )
        if self.shape == "order":
            places = [v for k, v in data.items() if k.startswith("rank_") and v]
            if len(places) != len(set(places)):
                raise forms.ValidationError(_("Geef elke plaats in uw volgorde maar één keer."))
        return data


def ranking_from(places: dict[int, int]) -> list[int]:
    """Choice ids in order of their place (1 first); ties and gaps are the caller's check."""
    return [pk for pk, _place in sorted(places.items(), key=lambda item: (item[1], item[0]))]


def cast_choice(post, prefix: str | None = None):
    """The service's choice argument straight from a confirmed vote's POST data: a choice
    id, or {choice id: weight} when the weight is split. Only the shape is checked here;
    ballots.services.cast_vote checks every id and weight against the ballot, so the confirm
    step needs no form (and no query) of its own."""

    name = (lambda field: f"{prefix}-{field}") if prefix else (lambda field: field)
    if name("choices") in post:  # approval: the approved ids
        return [_number(value) for value in post.getlist(name("choices"))]
    rank_prefix = name("rank_")
    places = {
        _number(key.removeprefix(rank_prefix)): _number(value)
        for key, value in post.items()
        if key.startswith(rank_prefix) and value
    }
    if places:
        if len(set(places.values())) != len(places):
            raise InvalidVote(_("Geef elke plaats in uw volgorde maar één keer."))
        return ranking_from(places)
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
    raise InvalidVote(_("Kies een van de mogelijkheden."))


def _number(text: str) -> int:
    # Plain ASCII digits only, as the form's fields accept: int() would also take " 7", "+7"
    # and other scripts' digits.
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise InvalidVote(_("Een keuze of stemgewicht is geen geldig getal."))
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
