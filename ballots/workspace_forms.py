"""The workspace's draft form: Django fields for what a board member types, turned into a
definition (ballots.definitions) that is checked by the same rules as an imported file.

The options are a formset whose rows are added, removed and moved by plain submit buttons
(the server re-renders the form): that works by keyboard, on a phone and without scripts.
"""

import datetime

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ballots.definitions import FORMAT, KINDS, Problem, kind_of
from ballots.drafts import AMSTERDAM, placeholder_dates
from ballots.models import Ballot, Choice, ElectorateKind, ResultVisibility, Secrecy
from faq.models import PositionPaper, Question, Status
from ledenstem_verify.rules import Role
from members.models import Region

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class AmsterdamDateTimeField(forms.DateTimeField):
    """<input type="datetime-local">: the browser sends a wall-clock time without zone,
    always read as Europe/Amsterdam (the association's time), whatever the server's zone."""

    input_formats = [LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S"]

    def __init__(self, **kwargs):
        widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)
        super().__init__(widget=widget, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return value.astimezone(AMSTERDAM).replace(tzinfo=None)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value
        for fmt in self.input_formats:
            try:
                naive = datetime.datetime.strptime(str(value).strip(), fmt)
            except ValueError:
                continue
            return naive.replace(tzinfo=AMSTERDAM)
        raise forms.ValidationError(
            _("Vul een datum en tijd in, bijv. 2026-03-01 09:00."), code="invalid"
        )


def _radio(choices, label, help_text=""):
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, help_text=help_text
    )


class WorkspaceForm(forms.Form):
    question = forms.CharField(
        label=_("Vraag"),
        max_length=300,
        help_text=_("Zoals de kiezer haar leest, bijv. 'Tekent de vereniging het akkoord?'"),
        error_messages={"required": _("Vul de vraag in waarover gestemd wordt.")},
    )
    description = forms.CharField(
        label=_("Toelichting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Markdown: **vet**, *cursief*, een lijst met '- ' per regel, een kop met '## '. "
            "Het voorbeeld eronder toont wat de kiezer ziet."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Soort stemming"), choices=[(k.name, k.label) for k in KINDS.values()]
    )
    electorate = _radio(ElectorateKind.choices, _("Wie stemt er?"))
    regions = forms.ModelMultipleChoiceField(
        label=_("Regio's"),
        queryset=Region.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Vink niets aan voor alle regio's."),
    )
    secrecy = _radio(
        Secrecy.choices,
        _("Geheim of hoofdelijk"),
        _(
            "Geheim: niemand kan zien wie wat stemde. Hoofdelijk: na de sluiting is openbaar "
            "wie wat stemde. Een stemming van ambassadeurs (gewogen) is altijd hoofdelijk."
        ),
    )
    result_visibility = _radio(
        ResultVisibility.choices,
        _("Tussenstand tijdens de stemming"),
        _(
            "De opkomst is altijd live te zien. Bij een geheime stemming ziet niemand een "
            "tussenstand: alleen 'niemand tot de sluiting' kan dan."
        ),
    )
    majority = _radio(Ballot._meta.get_field("majority").choices, _("Meerderheid"))
    base = _radio(Ballot._meta.get_field("base").choices, _("Basis voor de meerderheid"))
    quorum_percent = forms.DecimalField(
        label=_("Quorum (% van het gewogen electoraat)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=_("Laat leeg voor geen quorum. Onthoudingen tellen mee voor de opkomst."),
    )
    proxies_allowed = forms.BooleanField(label=_("Volmachten toegestaan"), required=False)
    max_proxies_held = forms.IntegerField(
        label=_("Hoeveel volmachten mag één persoon houden?"), min_value=1, max_value=100
    )
    vote_change_allowed = forms.BooleanField(
        label=_("Kiezers mogen hun stem wijzigen tot de sluiting"),
        required=False,
        help_text=_("Alleen bij een hoofdelijke stemming."),
    )
    vote_splitting = forms.BooleanField(
        label=_("Ambassadeurs mogen hun stemgewicht over de keuzes verdelen"),
        required=False,
        help_text=_("Alleen bij een gewogen stemming van ambassadeurs."),
    )
    attendance_required = forms.BooleanField(
        label=_("Alleen aanwezigen mogen stemmen (hybride vergadering)"), required=False
    )
    # Settings of one kind only (ballots.definitions.KINDS); the others are ignored.
    setting_runoff = forms.BooleanField(
        label=_("Tweede ronde als geen optie meer dan de helft haalt"),
        required=False,
        help_text=_("Alleen bij 'één van meerdere opties'."),
    )
    setting_seats = forms.IntegerField(
        label=_("Aantal zetels of winnaars"),
        min_value=1,
        max_value=50,
        required=False,
        help_text=_("Bij goedkeuring, rangschikking en verkiezing; leeg is 1."),
    )
    setting_max_choices = forms.IntegerField(
        label=_("Ten hoogste zoveel keuzes per kiezer"),
        min_value=1,
        max_value=50,
        required=False,
        help_text=_("Bij goedkeuring en een verkiezing door goedkeuring; leeg is alle opties."),
    )
    setting_motion_text = forms.CharField(
        label=_("Tekst van de motie"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Alleen bij een motie (een voorstel): de tekst waarover gestemd wordt. Amendementen "
            "worden eerst gestemd; aangenomen amendementen passen deze tekst aan."
        ),
    )
    amends = forms.ModelChoiceField(
        label=_("Dit is een amendement op de motie"),
        queryset=Ballot.objects.filter(status__in=["draft", "scheduled"]).exclude(motion_text=""),
        required=False,
        empty_label=_("geen: dit is geen amendement"),
    )
    setting_amendment_find = forms.CharField(
        label=_("Te vervangen passage uit de motie"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leeg: de nieuwe tekst komt aan het eind van de motie."),
    )
    setting_amendment_replace = forms.CharField(
        label=_("Nieuwe tekst"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    setting_ranked_election = forms.BooleanField(
        label=_("Kandidaten rangschikken in plaats van goedkeuren"),
        required=False,
        help_text=_("Alleen bij een verkiezing: rangschikken telt met STV (of instant runoff)."),
    )
    opens_at = AmsterdamDateTimeField(
        label=_("Opent op"),
        help_text=_("Nederlandse tijd."),
        error_messages={"required": _("Kies wanneer de stemming opent.")},
    )
    closes_at = AmsterdamDateTimeField(
        label=_("Sluit op"),
        help_text=_("Nederlandse tijd; na de opening."),
        error_messages={"required": _("Kies wanneer de stemming sluit.")},
    )
    questions = forms.ModelMultipleChoiceField(
        label=_("FAQ-vragen"),
        queryset=Question.objects.filter(status=Status.PUBLISHED).select_related("topic"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    papers = forms.ModelMultipleChoiceField(
        label=_("Standpunten"),
        queryset=PositionPaper.objects.filter(status=Status.PUBLISHED),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def definition(self, options: list[dict]) -> dict:
        """The checked-to-be definition (ballots.definitions.check) of what was typed."""
        data = self.cleaned_data
        kind = KINDS[data["kind"]]
        return {
            "format": FORMAT,
            "kind": kind.name,
            "question": data["question"],
            "description": data["description"],
            "options": [
                {key: option.get(key) or "" for key in kind.option_keys} for option in options
            ],
            "settings": {
                name: default if data.get(f"setting_{name}") is None else data[f"setting_{name}"]
                for name, (_type, default) in kind.settings.items()
            },
            "electorate": data["electorate"],
            "regions": [region.code for region in data["regions"]],
            "secrecy": data["secrecy"],
            "result_visibility": data["result_visibility"],
            "majority": data["majority"],
            "base": data["base"],
            "quorum_percent": data["quorum_percent"],
            "proxies_allowed": data["proxies_allowed"],
            "max_proxies_held": data["max_proxies_held"],
            "vote_change_allowed": data["vote_change_allowed"],
            "vote_splitting": data["vote_splitting"],
            "attendance_required": data["attendance_required"],
            "read_first": {
                "faq": [{"topic": q.topic.slug, "label": q.label} for q in data["questions"]],
                "papers": [paper.slug for paper in data["papers"]],
            },
        }

    def add_problems(self, problems: list[Problem], options_formset) -> list[str]:
        """Put each problem of the definition on its field; returns those about the options
        as a whole (shown above the option rows)."""
        about_options = []
        for problem in problems:
            root = problem.path.split("[")[0].split(".")[0]
            if root == "options" and "[" in problem.path:
                number = int(problem.path.split("[")[1].split("]")[0])
                key = problem.path.rsplit(".", 1)[-1]
                form = options_formset.forms[number]
                form.add_error(key if key in form.fields else None, problem.message)
            elif root == "options":
                about_options.append(problem.message)
            else:
                self.add_error(root if root in self.fields else None, problem.message)
        return about_options


SETTING_NAMES = (
    "runoff",
    "seats",
    "max_choices",
    "ranked_election",
    "motion_text",
    "amendment_find",
    "amendment_replace",
)


def initial_for(ballot: Ballot | None) -> dict:
    """The form's starting values: a ballot's, or the model's defaults for a new draft."""
    if ballot is None:
        opens_at, closes_at = placeholder_dates()
        return {
            "kind": "proposal",
            "electorate": ElectorateKind.MEMBERS,
            "secrecy": Secrecy.SECRET,
            "result_visibility": ResultVisibility.CLOSED,
            "majority": Ballot._meta.get_field("majority").default,
            "base": Ballot._meta.get_field("base").default,
            "max_proxies_held": 1,
            "opens_at": opens_at,
            "closes_at": closes_at,
        }
    names = [
        f
        for f in WorkspaceForm.base_fields
        if f not in ("questions", "papers", "kind") and not f.startswith("setting_")
    ]
    initial = {name: getattr(ballot, name) for name in names if name != "regions"}
    initial |= {f"setting_{name}": getattr(ballot, name) for name in SETTING_NAMES}
    initial |= {
        "kind": kind_of(ballot).name,
        "regions": list(ballot.regions.values_list("pk", flat=True)),
        "questions": list(ballot.read_first_questions.values_list("pk", flat=True)),
        "papers": list(ballot.read_first_papers.values_list("pk", flat=True)),
    }
    return initial


class OptionForm(forms.Form):
    label = forms.CharField(
        label=_("Tekst"),
        max_length=100,
        error_messages={"required": _("Vul een tekst in voor deze keuze, of verwijder de regel.")},
    )
    role = forms.ChoiceField(
        label=_("Telt als (bij een voorstel)"),
        choices=Choice._meta.get_field("role").choices,
        required=False,
    )
    statement = forms.CharField(
        label=_("Toelichting van de kandidaat (bij een verkiezing)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


OptionFormSet = formset_factory(OptionForm, extra=0, max_num=50, absolute_max=50, validate_max=True)
OPTIONS_PREFIX = "options"


def option_rows(ballot: Ballot | None) -> list[dict]:
    if ballot is None:
        return [dict(option) for option in KINDS["proposal"].default_options]
    return [
        {"label": c.label, "role": c.role, "statement": c.statement}
        for c in ballot.choices.order_by("order", "pk")
    ]


def posted_rows(post) -> list[dict]:
    """The option rows as typed, unvalidated (to add, remove or move one and show again)."""
    try:
        total = min(int(post.get(f"{OPTIONS_PREFIX}-TOTAL_FORMS", 0)), 50)
    except ValueError:
        total = 0
    return [
        {
            "label": post.get(f"{OPTIONS_PREFIX}-{n}-label", ""),
            "role": post.get(f"{OPTIONS_PREFIX}-{n}-role", Role.FOR),
            "statement": post.get(f"{OPTIONS_PREFIX}-{n}-statement", ""),
        }
        for n in range(total)
    ]


def rearranged(post) -> list[dict] | None:
    """The rows after an add / remove / move button, or None when no such button was used."""
    rows = posted_rows(post)
    if "add_option" in post:
        return [*rows, {"label": "", "role": str(Role.FOR)}][:50]
    for action in ("remove_option", "move_up", "move_down"):
        value = post.get(action, "")
        if not (value.isascii() and value.isdigit()) or int(value) >= len(rows):
            continue
        n = int(value)
        if action == "remove_option":
            return rows[:n] + rows[n + 1 :]
        other = n - 1 if action == "move_up" else n + 1
        if 0 <= other < len(rows):
            rows[n], rows[other] = rows[other], rows[n]
        return rows
    return None


def initial_from_post(form: WorkspaceForm) -> dict:
    """What was typed, as initial values: the form is shown again after a row button without
    complaining about fields the board has not finished yet."""
    return {name: form[name].data for name in form.fields}
