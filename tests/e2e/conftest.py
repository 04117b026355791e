"""Browser (e2e) fixtures: headless Chromium through Selenium (the local API and the emulator: tests/conftest.py).

Both skip with a clear reason when Debian's `chromium` / `chromium-driver` are not installed
(`apt-get install -y chromium chromium-driver`; .ci/run installs them).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

BrowserFactory = Callable[[], webdriver.Chrome]

ROOT = Path(__file__).resolve().parents[2]
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
