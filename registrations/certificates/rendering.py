"""Rendering a batch of certificates on every core (issuing a whole session at once).

Processes draw; this process signs each PDF (about 3 ms a document with the default key, its signed
attributes formatted once: documents/signing.simple_signer).

Drawing a certificate is CPU-bound Python (fpdf2 loads and subsets its fonts for every document),
so a thread cannot go faster; separate processes can. Each process draws a run of certificates as
one document (`documents.render_certificates`), about a third of the cost of drawing them one by
one. A small pool of processes is started when the job worker starts (`warm_up()`), or
on first use elsewhere, and kept for the life of the process. Each process cuts its fonts
once and renders with the same catalogs as the application. A batch smaller than `MIN_BATCH`,
one process configured, or a broken pool: rendering happens here, in the same runs.

A rendering process ends when the process that started it is gone, however it ended (a worker
killed with SIGKILL never shuts its pool down).
"""

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from flask import current_app

from registrations.certificates.facts import draw_many, sign, with_image_paths

#: Fewer certificates than this are rendered in this process (starting work elsewhere costs more).
MIN_BATCH = 4

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
_worker_context = None


def _start_worker(translations: str, default_locale: str) -> None:
    """In a rendering process: an application context with the catalogs, kept for its life.
    Ctrl-C in a terminal reaches every process of the group: a rendering process leaves its end
    to the process that started it (which shuts the pool down, or is gone), instead of printing
    its own KeyboardInterrupt."""
    global _worker_context
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from flask import Flask
    from flask_babel import Babel

    app = Flask("certificate-renderer")
    app.config.update(BABEL_TRANSLATION_DIRECTORIES=translations, BABEL_DEFAULT_LOCALE=default_locale)
    Babel(app)
    _worker_context = app.app_context()
    _worker_context.push()
    _end_with_parent()


def _end_with_parent() -> None:
    """In a rendering process: exit as soon as the process that started it has ended."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _warm_worker() -> None:
    from registrations.documents import certificate, fonts  # noqa: F401 (the drawing code, loaded)

    fonts.cut_font_paths()


def _processes() -> int:
    return int(current_app.config.get("CERTIFICATE_RENDER_PROCESSES") or 1)


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # "spawn": a fresh interpreter, never a copy of a threaded server process.
            _pool = ProcessPoolExecutor(
                max_workers=_processes(),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(current_app.config["BABEL_TRANSLATION_DIRECTORIES"],
                          current_app.config["BABEL_DEFAULT_LOCALE"]),
            )
        return _pool


def _forget_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def warm_up() -> list[Future]:
    """Start the rendering processes, each cutting its fonts, without waiting for them (the job
    worker, at its start, so that the first session it draws does not wait for them). Returns
    what to wait on to know they are ready; nothing when one process is configured."""
    if _processes() < 2:
        return []
    pool = _get_pool()
    return [pool.submit(_warm_worker) for _ in range(_processes())]


#: Certificates a rendering process draws as one batch: large enough that the fonts, loaded and
#: subset once per batch, cost little per certificate (a certificate drawn in a run of 24 costs
#: 17 % fewer Python calls than in a run of 12); small enough that this process starts signing
#: early while the processes draw the next runs (a signature costs about a tenth of a drawing).
RUN = 24


def _drawn_here(snapshots: list[dict]) -> Iterator[bytes]:
    for start in range(0, len(snapshots), RUN):
        for data in draw_many(snapshots[start:start + RUN]):
            yield sign(data)


def render_stream(snapshots: list[dict]) -> Iterator[bytes]:
    """The PDFs of many snapshots, each signed, in order, yielded as they are ready: drawn in
    parallel when it pays, in runs of `RUN` all handed to the processes at once, so that they
    draw the next runs while this process signs (and the caller stores) the finished ones."""
    processes = _processes()
    if processes < 2 or len(snapshots) < MIN_BATCH:
        yield from _drawn_here(snapshots)
        return
    # The rendering processes have no configuration: the image files are found here, and the
    # office signs here (its key never goes to another process).
    resolved = [with_image_paths(snapshot) for snapshot in snapshots]
    size = max(1, min(RUN, -(-len(resolved) // processes)))
    runs = [resolved[start:start + size] for start in range(0, len(resolved), size)]
    done = 0
    try:
        for drawn in _get_pool().map(draw_many, runs):
            for data in drawn:
                yield sign(data)
                done += 1
    except BrokenProcessPool:
        current_app.logger.warning("Certificate rendering processes stopped; rendering here instead")
        _forget_pool()
        yield from _drawn_here(snapshots[done:])


def render_many(snapshots: list[dict]) -> list[bytes]:
    """The PDFs of many snapshots, in order, rendered in parallel when it pays, each signed."""
    return list(render_stream(snapshots))
