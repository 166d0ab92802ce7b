"""Board forms to prepare a meeting: its details, an agenda item, a ballot to attach.

The date and time is a datetime-local field read as Europe/Amsterdam (the ballot
workspace's field). Once the meeting has started, its date and kind are shown but disabled:
the browser does not send them and the form keeps what is stored (meetings.agenda refuses
a change as well)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ballots.workspace_forms import AmsterdamDateTimeField
from faq.models import PositionPaper, Question, Status
from meetings.models import AgendaItem, Meeting, MeetingKind, MeetingMode, MeetingStatus

DETAIL_FIELDS = ("kind", "title", "starts_at", "place", "mode", "max_proxies_held")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Soort vergadering"),
        choices=MeetingKind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Op een algemene ledenvergadering staan stemmingen van de leden, op een "
            "ambassadeursvergadering stemmingen van de ambassadeurs."
        ),
    )
    title = forms.CharField(
        label=_("Titel"),
        max_length=200,
        error_messages={"required": _("Vul de titel van de vergadering in.")},
    )
    starts_at = AmsterdamDateTimeField(
        label=_("Datum en begintijd"),
        help_text=_("Nederlandse tijd."),
        error_messages={"required": _("Kies wanneer de vergadering begint.")},
    )
    place = forms.CharField(
        label=_("Plaats"),
        max_length=200,
        required=False,
        help_text=_("Bijv. de zaal en de stad; leeg bij een vergadering die alleen online is."),
    )
    mode = forms.ChoiceField(label=_("Vorm"), choices=MeetingMode.choices, widget=forms.RadioSelect)
    max_proxies_held = forms.IntegerField(
        label=_("Hoeveel schriftelijke volmachten mag één persoon houden?"),
        min_value=1,
        max_value=100,
        initial=1,
    )

    def __init__(self, *args, meeting: Meeting | None = None, **kwargs):
        if meeting is not None:
            kwargs.setdefault("initial", {f: getattr(meeting, f) for f in DETAIL_FIELDS})
        super().__init__(*args, **kwargs)
        if meeting is not None and meeting.status != MeetingStatus.PLANNED:
            for name in ("kind", "starts_at"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("De vergadering is begonnen: dit ligt vast.")


class _QuestionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, question) -> str:
        return f"{question.label}. {question.question}"


class _PaperChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, paper) -> str:
        return paper.title


class AgendaItemForm(forms.Form):
    title = forms.CharField(
        label=_("Titel van het agendapunt"),
        max_length=200,
        error_messages={"required": _("Vul de titel van het agendapunt in.")},
    )
    text = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Markdown: **vet**, *cursief*, een lijst met '- ' per regel, een kop met '## '. "
            "Het voorbeeld eronder toont wat leden zien."
        ),
    )
    questions = _QuestionChoice(
        label=_("FAQ-vragen bij dit punt"),
        queryset=Question.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    papers = _PaperChoice(
        label=_("Standpunten bij dit punt"),
        queryset=PositionPaper.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, item: AgendaItem | None = None, **kwargs):
        if item is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": item.title,
                    "text": item.text,
                    "questions": list(item.questions.values_list("pk", flat=True)),
                    "papers": list(item.papers.values_list("pk", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)
        # Published pieces, and whatever the item already links (so saving keeps it).
        linked_q = Q(agenda_items=item) if item is not None else Q(pk__in=[])
        self.fields["questions"].queryset = (
            Question.objects.filter(Q(status=Status.PUBLISHED) | linked_q)
            .distinct()
            .select_related("topic")
            .order_by("topic__name", "label", "pk")
        )
        self.fields["papers"].queryset = (
            PositionPaper.objects.filter(Q(status=Status.PUBLISHED) | linked_q)
            .distinct()
            .order_by("title", "pk")
        )


class _BallotChoice(forms.ModelChoiceField):
    def label_from_instance(self, ballot) -> str:
        return f"{ballot.question} ({ballot.get_status_display()})"


class AttachBallotForm(forms.Form):
    ballot = _BallotChoice(
        label=_("Stemming"),
        queryset=None,
        empty_label=_("Kies een stemming"),
        error_messages={
            "required": _("Kies een stemming."),
            "invalid_choice": _("Deze stemming kan niet (meer) op de agenda."),
        },
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ballot"].queryset = queryset
