"""Fit the decision model on labelled questions, with k-fold cross-validation.

    python -m bot.engine.fit [--sets eval/labelled/*.yaml eval/holdout*.yaml] [--folds 5] [--write]

Each labelled question (the scorer's format: `q`, `kind`, `expect` regexes) is run through the
engine's first stages; every possible answer (an entry and one of its units) is composed as the
bot would post it and judged like the scorer judges a reply. A logistic model learns from those
labels how likely an option is to be right; then the thresholds that turn probabilities into
answer / ask-which / don't-know are chosen by replaying whole decisions. Folds are split by
question, so the cross-validated score is on questions the fit never saw. `--write` stores the
model fitted on every question in bot/engine/data/decision.json (with the data it came from).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import minimize

from bot.engine.decide import LABELLED_SETS, MODEL_FILE, Model, Scored, companions, score_options, supporting
from bot.engine.engine import Analysis, Engine
from bot.engine.features import FEATURES
from bot.knowledge.loader import load_knowledge
from bot.render import MAX_TEXT, render_text

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SETS = LABELLED_SETS
TODAY = dt.date(2026, 12, 1)
L2 = 0.02
GATE_L2 = 0.02  # the gate's own penalty (fitted by cross-validation)
WRONG_ANSWER_COST = 1.5  # a wrong answer loses this much (a right one gains 1, a decline 0): worse than not knowing
FAQ_WEIGHT = 0.5  # an FAQ's own wording counts half as much as a question a teacher wrote
GRID = {
    "answer_at": (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7),
    "clarify_at": (0.1, 0.15, 0.2, 0.25, 0.3),
    "tie_margin": (0.0, 0.05, 0.1, 0.15, 0.2),
    "support_margin": (0.0, 1.0, 2.0, 3.0),
}


@dataclass
class Item:
    """One labelled question with its options' features and labels."""

    raw: dict
    analysis: Analysis
    values: np.ndarray  # options × features
    labels: np.ndarray  # 1 when that option, composed, would be judged right
    judged: dict = field(default_factory=dict)  # decision → (right, answered but wrong), replayed often
    weight: float = 1.0

    @property
    def out_of_scope(self) -> bool:
        return self.raw["kind"] == "out_of_scope"


def judge(raw: dict, status: str, text: str, topics: tuple[str, ...] = ()) -> bool:
    """The scorer's rule: decline out-of-scope questions; otherwise don't decline and match every regex.

    An FAQ's own question (``entry`` set) is right when it is answered from its entry.
    """
    if raw["kind"] == "out_of_scope":
        return status == "unknown"
    if status == "unknown" or len(text) > MAX_TEXT:
        return False
    if raw.get("entry"):
        return status == "answered" and raw["entry"] in topics[:1]
    return all(re.search(rx, text, re.IGNORECASE) for rx in raw.get("expect", []))


def faq_items(engine: Engine) -> list[dict]:
    """Every question the knowledge base lists under an FAQ, labelled with its entry."""
    return [
        {"id": f"faq:{entry.id}:{n}", "q": question, "kind": "faq", "entry": entry.id, "weight": FAQ_WEIGHT}
        for entry in engine.kb
        for n, faq in enumerate(entry.faqs)
        for question in faq.questions
    ]


def load_items(engine: Engine, paths: list[Path], with_faqs: bool = True) -> list[Item]:
    raws = []
    for path in paths:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        raws.extend(loaded.get("items", loaded) if isinstance(loaded, dict) else loaded)
    if with_faqs:
        raws.extend(faq_items(engine))
    items = []
    for raw in raws:
        analysis = engine.analyse(raw["q"])
        labels = []
        for option in analysis.options:
            shown_with = companions(analysis.question, option, analysis.options)
            reply = engine.composer.answer(analysis.question, option, TODAY, 1.0, shown_with)
            labels.append(judge(raw, reply.status, render_text(reply), reply.topics))
        values = np.array([o.values for o in analysis.options], dtype=float).reshape(-1, len(FEATURES))
        items.append(Item(raw, analysis, values, np.array(labels, dtype=float), weight=raw.get("weight", 1.0)))
    return items


def fit_ranker(items: list[Item]) -> np.ndarray:
    """Conditional logit over each question's options: the right ones should score highest."""
    groups = [(item.values, item.labels > 0, item.weight) for item in items if len(item.values) and item.labels.any()]
    mass = sum(weight for _, _, weight in groups)

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = L2 * beta @ beta * mass, 2 * L2 * beta * mass
        for x, right, weight in groups:
            s = x @ beta
            p_all = np.exp(s - s.max())
            p_all /= p_all.sum()
            s_right = s[right]
            p_right = np.exp(s_right - s_right.max())
            p_right /= p_right.sum()
            total += weight * ((np.log(np.exp(s - s.max()).sum()) + s.max()) - (np.log(np.exp(s_right - s_right.max()).sum()) + s_right.max()))
            gradient += weight * (x.T @ p_all - x[right].T @ p_right)
        return total / mass, gradient / mass

    result = minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B")
    return result.x


def gate_rows(model: Model, items: list[Item]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each question's leading option, as gate features, with its label (the gate judges what would be answered)."""
    rows, labels, weights = [], [], []
    for item in items:
        options = list(item.analysis.options)
        _, scored = score_options(model, options)
        if not scored:
            continue
        index = {id(o): i for i, o in enumerate(options)}
        for position, entry_scored in enumerate(scored[:2]):
            rows.append(entry_scored.gate_values)
            labels.append(item.labels[index[id(entry_scored.option)]])
            weights.append(item.weight * (1.0 if position == 0 else 0.25))
    return np.array(rows), np.array(labels), np.array(weights)


def fit_gate(x: np.ndarray, y: np.ndarray, w_row: np.ndarray) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method."""
    x1 = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(x1.shape[1])
    penalty = np.full(x1.shape[1], GATE_L2)
    penalty[-1] = 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(x1 @ beta, -30, 30)))
        gradient = x1.T @ (w_row * (p - y)) + penalty * beta
        hessian = (x1 * (w_row * p * (1 - p))[:, None]).T @ x1 + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    return beta[:-1], float(beta[-1])


def fit_model(engine: Engine, items: list[Item], wrong_cost: float = WRONG_ANSWER_COST) -> Model:
    """Ranker, then gate, then thresholds — all from ``items``."""
    rank = fit_ranker(items)
    draft = replace(Model.blank(), rank=tuple(rank))
    x, y, w = gate_rows(draft, items)
    gate, bias = fit_gate(x, y, w)
    return best_thresholds(engine, replace(draft, gate=tuple(gate), gate_bias=bias), items, wrong_cost)


def replay(engine: Engine, model: Model, item: Item, scored: list[Scored] | None = None) -> tuple[bool, bool]:
    """Decide and compose with ``model``; (judged right, answered but wrong)."""
    analysis = item.analysis
    scores = None
    if scored is None:
        scores, scored = score_options(model, list(analysis.options))
    engine.model = model
    decision = engine.decide(analysis.question, analysis.evidence, scored, analysis.options)
    if decision.action == "answer":
        if scores is None:
            scores = [model.rank_score(o.values) for o in analysis.options]
        decision = supporting(model, decision, list(analysis.options), scores, analysis.question)
    key = (decision.action, decision.entries, tuple(
        (s.option.entry_id, s.option.unit.kind, s.option.unit.position) for s in decision.chosen[:1] if decision.action != "clarify"
    ), tuple((o.unit.kind, o.unit.position) for o in decision.support), tuple(s.option.entry_id for s in decision.alternatives))
    cached = item.judged.get(key)
    if cached is None:
        reply = engine.compose(replace(analysis, scored=tuple(scored), decision=decision), TODAY)
        right = judge(item.raw, reply.status, render_text(reply), reply.topics)
        cached = item.judged[key] = (right, reply.status == "answered" and not right)
    return cached


def best_thresholds(engine: Engine, model: Model, items: list[Item], wrong_cost: float = WRONG_ANSWER_COST) -> Model:
    """Thresholds by coordinate search over :data:`GRID` (two sweeps), scoring whole replayed decisions."""
    scored = [score_options(model, list(item.analysis.options))[1] for item in items]

    def value(candidate: Model) -> float:
        results = [replay(engine, candidate, item, s) for item, s in zip(items, scored, strict=True)]
        return sum(item.weight * (r - wrong_cost * w) for item, (r, w) in zip(items, results, strict=True))

    best, best_value = model, value(model)
    for _ in range(2):
        for name, choices in GRID.items():
            for choice in choices:
                candidate = replace(best, **{name: choice})
                if candidate.clarify_at >= candidate.answer_at:
                    continue
                found = value(candidate)
                if found > best_value:
                    best, best_value = candidate, found
    return best


def cross_validate(engine: Engine, items: list[Item], folds: int, seed: int = 7, wrong_cost: float = WRONG_ANSWER_COST) -> dict:
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)  # noqa: S311 (fold assignment, not security)
    right = {"questions": 0, "faqs": 0}
    wrong = {"questions": 0, "faqs": 0}
    for fold in range(folds):
        held = {order[i] for i in range(fold, len(order), folds)}
        model = fit_model(engine, [item for i, item in enumerate(items) if i not in held], wrong_cost)
        for i in held:
            ok, bad = replay(engine, model, items[i])
            group = "faqs" if items[i].raw.get("entry") else "questions"
            right[group] += ok
            wrong[group] += bad
        print(f"  fold {fold + 1}/{folds}: {right} right so far, {wrong} answered wrong", file=sys.stderr)
    count = {group: sum(1 for item in items if bool(item.raw.get("entry")) == (group == "faqs")) for group in right}
    return {
        group: {"questions": count[group], "right": right[group], "answered_wrong": wrong[group],
                "score": round(right[group] / count[group], 4) if count[group] else None}
        for group in right
    } | {"folds": folds}


def data_fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="*", default=list(DEFAULT_SETS))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    parser.add_argument("--no-faqs", action="store_true", help="leave out the knowledge base's own FAQ questions")
    parser.add_argument("--wrong-cost", type=float, default=WRONG_ANSWER_COST,
                        help="what a wrong answer costs when choosing thresholds (a right one gains 1)")
    parser.add_argument("--write", action="store_true", help=f"write the fitted model to {MODEL_FILE}")
    args = parser.parse_args(argv)
    paths = [ROOT / p if not Path(p).is_absolute() else Path(p) for p in args.sets]
    engine = Engine(load_knowledge(ROOT / "knowledge", today=TODAY), model=Model.blank())
    items = load_items(engine, paths, with_faqs=not args.no_faqs)
    print(f"{len(items)} questions, {sum(len(i.values) for i in items)} options, "
          f"{int(sum(i.labels.sum() > 0 for i in items))} with at least one right option", file=sys.stderr)
    cv = None if args.no_cv else cross_validate(engine, items, args.folds, wrong_cost=args.wrong_cost)
    model = fit_model(engine, items, args.wrong_cost)
    fitted = [(item, *replay(engine, model, item)) for item in items]
    summary = {
        group: {"right": sum(r for item, r, _ in fitted if bool(item.raw.get("entry")) == is_faq),
                "answered_wrong": sum(w for item, _, w in fitted if bool(item.raw.get("entry")) == is_faq),
                "questions": sum(1 for item, _, _ in fitted if bool(item.raw.get("entry")) == is_faq)}
        for group, is_faq in (("questions", False), ("faqs", True))
    }
    meta = {
        "fitted": {"sets": list(args.sets), "faq_questions": not args.no_faqs, "faq_weight": FAQ_WEIGHT,
                   "data": data_fingerprint(paths), "questions": len(items), "l2": L2,
                   "wrong_answer_cost": args.wrong_cost, "on_fitted_data": summary},
        "cross_validation": cv,
    }
    model = replace(model, meta=meta)
    print(json.dumps({"cross_validation": cv, "on_fitted_data": summary,
                      "thresholds": model.to_json()["thresholds"]}, indent=1))
    for name, rank, gate in sorted(zip(FEATURES, model.rank, model.gate, strict=False), key=lambda p: -abs(p[1])):
        print(f"  {name:22s} rank {rank:+.3f}  gate {gate:+.3f}", file=sys.stderr)
    print(f"  gate rank_share {model.gate[-2]:+.3f} rank_margin {model.gate[-1]:+.3f} bias {model.gate_bias:+.3f}", file=sys.stderr)
    if args.write:
        MODEL_FILE.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
