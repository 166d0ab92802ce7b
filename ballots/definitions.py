"""A ballot's definition as plain data: what the board decides before a ballot opens.

One format serves the workspace form, `export_ballot` / `import_ballot` and the templates in
ballots/definition_templates/: everything but the dates, the frozen electorate and the votes.
FAQ questions, position papers and regions are named by stable identifiers (topic slug and
label, paper slug, region code), never by database ids, so a file moves between
installations.

The kind is a top-level `kind`; what only one kind has lives in `settings` (e.g. seats) and in
the options' keys (e.g. a candidate's statement), declared per kind in KINDS. A new kind adds
an entry there; the format's other keys do not change.

`check` is the one validation for all three entry points: it names every problem with its
path in the data and a Dutch reason saying what to change, and never stops at the first.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ballots.models import Ballot, ElectorateKind, ResultVisibility, Secrecy
from ledenstem_verify.rules import DEFAULT_CHOICES, Base, Majority, Role

FORMAT = 1


@dataclass(frozen=True)
class Problem:
    path: str  # where in the definition, e.g. "options[1].role"; "" is the whole file
    message: str  # Dutch: what is wrong and what to change

    def __str__(self) -> str:
        return f"{self.path or '(bestand)'}: {self.message}"


class DefinitionError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# --- Kinds --------------------------------------------------------------------------------


def _proposal_options(options: list[dict]) -> list[Problem]:
    roles = {option.get("role") for option in options}
    problems = []
    if Role.FOR not in roles or Role.AGAINST not in roles:
        problems.append(
            Problem(
                "options",
                _(
                    "Een voorstel heeft ten minste één keuze die telt als 'voor' en één die "
                    "telt als 'tegen'."
                ),
            )
        )
    return problems


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # lazily translated
    # Keys of one option, each with its JSON type and maximum length (strings).
    option_keys: dict[str, tuple[type, int | None]]
    default_options: tuple[dict, ...]
    # Kind-specific settings: name -> (JSON type, default). Stored on Ballot fields of the
    # same name once the model has them.
    settings: dict[str, tuple[type, object]] = field(default_factory=dict)
    check_options: object = None  # callable(options) -> list[Problem]
    check_settings: object = None  # callable(settings, options) -> list[Problem]


ROLE_LABELS = {Role.FOR: "voor", Role.AGAINST: "tegen", Role.ABSTAIN: "onthouding"}


def _at_least_two(options: list[dict]) -> list[Problem]:
    if len(options) < 2:
        return [Problem("options", _("Geef ten minste twee opties."))]
    return []


def _seats_and_choices(settings: dict, options: list[dict]) -> list[Problem]:
    """Seats (winners) and the most options a voter may pick must fit the options."""
    problems = []
    count = len(options)
    seats = settings.get("seats")
    if seats is not None and not 1 <= seats < max(count, 2):
        problems.append(
            Problem(
                "settings.seats",
                _("Het aantal zetels moet minstens 1 en kleiner dan het aantal opties zijn."),
            )
        )
    limit = settings.get("max_choices")
    if limit is not None and not 1 <= limit <= count:
        problems.append(
            Problem(
                "settings.max_choices",
                _("Het aantal keuzes per kiezer moet tussen 1 en het aantal opties liggen."),
            )
        )
    return problems


_OPTION_DEFAULTS = ({"label": "Optie 1"}, {"label": "Optie 2"}, {"label": "Optie 3"})

KINDS: dict[str, Kind] = {
    "proposal": Kind(
        name="proposal",
        label=gettext_lazy("Voorstel (voor / tegen / onthouding)"),
        option_keys={"label": (str, 100), "role": (str, None)},
        default_options=tuple(
            {"label": label, "role": str(role)} for label, role in DEFAULT_CHOICES
        ),
        # A motion has a text; an amendment replaces a passage of its motion's text (which
        # motion it amends is chosen in the workspace: an id does not travel between sites).
        settings={
            "motion_text": (str, ""),
            "amendment_find": (str, ""),
            "amendment_replace": (str, ""),
        },
        check_options=_proposal_options,
    ),
    "single": Kind(
        name="single",
        label=gettext_lazy("Eén van meerdere opties"),
        option_keys={"label": (str, 100)},
        default_options=_OPTION_DEFAULTS,
        settings={"runoff": (bool, False)},
        check_options=_at_least_two,
    ),
    "approval": Kind(
        name="approval",
        label=gettext_lazy("Goedkeuring: kies er ten hoogste k"),
        option_keys={"label": (str, 100)},
        default_options=_OPTION_DEFAULTS,
        settings={"seats": (int, 1), "max_choices": (int, None)},
        check_options=_at_least_two,
        check_settings=_seats_and_choices,
    ),
    "ranked": Kind(
        name="ranked",
        label=gettext_lazy("Rangschikking: opties op volgorde"),
        option_keys={"label": (str, 100)},
        default_options=_OPTION_DEFAULTS,
        settings={"seats": (int, 1)},
        check_options=_at_least_two,
        check_settings=_seats_and_choices,
    ),
    "election": Kind(
        name="election",
        label=gettext_lazy("Verkiezing van personen"),
        option_keys={"label": (str, 100), "statement": (str, 2000)},
        default_options=({"label": "", "statement": ""}, {"label": "", "statement": ""}),
        settings={"seats": (int, 1), "ranked_election": (bool, False), "max_choices": (int, None)},
        check_options=_at_least_two,
        check_settings=_seats_and_choices,
    ),
}


def kind_of(ballot: Ballot) -> Kind:
    return KINDS[ballot.kind or "proposal"]


# --- Ballot -> definition -----------------------------------------------------------------


def _quorum_out(value: Decimal | None):
    """A JSON number: an int when whole, else the shortest float that reads back as the same
    two-decimal value (json.loads with parse_float=Decimal gives it back exactly)."""
    if value is None:
        return None
    value = Decimal(str(value))  # an unsaved or just-created instance may hold a str
    return int(value) if value == value.to_integral_value() else float(value)


def to_dict(ballot: Ballot) -> dict:
    kind = kind_of(ballot)
    return {
        "format": FORMAT,
        "kind": kind.name,
        "question": ballot.question,
        "description": ballot.description,
        "options": [
            {key: getattr(choice, key) for key in kind.option_keys}
            for choice in ballot.choices.order_by("order", "pk")
        ],
        "settings": {name: getattr(ballot, name) for name in kind.settings},
        "electorate": ballot.electorate,
        "regions": sorted(ballot.regions.values_list("code", flat=True)),
        "secrecy": ballot.secrecy,
        "result_visibility": ballot.result_visibility,
        "majority": ballot.majority,
        "base": ballot.base,
        "quorum_percent": _quorum_out(ballot.quorum_percent),
        "proxies_allowed": ballot.proxies_allowed,
        "max_proxies_held": ballot.max_proxies_held,
        "vote_change_allowed": ballot.vote_change_allowed,
        "vote_splitting": ballot.vote_splitting,
        "attendance_required": ballot.attendance_required,
        "read_first": {
            "faq": [
                {"topic": topic, "label": label}
                for topic, label in sorted(
                    ballot.read_first_questions.values_list("topic__slug", "label")
                )
            ],
            "papers": sorted(ballot.read_first_papers.values_list("slug", flat=True)),
        },
    }


def dumps(definition: dict) -> str:
    return json.dumps(definition, ensure_ascii=False, indent=2) + "\n"


# --- Definition -> checked data -------------------------------------------------------------

# Top-level keys besides format/kind/question/options/settings/regions/read_first: their
# choices and defaults (the model's), so a template needs to say only what differs.
CHOICE_KEYS = {
    "electorate": ([str(v) for v in ElectorateKind.values], ElectorateKind.MEMBERS),
    "secrecy": ([str(v) for v in Secrecy.values], Secrecy.SECRET),
    "result_visibility": ([str(v) for v in ResultVisibility.values], ResultVisibility.CLOSED),
    "majority": ([str(v) for v in Majority], Majority.SIMPLE),
    "base": ([str(v) for v in Base], Base.VALID),
}
BOOL_KEYS = {
    "proxies_allowed": False,
    "vote_change_allowed": False,
    "vote_splitting": False,
    "attendance_required": False,
}
KNOWN_KEYS = (
    {"format", "kind", "question", "description", "options", "settings", "regions"}
    | set(CHOICE_KEYS)
    | set(BOOL_KEYS)
    | {"quorum_percent", "max_proxies_held", "read_first"}
)
TYPE_NAMES = {str: "tekst", bool: "true of false", int: "een geheel getal", list: "een lijst"}


@dataclass
class Checked:
    """A valid definition with its references resolved to rows."""

    definition: dict
    regions: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    papers: list = field(default_factory=list)

    @property
    def kind(self) -> Kind:
        return KINDS[self.definition["kind"]]


class _Collector:
    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def typed(self, data: dict, key: str, kind: type, path: str | None = None):
        """data[key] if it has JSON type `kind` (bool is no int here), else a problem."""
        value = data[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            self.add(path or key, f"Moet {TYPE_NAMES.get(kind, kind.__name__)} zijn.")
            return None
        return value


def load(text: str) -> Checked:
    """Parse JSON text and check it; raises DefinitionError naming every problem."""
    try:
        data = json.loads(text, parse_float=Decimal, object_pairs_hook=_no_duplicate_keys)
    except _DuplicateKey as duplicate:
        problem = Problem("", f"De sleutel '{duplicate}' staat er twee keer in.")
        raise DefinitionError([problem]) from None
    except json.JSONDecodeError as bad:
        raise DefinitionError(
            [Problem("", f"Geen geldige JSON (regel {bad.lineno}, kolom {bad.colno}): {bad.msg}.")]
        ) from bad
    return check(data)


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs):
    # json.loads keeps the last of two equal keys silently: a file would not mean what it says.
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def check(data) -> Checked:
    """Validate a definition (as parsed from JSON, or built by the workspace form)."""
    out = _Collector()
    if not isinstance(data, dict):
        raise DefinitionError([Problem("", "Een definitie is een JSON-object { ... }.")])
    for key in sorted(set(data) - KNOWN_KEYS):
        out.add(key, "Onbekende sleutel: verwijder hem of controleer de spelling.")
    for key in ("format", "kind", "question", "options"):
        if key not in data:
            out.add(key, "Ontbreekt: deze sleutel is verplicht.")
    has_format = "format" in data and out.typed(data, "format", int) is not None
    if has_format and data["format"] != FORMAT:
        out.add("format", f"Onbekende formaatversie {data['format']}: deze versie leest {FORMAT}.")
    kind = None
    if "kind" in data and out.typed(data, "kind", str) is not None:
        kind = KINDS.get(data["kind"])
        if kind is None:
            out.add("kind", f"Onbekende soort stemming; kies uit: {', '.join(KINDS)}.")
    clean = {"format": FORMAT, "kind": kind.name if kind else None}
    clean["question"] = _text(out, data, "question", 300, required=True)
    clean["description"] = _text(out, data, "description", 100_000)
    clean["options"] = _options(out, data, kind)
    clean["settings"] = _settings(out, data, kind)
    for key, (choices, default) in CHOICE_KEYS.items():
        clean[key] = str(default)
        if key in data and out.typed(data, key, str) is not None:
            if data[key] in choices:
                clean[key] = data[key]
            else:
                out.add(key, f"Ongeldige waarde; kies uit: {', '.join(choices)}.")
    for key, default in BOOL_KEYS.items():
        clean[key] = default
        if key in data and out.typed(data, key, bool) is not None:
            clean[key] = data[key]
    clean["quorum_percent"] = _quorum(out, data)
    clean["max_proxies_held"] = 1
    if "max_proxies_held" in data and out.typed(data, "max_proxies_held", int) is not None:
        if not 1 <= data["max_proxies_held"] <= 100:
            out.add("max_proxies_held", "Moet tussen 1 en 100 liggen.")
        else:
            clean["max_proxies_held"] = data["max_proxies_held"]
    regions = _regions(out, data, clean)
    questions, papers = _read_first(out, data, clean)
    if clean["kind"] and not any(p.path.startswith(("options", "kind")) for p in out.problems):
        for problem in kind.check_options(clean["options"]) if kind.check_options else []:
            out.problems.append(problem)
        if kind.check_settings and not any(p.path.startswith("settings") for p in out.problems):
            out.problems += kind.check_settings(clean["settings"], clean["options"])
    out.problems += combination_problems(clean)
    if out.problems:
        raise DefinitionError(out.problems)
    return Checked(definition=clean, regions=regions, questions=questions, papers=papers)


def combination_problems(d: dict) -> list[Problem]:
    """The settings that cannot go together (the model's check constraints, in words)."""
    problems = []
    secret = d.get("secrecy") == Secrecy.SECRET
    weighted = d.get("electorate") == ElectorateKind.AMBASSADORS
    if secret and weighted:
        problems.append(
            Problem(
                "secrecy",
                _(
                    "Een stemming van ambassadeurs (gewogen) is altijd hoofdelijk: bij bekende "
                    "gewichten verraden de totalen per keuze wie wat stemde. Kies "
                    "'hoofdelijk', of kies leden als kiezers."
                ),
            )
        )
    if secret and d.get("result_visibility") != ResultVisibility.CLOSED:
        problems.append(
            Problem(
                "result_visibility",
                _(
                    "Bij een geheime stemming ziet niemand een tussenstand: kies 'niemand tot "
                    "de sluiting', of maak de stemming hoofdelijk."
                ),
            )
        )
    if secret and d.get("vote_change_allowed"):
        problems.append(
            Problem(
                "vote_change_allowed",
                _(
                    "Stem wijzigen kan alleen bij een hoofdelijke stemming: zet het uit, of "
                    "maak de stemming hoofdelijk."
                ),
            )
        )
    if d.get("vote_splitting") and not weighted:
        problems.append(
            Problem(
                "vote_splitting",
                _(
                    "Stemgewicht splitsen kan alleen bij een gewogen stemming van ambassadeurs: "
                    "zet het uit, of kies ambassadeurs als kiezers."
                ),
            )
        )
    if d.get("vote_splitting") and d.get("kind") not in (None, "proposal"):
        problems.append(
            Problem(
                "vote_splitting",
                _("Stemgewicht splitsen kan alleen bij een voorstel (voor / tegen / onthouding)."),
            )
        )
    if d.get("base") == "present" and not d.get("attendance_required"):
        problems.append(
            Problem(
                "base",
                _(
                    "Tellen op de aanwezigen kan alleen als alleen aanwezigen stemmen: zet "
                    "'alleen aanwezigen stemmen' aan, of kies een andere basis."
                ),
            )
        )
    return problems


def _text(out, data, key, max_length, *, required=False) -> str:
    if key not in data:
        return ""
    value = out.typed(data, key, str)
    if value is None:
        return ""
    if required and not value.strip():
        out.add(key, "Mag niet leeg zijn.")
    if len(value) > max_length:
        out.add(key, f"Is {len(value)} tekens lang; maak het ten hoogste {max_length} tekens.")
    return value.strip() if key == "question" else value


def _options(out, data, kind: Kind | None) -> list[dict]:
    if "options" not in data or out.typed(data, "options", list) is None:
        return []
    options = []
    seen = {}
    for number, option in enumerate(data["options"]):
        path = f"options[{number}]"
        if not isinstance(option, dict):
            out.add(path, "Een keuze is een object met " + _keys_text(kind) + ".")
            continue
        if kind is None:
            continue
        for key in sorted(set(option) - set(kind.option_keys)):
            out.add(f"{path}.{key}", "Onbekende sleutel bij een keuze van deze soort.")
        clean = {}
        for key, (json_type, max_length) in kind.option_keys.items():
            if key not in option:
                out.add(f"{path}.{key}", "Ontbreekt.")
                continue
            value = out.typed(option, key, json_type, f"{path}.{key}")
            if value is None:
                continue
            if isinstance(value, str):
                value = value.strip()
                if key == "label" and not value:
                    out.add(f"{path}.{key}", "Vul een tekst in voor deze keuze.")
                if max_length and len(value) > max_length:
                    out.add(f"{path}.{key}", f"Ten hoogste {max_length} tekens.")
            clean[key] = value
        if "role" in kind.option_keys and "role" in clean and clean["role"] not in ROLE_LABELS:
            out.add(f"{path}.role", "Ongeldige rol; kies uit: for, against, abstain.")
        label = clean.get("label", "")
        if label and label.casefold() in seen:
            out.add(
                f"{path}.label",
                _("Dezelfde tekst als keuze %(number)s: geef elke keuze een eigen tekst.")
                % {"number": seen[label.casefold()] + 1},
            )
        seen.setdefault(label.casefold(), number)
        options.append(clean)
    if len(data["options"]) < 2:
        out.add("options", _("Een stemming heeft ten minste twee keuzes nodig: voeg er een toe."))
    if len(data["options"]) > 50:
        out.add("options", "Ten hoogste 50 keuzes.")
    return options


def _keys_text(kind: Kind | None) -> str:
    return ", ".join(kind.option_keys) if kind else "de sleutels van de soort"


def _settings(out, data, kind: Kind | None) -> dict:
    given = data.get("settings", {})
    if not isinstance(given, dict):
        out.add("settings", "Moet een object { ... } zijn.")
        return {}
    if kind is None:
        return {}
    clean = {}
    for key in sorted(set(given) - set(kind.settings)):
        out.add(f"settings.{key}", f"Deze instelling bestaat niet bij de soort '{kind.name}'.")
    for key, (json_type, default) in kind.settings.items():
        clean[key] = default
        if key in given and given[key] is None and default is None:
            continue  # a setting that may be empty (e.g. max_choices: all options)
        if key in given and out.typed(given, key, json_type, f"settings.{key}") is not None:
            clean[key] = given[key]
    return clean


def _quorum(out, data) -> Decimal | None:
    value = data.get("quorum_percent")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        out.add("quorum_percent", "Moet een getal (percentage) zijn, of null voor geen quorum.")
        return None
    try:
        quorum = Decimal(value)
        exact = quorum.quantize(Decimal("0.01")) == quorum
    except InvalidOperation:
        exact = False
    if not exact or not 0 <= quorum <= 100:
        out.add("quorum_percent", "Moet tussen 0 en 100 liggen, met ten hoogste twee decimalen.")
        return None
    return quorum


def _strings(out, data, key, path) -> list[str]:
    if key not in data:
        return []
    values = out.typed(data, key, list, path)
    if values is None:
        return []
    good = []
    for number, value in enumerate(values):
        if isinstance(value, str):
            good.append(value)
        else:
            out.add(f"{path}[{number}]", "Moet tekst zijn.")
    return good


def _regions(out, data, clean) -> list:
    from members.models import Region

    codes = _strings(out, data, "regions", "regions")
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    for number, code in enumerate(codes):
        if code not in found:
            out.add(f"regions[{number}]", f"Onbekende regio '{code}' (gebruik de regiocode).")
    clean["regions"] = sorted(set(found))
    return [found[c] for c in clean["regions"]]


def _read_first(out, data, clean) -> tuple[list, list]:
    from faq.models import PositionPaper, Question, Status

    clean["read_first"] = {"faq": [], "papers": []}
    given = data.get("read_first", {})
    if not isinstance(given, dict):
        out.add("read_first", "Moet een object zijn met 'faq' en 'papers'.")
        return [], []
    for key in sorted(set(given) - {"faq", "papers"}):
        out.add(f"read_first.{key}", "Onbekende sleutel; alleen 'faq' en 'papers'.")
    questions = []
    faq = given.get("faq", [])
    if not isinstance(faq, list):
        out.add("read_first.faq", "Moet een lijst zijn.")
        faq = []
    published = Question.objects.filter(status=Status.PUBLISHED).select_related("topic")
    for number, ref in enumerate(faq):
        path = f"read_first.faq[{number}]"
        if not (isinstance(ref, dict) and set(ref) == {"topic", "label"}):
            out.add(path, 'Moet {"topic": "<onderwerp-slug>", "label": "<label>"} zijn.')
            continue
        question = published.filter(topic__slug=ref["topic"], label=ref["label"]).first()
        if question is None:
            out.add(
                path, f"Geen gepubliceerde FAQ-vraag {ref['label']} bij onderwerp '{ref['topic']}'."
            )
        elif question not in questions:
            questions.append(question)
    slugs = _strings(out, given, "papers", "read_first.papers")
    found = {
        p.slug: p for p in PositionPaper.objects.filter(status=Status.PUBLISHED, slug__in=slugs)
    }
    for number, slug in enumerate(slugs):
        if slug not in found:
            out.add(f"read_first.papers[{number}]", f"Geen gepubliceerd standpunt '{slug}'.")
    clean["read_first"] = {
        "faq": sorted(({"topic": q.topic.slug, "label": q.label} for q in questions), key=_faq_key),
        "papers": sorted(found),
    }
    return questions, [found[s] for s in sorted(found)]


def _faq_key(ref: dict) -> tuple:
    return ref["topic"], ref["label"]


def model_has(name: str, model: type[Model] = Ballot) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


# --- The association's recurring ballots, as files in the repository ------------------------

TEMPLATE_DIR = Path(__file__).resolve().parent / "definition_templates"


def template_names() -> list[str]:
    return sorted(path.stem for path in TEMPLATE_DIR.glob("*.json"))


def template_text(name: str) -> str | None:
    """The file's text, for a name from template_names() only (never a path from a request)."""
    if name not in template_names():
        return None
    return (TEMPLATE_DIR / f"{name}.json").read_text(encoding="utf-8")
