from django import forms
from django.utils.translation import gettext_lazy as _

from faq.member_questions import MAX_LENGTH, MIN_LENGTH
from faq.models import Question, Stance, Status, Topic


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Zoeken in FAQ en standpunten"), max_length=200, required=False)


class PositionFilterForm(forms.Form):
    stance = forms.ChoiceField(
        label=_("Standpunt"), choices=[("", _("Alle standpunten")), *Stance.choices], required=False
    )
    organisation = forms.ChoiceField(label=_("Organisatie"), required=False)

    def __init__(self, *args, organisations: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Alle organisaties")), *organisations]


class AskQuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Uw vraag"),
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Terwijl u typt, ziet u vergelijkbare vragen die al beantwoord zijn."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Antwoord aan het lid"), widget=forms.Textarea(attrs={"rows": 6})
    )
    publish = forms.BooleanField(label=_("Ook publiceren als nieuwe FAQ-vraag"), required=False)
    topic = forms.ModelChoiceField(
        label=_("Onderwerp"), queryset=Topic.objects.all(), required=False
    )
    label = forms.CharField(label=_("Label (letter of nummer)"), max_length=8, required=False)
    question = forms.CharField(label=_("Vraag zoals gepubliceerd"), max_length=400, required=False)

    def clean(self):
        data = super().clean()
        if data.get("publish"):
            for field in ("topic", "label", "question"):
                if not data.get(field):
                    self.add_error(field, _("Nodig om als FAQ-vraag te publiceren."))
        return data


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Bestaande FAQ-vraag"),
        queryset=Question.objects.filter(status=Status.PUBLISHED).select_related("topic"),
    )
    note = forms.CharField(
        label=_("Toelichting (optioneel)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden (het lid krijgt deze te lezen)"), widget=forms.Textarea(attrs={"rows": 3})
    )
