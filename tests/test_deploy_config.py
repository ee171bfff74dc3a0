"""The Kubernetes deployment on paper (deploy/), checked by code: the instance configuration by Dagster's
own schema and by each configured class's, the Helm values against it, the Dockerfile against what
`make setup` installs. There is no Docker engine or cluster here: the Dockerfile is checked line by line."""

import importlib
import json
import re
import shlex
import tomllib

import dagster as dg
import pytest
import yaml
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config
from dagster._serdes import ConfigurableClassData

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
PG = {"SGR_PG_HOST": "db", "SGR_PG_PORT": "5432", "SGR_PG_DB": "dagster", "SGR_PG_USER": "u", "SGR_PG_PASSWORD": "p"}


def instance_yaml() -> dict:
    return yaml.safe_load((DEPLOY / "dagster.yaml").read_text())


def values_yaml() -> dict:
    return yaml.safe_load((DEPLOY / "helm/values.yaml").read_text())


def test_the_cluster_instance_configuration_is_valid_for_dagster(monkeypatch):
    for key, value in PG.items():
        monkeypatch.setenv(key, value)
    config, _ = dagster_instance_config(str(DEPLOY), "dagster.yaml")  # Dagster's own schema of dagster.yaml

    from dagster_k8s import K8sRunLauncher
    from dagster_postgres import DagsterPostgresStorage

    storage = process_config(DagsterPostgresStorage.config_type(), config["storage"]["postgres"])
    assert storage.success, storage.errors
    launcher = process_config(K8sRunLauncher.config_type(), config["run_launcher"]["config"])
    assert launcher.success, launcher.errors
    coordinator = config["run_coordinator"]
    made = ConfigurableClassData(coordinator["module"], coordinator["class"], "{}").rehydrate(as_type=object)
    assert type(made).__name__ == "QueuedRunCoordinator"
    assert config["nux"] == {"enabled": False}


def test_the_laptop_instance_with_postgres_storage_is_valid_for_dagster(tmp_path, monkeypatch):
    from runtime.instance import install

    for key, value in PG.items():
        monkeypatch.setenv(key, value)
    install(tmp_path, env={"SGR_DAGSTER": "postgres"})
    config, _ = dagster_instance_config(str(tmp_path), "dagster.yaml")
    assert set(config["storage"]["postgres"]["postgres_db"]) == {"hostname", "port", "db_name", "username", "password"}


def test_the_helm_values_render_the_cluster_instance():
    values, instance = values_yaml(), instance_yaml()
    launcher = values["runLauncher"]
    assert launcher["type"] == instance["run_launcher"]["class"] == "K8sRunLauncher"
    k8s, rendered = launcher["config"]["k8sRunLauncher"], instance["run_launcher"]["config"]
    assert k8s["jobNamespace"] == rendered["job_namespace"]
    assert [s["name"] for s in k8s["envSecrets"]] == rendered["env_secrets"]
    assert [c["name"] for c in k8s["envConfigMaps"]] == rendered["env_config_maps"]
    # The chart's concurrency values, rendered as its template does (camelCase to the instance's keys).
    pools, runs = values["concurrency"]["pools"], values["concurrency"]["runs"]
    assert {"granularity": pools["granularity"], "default_limit": pools["defaultLimit"]} == instance["concurrency"][
        "pools"
    ]
    assert runs["tagConcurrencyLimits"] == instance["concurrency"]["runs"]["tag_concurrency_limits"]
    assert runs["maxConcurrentRuns"] == instance["concurrency"]["runs"]["max_concurrent_runs"]
    assert "config" not in values["dagsterDaemon"]["runCoordinator"]  # the chart refuses limits set twice
    # The laptop's limits and the cluster's are the same: one run that writes the data at a time.
    laptop = yaml.safe_load((ROOT / "runtime/dagster.yaml").read_text())
    assert laptop["concurrency"]["pools"] == instance["concurrency"]["pools"]
    assert laptop["concurrency"]["runs"]["tag_concurrency_limits"] == runs["tagConcurrencyLimits"]
    assert values["postgresql"]["enabled"] is False and values["generatePostgresqlPasswordSecret"] is False
    assert not re.search(r"^\s*\w*password\s*:", (DEPLOY / "helm/values.yaml").read_text(), re.M | re.I)


def test_the_user_code_deployment_serves_the_project_definitions():
    deployment = values_yaml()["dagster-user-deployments"]["deployments"][0]
    module = deployment["dagsterApiGrpcArgs"][deployment["dagsterApiGrpcArgs"].index("-m") + 1]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert module == project["tool"]["dagster"]["module_name"]
    assert isinstance(importlib.import_module(module).defs, dg.Definitions)
    # The port the chart reaches the user code on is the one the image serves it on.
    served = dict(dockerfile())
    command = json.loads(served["CMD"])
    assert str(deployment["port"]) == command[command.index("-p") + 1] == served["EXPOSE"]


INSTRUCTIONS = {"FROM", "ENV", "WORKDIR", "COPY", "RUN", "EXPOSE", "CMD", "ARG", "LABEL", "USER", "ENTRYPOINT"}


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined; an unknown instruction fails the test."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    instructions = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        word, _, rest = line.strip().partition(" ")
        assert word in INSTRUCTIONS, f"Dockerfile line {number}: {word} is not a Dockerfile instruction"
        instructions.append((word, rest.strip()))
    return instructions


def test_the_dockerfile_builds_the_package_make_setup_installs():
    instructions = dockerfile()
    assert instructions[0][0] == "FROM"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    python = re.search(r">=(\d+\.\d+)", project["project"]["requires-python"]).group(1)
    assert instructions[0][1].startswith(f"python:{python}")
    copied = set()
    for word, rest in instructions:
        if word == "COPY":
            *sources, _ = shlex.split(rest)
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
                copied.add(source.rstrip("/"))
    # What the package reads from its own folder at run time: its packages, the templates, the instance files.
    for needed in ("pyproject.toml", "pipeline", "assets", "reports/template", "deploy"):
        assert needed in copied, f"the image lacks {needed}"
    for include in project["tool"]["setuptools"]["packages"]["find"]["include"]:
        assert include.rstrip("*") in copied
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -e '.[dev]'" in makefile  # make setup: editable, from the project folder
    runs = " ".join(rest for word, rest in instructions if word == "RUN")
    assert re.search(r"pip install -e \.(\s|$)", runs), "the image installs the package as make setup does"
    command = yaml.safe_load(dict(instructions)["CMD"])
    assert command[command.index("-m") + 1] == project["tool"]["dagster"]["module_name"]
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "data", ".dagster_home"} <= set(ignored)


@pytest.mark.parametrize("name", ["dagster.yaml", "helm/values.yaml", "README.md"])
def test_the_deploy_folder_is_complete(name):
    assert (DEPLOY / name).is_file()


def test_the_translations_are_served_from_the_same_image_as_a_location_of_their_own():
    deployments = {d["name"]: d for d in values_yaml()["dagster-user-deployments"]["deployments"]}
    translations = deployments["sg-report-translations"]
    assert translations["image"] == deployments["sg-report"]["image"] and translations["port"] != 3030
    module = translations["dagsterApiGrpcArgs"][translations["dagsterApiGrpcArgs"].index("-m") + 1]
    assert isinstance(importlib.import_module(module).defs, dg.Definitions)
    served = yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"]
    assert {entry["python_module"]["module_name"] for entry in served} == {"assets.definitions", module}
