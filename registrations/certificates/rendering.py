"""Rendering a batch of certificates on every core (issuing a whole session at once).

Processes draw; this process signs each PDF (about 8 ms a document with the default key).

Drawing a certificate is CPU-bound Python (fpdf2 subsets its fonts for every document), so a
thread cannot go faster; separate processes can. A small pool of processes is started on first
use (or by `warm_up()` when an organiser opens a session's certificates page) and kept for the
life of the worker. Each process cuts its fonts once and renders with the same catalogs as the
application. A batch smaller than `MIN_BATCH`, one process configured, or a broken pool:
rendering happens here, one certificate after the other.

A rendering process ends when the process that started it is gone, however it ended (a worker
killed with SIGKILL never shuts its pool down).
"""

import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from flask import current_app

from registrations.certificates.facts import draw, render, sign, with_image_paths

#: Fewer certificates than this are rendered in this process (starting work elsewhere costs more).
MIN_BATCH = 4

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
_worker_context = None


def _start_worker(translations: str, default_locale: str) -> None:
    """In a rendering process: an application context with the catalogs, kept for its life."""
    global _worker_context
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


def _render_in_worker(snapshot: dict) -> bytes:
    return draw(snapshot)


def _warm_worker() -> None:
    from registrations.documents.fonts import cut_font_paths

    cut_font_paths()


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


def warm_up() -> None:
    """Start the rendering processes ahead of a bulk issue, without waiting for them."""
    if _processes() < 2:
        return
    pool = _get_pool()
    for _ in range(_processes()):
        pool.submit(_warm_worker)


def render_many(snapshots: list[dict]) -> list[bytes]:
    """The PDFs of many snapshots, in order, rendered in parallel when it pays, each signed."""
    processes = _processes()
    if processes < 2 or len(snapshots) < MIN_BATCH:
        return [render(snapshot) for snapshot in snapshots]
    # The rendering processes have no configuration: the image files are found here, and the
    # office signs here (its key never goes to another process).
    resolved = [with_image_paths(snapshot) for snapshot in snapshots]
    try:
        chunk = max(1, len(snapshots) // (processes * 4))
        return [sign(data) for data in _get_pool().map(_render_in_worker, resolved, chunksize=chunk)]
    except BrokenProcessPool:
        current_app.logger.warning("Certificate rendering processes stopped; rendering here instead")
        _forget_pool()
        return [render(snapshot) for snapshot in snapshots]
