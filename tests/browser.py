"""Open a page in headless Chromium and report what a reader's browser would see.

:func:`check_page` loads a local HTML file with all network access blocked, and
returns the console errors, failed requests and links of the page, with a
screenshot if asked. It talks to Chromium over the DevTools protocol on a pair
of pipes (``--remote-debugging-pipe``), so it needs no port and no extra
package. :func:`check_links` says which links do not lead to a local file.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from wres.core.atomic import write_bytes_atomic

#: Flags for a quiet, offline, throwaway browser; every host name fails to resolve.
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--window-size=1280,900",
)

_LINKS_JS = "Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))"
_SETTLE_SECONDS = 0.3


class BrowserError(RuntimeError):
    """Chromium is missing, exited early, or did not answer in time."""


@dataclass(frozen=True)
class PageCheck:
    """What loading a page produced.

    Attributes
    ----------
    console_errors : list of str
        Console errors, uncaught exceptions and browser error log entries.
    failed_requests : list of str
        ``"<url> (<error>)"`` for every request that failed.
    links : list of str
        The ``href`` of every link, as written in the page.
    screenshot : Path or None
        The PNG written, if one was asked for.
    """

    console_errors: list[str]
    failed_requests: list[str]
    links: list[str]
    screenshot: Path | None


def find_chromium() -> Path:
    """Path of the Chromium executable.

    Raises
    ------
    BrowserError
        If neither ``chromium`` nor ``chromium-browser`` is on the PATH.
    """
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return Path(found)
    raise BrowserError(
        "Chromium is not installed: install it with 'sudo apt-get install chromium' "
        "(or run 'make browser')"
    )


def check_page(html_path: Path, screenshot: Path | None = None, timeout: float = 60) -> PageCheck:
    """Load ``html_path`` in headless Chromium, offline, and report what happened.

    Parameters
    ----------
    html_path : Path
        Local HTML file to open.
    screenshot : Path, optional
        Where to write a full-page PNG screenshot.
    timeout : float
        Seconds allowed for the whole check.

    Raises
    ------
    FileNotFoundError
        If ``html_path`` does not exist.
    BrowserError
        If Chromium is missing, exits early or does not answer within ``timeout``.
    """
    html_path = Path(html_path).resolve()
    if not html_path.is_file():
        raise FileNotFoundError(f"no page to check at {html_path}")
    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix="wres-chromium-") as profile:
        with _Browser(chromium, Path(profile), time.monotonic() + timeout) as browser:
            return _inspect(browser, html_path, screenshot)


def check_links(html_path: Path, links: list[str]) -> list[str]:
    """Links that do not lead to an existing local file.

    Relative links are resolved against the page's folder; fragments and
    ``mailto:`` links are ignored; any other scheme (``http``, ``https`` ...)
    counts as external and is reported.
    """
    folder = Path(html_path).resolve().parent
    broken = []
    for link in links:
        parts = urlsplit(link.strip())
        if parts.scheme == "mailto" or (not parts.scheme and not parts.netloc and not parts.path):
            continue
        if parts.scheme == "file" and not parts.netloc:
            target = Path(unquote(parts.path))
        elif parts.scheme or parts.netloc:
            broken.append(link)
            continue
        else:
            target = folder / unquote(parts.path)
        if not target.is_file():
            broken.append(link)
    return broken


def _inspect(browser: _Browser, html_path: Path, screenshot: Path | None) -> PageCheck:
    session = browser.attach_to_page()
    for domain in ("Runtime", "Log", "Network", "Page"):
        browser.call(f"{domain}.enable", session=session)
    browser.call("Page.navigate", {"url": html_path.as_uri()}, session=session)
    browser.wait_for("Page.loadEventFired")
    browser.settle(_SETTLE_SECONDS)
    links = browser.call(
        "Runtime.evaluate", {"expression": _LINKS_JS, "returnByValue": True}, session=session
    )["result"].get("value", [])
    written = None
    if screenshot is not None:
        written = write_bytes_atomic(Path(screenshot), _screenshot(browser, session))
    browser.settle(0)
    return PageCheck(
        console_errors=_console_errors(browser.events),
        failed_requests=_failed_requests(browser.events),
        links=[str(link) for link in links],
        screenshot=written,
    )


def _screenshot(browser: _Browser, session: str) -> bytes:
    """A PNG of the whole page, not just the window."""
    size = browser.call("Page.getLayoutMetrics", session=session)["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": max(1, size["width"]), "height": max(1, size["height"]),
            "scale": 1}
    data = browser.call(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True, "clip": clip},
        session=session,
    )["data"]
    return base64.b64decode(data)


def _console_errors(events: list[dict]) -> list[str]:
    errors = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(" ".join(_remote_text(arg) for arg in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            errors.append(_remote_text(details.get("exception", {})) or details.get("text", ""))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            errors.append(f"{entry.get('text', '')} {entry.get('url', '')}".strip())
    return errors


def _remote_text(obj: dict) -> str:
    """Readable text of a DevTools RemoteObject (a console argument or exception)."""
    if "value" in obj:
        return str(obj["value"])
    return str(obj.get("description") or obj.get("unserializableValue") or obj.get("type", ""))


def _failed_requests(events: list[dict]) -> list[str]:
    urls = {}
    failed = []
    for event in events:
        params = event.get("params", {})
        if event.get("method") == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
        elif event.get("method") == "Network.loadingFailed":
            url = urls.get(params.get("requestId"), "unknown URL")
            failed.append(f"{url} ({params.get('errorText', 'failed')})")
    return failed


class _Browser:
    """A headless Chromium spoken to over ``--remote-debugging-pipe``.

    Chromium reads commands from its fd 3 and writes replies and events to its
    fd 4, each a JSON message ended by a NUL byte.
    """

    def __init__(self, chromium: Path, profile: Path, deadline: float) -> None:
        self.deadline = deadline
        self.events: list[dict] = []
        self._next_id = 0
        self._buffer = b""
        self._log = profile / "chromium.log"
        to_child, self._write = os.pipe()
        self._read, from_child = os.pipe()
        command = [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   "--remote-debugging-pipe", "about:blank"]
        with open(self._log, "wb") as log:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                close_fds=False, start_new_session=True,
                preexec_fn=lambda: _install_pipes(to_child, from_child),
            )
        os.close(to_child)
        os.close(from_child)

    def __enter__(self) -> _Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._process.poll() is None:
                self._send("Browser.close")
                self._process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self._process.poll() is None:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
            os.close(self._read)
            os.close(self._write)

    def attach_to_page(self) -> str:
        """Session id of the first page tab (opened on ``about:blank``)."""
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next((t for t in targets if t["type"] == "page"), None)
        if page is None:
            page = {"targetId": self.call("Target.createTarget", {"url": "about:blank"})
                    ["targetId"]}
        attached = self.call("Target.attachToTarget", {"targetId": page["targetId"],
                                                       "flatten": True})
        return attached["sessionId"]

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send a command and return its result; events seen meanwhile are kept."""
        sent = self._send(method, params, session)
        while True:
            message = self._receive(self.deadline)
            if message is None:
                raise self._timeout(method)
            if message.get("id") == sent:
                if "error" in message:
                    raise BrowserError(f"{method} failed: {message['error'].get('message')}")
                return message.get("result", {})
            self._keep(message)

    def wait_for(self, method: str) -> dict:
        """Wait for an event, keeping it and any others that arrive first."""
        while True:
            message = self._receive(self.deadline)
            if message is None:
                raise self._timeout(method)
            self._keep(message)
            if message.get("method") == method:
                return message

    def settle(self, seconds: float) -> None:
        """Collect events for ``seconds`` more (late console messages, failed loads)."""
        until = min(time.monotonic() + seconds, self.deadline)
        while (message := self._receive(until)) is not None:
            self._keep(message)

    def _keep(self, message: dict) -> None:
        if "method" in message:
            self.events.append(message)

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._write, data):]
        return self._next_id

    def _receive(self, until: float) -> dict | None:
        """Next message, or None when ``until`` passes first."""
        while b"\0" not in self._buffer:
            remaining = until - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self._read], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium exited early:\n{self._log_tail()}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def _timeout(self, waiting_for: str) -> BrowserError:
        return BrowserError(
            f"Chromium did not answer in time (waiting for {waiting_for}):\n{self._log_tail()}"
        )

    def _log_tail(self) -> str:
        try:
            return "\n".join(self._log.read_text(errors="replace").splitlines()[-10:])
        except OSError:
            return "(no Chromium log)"


def _install_pipes(to_child: int, from_child: int) -> None:
    """In the child: put the command pipe on fd 3 and the reply pipe on fd 4."""
    high_in = fcntl.fcntl(to_child, fcntl.F_DUPFD, 10)
    high_out = fcntl.fcntl(from_child, fcntl.F_DUPFD, 10)
    os.dup2(high_in, 3)
    os.dup2(high_out, 4)
    os.close(high_in)
    os.close(high_out)
