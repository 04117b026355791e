"""Browser (e2e) fixtures: headless Chromium through Selenium, and `chalice local` against the run's emulator.

Both skip with a clear reason when Debian's `chromium` / `chromium-driver` are not installed
(`apt-get install -y chromium chromium-driver`; .ci/run installs them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from local.run import stop_process
from tests.conftest import free_port

BrowserFactory = Callable[[], webdriver.Chrome]

ROOT = Path(__file__).resolve().parents[2]
CHALICE = Path(sys.executable).with_name("chalice")
START_SECONDS = 60


def _browser_binaries() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.skip("headless Chromium is not installed: apt-get install -y chromium chromium-driver")
    return browser, driver


@pytest.fixture
def chromium() -> Iterator[BrowserFactory]:
    """A factory of headless Chromium drivers, each with a fresh profile (a fresh browser context)."""
    browser, driver_path = _browser_binaries()
    drivers: list[webdriver.Chrome] = []
    profiles: list[tempfile.TemporaryDirectory[str]] = []

    def new_browser() -> webdriver.Chrome:
        profile = tempfile.TemporaryDirectory(prefix="callcard-chromium-")
        profiles.append(profile)
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            "--autoplay-policy=no-user-gesture-required",
            f"--user-data-dir={profile.name}",
        ):
            options.add_argument(argument)
        created = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        drivers.append(created)
        return created

    yield new_browser
    for created in drivers:
        created.quit()
    for profile in profiles:
        profile.cleanup()


def _wait_until_serving(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"chalice local exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it is serving
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"chalice local did not answer within {START_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def chalice_local(emulator: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chalice local` on a free port against the run's emulator; yields its base URL (no trailing slash)."""
    if not CHALICE.exists():
        pytest.skip(f"chalice is not installed next to {sys.executable}")
    port = free_port()
    log = tmp_path_factory.mktemp("chalice-local") / "chalice-local.log"
    command = [str(CHALICE), "local", "--no-autoreload", "--host", "127.0.0.1", "--port", str(port), "--stage", "dev"]
    with log.open("wb") as output:
        # os.environ carries the emulator's AWS_ENDPOINT_URL, the test table and bucket and dummy credentials
        server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=output, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(f"{base_url}/v1/settings", server, log)
        yield base_url
    finally:
        stop_process(server)
