"""The project behind a site key, cached in a warm function (DESIGN.md section 4: at most 60 s old)."""

from __future__ import annotations

import time

from chalicelib.errors import NotFoundError
from chalicelib.store import keys
from chalicelib.store.models import Project, SiteKey

SITE_CACHE_SECONDS = 60

# site key -> (monotonic expiry, project with its settings); settings may be up to a minute old here
_sites: dict[str, tuple[float, Project]] = {}


def site_project(site_key: str) -> Project:
    cached = _sites.get(site_key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        site = SiteKey.get(keys.site_pk(site_key), keys.SITE_SK)
        project = Project.get(keys.project_pk(site.project_id), keys.PROJECT_SK)
    except (SiteKey.DoesNotExist, Project.DoesNotExist):
        raise NotFoundError("unknown site_key") from None
    _sites[site_key] = (time.monotonic() + SITE_CACHE_SECONDS, project)
    return project


def forget_site(project: Project) -> None:
    """A number change is seen at once by this function's next tracking request."""
    _sites.pop(project.site_key, None)
