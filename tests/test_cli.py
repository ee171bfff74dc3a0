import subprocess
import sys

from pipeline.cli import main
from tests.conftest import SAMPLE


def test_sgr_draft_prints_the_figures_and_the_draft_path(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    code = main(
        [
            "draft",
            "--sources",
            str(SAMPLE),
            "--data",
            str(tmp_path / "data"),
            "--reports",
            str(tmp_path / "drafts"),
            "--as-of",
            "2021-06-24",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "country_networks" in out and " 52 " in out
    draft = tmp_path / "drafts/SG-report-draft-2021-06-24.docx"
    assert out.strip().endswith(str(draft))
    assert draft.exists()
    assert (tmp_path / "home/dagster.yaml").exists()  # the run is kept in the instance's history


def test_sgr_draft_on_a_bad_file_exits_non_zero_in_plain_words(sample_copy, tmp_path):
    (sample_copy / "mptf/targets.csv").write_bytes(b"year,capitalization_target_usd\n2021,30 000 000\n")
    (sample_copy / "regional_reviews/ECE-2020.xlsx").write_bytes(b"not a workbook")
    env = {"DAGSTER_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "draft",
            "--sources",
            str(sample_copy),
            "--data",
            str(tmp_path / "data"),
            "--reports",
            str(tmp_path / "drafts"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert "mptf/targets.csv line 2, column capitalization_target_usd: value '30 000 000' — not a number" in done.stderr
    assert "regional_reviews/ECE-2020.xlsx — not a readable .xlsx workbook (BadZipFile)" in done.stderr
    assert "Not run because of the errors above:" in done.stderr and "draft_report" in done.stderr
    assert not (tmp_path / "drafts").exists()


def test_a_bad_as_of_date_is_a_usage_error(capsys):
    assert main(["draft", "--as-of", "24/06/2021"]) == 2
    assert "the as-of date '24/06/2021' is not a date in the form YYYY-MM-DD" in capsys.readouterr().err


def test_a_missing_sources_folder_is_an_error_not_a_draft_of_zeros(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    code = main(
        [
            "draft",
            "--sources",
            str(tmp_path / "nowhere"),
            "--data",
            str(tmp_path / "data"),
            "--reports",
            str(tmp_path / "drafts"),
        ]
    )
    assert code == 1
    assert f"the sources folder {tmp_path / 'nowhere'} does not exist (SGR_SOURCES)" in capsys.readouterr().err
    assert not (tmp_path / "drafts").exists()
