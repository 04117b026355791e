"""`make screenshots`: the web app's pages with the demo data, on a desktop and a phone, as PNGs in docs/screenshots/.

Starts its own stack, as the browser tests do (the emulator on a free port, the table and bucket bootstrapped, the
demo project of local/seed.py, local/api.py serving the app), and photographs it in headless Chromium (Debian's
`chromium` and `chromium-driver`). Nothing is kept: the next run starts from fresh demo data.

    python -m scripts.screenshots [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import base64
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from local import chromium as headless

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = (1366, 900)
PHONE = (360, 780)
PHONE_SCALE = 2
WAIT_SECONDS = 30


@dataclass(frozen=True)
class Shot:
    """A page to photograph: its path (`{call_id}` is the demo's newest call), what shows once it has loaded, and
    how many screens of it to keep from the top."""

    name: str
    path: str
    ready: str
    desktop_screens: int = 1
    phone_screens: int = 1
    play_in_dock: bool = False


SHOTS = [
    Shot("dashboard", "/", "#dashboard[aria-busy=false] #dashboard-figures"),
    Shot("log", "/calls", "#call-log[aria-busy=false] tbody tr", play_in_dock=True),
    Shot("reports", "/reports", "#report[aria-busy=false] #report-chart canvas", desktop_screens=2, phone_screens=2),
    Shot("card", "/calls/{call_id}", "#audio-seek[data-waveform=ready]", desktop_screens=2, phone_screens=2),
    Shot("settings", "/admin/settings", "#settings-form"),
    Shot("numbers", "/admin/numbers", "#numbers-table tbody tr"),
    Shot("snippet", "/admin/snippet", "#snippet-tag"),
    Shot("keys", "/admin/keys", "#keys-table tbody tr"),
    Shot("members", "/admin/members", "#members-table tbody tr"),
    Shot("webhooks", "/admin/webhooks", "#webhook-add-form"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def demo_stack() -> Iterator[tuple[str, dict[str, str]]]:
    """The emulator, the demo project and the local API; yields the API's base URL and the demo's credentials
    (local/seed.py: the admin's key, email and password)."""
    from local.api import wait_until_serving
    from local.emulator import DEFAULT_REGION, Emulator, configure_environment
    from local.run import stop_process

    emulator = Emulator(free_port())
    emulator.start()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    configure_environment(emulator.url)
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION),
            "CALLCARD_TABLE": "callcard-screenshots",
            "CALLCARD_BUCKET": "callcard-screenshots",
            "CALLCARD_PUBLIC_URL": base_url,
        }
    )
    server: subprocess.Popen[bytes] | None = None
    log = tempfile.NamedTemporaryFile(prefix="callcard-screenshots-api-", suffix=".log")  # noqa: SIM115
    try:
        # imported only now: the models read the table name from the environment when imported
        from local.bootstrap import bootstrap
        from local.seed import seed

        os.environ.update(bootstrap(os.environ["CALLCARD_TABLE"], os.environ["CALLCARD_BUCKET"]).people_environment())
        demo = seed()
        command = [sys.executable, "-m", "local.api", "--host", "127.0.0.1", "--port", str(port), "--stage", "dev"]
        server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
        wait_until_serving(f"{base_url}/v1/settings", server, Path(log.name))
        yield base_url, demo
    finally:
        if server is not None:
            stop_process(server)
        emulator.stop()
        log.close()


@contextmanager
def chromium() -> Iterator[WebDriver]:
    """Headless Chromium in English, with a fresh profile."""
    found = headless.binaries()
    if found is None:
        raise SystemExit(headless.MISSING)
    browser_path, driver_path = found
    with tempfile.TemporaryDirectory(prefix="callcard-screenshots-") as profile:
        options = headless.options(
            browser_path, profile, "--hide-scrollbars", "--lang=en-GB", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"
        )
        options.add_experimental_option("prefs", {"intl.accept_languages": "en-GB,en"})
        browser = webdriver.Chrome(
            options=options,
            service=Service(
                executable_path=driver_path, env={**os.environ, "LANGUAGE": "en_GB", "LANG": "en_GB.UTF-8"}
            ),
        )
        try:
            yield browser
        finally:
            browser.quit()


def sign_in(browser: WebDriver, url: str, demo: dict[str, str]) -> None:
    """Opens `url`, signing in as the demo's admin through the sign-in page when the browser is not yet."""
    browser.get(url)
    WebDriverWait(browser, WAIT_SECONDS).until(  # the header has #sign-out from the start, hidden until signed in
        lambda b: b.find_elements(By.ID, "email") or b.find_element(By.ID, "sign-out").is_displayed(), "the app"
    )
    if browser.find_elements(By.ID, "email"):
        browser.find_element(By.ID, "email").send_keys(demo["admin_email"])
        browser.find_element(By.ID, "password").send_keys(demo["admin_password"])
        browser.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()


def photograph(
    browser: WebDriver, base_url: str, demo: dict[str, str], call_id: str, out: Path, phone: bool
) -> list[Path]:
    width, height = PHONE if phone else DESKTOP
    scale = PHONE_SCALE if phone else 1
    metrics = {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": phone}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)

    def wait_for(selector: str) -> None:
        WebDriverWait(browser, WAIT_SECONDS).until(lambda b: b.find_elements(By.CSS_SELECTOR, selector), selector)

    written = []
    for shot in SHOTS:
        sign_in(browser, f"{base_url}{shot.path.format(call_id=call_id)}", demo)
        wait_for(shot.ready)
        if shot.play_in_dock:  # the newest call in the docked player, paused 21 s in
            browser.find_element(By.CSS_SELECTOR, "#call-log button.row-play").click()
            wait_for("#dock-seek[data-waveform=ready]")
            browser.execute_script(
                "const audio = document.getElementById('dock-element'); audio.pause(); audio.currentTime = 21;"
            )
        browser.execute_script("document.activeElement?.blur(); window.scrollTo(0, 0)")
        screens = shot.phone_screens if phone else shot.desktop_screens
        page_height = int(browser.execute_script("return document.documentElement.scrollHeight"))
        shot_height = min(page_height, screens * height)
        time.sleep(0.5)  # the waveform redraws at the final size
        picture = browser.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": shot_height > height,
                "clip": {"x": 0, "y": 0, "width": width, "height": shot_height, "scale": 1},
            },
        )
        path = out / f"{'phone' if phone else 'desktop'}-{shot.name}.png"
        path.write_bytes(base64.b64decode(picture["data"]))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with demo_stack() as (base_url, demo), chromium() as browser:
        import requests

        headers = {"Authorization": f"Bearer {demo['admin_key']}"}
        listing = requests.get(f"{base_url}/v1/calls?limit=1", headers=headers, timeout=30)
        call_id = listing.json()["items"][0]["call_id"]
        for phone in (False, True):
            for path in photograph(browser, base_url, demo, call_id, args.out, phone):
                print(
                    f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
