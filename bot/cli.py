"""The command line: `python -m bot [ask|programme|console|deadlines|validate|schema|run|bench|report] …`."""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE = PROJECT_ROOT / "knowledge"


def default_sources() -> Path | None:
    """Where the source documents are, for checking quotes: $HUBBOT_SOURCES or ../shared/seeds."""
    configured = os.environ.get("HUBBOT_SOURCES")
    if configured:
        return Path(configured)
    candidate = PROJECT_ROOT.parent / "shared" / "seeds"
    return candidate if candidate.is_dir() else None


TODAY_HELP = "pretend today is this date, for deadline wording (default: today in Europe/London)"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hubbot", description="Answers teachers' questions about the Maths Hub's offers.")
    parser.add_argument("--knowledge", type=Path, help="knowledge-base directory (default: the bundled one; for `run`, instead of the settings' knowledge_dir)")
    parser.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help=TODAY_HELP)
    commands = parser.add_subparsers(dest="command")

    ask = commands.add_parser("ask", help="answer one question, or one per input line with --jsonl")
    ask.add_argument("question", nargs="*", help="the question (omit with --jsonl)")
    ask.add_argument("--jsonl", action="store_true", help="read questions from stdin, write JSON lines")
    ask.add_argument("--explain", action="store_true", help="show each stage's evidence and the decision, then the reply")
    ask.add_argument("--today", type=_date, dest="today_sub", metavar="YYYY-MM-DD", help=TODAY_HELP)

    programme = commands.add_parser(
        "programme", help="everything about one programme, by name, alias or code (exit 1 if no programme fits)"
    )
    programme.add_argument("name", nargs="+", help="the programme's name, an alias or a code such as NCP17-09")
    programme.add_argument("--today", type=_date, dest="today_sub", metavar="YYYY-MM-DD", help=TODAY_HELP)

    commands.add_parser("console", help="chat with the bot locally (also understands /programmes, /deadlines …)")

    deadlines = commands.add_parser("deadlines", help="list upcoming and recently closed deadlines")
    deadlines.add_argument("--phase", help="a phase or stage: early-years, primary, secondary, post-16, cross-phase, ks2, y7 …")
    deadlines.add_argument("--today", type=_date, dest="today_sub", metavar="YYYY-MM-DD", help=TODAY_HELP)
    deadlines.add_argument("--ics", type=Path, metavar="FILE", help="write the deadlines as an iCalendar file ('-' for stdout)")

    validate = commands.add_parser("validate", help="check the knowledge base; exit 1 on errors")
    validate.add_argument("directory", nargs="?", type=Path, help="knowledge directory (default: the bundled one)")
    validate.add_argument("--config", type=Path, metavar="FILE", help="check the knowledge folder of every hub this settings file names")
    validate.add_argument("--sources", type=Path, help="directory of source documents to check quotes against")
    validate.add_argument("--verbose", action="store_true", help="list every warning, not only how many of each kind")
    validate.add_argument("--today", type=_date, dest="today_sub", metavar="YYYY-MM-DD",
                          help="pretend today is this date when dating freshness warnings")

    schema = commands.add_parser("schema", help="write JSON Schemas of the knowledge-base format")
    schema.add_argument("--out", type=Path, help="output directory (default: <knowledge>/schema)")

    run = commands.add_parser("run", help="connect to Discord (needs DISCORD_TOKEN)")
    run.add_argument("--config", type=Path, help="YAML config file (see config.example.yaml)")

    bench = commands.add_parser(
        "bench", help="speed and memory on traffic-like questions, beside rapidfuzz and bm25s (see README 'Speed')"
    )
    bench.add_argument("--sizes", default="100,1000,5000", help="comma-separated synthetic entry counts")
    bench.add_argument("--large", action="store_true", help="add 50,000 entries (load linearity; takes minutes)")
    bench.add_argument("--questions", type=int, default=400, help="questions per knowledge base")
    bench.add_argument("--no-real", action="store_true", help="skip the bundled knowledge base")
    bench.add_argument("--json", type=Path, metavar="FILE", help="also write every figure as JSON")
    bench.add_argument(
        "--prepared", action="store_true",
        help="build every entry's answer units before the questions, as the Discord bot does in the background after a load",
    )
    bench.add_argument(
        "--hubs", metavar="COUNTS",
        help="instead: one process holding this many hubs of each size, e.g. 1,10,40 (memory and answer cost per hub)",
    )

    from bot.staff.cli import add_report_parser

    add_report_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code. Output cut short by a closed pipe (``| head``) is no error to report."""
    try:
        return _main(argv)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not complain again
        return 1


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    chosen_knowledge, args.knowledge = args.knowledge, args.knowledge or DEFAULT_KNOWLEDGE
    today = getattr(args, "today_sub", None) or args.today
    command = args.command
    if command is None:
        if os.environ.get("DISCORD_TOKEN"):
            return _run(None)
        print("No DISCORD_TOKEN set, so starting the local console on the bundled knowledge base.")
        print("To connect to Discord: set DISCORD_TOKEN and run `python -m bot run` (see README.md).\n")
        command = "console"
    if command in {"ask", "console", "deadlines", "run"} and not os.environ.get("HUBBOT_NO_CACHE"):
        from bot.knowledge.cache import persist
        from bot.knowledge.loader import MEMORY_CACHE

        persist(MEMORY_CACHE)  # restarts reuse what unchanged files parsed to
        atexit.register(MEMORY_CACHE.save)  # and the answer units analysed while answering
    if command == "validate":
        from bot.validate import validate_command, validate_hubs

        if args.config is not None:
            if args.directory is not None:
                print("hubbot validate: give a directory or --config, not both", file=sys.stderr)
                return 2
            return validate_hubs(args.config, args.sources or default_sources(), today, args.verbose)
        return validate_command(args.directory or args.knowledge, args.sources or default_sources(), today, args.verbose)
    if command == "schema":
        from bot.knowledge.jsonschema import write_schemas

        for path in write_schemas(args.out or args.knowledge / "schema"):
            print(f"wrote {path}")
        return 0
    if command == "run":
        return _run(args.config, chosen_knowledge)
    if command == "bench":
        return _bench(args)
    if command == "report":
        from bot.staff.cli import report_command

        return report_command(args.knowledge, args.since, args.csv, args.database, config=args.config, hub_id=args.hub)
    engine = _engine(args.knowledge)
    if engine is None:
        return 1
    if command == "ask":
        return _ask(engine, args, today)
    if command == "programme":
        return _programme(engine, " ".join(args.name), today)
    if command == "deadlines" and args.ics:
        from bot.staff.cli import ics_command

        return ics_command(engine.kb, args.ics, args.phase)
    if command == "deadlines":
        return _deadlines(engine, args.phase, today)
    from bot.console import run_console

    return run_console(engine, today)


def _engine(directory: Path):  # noqa: ANN202 - Engine import is deferred to keep start-up light
    from bot.engine.engine import Engine
    from bot.knowledge.loader import load_knowledge
    from bot.knowledge.problems import KnowledgeError

    try:
        return Engine(load_knowledge(directory))
    except KnowledgeError as exc:
        print(exc, file=sys.stderr)
        print("Fix these and run `python -m bot validate` to check.", file=sys.stderr)
        return None


def _ask(engine, args: argparse.Namespace, today: dt.date | None) -> int:  # noqa: ANN001
    from bot.console import reply_text

    if args.jsonl:
        return _ask_jsonl(engine, today)
    question = " ".join(args.question)
    if not question:
        print("usage: python -m bot ask \"your question\"  (or --jsonl to read questions from standard input)", file=sys.stderr)
        return 2
    if args.explain:
        print(engine.explain(question, today))
        return 0
    _show(reply_text(engine.answer(question, today), engine.kb.hub))
    return 0


def _ask_jsonl(engine, today: dt.date | None) -> int:  # noqa: ANN001
    """One JSON line per input line, always valid UTF-8: bad bytes are replaced, no line is lost."""
    from bot.console import reply_text

    out = sys.stdout.buffer
    for raw in sys.stdin.buffer:
        question = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        reply = engine.answer(question, today)
        row = {
            "question": question,
            "status": reply.status,
            "text": reply_text(reply, engine.kb.hub),
            "topics": list(reply.topics),
            "confidence": reply.confidence,
        }
        line = json.dumps(row, ensure_ascii=False) + "\n"
        out.write(line.encode("utf-8", errors="replace"))  # a stray surrogate cannot break the line
    out.flush()
    return 0


def _show(text: str) -> None:
    """Print a reply: styled on a terminal (rich), plain when piped."""
    from bot.console import terminal_printer

    terminal_printer(sys.stdout)(text)


def _programme(engine, name: str, today: dt.date | None) -> int:  # noqa: ANN001
    from bot.console import reply_text
    from bot.lookup import programme_reply

    reply = programme_reply(engine, name, today)
    _show(reply_text(reply, engine.kb.hub))
    return 0 if reply.status == "answered" else 1


def _deadlines(engine, phase_text: str | None, today: dt.date | None) -> int:  # noqa: ANN001
    from bot.engine.dates import today_in_london
    from bot.listings import deadlines_text, parse_phase

    phase = parse_phase(phase_text)
    if phase_text and phase is None:
        print(f"hubbot deadlines: unknown phase {phase_text!r}: use early-years, primary, secondary, post-16, "
              "cross-phase, or a stage such as ks2 or y7", file=sys.stderr)
        return 2
    _show(deadlines_text(engine.kb, today or today_in_london(), phase))
    return 0


def _bench(args: argparse.Namespace) -> int:
    from bot.bench.command import BenchSettings, bench_command

    try:
        sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        print(f"hubbot bench: --sizes takes whole numbers separated by commas, not {args.sizes!r}", file=sys.stderr)
        return 2
    if args.large:
        sizes.append(50_000)
    if any(size < 10 for size in sizes) or args.questions < 1:
        print("hubbot bench: sizes must be at least 10 and --questions at least 1", file=sys.stderr)
        return 2
    settings = BenchSettings(sizes=tuple(sizes), questions=args.questions, real=not args.no_real, prepared=args.prepared)
    if args.hubs:
        from bot.bench.hubs import hubs_command

        try:
            counts = tuple(int(count) for count in args.hubs.split(",") if count.strip())
        except ValueError:
            counts = ()
        if not counts or min(counts) < 1:
            print(f"hubbot bench: --hubs takes whole numbers of at least 1 separated by commas, not {args.hubs!r}", file=sys.stderr)
            return 2
        return hubs_command(tuple(sizes), counts, settings, args.json)
    return bench_command(settings, args.json)


def _run(config: Path | None, knowledge: Path | None = None) -> int:
    try:
        from bot.discord_app.runner import run_from_cli
    except ImportError as exc:  # pragma: no cover - the Discord layer ships with the package
        print(f"The Discord layer is not available: {exc}", file=sys.stderr)
        return 1
    return run_from_cli(config, knowledge)
