"""Where a sweep's runs are solved: one small, concurrent.futures-style interface, two backends.

``LocalProcesses`` is a pool of spawned processes on this machine (the default). ``DaskCluster``
sends runs to a Dask cluster: a ``distributed.LocalCluster`` of this machine (``--dask local``)
or an existing scheduler (``--dask tls://host:8786``). Dask is imported only here, only when
asked for. A remote cluster receives children's data, so a scheduler address without TLS is
refused unless the planner says the network is private (``allow_insecure``).

Lost work is handled where each backend knows of it: a Dask scheduler re-runs the tasks of a
worker that died on another worker by itself; a local pool whose process died is broken for
every run in it, so ``LocalProcesses`` starts a new pool and tells the sweep which runs were
lost (``is_lost``), and the sweep submits them again.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol

from rota.scenarios.sweep.spec import SweepError

INSECURE_HINT = (
    "use a tls:// scheduler address (with --tls-ca-file, --tls-cert and --tls-key, or Dask's "
    "TLS configuration), or --allow-insecure if every machine of the cluster is on a private "
    "network you trust"
)


class RunExecutor(Protocol):
    """What the sweep needs from a backend (futures have done/result/exception/cancel)."""

    description: str
    dashboard_link: str | None

    def capacity(self) -> int:
        """Runs that can be solved at once now."""
        ...

    def share(self, data: str) -> Any:
        """Hand a large argument (the base Problem) to the workers once; pass the handle."""
        ...

    def submit(self, fn: Callable[..., Any], *args: Any, name: str) -> Any:
        """Start ``fn(*args)``; ``name`` says which run it is (a Dask task key)."""
        ...

    def wait(self, futures: Iterable[Any], timeout: float) -> set[Any]:
        """The futures done within ``timeout`` seconds (at least one, unless time ran out)."""
        ...

    def is_lost(self, error: BaseException) -> bool:
        """Whether a run failed only because its worker went away (then it is run again)."""
        ...

    def close(self) -> None:
        """Cancel what is still queued and release the workers."""
        ...


class LocalProcesses:
    """Runs in ``processes`` spawned worker processes of this machine."""

    dashboard_link: str | None = None

    def __init__(self, processes: int):
        self.processes = max(1, processes)
        self.description = f"{self.processes} local process{'es' if self.processes > 1 else ''}"
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(max_workers=self.processes, mp_context=context)

    def capacity(self) -> int:
        return self.processes

    def share(self, data: str) -> Any:
        return data

    def submit(self, fn: Callable[..., Any], *args: Any, name: str) -> Future[Any]:
        try:
            return self._pool.submit(fn, *args)
        except BrokenProcessPool:
            # A worker process died: the pool is done for; its runs come back as lost.
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(fn, *args)

    def wait(self, futures: Iterable[Future[Any]], timeout: float) -> set[Future[Any]]:
        done, _ = wait(list(futures), timeout=timeout, return_when=FIRST_COMPLETED)
        return set(done)

    def is_lost(self, error: BaseException) -> bool:
        return isinstance(error, BrokenProcessPool)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class TlsFiles:
    """Certificates for a TLS scheduler (None: Dask's own configuration)."""

    ca_file: str | None = None
    cert: str | None = None
    key: str | None = None


def check_address(address: str, allow_insecure: bool) -> None:
    """Refuse a remote scheduler reached without TLS, unless allowed (children's data)."""
    scheme = address.split("://", 1)[0].lower() if "://" in address else "tcp"
    if scheme != "tls" and not allow_insecure:
        raise SweepError(
            [
                f"--dask {address}: refusing to send children's data to a cluster without "
                f"encryption ({scheme}://): " + INSECURE_HINT
            ]
        )


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise SweepError(
            ["--dask needs Dask: pip install 'rota[dask]' (dask[distributed])"]
        ) from None
    return distributed


class DaskCluster:
    """Runs as tasks of a Dask cluster: a LocalCluster made here, or an existing scheduler."""

    def __init__(
        self,
        address: str,
        *,
        workers: int = 2,
        allow_insecure: bool = False,
        tls: TlsFiles | None = None,
    ):
        if address != "local":
            check_address(address, allow_insecure)
        distributed = _import_distributed()
        self._distributed = distributed
        self._cluster: Any = None
        if address == "local":
            # One thread per worker process: each run is one CP-SAT solve in its own process.
            self._cluster = distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address="127.0.0.1:0",
                host="127.0.0.1",
            )
            self.client = distributed.Client(self._cluster)
            self.description = f"Dask LocalCluster of {workers} worker processes"
        else:
            self.client = distributed.Client(address, security=_security(distributed, tls))
            self.description = f"Dask cluster at {address}"
            check_worker_versions(self.client)
        self.dashboard_link = self.client.dashboard_link

    def capacity(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def share(self, data: str) -> Any:
        # On every worker: scattered data cannot be recomputed, so a copy held by one worker
        # only would be lost with it, and every run needing it cancelled.
        return self.client.scatter(data, broadcast=True, hash=True)

    def submit(self, fn: Callable[..., Any], *args: Any, name: str) -> Any:
        key = f"rota-run-{name}-{os.urandom(4).hex()}"
        return self.client.submit(fn, *args, key=key, pure=False)

    def wait(self, futures: Iterable[Any], timeout: float) -> set[Any]:
        pending = list(futures)
        if not pending:
            return set()
        try:
            done, _ = self._distributed.wait(
                pending, timeout=timeout, return_when="FIRST_COMPLETED"
            )
        except TimeoutError:
            return set()
        except Exception as exc:  # futures the scheduler cancelled: collected as lost runs
            if not _cancelled(exc):
                raise
            return {f for f in pending if f.status != "pending"}
        return set(done)

    def is_lost(self, error: BaseException) -> bool:
        # The scheduler already re-ran the tasks of a lost worker (up to its allowed failures);
        # a KilledWorker that still comes back is the run's own failure. A run the scheduler
        # cancelled (its worker died with something it needed) is lost and runs again.
        return _cancelled(error)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _cancelled(error: BaseException) -> bool:
    """A Dask cancellation (FutureCancelledError, FuturesCancelledError, CancelledError)."""
    return "Cancelled" in type(error).__name__


def _security(distributed: Any, tls: TlsFiles | None) -> Any:
    if tls is None or not any((tls.ca_file, tls.cert, tls.key)):
        return None
    return distributed.Security(
        tls_ca_file=tls.ca_file,
        tls_client_cert=tls.cert,
        tls_client_key=tls.key,
        require_encryption=True,
    )


def check_worker_versions(client: Any) -> None:
    """Refuse a cluster whose workers run another rota or OR-Tools than this machine: their
    results would not be comparable, nor cacheable under this machine's versions."""
    from rota.scenarios.sweep.task import versions

    mine = versions()
    try:
        theirs = client.run(versions)
    except ImportError as exc:
        raise SweepError([f"the cluster's workers cannot run rota: {exc}"]) from None
    wrong = [
        f"worker {addr} has rota {v[0]}, OR-Tools {v[1]} (this machine: rota {mine[0]}, "
        f"OR-Tools {mine[1]})"
        for addr, v in sorted(theirs.items())
        if tuple(v) != mine
    ]
    if wrong:
        raise SweepError(wrong)


def make_executor(
    dask: str | None,
    parallel: int,
    *,
    allow_insecure: bool = False,
    tls: TlsFiles | None = None,
) -> RunExecutor:
    """The backend the command line asked for: local processes, or Dask."""
    if dask is None:
        return LocalProcesses(parallel)
    return DaskCluster(dask, workers=parallel, allow_insecure=allow_insecure, tls=tls)
