"""Check a ballot box from scratch: the chain, every seal, every vote against its ledger entry
and the electorate, the tally per choice and group, and the outcome, with the rules code the
server counted with. `check_box` returns the problems in the order found (the first one is
the one to report); an empty list means the box holds together.
"""

from collections import Counter, defaultdict
from fractions import Fraction

from ledenstem_verify import box as box_format
from ledenstem_verify.chain import check_chain
from ledenstem_verify.decide import decide_method
from ledenstem_verify.reporting_groups import breakdown_allowed
from ledenstem_verify.rules import Rules, Totals, decide


class BoxProblem(Exception):
    """The box cannot be read as a ballot box at all."""


def _frozen(value) -> str:
    return box_format.canonical_bytes(value).decode()


def check_box(box: dict) -> list[str]:
    try:
        return _check(box)
    except BoxProblem as problem:
        return [str(problem)]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return [f"the box is malformed: {type(error).__name__}: {error}"]


def _check(box: dict) -> list[str]:
    if not isinstance(box, dict) or box.get("format") != box_format.FORMAT:
        raise BoxProblem("this is not a Ledenstem ballot box (format)")
    if box.get("version") != box_format.VERSION:
        raise BoxProblem(f"unknown ballot box version {box.get('version')!r}")
    ledger = box["ledger"]
    chain = check_chain(ledger)
    if not chain.ok:
        return [f"ledger: {chain.problem}"]
    if not ledger or ledger[-1]["kind"] != "counted":
        return ["ledger: the last entry is not the result (counted)"]
    if chain.head != box["final_seal"]:
        return ["ledger: the final seal is not the hash of the result entry"]
    problems: list[str] = []
    problems += _check_seals(ledger)
    problems += _check_opening(box, ledger)
    problems += _check_votes_against_ledger(box, ledger)
    problems += _check_paper_against_ledger(box, ledger)
    if problems:
        return problems
    problems += _check_votes_against_electorate(box)
    if problems:
        return problems
    recounted = recount(box)
    recorded = ledger[-1]["payload"]["result"]
    problems += _compare("the result entry (counted)", recorded, recounted)
    if not problems and box["result"] != recorded:
        problems.append("result: the box's result differs from the ledger's result entry")
    return problems


def _check_seals(ledger: list[dict]) -> list[str]:
    """Every "seal" counts the vote entries before it; every "box_seal" (secret ballots while
    open) commits to as many encrypted votes as participations, never fewer than before."""
    problems = []
    votes_so_far = 0
    last_box = None
    for entry in ledger:
        kind, payload = entry["kind"], entry["payload"]
        if kind == "vote":
            votes_so_far += 1
        elif kind == "seal" and payload.get("votes_in_ledger") != votes_so_far:
            problems.append(
                f"ledger entry #{entry['seq']} (seal): seals {payload.get('votes_in_ledger')} "
                f"votes, the ledger holds {votes_so_far} before it"
            )
        elif kind == "box_seal":
            if payload["pending_votes"] != payload["participations"]:
                problems.append(
                    f"ledger entry #{entry['seq']} (box_seal): {payload['pending_votes']} "
                    f"encrypted votes for {payload['participations']} voters"
                )
            if last_box is not None and payload["participations"] < last_box:
                problems.append(
                    f"ledger entry #{entry['seq']} (box_seal): fewer voters than before"
                )
            last_box = payload["participations"]
    closed = [e for e in ledger if e["kind"] == "closed"]
    if not closed:
        problems.append("ledger: there is no closing entry (closed)")
    elif last_box is not None and closed[-1]["payload"].get("voted", 0) < last_box:
        problems.append("ledger: fewer voters at closing than the last box seal counted")
    return problems


def _check_opening(box: dict, ledger: list[dict]) -> list[str]:
    """The definition in the box is the one the ledger recorded at opening."""
    opened = [e for e in ledger if e["kind"] == "opened"]
    if not opened:
        return ["ledger: there is no opening entry (opened)"]
    recorded = opened[-1]["payload"]
    ballot = box["ballot"]
    problems = []
    choices = [[c["id"], c["label"], c["role"]] for c in ballot["choices"]]
    if recorded.get("choices") != choices:
        problems.append("ballot: the choices differ from those recorded at opening")
    for key in ("kind", "seats", "max_choices", "lot_seed"):
        if key in recorded and recorded[key] != ballot[key]:
            problems.append(f"ballot: {key} differs from the opening entry")
    electorate = box["electorate"]
    if (
        recorded.get("electors") != electorate["electors"]
        or recorded.get("weight") != electorate["weight"]
    ):
        problems.append("electorate: its size or weight differs from the opening entry")
    if ballot["secrecy"] == "secret":
        groups = [[g["number"], g["name"], g["electors"]] for g in electorate["groups"]]
        opened_groups = [
            [g["number"], g["name"], g["electors"]] for g in recorded.get("reporting_groups", [])
        ]
        if groups != opened_groups:
            problems.append("electorate: the reporting groups differ from those frozen at opening")
    return problems


def live_vote_entries(ledger: list[dict]) -> dict[int, dict]:
    """The vote entries still counted: every "vote" minus those a "withdrawn" entry names."""
    live: dict[int, dict] = {}
    for entry in ledger:
        if entry["kind"] == "vote":
            live[entry["seq"]] = entry
        elif entry["kind"] == "withdrawn":
            live.pop(entry["payload"]["vote_entry"], None)
    return live


def _check_votes_against_ledger(box: dict, ledger: list[dict]) -> list[str]:
    in_ledger = Counter(_frozen(e["payload"]) for e in live_vote_entries(ledger).values())
    in_box = Counter(_frozen(v) for v in box["votes"])
    problems = []
    for position, vote in enumerate(box["votes"], start=1):
        key = _frozen(vote)
        if in_box[key] > in_ledger.get(key, 0):
            problems.append(
                f"votes[{position}] (line {box_format.vote_line(position)}): no ledger entry "
                f"records this vote ({key})"
            )
            break
    missing = in_ledger - in_box
    if missing:
        problems.append(
            f"votes: {sum(missing.values())} counted vote(s) of the ledger are not in the box"
        )
    return problems


def _check_paper_against_ledger(box: dict, ledger: list[dict]) -> list[str]:
    """The counts in the hall are exactly the ledger's "paper_votes" entries."""
    recorded = Counter(_frozen(e["payload"]) for e in ledger if e["kind"] == "paper_votes")
    published = Counter(_frozen(p) for p in box["paper_votes"])
    if recorded != published:
        return ["paper_votes: the counts in the hall differ from the ledger's paper_votes entries"]
    return []


def _check_paper(box: dict, online_electors: set) -> list[str]:
    """Every count in the hall adds up (votes to its voters, weights to theirs) and names
    nobody who also voted online or in another count."""
    ballot, electorate = box["ballot"], box["electorate"]
    choices = {c["id"] for c in ballot["choices"]}
    weighted = ballot["electorate"] == "ambassadors"
    secret = ballot["secrecy"] == "secret"
    electors = {} if secret else {e["elector"]: e for e in electorate["by_elector"]}
    seen = set(online_electors)
    for n, count in enumerate(box["paper_votes"], start=1):
        where = f"paper_votes[{n}]"
        votes = weight = 0
        for choice, line_votes, line_weight in count["lines"]:
            if choice not in choices:
                return [f"{where}: choice {choice} is not a choice of this ballot"]
            for value in (line_votes, line_weight):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    return [f"{where}: {value!r} is not a whole number of 0 or more"]
            if line_weight < line_votes or (not weighted and line_weight != line_votes):
                return [f"{where}: the weight of choice {choice} does not fit its votes"]
            votes += line_votes
            weight += line_weight
        if secret:
            if count.get("voters") != votes or weight != votes:
                return [f"{where}: {votes} votes for {count.get('voters')} voters"]
            continue
        listed = count.get("electors", [])
        if votes != len(listed):
            return [f"{where}: {votes} votes for {len(listed)} electors"]
        for elector in listed:
            if elector not in electors or not electors[elector]["voted"]:
                return [f"{where}: elector {elector} is not an elector who voted"]
            if elector in seen:
                return [f"{where}: elector {elector} is counted twice"]
            seen.add(elector)
        if weight != sum(electors[e]["weight"] for e in listed):
            return [f"{where}: the weights do not add up to the electors' weights"]
    return []


def paper_electors(box: dict) -> set:
    return {e for count in box["paper_votes"] for e in count.get("electors", [])}


def _check_votes_against_electorate(box: dict) -> list[str]:
    """Every vote fits the ballot: a choice of the ballot, the voter's weight, a known group or
    elector, the shape of the kind (one, many, an order), one ballot paper per voter."""
    ballot, electorate = box["ballot"], box["electorate"]
    choices = {c["id"] for c in ballot["choices"]}
    shape = ballot["input_shape"]
    sheets: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for position, vote in enumerate(box["votes"], start=1):
        where = f"votes[{position}] (line {box_format.vote_line(position)})"
        if vote["choice"] not in choices:
            return [f"{where}: choice {vote['choice']} is not a choice of this ballot"]
        weight = vote["weight"]
        if isinstance(weight, bool) or not isinstance(weight, int) or weight <= 0:
            return [f"{where}: weight {weight!r} is not a positive whole number"]
        ranking = vote.get("ranking")
        if shape == "order":
            if not isinstance(ranking, list) or not ranking or len(set(ranking)) != len(ranking):
                return [f"{where}: a ranked ballot needs an order of distinct options"]
            if any(r not in choices for r in ranking) or ranking[0] != vote["choice"]:
                return [f"{where}: the ranking does not fit the ballot's options"]
        elif ranking is not None:
            return [f"{where}: a ranking on a ballot that is not ranked"]
        sheets[vote["receipt"]].append((position, vote))
    if ballot["secrecy"] == "secret":
        return _check_secret_sheets(ballot, electorate, sheets) or _check_paper(box, set())
    found = _check_named_sheets(ballot, electorate, sheets, paper_electors(box))
    if found:
        return found
    online = {votes[0][1]["elector"] for votes in sheets.values()}
    return _check_paper(box, online)


def _sheet_problem(ballot: dict, votes: list[dict], weight: int) -> str | None:
    shape = ballot["input_shape"]
    if shape == "one":
        total = sum(v["weight"] for v in votes)
        if len({v["choice"] for v in votes}) != len(votes):
            return "one choice twice on one ballot paper"
        if len(votes) > 1 and not ballot["vote_splitting"]:
            return "a split vote on a ballot that does not allow splitting"
        if total != weight:
            return f"the parts weigh {total}, the voter's weight is {weight}"
    elif shape == "many":
        if len({v["choice"] for v in votes}) != len(votes):
            return "one option approved twice"
        if ballot["max_choices"] and len(votes) > ballot["max_choices"]:
            return f"{len(votes)} options approved, at most {ballot['max_choices']} allowed"
        if any(v["weight"] != weight for v in votes):
            return f"an approval does not weigh the voter's weight ({weight})"
    elif len(votes) != 1 or votes[0]["weight"] != weight:
        return f"a ranked ballot paper must be one vote of the voter's weight ({weight})"
    return None


def _check_named_sheets(ballot, electorate, sheets, on_paper: set) -> list[str]:
    electors = {e["elector"]: e for e in electorate["by_elector"]}
    seen: dict[int, str] = {}
    for receipt, votes in sheets.items():
        position, first = votes[0]
        where = f"votes[{position}] (line {box_format.vote_line(position)})"
        elector = electors.get(first.get("elector"))
        if elector is None:
            return [f"{where}: elector {first.get('elector')!r} is not in the electorate"]
        if any(v.get("elector") != elector["elector"] for _, v in votes):
            return [f"{where}: one receipt for two electors"]
        if first.get("region") != elector["region"]:
            return [f"{where}: the region is not the elector's"]
        if elector["elector"] in seen:
            return [f"{where}: elector {elector['elector']} voted twice"]
        seen[elector["elector"]] = receipt
        if not elector["voted"]:
            return [f"{where}: elector {elector['elector']} is listed as not having voted"]
        if problem := _sheet_problem(ballot, [v for _, v in votes], elector["weight"]):
            return [f"{where}: {problem}"]
    said_voted = {e["elector"] for e in electorate["by_elector"] if e["voted"]}
    if said_voted != set(seen) | on_paper:
        return [
            f"electorate: {len(said_voted)} electors listed as voted, "
            f"{len(set(seen) | on_paper)} have votes (online or in the hall)"
        ]
    return []


def _check_secret_sheets(ballot, electorate, sheets) -> list[str]:
    groups = {g["id"] for g in electorate["groups"]}
    for votes in sheets.values():
        position, first = votes[0]
        where = f"votes[{position}] (line {box_format.vote_line(position)})"
        if any("elector" in v or "region" in v for _, v in votes):
            return [f"{where}: a secret vote names an elector or region"]
        group = first.get("group")
        if group is not None and group not in groups:
            return [f"{where}: group {group} is not a reporting group of this ballot"]
        if any(v.get("group") != group for _, v in votes):
            return [f"{where}: one ballot paper in two groups"]
        if problem := _sheet_problem(ballot, [v for _, v in votes], 1):
            return [f"{where}: {problem}"]
    with_group = {v[0][1].get("group") is not None for v in sheets.values()}
    if len(with_group) > 1:
        return ["votes: some secret votes carry a group and others do not"]
    return []


# --- the recount ------------------------------------------------------------------------------


def recount(box: dict) -> dict:
    """The result summary, recomputed from the box's votes, electorate and definition, in
    exactly the shape the server seals in its "counted" entry."""
    ballot, electorate, votes = box["ballot"], box["electorate"], box["votes"]
    choices = ballot["choices"]
    totals = {c["id"]: {"votes": 0, "weight": 0} for c in choices}
    per_key: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    secret = ballot["secrecy"] == "secret"
    key = "group" if secret else "region"
    for vote in votes:
        totals[vote["choice"]]["votes"] += 1
        totals[vote["choice"]]["weight"] += vote["weight"]
        if vote.get(key) is not None:
            per_key[vote[key]][vote["choice"]] += vote["weight"]
    paper: dict[int, list[int]] = {}
    for count in box["paper_votes"]:
        for choice, line_votes, line_weight in count["lines"]:
            totals[choice]["votes"] += line_votes
            totals[choice]["weight"] += line_weight
            paper.setdefault(choice, [0, 0])
            paper[choice][0] += line_votes
            paper[choice][1] += line_weight
    if secret:
        names = {g["id"]: g["name"] for g in electorate["groups"]}
        sheets: dict[str, int] = {}
        for vote in votes:
            sheets[vote["receipt"]] = max(sheets.get(vote["receipt"], 0), vote["weight"])
        hall = sum(count["voters"] for count in box["paper_votes"])
        turnout = {"count": len(sheets) + hall, "weight": sum(sheets.values()) + hall}
    else:
        names = {int(pk): name for pk, name in electorate["regions"].items()}
        voted = [e for e in electorate["by_elector"] if e["voted"]]
        turnout = {"count": len(voted), "weight": sum(e["weight"] for e in voted)}
    regions = {
        names[pk]: {c["label"]: per_key[pk].get(c["id"], 0) for c in choices}
        for pk in sorted(per_key, key=lambda pk: names[pk])
    }
    summary = {
        "kind": ballot["kind"],
        "electorate": {"count": electorate["electors"], "weight": electorate["weight"]},
        "turnout": turnout,
        "choices": [{"label": c["label"], "role": c["role"], **totals[c["id"]]} for c in choices],
        "regions": regions,
        "breakdown": _breakdown(secret, regions, electorate, votes),
    }
    if paper:
        summary["paper_votes"] = [
            {"label": c["label"], "votes": paper[c["id"]][0], "weight": paper[c["id"]][1]}
            for c in choices
            if c["id"] in paper
        ]
    if ballot["base"] == "present":
        summary["present"] = _present(box)
    if ballot["kind"] == "proposal":
        decided = decide(
            Totals.from_role_weights(
                [(c["role"], totals[c["id"]]["weight"]) for c in choices],
                electorate_weight=electorate["weight"],
                present_weight=summary["present"]["weight"] if "present" in summary else None,
            ),
            Rules(majority=ballot["majority"], base=ballot["base"], quorum=_quorum(ballot)),
        )
        summary["outcome"] = {"result": str(decided.result), "explanation": decided.explanation}
        return summary
    rankings = [(v["ranking"], v["weight"]) for v in votes if v.get("ranking") is not None]
    decision = decide_method(
        ballot["method"],
        seats=ballot["seats"],
        lot_seed=ballot["lot_seed"],
        quorum_percent=ballot["quorum_percent"],
        labels={c["id"]: c["label"] for c in choices},
        weights={c["id"]: totals[c["id"]]["weight"] for c in choices},
        rankings=rankings if ballot["input_shape"] == "order" else [],
        turnout_weight=turnout["weight"],
        electorate_weight=electorate["weight"],
    )
    summary["decision"] = decision
    summary["outcome"] = {"result": decision["result"], "explanation": decision["explanation"]}
    return summary


def present_in_ledger(ledger: list[dict]) -> set[int]:
    """The electors present at the end, from the ledger's "presence" entries (one elector
    checked in or out, or a meeting's whole check-in at opening)."""
    present: set[int] = set()
    for entry in ledger:
        if entry["kind"] != "presence":
            continue
        payload = entry["payload"]
        if isinstance(payload.get("present"), list):
            present |= set(payload["present"])
        elif payload.get("present"):
            present.add(payload["elector"])
        else:
            present.discard(payload.get("elector"))
    return present


def represented_in_ledger(ledger: list[dict], present: set[int]) -> set[int]:
    """Electors whose unrevoked proxy is held by someone present ("proxy_granted" minus
    "proxy_revoked")."""
    holders: dict[int, int] = {}
    for entry in ledger:
        if entry["kind"] == "proxy_granted":
            holders[entry["payload"]["grantor"]] = entry["payload"]["holder"]
        elif entry["kind"] == "proxy_revoked":
            holders.pop(entry["payload"]["grantor"], None)
    return {grantor for grantor, holder in holders.items() if holder in present}


def _present(box: dict) -> dict:
    """Count and weight of those present or represented by a proxy holder who is (base
    "present"), recomputed from the ledger."""
    here = present_in_ledger(box["ledger"])
    present = here | represented_in_ledger(box["ledger"], here)
    electorate = box["electorate"]
    if box["ballot"]["secrecy"] == "secret":  # members only: every weight is 1
        return {"count": len(present), "weight": len(present)}
    weights = {e["elector"]: e["weight"] for e in electorate["by_elector"]}
    return {"count": len(present), "weight": sum(weights.get(e, 0) for e in present)}


def _quorum(ballot: dict) -> Fraction | None:
    value = ballot["quorum_percent"]
    return None if value is None else Fraction(value) / 100


def _breakdown(secret: bool, regions: dict, electorate: dict, votes: list[dict]) -> dict:
    """What the result is broken down by, and why not (the same rule as the server's)."""
    if not secret:
        return {"by": "region", "note": ""}
    minimum = electorate["group_minimum"]
    if regions:
        voters: dict[int, set] = defaultdict(set)
        for vote in votes:
            voters[vote["group"]].add(vote["receipt"])
        counts = [len(voters.get(g["id"], ())) for g in electorate["groups"]]
        allowed, note = breakdown_allowed(counts, minimum)
        if not allowed:
            return {"by": "group", "note": "published although " + note}
        return {"by": "group", "note": ""}
    # No group on any vote: fewer than two groups, or a group with fewer than K voters.
    groups = len(electorate["groups"])
    _, note = breakdown_allowed([0] * groups if groups >= 2 else [], minimum)
    return {"by": "", "note": note}


def _compare(where: str, recorded, recounted, path: str = "") -> list[str]:
    """Name the first figure in which the recorded result and the recount differ."""
    if isinstance(recorded, dict) and isinstance(recounted, dict):
        for key in list(recounted) + [k for k in recorded if k not in recounted]:
            if key not in recorded:
                return [f"{where}: {path + key} is missing from the recorded result"]
            if key not in recounted:
                return [f"{where}: {path + key} is recorded but the recount has no such figure"]
            found = _compare(where, recorded[key], recounted[key], f"{path}{key}.")
            if found:
                return found
        return []
    if (
        isinstance(recorded, list)
        and isinstance(recounted, list)
        and len(recorded) == len(recounted)
    ):
        for n, (a, b) in enumerate(zip(recorded, recounted, strict=True)):
            found = _compare(where, a, b, f"{path}{n}.")
            if found:
                return found
        return []
    if recorded != recounted:
        return [f"{where}: {path.rstrip('.')} is {recorded!r}, the recount gives {recounted!r}"]
    return []
