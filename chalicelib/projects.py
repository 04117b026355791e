"""Projects: created by operators through the CLI, with their site key and first admin key."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from chalicelib import auth, clock, schemas
from chalicelib.store import keys, transactions
from chalicelib.store.models import Item, Project, SiteKey


@dataclass(frozen=True)
class NewProject:
    project_id: str
    site_key: str
    admin_key: str


def create_project(name: str, country: str = "UA") -> NewProject:
    country = schemas.SettingsPatch(default_country=country).default_country or "UA"
    project_id = secrets.token_hex(6)
    site_key = f"site_{secrets.token_hex(12)}"
    admin = auth.new_key(project_id, auth.Role.ADMIN, "admin")
    project = Project(
        keys.project_pk(project_id),
        keys.PROJECT_SK,
        project_id=project_id,
        name=name,
        site_key=site_key,
        created_at=clock.now(),
        default_country=country,
    )
    site = SiteKey(keys.site_pk(site_key), keys.SITE_SK, project_id=project_id)
    with transactions.transaction() as transaction:
        transaction.save(project, condition=Project.pk.does_not_exist())
        transaction.save(site, condition=SiteKey.pk.does_not_exist())
        transaction.save(admin.item, condition=Item.pk.does_not_exist())
    return NewProject(project_id, site_key, admin.key)
