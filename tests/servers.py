"""Real servers for the tests, started on loopback and stopped after: PostgreSQL (initdb into a
temporary folder), Redis (a Celery broker) and an S3 API (moto's server mode, the endpoint s3fs's own
tests use). Where the binaries are missing the test is skipped, except in CI, which installs
them (.ci/run)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pyarrow.fs as pafs
import pyarrow.parquet as pq

from pipeline.paths import Data
from tests.installed import PG_BIN, require

__all__ = [
    "BUCKET",
    "arrow_s3",
    "copy_prefix",
    "listed",
    "manifest",
    "postgres",
    "published_rows",
    "redis",
    "s3",
]
BUCKET = "sgr"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user() -> list[str]:
    """PostgreSQL refuses to run as root: under root, run it as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@contextlib.contextmanager
def postgres() -> Iterator[dict[str, str]]:
    """A PostgreSQL server on 127.0.0.1 with a database `dagster`; yields the SGR_PG_* settings."""
    require("postgres")
    folder = Path(tempfile.mkdtemp(prefix="sgr-pg-"))
    folder.chmod(0o755)
    data, port, user = folder / "data", free_port(), _as_server_user()
    data.mkdir()
    if user:
        shutil.chown(data, "postgres", "postgres")
    run = lambda *command: subprocess.run([*user, *command], check=True, capture_output=True, timeout=120)  # noqa: E731
    run(str(PG_BIN / "initdb"), "-D", str(data), "-U", "sgr", "-A", "trust", "--no-sync")
    server = subprocess.Popen(
        [*user, str(PG_BIN / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port), "-k", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while subprocess.run([str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)]).returncode:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("PostgreSQL did not start")
            time.sleep(0.2)
        run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "sgr", "dagster")
        yield {
            "SGR_PG_HOST": "127.0.0.1",
            "SGR_PG_PORT": str(port),
            "SGR_PG_DB": "dagster",
            "SGR_PG_USER": "sgr",
            "SGR_PG_PASSWORD": "unused",  # trust authentication on loopback
        }
    finally:
        server.terminate()  # a smart shutdown
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def redis() -> Iterator[str]:
    """A Redis server on 127.0.0.1, nothing saved to disk; yields its URL."""
    require("redis")
    binary = shutil.which("redis-server")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("Redis did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextlib.contextmanager
def s3(bucket: str = BUCKET) -> Iterator[dict[str, str]]:
    """An S3 API on 127.0.0.1 with one empty bucket; yields the standard AWS variables that reach it."""
    require("moto")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    settings = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.2)
        urllib.request.urlopen(urllib.request.Request(f"{settings['AWS_ENDPOINT_URL']}/{bucket}", method="PUT"))
        yield settings
    finally:
        server.terminate()
        server.wait(timeout=30)


# The object store as any other reader sees it: pyarrow's own S3 client, the manifest first, then its objects.
def arrow_s3(settings: dict) -> pafs.S3FileSystem:
    endpoint = settings["AWS_ENDPOINT_URL"]
    return pafs.S3FileSystem(
        endpoint_override=endpoint.split("://")[1],
        scheme="http",
        access_key=settings["AWS_ACCESS_KEY_ID"],
        secret_key=settings["AWS_SECRET_ACCESS_KEY"],
        region=settings["AWS_DEFAULT_REGION"],
    )


def manifest(fs: pafs.S3FileSystem, prefix: str) -> dict:
    with fs.open_input_stream(Data(PurePosixPath(BUCKET, prefix, "data")).manifest.as_posix()) as stream:
        return json.loads(stream.read())


def published_rows(fs: pafs.S3FileSystem, prefix: str) -> dict[str, int]:
    """Each published table's rows, read as a reader reads them: the manifest first, then its objects."""
    objects = manifest(fs, prefix)["objects"]
    return {
        name.removesuffix(".parquet"): pq.read_table(f"{BUCKET}/{prefix}/data/{key}", filesystem=fs).num_rows
        for name, key in objects.items()
        if "/" not in name
    }


def listed(fs: pafs.S3FileSystem, prefix: str) -> list[str]:
    found = fs.get_file_info(pafs.FileSelector(f"{BUCKET}/{prefix}", recursive=True))
    return sorted(f.path.removeprefix(f"{BUCKET}/{prefix}/") for f in found if f.type == pafs.FileType.File)


def copy_prefix(fs: pafs.S3FileSystem, source: str, target: str) -> str:
    """A private copy of everything under `source` (copied on the server), for a test that changes it."""
    for path in listed(fs, source):
        fs.copy_file(f"{BUCKET}/{source}/{path}", f"{BUCKET}/{target}/{path}")
    return target
