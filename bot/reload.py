"""Live reload: editors save a file and the bot serves it within seconds — if it passes the checks.

A broken edit is refused (its findings go to the log) and the last good content keeps serving.
The last good content is also copied to `var/last-good/`, so a restart with a broken edit on
disk still serves something correct, and says so in the log and in /healthz.
"""
from __future__ import annotations

import dataclasses
import fcntl
import logging
import os
import shutil
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from bot.check import errors, load_and_check
from bot.errors import ContentError
from bot.heap import freeze_long_lived, release_free_memory
from bot.model import Content, Finding
from bot.yamlsrc import named_as_originals

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0
LAST_GOOD = "last-good"
STALE_COPY_SECONDS = 3600  # a reload's copy older than this was left by a process killed mid-reload


@dataclass(frozen=True)
class Snapshot:
    """What one request reads: content and index always belong together (one version)."""

    content: Content
    index: Any  # whatever `build_index` returned for this content (the matcher)
    from_last_good: bool = False
    error: str = ""  # why the files on disk are not what is served ("" when they are)

    @property
    def version(self) -> str:
        return self.content.version


def load_checked(content_dir: Path, menus_dir: Path) -> tuple[Content, list[Finding]]:
    """Load and validate; raises ContentError with every error when the content must not be served."""
    content, findings = load_and_check(content_dir, menus_dir)
    bad = errors(findings)
    if content is None or bad:
        raise ContentError(bad or findings)
    return content, findings


def signature(*directories: Path) -> tuple:
    """A cheap stat walk: any saved, added or removed file changes it."""
    entries = []
    for directory in directories:
        for root, _, files in os.walk(directory, followlinks=True):
            for name in files:
                stat = os.stat(os.path.join(root, name))
                entries.append((root, name, stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(entries))


def stage(content_dir: Path, menus_dir: Path, var_dir: Path) -> Path:
    """Copy both folders aside, so what is checked is exactly what is served and kept: an editor
    saving again while a reload runs changes the folders, not the copy."""
    staged = var_dir / f".{LAST_GOOD}-{uuid.uuid4().hex[:8]}"
    try:
        shutil.copytree(content_dir, staged / "content")
        shutil.copytree(menus_dir, staged / "menus")
    except OSError:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return staged


def sweep_stale_copies(var_dir: Path, now: float) -> None:
    """Remove the copies a process killed mid-reload left in var/. Only old ones: the other workers
    of this host stage their own copies in the same folder and may be checking one right now."""
    for copy in var_dir.glob(f".{LAST_GOOD}-*"):
        try:
            if now - copy.stat().st_mtime > STALE_COPY_SECONDS:
                shutil.rmtree(copy, ignore_errors=True)
        except OSError:  # another worker swept it first
            continue


@contextmanager
def last_good_lock(var_dir: Path) -> Iterator[None]:
    """The workers of a host share var/: one at a time swaps or reads var/last-good/ (the kernel
    releases the lock of a worker that dies holding it)."""
    with open(var_dir / f"{LAST_GOOD}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def keep_as_last_good(staged: Path, var_dir: Path, version: str) -> None:
    """The checked copy becomes var/last-good/ by renames, so a restart finds a whole copy; when
    the second rename fails, the previous copy is put back."""
    target = var_dir / LAST_GOOD
    with last_good_lock(var_dir):
        if (target / "VERSION").is_file() and (target / "VERSION").read_text() == version:
            return
        (staged / "VERSION").write_text(version)
        old = var_dir / f".{LAST_GOOD}-old-{uuid.uuid4().hex[:8]}"
        if target.exists():
            target.rename(old)
        try:
            staged.rename(target)
        except OSError:
            if old.exists():  # under the lock nothing else can have put a copy in its place
                old.rename(target)
            raise
        finally:
            shutil.rmtree(old, ignore_errors=True)


class ContentHolder:
    """Holds the current `Snapshot`; `snapshot()` is what the hot path calls.

    `var_dir` is where the last good copy is kept (`var_dir/last-good/`); None for a draft folder
    (`pufa chat --content`): var/last-good/ belongs to the live folders, so such a holder neither
    writes it nor falls back to it."""

    def __init__(self, content_dir: str | Path, menus_dir: str | Path, var_dir: Path | None,
                 build_index: Callable[[Content], Any], poll_seconds: float = POLL_SECONDS) -> None:
        self.content_dir, self.menus_dir = Path(content_dir), Path(menus_dir)
        self.var_dir, self.build_index, self.poll_seconds = var_dir, build_index, poll_seconds
        self._lock = threading.Lock()
        self._next_poll = 0.0
        self._loading = False
        self._seen = self._signature()
        self._snapshot = self._start()
        release_free_memory()
        freeze_long_lived()
        self._next_poll = time.monotonic() + poll_seconds

    def _start(self) -> Snapshot:
        """A start is a reload boundary too: whatever loading the files raises, a good copy serves."""
        if self.var_dir is not None:
            sweep_stale_copies(self.var_dir, time.time())
        try:
            return self._load()
        except ContentError as exc:
            self._log_refused(exc.findings, "at start")
            return self._from_last_good(exc, f"content on disk refused ({len(exc.findings)} error(s); "
                                             f"first: {exc.findings[0]})")
        except Exception as exc:  # noqa: BLE001 — see the docstring
            log.exception("content could not be loaded at start")
            return self._from_last_good(exc, f"content on disk could not be loaded ({exc!r}; see the log)")

    def _from_last_good(self, refused: Exception, error: str) -> Snapshot:
        if self.var_dir is None or not self.var_dir.is_dir():
            raise refused
        saved = self.var_dir / LAST_GOOD
        with last_good_lock(self.var_dir):  # not while another worker swaps it
            if not (saved / "content").is_dir():
                raise refused
            try:
                content, _ = load_checked(saved / "content", saved / "menus")
            except ContentError:
                raise refused from None
        log.error("serving the last good content %s from %s: %s", content.version, saved, error)
        return self._built(content, True, error)

    def _load(self) -> Snapshot:
        """Check a copy of the folders, serve that copy's content and keep the copy as the last good."""
        staged = self._stage()
        if staged is None:
            return self._accept(*load_checked(self.content_dir, self.menus_dir))
        copies = {staged / "content": self.content_dir, staged / "menus": self.menus_dir}
        try:
            with named_as_originals(copies):
                snapshot = self._accept(*load_checked(staged / "content", staged / "menus"))
            try:
                keep_as_last_good(staged, self.var_dir, snapshot.version)
            except OSError as exc:
                log.warning("could not save %s: %s", self.var_dir / LAST_GOOD, exc)
            return snapshot
        finally:
            shutil.rmtree(staged, ignore_errors=True)

    def _stage(self) -> Path | None:
        """The copy to check and keep; None for a draft, or when it cannot be made."""
        if self.var_dir is None:
            return None
        try:
            return stage(self.content_dir, self.menus_dir, self.var_dir)
        except OSError as exc:  # var/ is not writable, or a file went while it was copied
            log.warning("could not copy the content to %s (%s): checking the folders in place, "
                        "and keeping no last good copy of this version", self.var_dir, exc)
            return None

    def _accept(self, content: Content, findings: list[Finding]) -> Snapshot:
        for warning in findings:
            log.info("content warning: %s", warning)
        snapshot = self._built(content)
        log.info("serving content %s (%d items)", content.version, len(content.items))
        return snapshot

    def _built(self, content: Content, from_last_good: bool = False, error: str = "") -> Snapshot:
        release_free_memory()  # what loading and checking freed, before the build allocates more
        return Snapshot(content, self.build_index(content), from_last_good, error)

    def _log_refused(self, findings: list[Finding], when: str) -> None:
        log.error("content refused %s: %d error(s)", when, len(findings))
        for line in findings:
            log.error("%s", line)

    def snapshot(self) -> Snapshot:
        """The current snapshot; at most every `poll_seconds`, a stat walk starts a background reload."""
        now = time.monotonic()
        if now >= self._next_poll and not self._loading and self._lock.acquire(blocking=False):
            try:
                self._next_poll = now + self.poll_seconds
                self._poll()
            finally:
                self._lock.release()
        return self._snapshot

    def _signature(self) -> tuple | None:
        """None when a file vanished mid-walk (an editor is saving): the next poll looks again."""
        try:
            return signature(self.content_dir, self.menus_dir)
        except OSError as exc:
            log.debug("stat walk interrupted: %s", exc)
            return None

    def _poll(self) -> None:
        now_seen = self._signature()
        if now_seen is not None and now_seen != self._seen:
            self._seen, self._loading = now_seen, True
            threading.Thread(target=self._reload, name="content-reload", daemon=True).start()

    def _reload(self) -> None:
        """The reload boundary: nothing an edit does may take the bot down."""
        try:
            self._snapshot = self._load()
        except ContentError as exc:
            self._log_refused(exc.findings, "after an edit; still serving " + self._snapshot.version)
            self._snapshot = dataclasses.replace(
                self._snapshot, error=f"edit refused: {len(exc.findings)} error(s); first: {exc.findings[0]}")
        except Exception as exc:  # noqa: BLE001 — a reload is a boundary; the old content keeps serving
            log.exception("content reload failed; still serving %s", self._snapshot.version)
            self._snapshot = dataclasses.replace(
                self._snapshot, error=f"edit not loaded: {exc!r} (see the log)")
        finally:
            self._loading = False
            release_free_memory()  # the build's transients, and the old snapshot unless a request still holds it
            freeze_long_lived()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until a background reload finishes (tests and `pufa` commands)."""
        deadline = time.monotonic() + timeout
        while self._loading and time.monotonic() < deadline:
            time.sleep(0.01)
