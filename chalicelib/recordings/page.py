"""The public share route's HTML: a small player page (or a page saying the link is gone) in the visitor's
language, and the headers that lock it down."""

from __future__ import annotations

import base64
import hashlib
import html
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from chalicelib.recordings.public import SharedRecording
from chalicelib.store.models import ShareLink

_PAGE_STYLE = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}audio{width:100%}"
_PAGE_STYLE_HASH = base64.b64encode(hashlib.sha256(_PAGE_STYLE.encode()).digest()).decode()


def public_page_headers(media_url: str | None) -> dict[str, str]:
    """The public share route's headers: nothing cached, nothing framed or sniffed, no referrer (the token is
    in the address), and a policy that lets the page load its own style and, at most, the recording."""
    media = urlsplit(media_url) if media_url else None
    policy = [
        "default-src 'none'",
        f"style-src 'sha256-{_PAGE_STYLE_HASH}'",
        f"media-src {media.scheme}://{media.netloc}" if media else "media-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
    return {
        "Content-Security-Policy": "; ".join(policy),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Vary": "Accept, Accept-Language",
    }


# the public page's words: the visitor's language from Accept-Language (routes/recordings.py), English by default
PAGE_LANGUAGES = ("en", "pl")
_WORDS = {
    "en": {
        "title": "Call recording",
        "company": "Shared by {company}",
        "call": "Call of {date} ({zone}), {length} long",
        "call_no_length": "Call of {date} ({zone})",
        "download": "Download",
        "download_note": "(the link works for 15 minutes; reload the page for a new one)",
        "archived": "This recording is archived. Ask the team that shared it to restore it.",
        "gone_title": "Link not available",
        "gone": "This link to a call recording was revoked or has expired. Ask the team that shared it for a new one.",
    },
    "pl": {
        "title": "Nagranie rozmowy",
        "company": "Udostępnia: {company}",
        "call": "Rozmowa z {date} ({zone}), długość {length}",
        "call_no_length": "Rozmowa z {date} ({zone})",
        "download": "Pobierz",
        "download_note": "(link działa 15 minut; odśwież stronę, aby dostać nowy)",
        "archived": "To nagranie jest zarchiwizowane. Poproś zespół, który je udostępnił, o jego przywrócenie.",
        "gone_title": "Link niedostępny",
        "gone": "Ten link do nagrania rozmowy unieważniono albo wygasł. Poproś zespół, który go udostępnił, o nowy.",
    },
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def page_date(moment: datetime, zone: str, language: str) -> str:
    """A moment as the web app writes it: `20 Nov 2026, 11:15` in English, `20.11.2026, 11:15` in Polish."""
    local = moment.astimezone(ZoneInfo(zone))
    day = f"{local.day} {_MONTHS[local.month - 1]} {local.year}" if language == "en" else f"{local:%d.%m.%Y}"
    return f"{day}, {local:%H:%M}"


def page_length(seconds: float) -> str:
    """`1:12`, `1:02:03`: as the web app writes a duration."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _call_lines(link: ShareLink, words: dict[str, str], language: str) -> str:
    lines = []
    if link.company:
        lines.append(words["company"].format(company=link.company))
    if link.call_started_at is not None:
        zone = link.timezone or "UTC"
        date = page_date(link.call_started_at, zone, language)
        if link.duration_seconds is None:
            lines.append(words["call_no_length"].format(date=date, zone=zone))
        else:
            lines.append(words["call"].format(date=date, zone=zone, length=page_length(link.duration_seconds)))
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines)


def player_page(shared: SharedRecording, language: str) -> str:
    """The small page a browser gets for a share link: who shared which call, and the recording in a player."""
    words = _WORDS[language]
    about = _call_lines(shared.link, words, language)
    if shared.play_url is None or shared.download_url is None:
        body = f"<p>{html.escape(words['archived'])}</p>"
    else:
        body = (
            f'<audio controls preload="metadata" src="{html.escape(shared.play_url)}"></audio>'
            f'<p><a href="{html.escape(shared.download_url)}" download>{html.escape(words["download"])}</a> '
            f"{html.escape(words['download_note'])}</p>"
        )
    return _page(language, words["title"], about + body)


def gone_page(language: str) -> str:
    """The page a browser gets for a link that was revoked, expired, or never existed."""
    words = _WORDS[language]
    return _page(language, words["gone_title"], f"<p>{html.escape(words['gone'])}</p>")


def _page(language: str, title: str, body: str) -> str:
    title = html.escape(title)
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{title}</title>'
        f"<style>{_PAGE_STYLE}</style></head>"
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    )
