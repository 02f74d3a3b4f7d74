"""`python -m bot console`: chat with the bot locally, with line editing, history and the slash commands.

It does what the Discord bot does: questions (plain or ``/ask …``), ``/programmes``, ``/programme``,
``/deadlines`` and ``/eligibility``, with the same phase words (ks2, y7, eyfs, sixth form …). Where
Discord shows buttons, the console numbers the options, so typing ``2`` picks the second. On a
terminal, replies are shown with bold, lists and links (rich); piped, they stay plain text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.eligibility.flow import Question, Step, named, start, step
from bot.eligibility.render import CONSOLE_PROMPT
from bot.eligibility.render import render_text as render_flow
from bot.eligibility.state import FlowState, StateError, parse_answer
from bot.engine.dates import today_in_london
from bot.engine.engine import Engine
from bot.knowledge.schema import HubInfo
from bot.listings import deadlines_text, parse_phase, phase_text
from bot.lookup import NameLookup, candidate_hint, programme_reply
from bot.render import MAX_TEXT, render_text
from bot.reply import Candidate, Reply

HISTORY_FILE = Path.home() / ".hubbot_history"
FLOW_PROMPT = CONSOLE_PROMPT.rstrip(".") + " — or 1, 2 or 3."
NUMBERED_ANSWERS = {"1": "y", "2": "n", "3": "?"}
PHASE_HINT = "Use a phase or stage: early years, primary, secondary, post-16, leadership — or eyfs, ks2, y7, sixth form …"

HELP = f"""Ask anything about the hub's offers in plain words (or with /ask), e.g.
  when do applications close for the secondary mastery specialist programme?
  is there anything for teaching assistants in ks1?
Commands:
  /ask <question>       the same as typing the question
  /programmes <phase>   offers for a phase or stage: primary, ks3, y7, eyfs, sixth form, leadership …
  /programme <name>     everything about one programme (a name, an alias or a code such as NCP17-09)
  /deadlines [phase]    open and recently closed deadlines
  /eligibility <name>   am I eligible? one question at a time; answer y, n or ? (or 1, 2, 3)
  /help                 this help        /quit   leave
When I list options, type a number to choose one. {PHASE_HINT}"""


def reply_text(reply: Reply, hub: HubInfo, *, numbered: bool = False) -> str:
    """A reply as the console and the command line show it.

    Where Discord offers "Ask the hub team" (a reply the bot could not give outright: "which
    one?", "I don't know", "no programme by that name"), these end with how to reach the hub,
    when hub.yaml gives an email, website or phone.
    """
    if reply.status == "answered" or not hub.has_contact_detail:
        return render_text(reply, numbered=numbered)
    return with_contact(render_text(reply, MAX_TEXT - len(hub.contact_line()) - 2, numbered=numbered), hub)


def with_contact(text: str, hub: HubInfo) -> str:
    """``text`` ending with the hub's contact line, when the hub has a contact detail and it isn't there yet."""
    contact = hub.contact_line()
    return text if not hub.has_contact_detail or contact in text else f"{text}\n\n{contact}"


class Console:
    """The command interpreter; input and output are injectable for tests."""

    def __init__(self, engine: Engine, today: dt.date | None = None, out: TextIO | None = None) -> None:
        self.engine = engine
        self.today = today
        self.out = out or sys.stdout
        self.flow: FlowState | None = None  # the eligibility check waiting for an answer, if any
        self.choices: list[str] = []  # entry ids of the numbered options last shown
        self.on_choice: Callable[[str], str] = self._describe
        self.commands: dict[str, Callable[[str], str]] = {
            "/ask": self._ask,
            "/programmes": self._programmes,
            "/programme": self._programme,
            "/deadlines": self._deadlines,
            "/eligibility": self._eligibility,
            "/help": lambda _: HELP,
        }

    @property
    def day(self) -> dt.date:
        return self.today or today_in_london()

    def respond(self, line: str) -> str:
        """The console's reply to one input line."""
        line = line.strip()
        if not line:
            return ""
        if self.flow is None and self.choices and line.rstrip(".").isdigit():
            return self._choose(int(line.rstrip(".")))
        if line.startswith("/") and line != "/?":
            self.flow, self.choices = None, []  # any command leaves an eligibility check or a choice
            name, _, rest = line.partition(" ")
            command = self.commands.get(name.lower())
            if command is None:
                return f"Unknown command {name!r}. Type /help for the list."
            return command(rest.strip())
        if self.flow is not None:
            return self._answer_flow(line)
        return self._ask(line)

    # ----- numbered options ----------------------------------------------------------------------
    def _offer(self, reply: Reply, on_choice: Callable[[str], str]) -> str:
        """Render a reply; a clarifying one gets numbered options that the next line can pick."""
        self.choices = [c.entry_id for c in reply.candidates] if reply.status == "clarify" else []
        self.on_choice = on_choice
        return reply_text(reply, self.engine.kb.hub, numbered=bool(self.choices))

    def _choose(self, number: int) -> str:
        if not 1 <= number <= len(self.choices):
            return f"Type a number from 1 to {len(self.choices)}, or ask something else."
        chosen = self.choices[number - 1]
        self.choices = []
        return self.on_choice(chosen)

    def _describe(self, entry_id: str) -> str:
        reply = self.engine.describe(entry_id, self.day)
        return render_text(reply) if reply else "I no longer have that in my knowledge base."

    # ----- commands ------------------------------------------------------------------------------
    def _ask(self, question: str) -> str:
        if not question:
            return "What would you like to ask? For example: /ask who is the primary mastery specialist programme for?"
        return self._offer(self.engine.answer(question, self.day), self._describe)

    def _programmes(self, argument: str) -> str:
        phase = parse_phase(argument)
        if phase is None:
            return f"Which phase? {PHASE_HINT} For example: /programmes primary"
        return phase_text(self.engine.programmes_for_phase(phase), phase, self.day, self.engine.kb.hub)

    def _programme(self, argument: str) -> str:
        if not argument:
            return "Which programme? For example: /programme mastering number ks2"
        return self._offer(programme_reply(self.engine, argument, self.day), self._describe)

    def _eligibility(self, argument: str) -> str:
        if not argument:
            return "Which programme? For example: /eligibility mastering number ks2"
        kb = self.engine.kb
        lookup = NameLookup.of(kb)
        exact = named(kb, argument)
        found = [exact] if exact else [e for e in lookup.matches(argument, 10) if e.status == "current"]
        if len(found) == 1:
            return self._start_check(found[0].id)
        if found:  # a check of the wrong programme would mislead: ask which one
            headline = "Which programme do you mean?"
        else:
            found = [e for e in lookup.near_misses(argument) if e.status == "current"]
            if not found:
                return with_contact("I don't know a programme by that name. Try /programmes <phase> to see them all.",
                                    kb.hub)
            headline = "I don't know a programme by that name. Did you mean one of these?"
        candidates = tuple(Candidate(e.id, e.name, candidate_hint(e)) for e in found)
        return self._offer(Reply(question=argument, status="clarify", headline=headline, candidates=candidates),
                           self._start_check)

    def _start_check(self, entry_id: str) -> str:
        return self._show(start(self.engine.kb, entry_id, self.day))

    def _answer_flow(self, line: str) -> str:
        assert self.flow is not None
        answer = parse_answer(NUMBERED_ANSWERS.get(line.rstrip("."), line))
        if answer is None:
            return "Please answer y (yes), n (no) or ? (not sure) — or 1, 2, 3 — or type any /command to stop the check."
        try:
            return self._show(step(self.engine.kb, self.flow.answer(answer), self.day))
        except StateError as error:  # cannot happen with one knowledge base, but never crash the console
            self.flow = None
            return f"That check can't continue ({error}). Start again with /eligibility."

    def _show(self, shown: Step) -> str:
        """Render a step, keeping the state while a question waits for its answer."""
        self.flow = shown.state if isinstance(shown, Question) else None
        return render_flow(shown, FLOW_PROMPT)

    def _deadlines(self, argument: str) -> str:
        phase = parse_phase(argument)
        if argument and phase is None:
            return f"Unknown phase {argument!r}. {PHASE_HINT}"
        return deadlines_text(self.engine.kb, self.day, phase)


# ----- the terminal ------------------------------------------------------------------------------
def terminal_printer(out: TextIO = sys.stdout) -> Callable[[str], None]:
    """How replies reach ``out``: styled by rich on a terminal, the plain text otherwise."""
    if not out.isatty():
        return lambda text: print(text, file=out)
    try:
        from rich.console import Console as RichConsole
        from rich.markdown import Markdown
    except ImportError:  # pragma: no cover - rich is a dependency; plain text is the fallback
        return lambda text: print(text, file=out)
    console = RichConsole(file=out, highlight=False)
    return lambda text: console.print(Markdown(as_markdown(text), hyperlinks=True))


_NUMBERED = re.compile(r"\d+\. ")
_NOT_A_LINK = re.compile(r"<(?!https?://)")
_BLOCK_MARK = re.compile(r"^([#>+\-=|])")


def as_markdown(text: str) -> str:
    """The bot's Discord-style text as CommonMark: "•" items become a list, every line break is kept,
    and ``<phase>`` stays text (only ``<https://…>`` is a link).
    """
    lines: list[str] = []
    in_list = False
    for line in _NOT_A_LINK.sub(r"\\<", text).split("\n"):
        item = line.startswith("• ") or bool(_NUMBERED.match(line))
        if in_list and line and not item:
            lines.append("")  # a line after a list is not part of its last item
        if line.startswith("• "):
            lines.append("- " + line[2:])
        elif item or not line:
            lines.append(line)
        else:
            lines.append(_BLOCK_MARK.sub(r"\\\1", line) + "  ")  # a hard line break, as Discord shows it
        in_list = item
    return "\n".join(lines)


def run_console(engine: Engine, today: dt.date | None = None) -> int:
    """Read questions until end of input or /quit, with readline editing and a history file."""
    console = Console(engine, today)
    show = terminal_printer(sys.stdout)
    interactive = sys.stdin.isatty()
    if interactive:
        _enable_readline()
        print(f"hubbot — {engine.kb.hub.name}. {len(engine.kb)} entries loaded. Type /help for help, /quit to leave.")
    while True:
        try:
            line = input("you> " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            print()
            break
        if line.strip().lower() in {"/quit", "/exit", "quit", "exit"}:
            break
        reply = console.respond(line)
        if reply:
            show(reply + ("\n" if interactive and not sys.stdout.isatty() else ""))
    if interactive:
        _save_history()
    return 0


def _enable_readline() -> None:
    try:
        import readline
    except ImportError:  # pragma: no cover - readline is missing on some platforms
        return
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY_FILE)
    readline.set_history_length(1000)


def _save_history() -> None:
    try:
        import readline

        readline.write_history_file(HISTORY_FILE)
    except (ImportError, OSError):
        pass
