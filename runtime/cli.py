"""`sgr draft`: materialise every asset through Dagster and print the draft's path; `sgr rules` and
`sgr contract`: the rules and the whole source contract, as the declarations make them.

Exits 0 with the draft; otherwise non-zero with the failures in plain words (file, sheet,
line, column, value where known), never a bare traceback.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import parse_date
from pipeline.contract import FAMILIES
from pipeline.languages.official import parse_languages
from pipeline.paths import location
from runtime import collection, instance, worker

EXIT_FAILED = 1
EXIT_USAGE = 2


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sgr", description="Draft the SG report on the Global Compact.")
    commands = parser.add_subparsers(dest="command", required=True)
    draft = commands.add_parser("draft", help="materialise every asset and write the draft report")
    draft.add_argument("--sources", help="sources root (default $SGR_SOURCES or ./sources)")
    draft.add_argument("--data", help="data folder (default $SGR_DATA or ./data)")
    draft.add_argument("--reports", help="drafts folder (default $SGR_REPORTS or ./reports/drafts)")
    draft.add_argument(
        "--edition",
        help="the report edition to draft: the year its sg_report row of calendar.csv is due (2026), or `all` for "
        "every edition in turn (default: the edition the as-of date falls in)",
    )
    draft.add_argument(
        "--as-of", help="reference date YYYY-MM-DD (default $SGR_AS_OF, or the edition's data cut-off, or today)"
    )
    draft.add_argument(
        "--compare-with",
        help="compare the key figures with their values on this date, YYYY-MM-DD (default $SGR_COMPARE_WITH, or "
        "the previous edition's data cut-off)",
    )
    draft.add_argument(
        "--family",
        choices=FAMILIES,
        help="re-read only this family's files, then validate, publish and redraft (what its sensor runs)",
    )
    draft.add_argument(
        "--languages",
        help="the official languages to draft, comma-separated: en,fr,es,ru,zh,ar (default $SGR_LANGUAGES or en); "
        "English is always drafted, each other language beside it as SG-report-draft-<date>-<code>.docx",
    )
    draft.add_argument(
        "--provenance-comments",
        action="store_true",
        help="put a Word comment with its provenance on every figure of the report (default $SGR_PROVENANCE_COMMENTS "
        "or no: the provenance is in the dossier beside the draft)",
    )
    draft.add_argument(
        "--no-pdf", action="store_true", help="make no tagged PDF beside each draft (default: one where LibreOffice is)"
    )
    draft.add_argument("--verbose", action="store_true", help="show Dagster's own log")
    comments = commands.add_parser(
        "comments", help="list the reviewers' comments and tracked changes of a returned draft"
    )
    comments.add_argument("path", help="a draft returned by a reviewer (.docx)")
    translations = commands.add_parser(
        "translations",
        help="the translators' catalogues (reports/template/<code>/messages.po): update them from the English "
        "template, say what each translates, export to and import from XLIFF 2.0",
    )
    translations.add_argument("action", choices=("update", "status", "export", "import"))
    translations.add_argument(
        "--languages", default="fr,es,ru,zh,ar", help="the languages, comma-separated (default all five)"
    )
    translations.add_argument("--template", help="the template folder (default $SGR_TEMPLATE or reports/template)")
    translations.add_argument(
        "--to", help="export: the folder the XLIFF files go to, one per language (default reports/translations)"
    )
    translations.add_argument("--file", help="import: the XLIFF 2.0 file of one language")
    commands.add_parser("rules", help="list every validation rule and warning with its severity")
    commands.add_parser("contract", help="print the source contract (docs/contract.md), made from the declarations")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, own_process: bool = False) -> int:
    """A command; `own_process` when the process ends with it (the `sgr` command)."""
    args = parse(argv)
    if args.command == "comments":
        return print_comments(Path(args.path))
    if args.command == "translations":
        from runtime.translations import run

        return run(args)
    if args.command in ("rules", "contract"):
        from pipeline import contract_docs

        print(contract_docs.rules_listing() if args.command == "rules" else contract_docs.contract_markdown(), end="")
        return 0
    try:
        for given in (args.as_of, args.compare_with):
            if given:
                parse_date(given)
        if args.languages:
            parse_languages(args.languages)
    except ValueError as error:
        print(f"sgr: {error}", file=sys.stderr)
        return EXIT_USAGE
    return run_draft(args, own_process)


def run_draft(args: argparse.Namespace, own_process: bool = False) -> int:
    instance.home()
    worker.start()  # before Dagster is imported: see runtime/worker.py
    if own_process:
        with collection.long_lived():
            import assets.definitions  # noqa: F401  (Dagster and the whole pipeline: see runtime/collection.py)
    from pipeline.editions import UnknownEdition

    try:
        if args.edition == "all":
            return max(report(result) for result in execute_all(args))
        return report(execute(args))
    except UnknownEdition as error:
        print(f"sgr: {error}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        worker.stop()


def run_config(args: argparse.Namespace) -> dict:
    paths = {"sources": args.sources, "data": args.data, "reports": args.reports}
    dates = {
        "as_of": args.as_of,
        "compare_with": getattr(args, "compare_with", None),
        "languages": getattr(args, "languages", None),
        "provenance_comments": "yes" if getattr(args, "provenance_comments", False) else None,
        "pdf": "no" if getattr(args, "no_pdf", False) else None,
    }
    settings = {k: str(location(v)) for k, v in paths.items() if v} | {k: v for k, v in dates.items() if v}
    return {
        "resources": {"settings": {"config": settings}},
        "loggers": {"console": {"config": {"log_level": "DEBUG" if args.verbose else "CRITICAL"}}},
    }


@dataclass
class Ran:
    """A run, and the dates it resolved when it started (None if it failed before it could)."""

    result: object
    dates: object | None


def execute(args: argparse.Namespace) -> Ran:
    """One in-process run of every asset (or of one family and what follows it) in $DAGSTER_HOME."""
    import dagster as dg

    from assets.definitions import defs

    job = defs.resolve_implicit_global_asset_job_def()
    selection = None
    if args.family:
        from assets.ingest.source_sensors import family_selection

        selection = [dg.AssetKey(key) for key in family_selection(args.family)]
    from assets.resources import DATES_TAG
    from pipeline.editions import Dates

    with instance.opened() as dagster_instance:
        result = job.execute_in_process(
            run_config=run_config(args),
            instance=dagster_instance,
            raise_on_error=False,
            asset_selection=selection,
            partition_key=edition_key(args, dagster_instance),
        )
        # The dates every step read: resolved once when the run started, kept in its tags.
        tags = dagster_instance.get_run_by_id(result.run_id).tags
    return Ran(result, Dates.from_json(tags[DATES_TAG]) if DATES_TAG in tags else None)


def edition_key(args: argparse.Namespace, dagster_instance) -> str:
    """The edition to draft, the instance's editions first made those of the calendar."""
    from assets.partitions import edition_to_run
    from assets.resources import Settings

    settings = Settings(**run_config(args)["resources"]["settings"]["config"])
    return edition_to_run(dagster_instance, settings, args.edition)


def execute_all(args: argparse.Namespace) -> list:
    """Every edition of the calendar drafted in turn, each as of its own cut-off: a backfill, run by run."""
    from assets.partitions import editions_of
    from assets.resources import Settings

    settings = Settings(**run_config(args)["resources"]["settings"]["config"])
    results = []
    for edition in editions_of(settings):
        results.append(execute(argparse.Namespace(**{**vars(args), "edition": edition.key})))
    return results


def report(ran: Ran) -> int:
    """The figures, warnings and draft of a run, or what stopped it; the exit code."""
    import dagster as dg

    result, dates = ran.result, ran.dates
    checks = result.get_asset_check_evaluations()
    errors = [c for c in checks if not c.passed and c.severity == dg.AssetCheckSeverity.ERROR]
    warnings = [c for c in checks if not c.passed and c.severity == dg.AssetCheckSeverity.WARN]
    drafted = result.success and not errors and result.asset_materializations_for_node("draft_report")
    if not drafted:
        print(failure_report(result, errors), file=sys.stderr)
        print(check_report("Warnings (reported, not blocking):", warnings), file=sys.stderr)
        return EXIT_FAILED
    print_figures(result, dates)
    from pipeline.languages import un_style

    state = dates.edition.state(dt.date.today())
    due = f", due {un_style.date(dates.edition.due)}" if dates.edition.due else ""
    print(f"Edition: {dates.edition.title} ({state}{due})")
    print(check_report("Warnings (reported, not blocking):", warnings))
    made = result.asset_materializations_for_node("draft_report")[0].metadata
    words, limit = made["Words"].value, made["Word limit"].value
    print(f"Drafters' dossier: {made['Dossier'].value}")
    pdf = made["Tagged PDF"].value
    print(f"Tagged PDF: {', '.join(pdf)}" if isinstance(pdf, list) else f"Tagged PDF: {pdf}")
    print(f"Draft written ({words:,} words of the {limit:,}-word limit): {made['Draft'].value}")
    if "Languages" in made:
        for language in made["Languages"].value.records:
            if language.data["Code"] != "en":
                print(f"  in {language.data['Code']}: {language.data['Draft']} ({language.data['Translated']})")
    return 0


def check_report(title: str, evaluations) -> str:
    if not evaluations:
        return ""
    lines = [title]
    for evaluation in evaluations:
        lines += [f"  {line}".rstrip() for line in (evaluation.description or "").splitlines()]
    return "\n".join(lines) + "\n"


def failure_report(result, errors) -> str:
    from assets.validate.contract_checks import BLOCKED

    if result.asset_materializations_for_node("published_tables"):
        headline = [
            "sgr draft failed: the tables were validated, but no draft could be made from them; nothing was",
            "published (the published tables are as they were before this run) and the last draft is unchanged.",
        ]
    else:
        headline = [
            "sgr draft failed: nothing was published and the draft was not rebuilt;",
            "the published tables and the last draft are unchanged.",
        ]
    lines = [*headline, ""]
    if errors:
        lines.append(check_report("Errors (block publication):", errors))
    for event in result.all_events:
        if event.event_type_value == "RESOURCE_INIT_FAILURE" and event.event_specific_data.error:
            # Before any step: the data folder's lock, or the settings.
            error = event.event_specific_data.error
            lines += ["[before the first step]", f"  {error.message.strip().split(': ', 1)[-1]}", ""]
            continue
        if not event.is_step_failure:
            continue
        data = event.step_failure_data
        if data.error and "DagsterAssetCheckFailedError" in data.error.cls_name:
            continue  # already listed under Errors
        if data.user_failure_data and BLOCKED in data.user_failure_data.metadata:
            continue  # the failed blocking checks, already listed under Errors
        if data.user_failure_data and data.user_failure_data.description:
            text = data.user_failure_data.description
        else:
            error = data.error.cause or data.error if data.error else None
            text = f"{error.cls_name}: {error.message.strip()}" if error else "unknown error"
        lines.append(f"[{event.step_key}]")
        lines += [f"  {line}" for line in text.splitlines()]
        lines.append("")
    steps = [node.name for node in result.job_def.graph.nodes]
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    skipped = sorted(set(steps) - started)
    if skipped:
        lines.append(f"Not run because of the errors above: {', '.join(skipped)}\n")
    return "\n".join(lines).rstrip() + "\n"


def print_comments(path: Path) -> int:
    """`sgr comments PATH.docx`: what the drafters' annex lists, as plain lines."""
    from pipeline.config import Config
    from pipeline.review.anchors import kind_of
    from pipeline.review.carried_comments import threads_of
    from pipeline.review.returned_drafts import ReturnedDraftError, read_returned

    try:
        returned = read_returned(path, str(path), Config.of().limits)
    except (ReturnedDraftError, OSError) as error:
        print(f"sgr: {error}", file=sys.stderr)
        return EXIT_FAILED
    threads = threads_of([vars(c) for c in returned.comments])
    print(f"{path}: {len(threads)} comment threads, {len(returned.changes)} tracked changes")
    for thread in sorted(threads, key=lambda t: (t.root["chapter"], t.root["author"])):
        root = thread.root
        state = "resolved" if thread.resolved else "open"
        on = kind_of(root["anchor"] or "") or "no anchor"
        print(
            f"- [{root['chapter'] or 'front matter'}] {root['author']}, {root['date'][:10]}, {state}, on a {on}: "
            f"{root['text']}"
        )
        print(f"    on the text: {root['anchored_text'] or root['context']}")
        for reply in thread.replies:
            print(f"    reply from {reply['author']}, {reply['date'][:10]}: {reply['text']}")
    for change in returned.changes:
        print(
            f"- [{change.chapter or 'front matter'}] {change.author}, {change.date[:10]}, {change.kind}: {change.text}"
        )
    return 0


def print_figures(result, dates) -> None:
    from pipeline.catalogue.stated import stated
    from pipeline.languages import un_style

    made = result.asset_materializations_for_node("key_figures")[0].metadata
    print(f"Key figures as of {dates.as_of.isoformat()}:")
    for row in made["figures"].value:
        shown = un_style.figure(row["value"], row["unit"])
        rows = row["rows_counted"]
        print(f"  {row['figure']:<34} {shown:>18}   ({rows} row{'s' if rows != 1 else ''} counted)")
    if dates.compare_with is None:
        print("Compared with: nothing (no earlier edition in the calendar, and no --compare-with)")
        return
    print(f"Compared with {dates.compare_with.isoformat()}:")
    print(f"  {'key figure':<34} {'then':>36} {'now':>36}   change")
    for row in made["figures"].value:
        dated = {
            k: dt.date.fromisoformat(row[k]) if row.get(k) else None for k in ("previous_as_of", "previous_counted_to")
        }
        said = stated(row | dated, dates.as_of)
        print(f"  {row['figure']:<34} {said.previous:>36} {said.value:>36}   {said.change}")


def exit_now(code: int) -> None:
    """Exit with `code` as soon as the work is done. Python's own exit then frees every object of every
    module one at a time (Dagster's, pandas', matplotlib's): 0.5-0.8 s of each `sgr draft` here, for memory
    the kernel takes back at once. Everything a normal exit does for others is done first: the atexit
    functions (logging's flush, multiprocessing's joins) and the flush of the output. While another thread
    runs, Python's own exit waits for it, as usual."""
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()  # (what Python's exit would run; no public name does it)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe: nothing more can reach the reader, as with Python's exit
    os._exit(code)


def entry() -> None:
    """The `sgr` command."""
    exit_now(main(own_process=True))


if __name__ == "__main__":
    entry()
