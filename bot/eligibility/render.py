"""Eligibility steps and outcomes as plain text (Discord markdown), for the console.

The Discord layer builds embeds from the same :class:`~bot.eligibility.flow.Question` and
:class:`~bot.eligibility.flow.Outcome` values instead.
"""

from __future__ import annotations

from bot.eligibility.flow import Answered, NextStep, Outcome, Question, Step, met_headline

NO_URL = {"form": "ask the hub for the form", "information": "ask the hub for the link"}
CONSOLE_PROMPT = "Answer y (yes), n (no) or ? (not sure)."


def title(entry_name: str) -> str:
    return f"Am I eligible? {entry_name}"


def next_step_line(step: NextStep) -> str:
    """``Application form: <https://…>``, or the form's name and "ask the hub for the form"."""
    if step.url:
        return f"{step.label}: <{step.url}>"
    return f"{step.label} — {NO_URL[step.kind]}"


def bullets(items: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"• {item}" for item in items)


def answers_text(answered: tuple[Answered, ...]) -> str:
    return "\n".join(f"• {item.question} — **{item.answer.label}**" for item in answered)


def question_text(question: Question, prompt: str = CONSOLE_PROMPT) -> str:
    lines = [f"**{title(question.entry_name)}** — question {question.number} of {question.total}", question.text]
    if prompt:
        lines.append(prompt)
    return "\n".join(lines)


def outcome_sections(outcome: Outcome) -> list[tuple[str, str]]:
    """The outcome's detail blocks as (title, body) pairs, most important first.

    The headline and the reason are not included; both renderers put them first.
    """
    sections: list[tuple[str, str]] = []
    if outcome.failed:
        sections.append(("The criterion", outcome.failed))
    if outcome.alternatives:
        sections.append(
            ("You could look at", bullets([f"**{a.name}** — {a.line}" for a in outcome.alternatives]))
        )
    if outcome.to_check:
        sections.append(("What to check", bullets(outcome.to_check)))
    if outcome.kind == "met":
        if outcome.deadline:
            sections.append(("Deadline", outcome.deadline))
        if outcome.how_to_apply and not outcome.next_step:
            sections.append(("How to apply", bullets(outcome.how_to_apply)))
    if outcome.kind == "no-checks" and (outcome.next_step or outcome.deadline or outcome.how_to_apply):
        parts = [next_step_line(outcome.next_step)] if outcome.next_step else []
        parts += [bullets(outcome.how_to_apply)] if outcome.how_to_apply else []
        parts += [outcome.deadline] if outcome.deadline else []
        sections.append(("Next step", "\n".join(parts)))
    if outcome.kind == "unsure":
        if outcome.round_closed and outcome.deadline:
            body = outcome.deadline  # it says the round closed and to ask about the next one
        else:
            if outcome.next_step:
                body = next_step_line(outcome.next_step)
            elif outcome.how_to_apply:
                body = bullets(outcome.how_to_apply)
            else:
                body = "Contact the hub to take part."
            if outcome.deadline:
                body += f"\n{outcome.deadline}"
        sections.append(("When you've checked, next step", body))
    if outcome.more_information and outcome.kind in ("met", "unsure", "no-checks"):
        sections.append(("More information", next_step_line(outcome.more_information)))
    if outcome.also:
        sections.append(("Also make sure", bullets(outcome.also)))
    if outcome.criteria:
        sections.append(("The criteria", bullets(outcome.criteria)))
    if outcome.who_for:
        sections.append(("Who it's for", outcome.who_for))
    if outcome.checkable:
        sections.append(
            ("Related offers you can check step by step", bullets([f"**{a.name}** — {a.line}" for a in outcome.checkable]))
        )
    if outcome.notes:
        sections.append(("Note", " ".join(outcome.notes)))
    if outcome.answered:
        sections.append(("Your answers", answers_text(outcome.answered)))
    if outcome.contact and (outcome.kind != "met" or not outcome.next_step or not outcome.next_step.url):
        sections.append(("Contact", outcome.contact))
    return sections


def headline_text(outcome: Outcome) -> str:
    """The headline, and the reason when the flow stopped, as one paragraph.

    When every criterion is met it reads "you meet the published criteria — next step: <form>", or,
    once the round has closed, says so instead of offering the closed round's form.
    """
    if outcome.kind == "met":
        if outcome.round_closed:
            return f"{met_headline(outcome.entry_name)} — but this round has closed: ask the hub about the next one."
        if outcome.next_step:
            then = next_step_line(outcome.next_step)
        elif outcome.how_to_apply:
            then = "follow the steps below."
        else:
            then = "contact the hub to take part."
        return f"{met_headline(outcome.entry_name)} — next step: {then}"
    return f"{outcome.headline} {outcome.reason}".strip()


def footer_text(outcome: Outcome) -> str:
    parts = []
    if outcome.sources:
        parts.append("Source: " + "; ".join(outcome.sources))
    if outcome.last_reviewed:
        day = outcome.last_reviewed
        parts.append(f"checked {day.day} {day:%B %Y}")
    return " · ".join(parts)


def outcome_text(outcome: Outcome) -> str:
    blocks = [f"**{title(outcome.entry_name)}**\n{headline_text(outcome)}"]
    blocks += [f"**{name}**\n{body}" for name, body in outcome_sections(outcome)]
    footer = footer_text(outcome)
    if footer:
        blocks.append(f"_{footer}_")
    return "\n\n".join(blocks)


def render_text(step: Step, prompt: str = CONSOLE_PROMPT) -> str:
    """A question or an outcome as the console shows it."""
    if isinstance(step, Question):
        return question_text(step, prompt)
    return outcome_text(step)
