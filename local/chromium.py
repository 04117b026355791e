"""Headless Chromium as the browser tests and `make screenshots` start it (Debian's `chromium` and
`chromium-driver`; .ci/run installs them)."""

from __future__ import annotations

import shutil

from selenium import webdriver

MISSING = "headless Chromium is not installed: apt-get install -y chromium chromium-driver"


def binaries() -> tuple[str, str] | None:
    """The browser's and the driver's paths, or None when either is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def options(browser: str, profile: str, *extra: str) -> webdriver.ChromeOptions:
    """Headless, no sandbox (containers), nothing fetched behind the page's back, a fresh profile in `profile`."""
    chosen = webdriver.ChromeOptions()
    chosen.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        *extra,
    ):
        chosen.add_argument(argument)
    return chosen
