"""Stage 4 — decide, in one place: answer, ask which one, list, compare, or say it is not known.

Every possible answer (an entry and one of its units) gets a probability of being right from a
small logistic model whose weights and thresholds were fitted on labelled questions
(bot/engine/fit.py writes bot/engine/data/decision.json). The rules here only say what to do
with those probabilities and with what the question plainly asks for (a list, a comparison,
something that is not a hub offer); they never look at the wording again.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Literal

from bot.engine.asks import detail_types
from bot.engine.candidates import Evidence
from bot.engine.features import FEATURES, REQUIRED_FIELDS, Option
from bot.engine.understand import KIND_WORDS, Question, cue_terms

MODEL_FILE = Path(__file__).with_name("data") / "decision.json"
# The labelled question sets the model file is fitted on (bot/engine/fit.py); a test checks the file agrees.
LABELLED_SETS = (
    "eval/labelled/dev.yaml", "eval/labelled/train.yaml", "eval/holdout.yaml", "eval/holdout2.yaml",
    "eval/fresh2.yaml", "eval/t4.yaml", "eval/t5.yaml", "eval/t6.yaml", "eval/t7.yaml", "eval/t8.yaml", "eval/t9.yaml", "eval/t10.yaml",
    "eval/t11.yaml",
)
CLARIFY_LIMIT = 5

Action = Literal["answer", "clarify", "unknown", "list", "compare", "outside", "contact", "acronym", "empty"]


GATE_FEATURES = (*FEATURES, "entry_share", "rank_margin")
ANSWERS_LEAD = FEATURES.index("answers_lead")  # the column saying a unit answers the question's own type


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Model:
    """The fitted decision model, in two parts.

    ``rank`` orders a question's options (a conditional logit: which unit of which entry answers
    it best); ``gate`` turns each entry's best option into the probability that answering with it
    is right. The thresholds turn those probabilities into actions.
    """

    rank: tuple[float, ...]
    gate: tuple[float, ...]
    gate_bias: float
    answer_at: float  # answer when the best option is at least this likely to be right
    clarify_at: float  # options at least this likely may be offered as choices
    tie_margin: float  # options of different entries this close to the best are a real choice
    support_margin: float = 0.0  # another unit of the answered entry this close in rank score is shown too
    meta: dict = field(default_factory=dict)

    @classmethod
    def blank(cls) -> Model:
        """A model that knows nothing yet (what the fitting script starts from)."""
        return cls((0.0,) * len(FEATURES), (0.0,) * len(GATE_FEATURES), 0.0, 0.5, 0.3, 0.1, 0.0)

    def rank_score(self, values: tuple[float, ...]) -> float:
        if len(values) != len(self.rank):
            raise ValueError(f"{len(values)} values for {len(self.rank)} rank weights")
        return sum(map(operator.mul, self.rank, values))

    def probability(self, values: tuple[float, ...]) -> float:
        if len(values) != len(self.gate):
            raise ValueError(f"{len(values)} values for {len(self.gate)} gate weights")
        return _sigmoid(self.gate_bias + sum(map(operator.mul, self.gate, values)))

    def to_json(self) -> dict:
        return {
            "features": list(FEATURES), "rank": [round(w, 6) for w in self.rank],
            "gate_features": list(GATE_FEATURES), "gate": [round(w, 6) for w in self.gate], "gate_bias": round(self.gate_bias, 6),
            "thresholds": {
                "answer_at": self.answer_at, "clarify_at": self.clarify_at, "tie_margin": self.tie_margin,
                "support_margin": self.support_margin,
            },
            **self.meta,
        }


@cache
def load_model(path: Path = MODEL_FILE) -> Model:
    """The model in ``path``; its feature lists must be exactly :data:`FEATURES` and :data:`GATE_FEATURES`."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if tuple(raw["features"]) != FEATURES or tuple(raw["gate_features"]) != GATE_FEATURES:
        raise ValueError(f"{path}: fitted for other features; refit with `python -m bot.engine.fit --write`")
    thresholds = raw["thresholds"]
    known = {"features", "rank", "gate_features", "gate", "gate_bias", "thresholds"}
    meta = {key: value for key, value in raw.items() if key not in known}
    return Model(
        tuple(raw["rank"]), tuple(raw["gate"]), raw["gate_bias"],
        thresholds["answer_at"], thresholds["clarify_at"], thresholds["tie_margin"], thresholds.get("support_margin", 0.0), meta,
    )


def score_options(model: Model, options: list[Option]) -> tuple[list[float], list[Scored]]:
    """Rank scores for every option, and each entry's best option with the probability it is right."""
    scores = _rank_scores(model, options)
    if not options:
        return scores, []
    best: dict[str, int] = {}
    answering: dict[str, int] = {}  # each entry's best option among its units that answer the question's type
    for i, (option, score) in enumerate(zip(options, scores, strict=True)):
        entry = option.evidence.entry_id
        held = best.get(entry)
        if held is None or score > scores[held]:
            best[entry] = i
        if option.values[ANSWERS_LEAD]:
            held = answering.get(entry)
            if held is None or score > scores[held]:
                answering[entry] = i
    leaders = sorted(best.values(), key=lambda i: -scores[i])
    top = scores[leaders[0]]
    weight = {i: math.exp(scores[i] - top) for i in leaders}
    total = sum(weight.values())  # a softmax over each entry's best option
    # Entries whose best option says the same thing (a figure two entries both quote) share their weight and are
    # not each other's rivals: the fact is what is likely, whichever entry it is shown from.
    saying: dict[str, float] = {}
    for i in leaders:
        saying[options[i].unit.text] = saying.get(options[i].unit.text, 0.0) + weight[i]
    scored = []
    for i in leaders:
        text = options[i].unit.text
        if options[i].values[ANSWERS_LEAD]:  # "how many …?" answered with a figure: its rivals are other figures
            entry = options[i].entry_id
            others = [scores[j] for other, j in answering.items() if other != entry and options[j].unit.text != text]
        else:
            others = [scores[j] for j in leaders if j != i and options[j].unit.text != text]
        margin = max(-5.0, min(5.0, scores[i] - max(others))) if others else 5.0
        gate_values = (*options[i].values, saying[text] / total, margin)
        scored.append(Scored(options[i], model.probability(gate_values), gate_values))
    scored.sort(key=lambda s: -s.probability)
    return scores, scored


def _rank_scores(model: Model, options: list[Option]) -> list[float]:
    """Each option's rank score, worked out once for each values tuple: the options of an entry's units that are
    alike share one (:meth:`QuestionFeatures.entry_options`), and the same tuple always scores the same.
    """
    by_tuple: dict[int, float] = {}  # id() of a values tuple, each alive in ``options`` while this runs
    rank_score = model.rank_score
    scores = []
    for option in options:
        values = option.values
        score = by_tuple.get(id(values))
        if score is None:
            score = by_tuple[id(values)] = rank_score(values)
        scores.append(score)
    return scores


@dataclass(frozen=True)
class Scored:
    """An entry's best option and the probability that answering with it is right."""

    option: Option
    probability: float
    gate_values: tuple[float, ...] = ()


@dataclass(frozen=True)
class Decision:
    """What to do, with the options it rests on (best first) and why, for `ask --explain`."""

    action: Action
    chosen: tuple[Scored, ...] = ()
    reason: str = ""
    entries: tuple[str, ...] = ()  # for lists, comparisons and choices: the entries, in order
    missing: tuple[str, ...] = ()  # for "not known": what the question names that no entry has
    support: tuple[Option, ...] = ()  # for an answer: other units of the same entry shown with it
    alternatives: tuple[Scored, ...] = ()  # for an answer: other entries the question names alike

    @property
    def best(self) -> Scored | None:
        return self.chosen[0] if self.chosen else None


def best_per_entry(scored: list[Scored]) -> list[Scored]:
    """Each entry's most likely option, most likely first."""
    best: dict[str, Scored] = {}
    for item in scored:
        held = best.get(item.option.entry_id)
        if held is None or item.probability > held.probability:
            best[item.option.entry_id] = item
    return sorted(best.values(), key=lambda s: -s.probability)


def _past_one_meant(past: Scored, current: Scored, model: Model) -> bool:
    named = past.option.evidence.name_score > current.option.evidence.name_score
    return named and past.probability >= model.answer_at > current.probability


def choose(model: Model, scored: list[Scored], lead: str) -> Decision:
    """Answer, ask which one, or say it is not known — from the options' probabilities alone.

    A choice is offered only between entries the question names alike (it says "mastery
    specialist" and three programmes are called that), never between unrelated guesses, and
    never for a detail no entry has a field for.
    """
    per_entry = best_per_entry(scored)
    if not per_entry:
        return Decision("unknown", reason="no entry has any evidence")
    top = per_entry[0]
    if not top.option.evidence.name_words:  # an entry the question names, likely enough to answer, is what it is about
        named = next((s for s in per_entry if s.option.evidence.name_mass >= 1.0 and s.probability >= model.answer_at), None)
        top = named or top
    alike = [s for s in per_entry if s is not top and _named_alike(top, s)]  # named by the same words, however likely
    undominated = _best_named(top, [s for s in alike if s.probability >= model.clarify_at])
    if top not in undominated:  # rivals the question names by more of its words are what it means
        top = undominated[0]
        alike = [s for s in per_entry if s is not top and _named_alike(top, s)]
    current = [s for s in alike if not s.option.check.history_mismatch and s.probability >= model.clarify_at]
    # a current offer named alike beats a past one — unless the past one is named better and is the only one
    # likely enough to answer with ("supporting post-16 mathematics leadership wg, who was that aimed at")
    if top.option.check.history_mismatch and current and not _past_one_meant(top, current[0], model):
        top = current[0]
        alike = [s for s in per_entry if s is not top and _named_alike(top, s)]
    if top.probability >= model.answer_at:
        close = [
            s for s in alike
            if s.probability >= model.clarify_at and top.probability - s.probability <= model.tie_margin
            and s.option.unit.text != top.option.unit.text
        ]
        if close and lead not in detail_types():
            chosen = (top, *close)[:CLARIFY_LIMIT]
            return Decision("clarify", chosen, f"{len(chosen)} entries named alike are about as likely",
                            tuple(s.option.entry_id for s in chosen))
        return Decision("answer", (top,), f"p={top.probability:.2f} ≥ {model.answer_at:.2f}",
                        alternatives=others_named_alike(top, per_entry))
    plausible = [s for s in alike if s.probability >= model.clarify_at]
    if top.probability >= model.clarify_at and plausible and lead not in detail_types():
        # asked which one, every offer called by those words (current or past, as the leader is) is a choice,
        # however unlikely each is alone: the likely ones first
        past = top.option.check.history_mismatch
        unlikely = [s for s in alike if s.probability < model.clarify_at and s.option.check.history_mismatch == past]
        chosen = (top, *plausible, *unlikely)[:CLARIFY_LIMIT]
        return Decision("clarify", chosen, f"no option reaches {model.answer_at:.2f}; {len(chosen)} entries named alike are plausible",
                        tuple(s.option.entry_id for s in chosen))
    if not _is_named(top):  # "not known" speaks of what the question names, when it names one, not of a guess
        top = next((s for s in per_entry if _is_named(s) and s.probability >= model.clarify_at), top)
    return Decision("unknown", (top,), f"best p={per_entry[0].probability:.2f} < {model.answer_at:.2f}", missing=_missing(top, lead))


def others_named_alike(top: Scored, per_entry: list[Scored]) -> tuple[Scored, ...]:
    """The other entries an answer with ``top`` mentions: those named by the same words, current ones first."""
    alike = [s for s in per_entry if s.option.entry_id != top.option.entry_id and _named_alike(top, s)]
    return tuple([*alike, *_past_alike(top, per_entry)][:CLARIFY_LIMIT - 1])


def _past_alike(top: Scored, per_entry: list[Scored]) -> list[Scored]:
    """Past offers named by the same words as a current one that is answered: shown as the other ones the
    question may mean ("the A level work group" → also the 2017-18 one), never chosen over it.
    """
    if top.option.check.history_mismatch:
        return []
    return [s for s in per_entry if s is not top and s.option.check.history_mismatch
            and named_alike(top.option.evidence, s.option.evidence)]


def _is_named(item: Scored) -> bool:
    evidence = item.option.evidence
    return evidence.named or evidence.name_score >= NAMED_ENOUGH


def _missing(top: Scored, lead: str) -> tuple[str, ...]:
    """What an unknown answer lacks, for the reply to say: an attribute no entry has, or the field asked for."""
    option = top.option
    if option.check.missing:
        return ("attribute",)
    wanted = REQUIRED_FIELDS.get(lead)
    if wanted and not wanted & option.entry_kinds:
        return ("field",)
    return ("confidence",)


def _best_named(top: Scored, rivals: list[Scored]) -> list[Scored]:
    """The leader and rivals that no other one out-names (names by strictly more of the question's words), likeliest first."""
    group = [top, *rivals]
    return [item for item in group if not any(_out_names(other, item) for other in group)]


def _out_names(other: Scored, item: Scored) -> bool:
    """``other`` is named by every word that names ``item`` and more — more that are not only question words
    or kinds of offer ("… last year" does not make "Mastering Number Years 4 and 5" the one meant, nor "… work
    group" the Y5-8 entry called a Work Group rather than its two Work Groups).
    """
    words, more = item.option.evidence.name_words, other.option.evidence.name_words
    return words < more and bool(more - words - cue_terms() - KIND_WORDS)


def _named_alike(top: Scored, rival: Scored) -> bool:
    """Named by the same words — and not a past offer set against a current one the question is about."""
    if rival.option.check.history_mismatch and not top.option.check.history_mismatch:
        return False
    return named_alike(top.option.evidence, rival.option.evidence)


def named_alike(leader: Evidence, rival: Evidence) -> bool:
    """Both entries are named by the same question words, and the leader by no more of them than the rival."""
    # the kind of offer is no part of what names it: "mastery specialist programme" names the Post-16 Mastery
    # Specialists (whose alias says no "programme") as much as the secondary programme
    words, others = leader.name_words - KIND_WORDS or leader.name_words, rival.name_words - KIND_WORDS or rival.name_words
    return bool(words) and rival.name_mass >= 1.0 and not others < words and bool(words & others)


SUPPORT_LIMIT = 1
NAMED_ENOUGH = 0.9  # a name score this high: the question names the entry (all but a word of its name)
FIGURE_COMPANIONS = 2  # a figure question also gets up to this many of the entry's other figures about what it asks


def supporting(model: Model, decision: Decision, options: list[Option], scores: list[float], question: Question) -> Decision:
    """An answer with the entry's next-best unit when it ranks within ``support_margin`` of the answer's,
    and — for a figure question — the entry's other figures about what it asks (:func:`figure_companions`).
    """
    best = decision.best
    if decision.action != "answer" or best is None:
        return decision
    extra: list[Option] = []
    if model.support_margin > 0:
        position = next(i for i, o in enumerate(options) if o is best.option)
        floor = scores[position] - model.support_margin
        near = sorted(
            (i for i, o in enumerate(options)
             if o.entry_id == best.option.entry_id and i != position and scores[i] >= floor
             and o.unit.kind != "summary" and o.unit.text != best.option.unit.text),
            key=lambda i: -scores[i],
        )[:SUPPORT_LIMIT]
        extra = [options[i] for i in near]
    shown = {best.option.unit.text, *(o.unit.text for o in extra)}
    extra += [o for o in companions(question, best.option, options) if o.unit.text not in shown]
    return replace(decision, support=tuple(extra)) if extra else decision


def companions(question: Question, chosen: Option, options: Sequence[Option]) -> tuple[Option, ...]:
    """What is shown beside the chosen unit so the reply answers every part of the question: the entry's other
    figures for a count (:func:`figure_companions`), else the unit of the entry covering the most asked words the
    chosen one leaves out (:func:`covering_companion`).
    """
    if question.lead == "how_many":
        return figure_companions(question, chosen, options) or covering_companion(question, chosen, options)
    return story_companions(chosen, options) or covering_companion(question, chosen, options)


DISTINCT_STORY = 0.8  # a focus word this rare (1 = a single entry has it) names one story: a school, a person
STORY_COMPANIONS = 2


def story_companions(chosen: Option, options: Sequence[Option]) -> tuple[Option, ...]:
    """"What did Walford change?": the chosen unit is one fact of a case study the question names by a word
    almost no other entry has; the entry's other units with that word tell the rest of it.
    """
    if chosen.focus.distinct < DISTINCT_STORY:
        return ()
    key = chosen.focus.words & chosen.unit.terms
    found: list[Option] = []
    for option in options:
        unit = option.unit
        if option.entry_id != chosen.entry_id or unit is chosen.unit or unit.kind == "summary" or not key <= unit.terms:
            continue
        if unit.text != chosen.unit.text and all(unit.text != other.unit.text for other in found):
            found.append(option)
        if len(found) == STORY_COMPANIONS:
            break
    return tuple(found)


COVERING_WORDS = 2  # asked words, besides the entry's name and question words, another unit must add to be shown too


def covering_companion(question: Question, chosen: Option, options: Sequence[Option]) -> tuple[Option, ...]:
    """"Chantry's FSM % and progress score?": the chosen unit gives one; the entry's unit holding the most of the
    other asked words (at least :data:`COVERING_WORDS` of them) gives the rest.
    """
    left = question.asked_content - chosen.unit.terms - chosen.evidence.name_words - cue_terms()
    if len(left) < COVERING_WORDS:
        return ()
    best, best_count = None, COVERING_WORDS - 1
    for option in options:
        unit = option.unit
        if option.entry_id != chosen.entry_id or unit is chosen.unit or unit.kind == "summary" or unit.text == chosen.unit.text:
            continue
        count = len(left & unit.terms)
        if count > best_count:
            best, best_count = option, count
    return (best,) if best is not None else ()


def figure_companions(question: Question, chosen: Option, options: Sequence[Option]) -> tuple[Option, ...]:
    """For "how many …" questions: the chosen entry's other figures that count what the question counts, or
    that hold asked words the chosen unit lacks ("how many groups, how many schools?" gets both figures).
    """
    if question.lead != "how_many" or not chosen.unit.has_figure:
        return ()
    asked = question.asked_content - chosen.unit.terms
    wanted = question.counted - chosen.unit.counted
    found = []
    for option in options:
        unit = option.unit
        if option.entry_id != chosen.entry_id or unit is chosen.unit or not unit.has_figure or unit.text == chosen.unit.text:
            continue
        new_count = len(wanted & unit.counted)
        new_words = len(asked & unit.terms)
        if new_count or new_words >= 2:
            found.append((new_count, new_words, -unit.position, option))
    found.sort(key=lambda f: f[:3], reverse=True)
    companions: list[Option] = []
    for *_, option in found:
        if len(companions) == FIGURE_COMPANIONS:
            break
        if all(option.unit.text != other.unit.text for other in companions):
            companions.append(option)
    return tuple(companions)
