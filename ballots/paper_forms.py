"""The board's form for a count in the hall (ballots.paper): who voted this way, by
membership number, and the totals per choice."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ballots.models import Ballot, Elector, PaperTallyKind
from ballots.paper import Line


class PaperTallyForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Soort telling"), choices=PaperTallyKind.choices, widget=forms.RadioSelect
    )
    numbers = forms.CharField(
        label=_("Lidnummers van wie in de zaal stemde"),
        help_text=_("Eén of meer lidnummers, gescheiden door spaties, komma's of regels."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, ballot: Ballot, **kwargs):
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        if ballot.is_secret:
            self.fields["kind"].choices = [(PaperTallyKind.PAPER, PaperTallyKind.PAPER.label)]
        for choice in ballot.choices.all():
            self.fields[f"votes_{choice.pk}"] = forms.IntegerField(
                label=_("%(label)s: stemmen") % {"label": choice.label}, min_value=0, initial=0
            )
            if ballot.is_weighted:
                self.fields[f"weight_{choice.pk}"] = forms.IntegerField(
                    label=_("%(label)s: stemgewicht") % {"label": choice.label},
                    min_value=0,
                    initial=0,
                )

    def choice_fields(self):
        return [self[name] for name in self.fields if name.startswith(("votes_", "weight_"))]

    def clean_numbers(self) -> list[Elector]:
        numbers = [n for n in re.split(r"[\s,;]+", self.cleaned_data["numbers"]) if n]
        if len(set(numbers)) != len(numbers):
            raise forms.ValidationError(_("Een lidnummer staat er twee keer in."))
        electors = list(
            Elector.objects.filter(
                ballot=self.ballot, user__membership__membership_number__in=numbers
            ).select_related("user__membership")
        )
        found = {e.user.membership.membership_number for e in electors}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(
                _("Geen kiezer bij deze stemming met lidnummer: %(numbers)s.")
                % {"numbers": ", ".join(missing[:10])}
            )
        return electors

    def lines(self) -> list[Line]:
        lines = []
        for choice in self.ballot.choices.all():
            votes = self.cleaned_data[f"votes_{choice.pk}"]
            weight = self.cleaned_data.get(f"weight_{choice.pk}", votes)
            lines.append(Line(choice.pk, votes, weight))
        return lines
