"""Synthetic knowledge bases for the benchmark: realistic entries of every kind, written as YAML.

Names combine a qualifier, an audience, a topic and a format ("Deepening KS2 Fractions Work
Group"), so up to 57,600 distinct offers can be made. Entries carry what real ones do: aliases
(unique, as validation demands, but without giveaway numbers), keywords, codes on some, families,
eligibility criteria with yes/no checks, time, cost, deadlines (some open, some closed), forms,
stages, figures and FAQs; one in ten is a past offer and one in twenty an information topic.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

BUNDLED_VOCABULARY = Path(__file__).resolve().parents[2] / "knowledge" / "vocabulary.yaml"
SOURCE_FILE = "synthetic.txt"
SOURCE = {"file": SOURCE_FILE, "quote": "synthetic"}
REVIEWED = "2026-09-01"

QUALIFIERS = ["", "Developing", "Deepening", "Advanced", "Introduction to", "Leading", "Sustaining", "Embedding",
              "Enriching", "Exploring", "Strengthening", "Specialist"]
TOPICS = [
    "Fractions", "Algebra", "Geometry", "Statistics", "Ratio and Proportion", "Place Value", "Number Sense",
    "Multiplicative Reasoning", "Problem Solving", "Reasoning", "Measures", "Probability", "Calculus", "Mechanics",
    "Trigonometry", "Mental Arithmetic", "Times Tables", "Decimals", "Percentages", "Shape and Space", "Graphs",
    "Equations", "Sequences", "Vectors", "Data Handling", "Oracy in Maths", "Mixed-Age Teaching",
    "Mathematical Language", "Spatial Reasoning", "Early Counting", "Subitising", "Bar Modelling", "Manipulatives",
    "Variation", "Fluency", "Assessment", "Misconceptions", "Intervention", "Number Bonds", "Long Division",
    "Negative Numbers", "Area and Perimeter", "Angles", "Transformations", "Coordinates", "Money", "Time",
    "Pattern", "Estimation", "Written Methods", "Formulae", "Inequalities", "Proof", "Modelling",
    "Financial Maths", "Maths Anxiety", "Metacognition", "Questioning", "Feedback", "Curriculum Design",
]
AUDIENCES = [
    ("Early Years", "early-years"), ("Primary", "primary"), ("KS1", "primary"), ("KS2", "primary"),
    ("Secondary", "secondary"), ("KS3", "secondary"), ("GCSE", "secondary"), ("Post-16", "post-16"),
    ("A Level", "post-16"), ("Leadership", "cross-phase"),
]
FORMATS = ["Work Group", "Programme", "Community", "Lesson Study", "Network", "Project", "Course", "Cohort"]
KIND_OF_FORMAT = {"Work Group": "work-group", "Lesson Study": "work-group", "Programme": "programme",
                  "Course": "programme", "Cohort": "programme", "Community": "community", "Network": "community",
                  "Project": "project"}
FORM_CODE = {"Work Group": "WG", "Programme": "P", "Community": "C", "Lesson Study": "LS", "Network": "N",
             "Project": "PR", "Course": "CO", "Cohort": "CH"}
VERBS = ["deepens", "builds", "develops", "strengthens", "explores", "refreshes"]
PURPOSES = ["through lesson design with colleagues", "with classroom research between sessions",
            "by planning and observing lessons together", "with a focus on pupils who find maths hard",
            "alongside leaders from nearby schools", "using the NCETM's mastery materials"]
MAX_ENTRIES = len(QUALIFIERS) * len(TOPICS) * len(AUDIENCES) * len(FORMATS)


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def _codes(names: list[str], length: int = 4) -> dict[str, str]:
    """A short upper-case code for each name, unique among them ("FRAC", "ALGE")."""
    codes = {}
    for name in names:
        letters = re.sub(r"[^A-Za-z]", "", name).upper()
        code = letters[:length]
        suffix = 2
        while code in codes.values():
            code, suffix = f"{letters[: length - 1]}{suffix}", suffix + 1
        codes[name] = code
    return codes


TOPIC_CODE = _codes(TOPICS)
QUALIFIER_CODE = {q: q.split()[0][:3] for q in QUALIFIERS if q}


def synthetic_entries(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` distinct entries as plain data (at most :data:`MAX_ENTRIES`)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not security
    combos = [(q, t, a, f) for q in QUALIFIERS for t in TOPICS for a in AUDIENCES for f in FORMATS]
    rng.shuffle(combos)
    entries = [_entry(number, combo, rng) for number, combo in enumerate(combos[:count])]
    ids = [entry["id"] for entry in entries]
    for number, entry in enumerate(entries):  # related offers: a few others of the same family
        family = [other for other in ids[max(0, number - 3) : number + 4] if other != entry["id"]]
        entry["related"] = family[:2]
    return entries


def _entry(number: int, combo: tuple[str, str, tuple[str, str], str], rng: random.Random) -> dict[str, Any]:
    qualifier, topic, (audience, phase), form = combo
    name = " ".join(part for part in (qualifier, audience, topic, form) if part)
    historical = number % 10 == 9
    information = number % 20 == 7
    kind = "information" if information else KIND_OF_FORMAT[form]
    short = f"{QUALIFIER_CODE.get(qualifier, 'Core')} {audience} {topic} {FORM_CODE[form]}"
    abbreviation = f"{TOPIC_CODE[topic]}{FORM_CODE[form]} {audience}" + (f" {qualifier.split()[0].lower()}" if qualifier else "")
    entry: dict[str, Any] = {
        "id": f"p{number:05d}-{_slug(name)}"[:80].strip("-"),
        "name": name,
        "kind": kind,
        "status": "historical" if historical else "current",
        "group": f"{_slug(topic)}-{_slug(form)}",
        "aliases": [short, abbreviation],
        "keywords": [f"{topic.lower()} teaching", f"{topic.lower()} for {audience.lower()}"],
        "phases": [phase],
        "academic_year": "2017/18" if historical else "2026/27",
        "summary": _text(f"A {form.lower()} for {audience} teachers that {rng.choice(VERBS)} {topic.lower()} "
                         f"{rng.choice(PURPOSES)}."),
        "who_for": _text(f"{audience} teachers{rng.choice(['', ' and teaching assistants', ' and subject leaders'])}."),
        "time_commitment": _text(f"{rng.randint(2, 8)} days across the year, with gap tasks between sessions."),
        "facts": [_text(f"In 2023/24, {rng.randint(20, 2000):,} schools took part in the {name}."),
                  _text(f"{rng.randint(40, 95)}% of participants said it changed how they teach {topic.lower()}.")],
        "faqs": [
            {"questions": [f"Is the {name} for {audience.lower()}?", f"who can join {short}?",
                           f"{topic.lower()} {form.lower()} eligibility"],
             "answer": f"It is for {audience} teachers.", "source": SOURCE},
            {"questions": [f"what happens in the {name}?", f"{topic} {form} sessions?", f"{short} content"],
             "answer": f"Sessions on {topic.lower()} with colleagues from other schools.", "source": SOURCE},
        ],
        "last_reviewed": REVIEWED,
    }
    if number % 4 == 0 or historical:  # like the real knowledge base, some offers carry a programme code
        entry["codes"] = [f"KMH{17 if historical else 25}-{number:05d}"]
    if number % 2 == 0:
        entry["cost"] = _text(rng.choice(["Free to state-funded schools.", f"£{rng.randint(1, 6) * 50} per participant.",
                                          "Fully funded, including supply cover for two days."]))
    if number % 3 == 0:
        day = dt.date(2025, 9, 1) + dt.timedelta(days=rng.randint(0, 640))  # closed and still open ones
        entry["deadlines"] = [{"label": "Applications close", "date": day.isoformat(), "source": SOURCE}]
        url = f"https://forms.example.org/{entry['id'][:6]}" if number % 6 == 0 else None
        entry["links"] = [{"label": f"{name} application form", "kind": "application", "url": url, "source": SOURCE}]
    if number % 5 == 0:
        entry["eligibility"] = [{
            "text": f"Teach in a state-funded {phase.replace('-', ' ')} school or college.",
            "check": {"question": f"Do you teach in a state-funded {phase.replace('-', ' ')} school or college?",
                      "meets": "yes", "not_met": f"The {name} is for state-funded {phase.replace('-', ' ')} settings."},
            "source": SOURCE,
        }]
    if number % 10 == 3:
        entry["stages"] = [{"name": stage, "summary": f"The {stage.lower()} year.", "source": SOURCE}
                           for stage in ("Development", "Embedding", "Sustaining")]
    return entry


def _text(text: str) -> dict[str, Any]:
    return {"text": text, "source": SOURCE}


class _WithoutAliases(yaml.SafeDumper):
    """Writes every value out: knowledge files refuse YAML anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_knowledge(entries: list[dict[str, Any]], directory: Path) -> None:
    """Write entries, a hub file and the bundled vocabulary as a knowledge-base directory."""
    (directory / "entries").mkdir(parents=True)
    hub = {"name": "Example Maths Hub", "contact": "Contact the hub.", "last_reviewed": REVIEWED,
           "documents": [{"file": SOURCE_FILE, "title": "Synthetic hub brochure"}]}
    (directory / "hub.yaml").write_text(yaml.safe_dump(hub), encoding="utf-8")
    shutil.copy(BUNDLED_VOCABULARY, directory / "vocabulary.yaml")
    for entry in entries:
        path = directory / "entries" / f"{entry['id']}.yaml"
        path.write_text(yaml.dump(entry, Dumper=_WithoutAliases, sort_keys=False, allow_unicode=True), encoding="utf-8")
