"""A project's settings: read fresh on every API request, changed by admins."""

from __future__ import annotations

from pynamodb.expressions.update import Action

from chalicelib import schemas
from chalicelib.errors import NotFoundError, invalid
from chalicelib.store import keys
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import Project
from chalicelib.webhooks import alerts


def load_project(project_id: str) -> Project:
    try:
        return Project.get(keys.project_pk(project_id), keys.PROJECT_SK)
    except Project.DoesNotExist as exc:
        raise NotFoundError(f"project {project_id} not found") from exc


def ga4_hint(project: Project) -> schemas.GA4 | None:
    """settings.ga4 as shown: the measurement id and the secret's last 4 characters, never the secret."""
    if not (project.ga4_measurement_id and project.ga4_api_secret):
        return None
    return schemas.GA4(measurement_id=project.ga4_measurement_id, api_secret_hint="••••" + project.ga4_api_secret[-4:])


def of(project: Project) -> schemas.Settings:
    return schemas.Settings.model_validate(
        {
            **{name: getattr(project, name) for name in schemas.Settings.model_fields if name != "ga4"},
            "ga4": ga4_hint(project),
        }
    )


def read(project_id: str) -> schemas.Settings:
    return of(load_project(project_id))


def without_secrets(found: schemas.Settings) -> schemas.Settings:
    """The settings as callers who may not change them read them (alerts.masked)."""
    return found.model_copy(update={"alerts": alerts.masked(found.alerts)})


def change(project_id: str, patch: schemas.SettingsPatch) -> schemas.Settings:
    project = load_project(project_id)
    if patch.alerts is not None:
        alerts.check_chat_url(patch.alerts.missed_call_chat_url)
    changes = patch.model_dump(exclude_unset=True, exclude_none=True, exclude={"ga4"})
    attributes = Project.get_attributes()
    actions: list[Action] = [attributes[name].set(value) for name, value in changes.items()]
    condition = Project.pk.exists()
    if "ga4" in patch.model_fields_set:
        actions += _ga4_actions(patch.ga4)
        if patch.ga4 is not None and patch.ga4.api_secret is None:
            condition &= Project.ga4_api_secret.exists()  # the measurement id alone keeps the stored secret
    if actions and not conditional_update(project, actions, condition):
        raise invalid("ga4.api_secret", "required: no API secret is stored yet")
    return of(project)


def _ga4_actions(ga4: schemas.GA4In | None) -> list[Action]:
    """Both set, or the measurement id alone (the stored secret stays), or both cleared (`ga4: null`)."""
    if ga4 is None:
        return [Project.ga4_measurement_id.remove(), Project.ga4_api_secret.remove()]
    secret = [Project.ga4_api_secret.set(ga4.api_secret)] if ga4.api_secret is not None else []
    return [Project.ga4_measurement_id.set(ga4.measurement_id), *secret]
