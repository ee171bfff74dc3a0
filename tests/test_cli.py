"""`sgr draft`, `sgr rules` and `sgr contract` as a drafter runs them."""

import os
import subprocess
import sys
from pathlib import Path

from pipeline.contract import TABLES, WARNINGS
from pipeline.validation.rules import contract_rules
from runtime.cli import main
from tests.conftest import AS_OF, ROOT, SAMPLE


def test_sgr_draft_prints_the_figures_and_the_draft_path(published_copy, capsys):
    """Re-reading one family, as its sensor does, on the published data."""
    drafts = published_copy / "drafts"
    code = main(
        ["draft", "--sources", str(SAMPLE), "--data", str(published_copy / "data"), "--reports", str(drafts)]
        + ["--as-of", AS_OF, "--family", "country_networks"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "  country_networks                                   52   (52 rows counted)" in out
    assert "  mptf_deposits_year_share_of_target      10.5 per cent   (7 rows counted)" in out
    assert (
        "Warnings (reported, not blocking):\n  champions: a Champion country without a country network (9 rows)" in out
    )
    draft = drafts / f"SG-report-draft-{AS_OF}.docx"
    assert out.strip().endswith(str(draft)) and "words of the 8,500-word limit" in out
    assert draft.exists()
    home = Path(os.environ["DAGSTER_HOME"])
    assert (home / "dagster.yaml").exists() and (home / "history/runs.db").exists()  # the run is kept in its history


def test_sgr_draft_on_bad_files_exits_non_zero_in_plain_words(sample_copy, tmp_path):
    """In its own process, as a drafter runs it: the validation worker checks the contract's rules."""
    (sample_copy / "mptf/targets.csv").write_bytes(b"year,capitalization_target_usd\n2021,30 000 000\n")
    (sample_copy / "regional_reviews/ECE-2020.xlsx").write_bytes(b"not a workbook")
    contributions = sample_copy / "mptf/contributions.csv"
    contributions.write_text(contributions.read_text() + "Norway,NOR,2021,100.00,-5\n")
    env = {"DAGSTER_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "runtime.cli", "draft", "--sources", str(sample_copy)]
        + ["--data", str(tmp_path / "data"), "--reports", str(tmp_path / "drafts")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    for said in [
        "mptf/targets.csv line 2, column capitalization_target_usd: value '30 000 000' — not a number",
        "regional_reviews/ECE-2020.xlsx — not a readable .xlsx workbook (BadZipFile)",
        "mptf/contributions.csv line 72, column deposit_usd: value -5 — must be 0 or more",
    ]:
        assert said in done.stderr, done.stderr  # the whole of what the drafter read, if one is missing
    assert "Not run because of the errors above:" in done.stderr and "draft_report" in done.stderr
    assert not (tmp_path / "drafts").exists()


def test_a_bad_as_of_date_is_a_usage_error(capsys):
    assert main(["draft", "--as-of", "24/06/2021"]) == 2
    assert "the as-of date '24/06/2021' is not a date in the form YYYY-MM-DD" in capsys.readouterr().err


def test_a_missing_sources_folder_is_an_error_not_a_draft_of_zeros(tmp_path, capsys):
    code = main(
        ["draft", "--sources", str(tmp_path / "nowhere"), "--data", str(tmp_path / "data")]
        + ["--reports", str(tmp_path / "drafts")]
    )
    assert code == 1
    assert f"the sources folder {tmp_path / 'nowhere'} does not exist (SGR_SOURCES)" in capsys.readouterr().err
    assert not (tmp_path / "drafts").exists()


def test_sgr_rules_lists_every_rule_and_warning_with_its_severity(capsys):
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rules = [line for line in lines[3:] if " error " in line]
    assert len(rules) == sum(len(contract_rules(t)) for t in TABLES.values())
    assert "reviews                 error     commission matches region — must be the region's own (" in "\n".join(
        lines
    )
    assert (
        "transfers               error     programme_id exists in joint_programmes — must exist in joint_programmes "
        "(programme_id) [cross-table]" in lines
    )
    warnings = [line for line in lines if " warning " in line]
    assert len(warnings) == len(WARNINGS)
    assert (
        "champions               warning   a Champion country without a country network [reads champions, "
        "country_networks; as of D]" in warnings
    )


def test_sgr_contract_prints_docs_contract_md(capsys):
    assert main(["contract"]) == 0
    assert capsys.readouterr().out == (ROOT / "docs/contract.md").read_text()


def test_the_project_documents_its_own_contract():
    """docs/contract.md is the one a user who clones the project reads: written from the declarations,
    never edited by hand. Mend with: .venv/bin/sgr contract > docs/contract.md"""
    from pipeline.contract_docs import contract_markdown

    documented = (ROOT / "docs/contract.md").read_text()
    assert documented == contract_markdown(), "docs/contract.md is stale: run `sgr contract > docs/contract.md`"
    for table in TABLES:
        assert f"### `{table}`" in documented
    assert "| country_networks | count | networks with level country" in documented
    assert os.path.getsize(ROOT / "docs/contract.md") > 5000


def _exiting(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_the_fast_exit_runs_the_atexit_functions_flushes_and_keeps_the_code():
    done = _exiting(
        "import atexit, sys\nfrom runtime.cli import exit_now\n"
        "atexit.register(print, 'at exit')\nprint('buffered', end=' ')\nsys.stderr.write('said')\nexit_now(3)"
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "buffered at exit\n", "said")


def test_the_fast_exit_waits_for_a_thread_still_working():
    done = _exiting(
        "import threading, time\nfrom runtime.cli import exit_now\n"
        "threading.Thread(target=lambda: (time.sleep(0.3), print('finished'))).start()\nexit_now(0)"
    )
    assert (done.returncode, done.stdout) == (0, "finished\n")
