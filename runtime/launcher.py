"""Runs under `make dev` forked from a process that has already imported everything.

Dagster's default launcher starts each run as a new Python process, which imports Dagster, this
code and, for validation, Great Expectations: about 4 s of a drafter's wait after each save here,
before the first step. `make dev` starts `python -m runtime.launcher`, which imports them once and
listens on $DAGSTER_HOME/runs.sock; `ForkedRunLauncher` (runtime/dagster.yaml) asks it for each
run, and it forks a child that executes the run as Dagster's own run worker does.

Only runs of the code the server has loaded are forked (a digest of the package's files): after a
change to the code, or without the server, runs start as Dagster starts them.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
from multiprocessing.connection import Client, Listener
from pathlib import Path

from dagster._core.launcher import DefaultRunLauncher, LaunchRunContext

from pipeline import paths
from pipeline.code_version import digest

PID_TAG = ".dagster/sgr_run_pid"  # hidden from the runs' pages: the launcher's, not a drafter's


def _address() -> tuple[Path, Path]:
    home = paths.dagster_home()
    return paths.instance_file(home, "runs.sock"), paths.instance_file(home, "runs.key")


def code_digest() -> str:
    """The code a run would execute."""
    return digest(("pipeline", "assets", "runtime"))


def forked(run_id: str, instance_ref) -> int | None:
    """The pid of the run's process forked by the server; None if no server runs this code."""
    socket, key = _address()
    if not socket.exists() or not key.exists():
        return None
    try:
        connection = Client(str(socket), family="AF_UNIX", authkey=key.read_bytes())
    except OSError:
        return None  # a server that stopped without removing its socket
    with connection:
        connection.send((code_digest(), run_id, instance_ref))
        return connection.recv()


class ForkedRunLauncher(DefaultRunLauncher):
    """Forks each run from the server `make dev` starts; Dagster's default launcher without one."""

    def launch_run(self, context: LaunchRunContext) -> None:
        run = context.dagster_run
        pid = forked(run.run_id, self._instance.get_ref())
        if pid is None:
            super().launch_run(context)
            return
        self._instance.add_run_tags(run.run_id, {PID_TAG: str(pid)})
        self._run_ids.add(run.run_id)

    def terminate(self, run_id: str) -> bool:
        run = self._instance.get_run_by_id(run_id)
        if not run or run.is_finished or PID_TAG not in run.tags:
            return super().terminate(run_id)
        self._instance.report_run_canceling(run)
        try:
            os.kill(int(run.tags[PID_TAG]), signal.SIGINT)  # as Dagster's code server stops a run
        except ProcessLookupError:
            return False
        return True


def _quiet() -> None:
    """A run's events go to $DAGSTER_HOME/runs.log, not to make dev's terminal, unless SGR_LOG_LEVEL asks for
    info or debug: the UI shows them either way."""
    if os.environ.get("SGR_LOG_LEVEL", "warning").lower() in ("info", "debug"):
        return
    log = os.open(paths.instance_file(paths.dagster_home(), "runs.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, sys.stdout.fileno())
    os.dup2(log, sys.stderr.fileno())
    os.close(log)


def _execute(run_id: str, instance_ref) -> None:
    from dagster import DagsterInstance
    from dagster._cli.api import _execute_run_command_body

    with DagsterInstance.from_ref(instance_ref) as instance:
        _execute_run_command_body(run_id, instance, lambda event: None, set_exit_code_on_failure=False)


def serve() -> None:
    """Import what runs need, then fork a child for each run asked for, until stopped."""
    if sys.platform != "linux":
        return  # macOS's system libraries do not survive a fork: runs start as Dagster starts them
    import assets.definitions  # noqa: F401  (what every run loads)
    import assets.translations  # noqa: F401
    from pipeline.validation import suites

    suites.warm()  # Great Expectations, imported once for every run
    code = code_digest()
    socket, key = _address()
    socket.parent.mkdir(parents=True, exist_ok=True)
    socket.unlink(missing_ok=True)
    key.write_bytes(secrets.token_bytes(32))
    key.chmod(0o600)  # the key lets a caller run code here: only this user may read it
    listener = Listener(str(socket), family="AF_UNIX", authkey=key.read_bytes())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped with make dev: the socket is removed
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # finished runs are reaped by the kernel
    print(f"run server ready on {socket}", flush=True)
    try:
        while True:
            try:
                connection = listener.accept()
                caller_code, run_id, instance_ref = connection.recv()
            except Exception:  # a caller without the key, or one that went away
                continue
            with connection:
                if caller_code != code:
                    connection.send(None)
                    continue
                pid = os.fork()
                if pid == 0:
                    listener.close()
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    os.setsid()  # stopping make dev does not cut a run short
                    _quiet()
                    try:
                        _execute(run_id, instance_ref)
                    finally:
                        os._exit(0)
                connection.send(pid)
    finally:
        listener.close()
        socket.unlink(missing_ok=True)
        key.unlink(missing_ok=True)


if __name__ == "__main__":
    serve()
