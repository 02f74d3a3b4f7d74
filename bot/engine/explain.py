"""`ask --explain`: every stage's evidence for one question, in plain text."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.engine.decide import best_per_entry
from bot.engine.features import FEATURES
from bot.engine.parts import question_parts
from bot.render import render_text

if TYPE_CHECKING:
    from bot.engine.engine import Analysis, Engine

SHOWN_OPTIONS = 6


def explain(engine: Engine, analysis: Analysis, today: dt.date) -> str:
    question, decision = analysis.question, analysis.decision
    attributes = question.attributes
    lines = [
        "1. understand",
        f"   words:      {' '.join(question.words)}",
        f"   asks:       {', '.join(question.asks) or '(no question type found)'}   (from: {question.asked_text!r})",
        f"   focus:      {', '.join(sorted(question.focus)) or '-'}",
        f"   phases:     {', '.join(f'{p.value}={s}' for p, s in attributes.phases.items()) or '-'}"
        f"   roles: {', '.join(sorted(attributes.roles)) or '-'}   years: {sorted(attributes.years) or '-'}"
        f"   history: {question.wants_history}",
        "2. candidate entries (prior: name, code, keywords, BM25, figures)",
    ]
    for item in analysis.evidence:
        lines.append(
            f"   {item.prior:5.2f} {item.entry_id:45s} named={item.named} name={item.name_score:.2f} "
            f"words={sorted(item.name_words)} kw={item.keyword_hits} bm25={item.content:.1f} coverage={item.coverage:.2f}"
        )
    lines.append("3-4. verified options, most likely first (p = fitted probability the answer is right)")
    weights = engine.model.rank
    ranked = sorted(zip(analysis.rank_scores, analysis.options, strict=True), key=lambda pair: -pair[0])
    for score, option in ranked[:SHOWN_OPTIONS]:
        contributions = sorted(
            ((name, w * v) for name, w, v in zip(FEATURES, weights, option.values, strict=True) if v),
            key=lambda pair: -abs(pair[1]),
        )[:5]
        why = ", ".join(f"{name} {value:+.2f}" for name, value in contributions)
        lines.append(f"   rank={score:+.2f} {option.entry_id} / {option.unit.kind}#{option.unit.position}: {option.unit.text[:70]!r}")
        lines.append(f"          {why}" + (f"   mismatch: {', '.join(option.check.missing)}" if option.check.missing else ""))
    lines.append("   each entry's best, p = fitted probability that answering with it is right: "
                 + ", ".join(f"{s.option.entry_id}={s.probability:.2f}" for s in best_per_entry(list(analysis.scored))[:4]))
    lines.append(f"5. decide: {decision.action} — {decision.reason}"
                 f"   (answer at {engine.model.answer_at:.2f}, choices at {engine.model.clarify_at:.2f}, tie {engine.model.tie_margin:.2f})")
    parts = question_parts(question.raw)
    if len(parts) >= 2:  # each further question is answered on its own and added when the first is answered
        lines.append(f"   questions in the message: {' | '.join(parts)}")
    lines.append("6. reply:")
    lines.extend("   " + line for line in render_text(engine.answer(question.raw, today)).splitlines())
    return "\n".join(lines)
