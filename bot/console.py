"""`python -m bot console`: chat with the bot locally, with line editing, history and slash commands."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.eligibility.flow import Question, Step, named, start, step
from bot.eligibility.render import render_text as render_flow
from bot.eligibility.state import FlowState, StateError, parse_answer
from bot.engine.dates import today_in_london
from bot.engine.engine import Engine
from bot.knowledge.schema import PHASE_LABELS
from bot.listings import deadlines_text, parse_phase, phase_text
from bot.lookup import NameLookup, near_miss_line, programme_reply
from bot.render import render_text

HISTORY_FILE = Path.home() / ".hubbot_history"

HELP = """Ask anything about the hub's offers in plain words, e.g.
  when do applications close for the secondary mastery specialist programme?
  is there anything for teaching assistants in ks1?
Commands:
  /programmes <phase>   offers for early-years, primary, secondary, post-16 or cross-phase
  /programme <name>     everything about one programme
  /deadlines [phase]    open and recently closed deadlines
  /eligibility <name>   am I eligible? one question at a time; answer y, n or ?
  /help                 this help        /quit   leave"""


class Console:
    """The command interpreter; input and output are injectable for tests."""

    def __init__(self, engine: Engine, today: dt.date | None = None, out: TextIO | None = None) -> None:
        self.engine = engine
        self.today = today
        self.out = out or sys.stdout
        self.flow: FlowState | None = None  # the eligibility check waiting for an answer, if any
        self.commands: dict[str, Callable[[str], str]] = {
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
        if line.startswith("/") and line != "/?":
            self.flow = None  # any command leaves an eligibility check
            name, _, rest = line.partition(" ")
            command = self.commands.get(name.lower())
            if command is None:
                return f"Unknown command {name!r}. Type /help for the list."
            return command(rest.strip())
        if self.flow is not None:
            return self._answer_flow(line)
        return render_text(self.engine.answer(line, self.day))

    def _programmes(self, argument: str) -> str:
        phase = parse_phase(argument)
        if phase is None:
            choices = ", ".join(p.value for p in PHASE_LABELS)
            return f"Which phase? Use one of: {choices}. For example: /programmes primary"
        return phase_text(self.engine.programmes_for_phase(phase), phase, self.day)

    def _programme(self, argument: str) -> str:
        if not argument:
            return "Which programme? For example: /programme mastering number ks2"
        return render_text(programme_reply(self.engine, argument, self.day))

    def _eligibility(self, argument: str) -> str:
        if not argument:
            return "Which programme? For example: /eligibility mastering number ks2"
        lookup = NameLookup.of(self.engine.kb)
        exact = named(self.engine.kb, argument)
        found = [exact] if exact else [e for e in lookup.matches(argument) if e.status == "current"][:5]
        if not found:
            near = near_miss_line(lookup.near_misses(argument))
            return f"I don't know a programme by that name. {near} Try /programmes <phase> to see them all.".replace("  ", " ")
        if len(found) > 1:  # a check of the wrong programme would mislead: ask which one
            names = "\n".join(f"• {entry.name}" for entry in found)
            return f"Which programme do you mean?\n{names}\nType /eligibility with its name, e.g. /eligibility {found[0].name}"
        return self._show(start(self.engine.kb, found[0].id, self.day))

    def _answer_flow(self, line: str) -> str:
        assert self.flow is not None
        answer = parse_answer(line)
        if answer is None:
            return "Please answer y (yes), n (no) or ? (not sure) — or type any /command to stop the check."
        try:
            return self._show(step(self.engine.kb, self.flow.answer(answer), self.day))
        except StateError as error:  # cannot happen with one knowledge base, but never crash the console
            self.flow = None
            return f"That check can't continue ({error}). Start again with /eligibility."

    def _show(self, shown: Step) -> str:
        """Render a step, keeping the state while a question waits for its answer."""
        self.flow = shown.state if isinstance(shown, Question) else None
        return render_flow(shown)

    def _deadlines(self, argument: str) -> str:
        phase = parse_phase(argument)
        if argument and phase is None:
            return "Unknown phase. Use early-years, primary, secondary, post-16 or cross-phase."
        return deadlines_text(self.engine.kb, self.day, phase)


def run_console(engine: Engine, today: dt.date | None = None) -> int:
    """Read questions until end of input or /quit, with readline editing and a history file."""
    console = Console(engine, today)
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
            print(reply + ("\n" if interactive else ""))
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
