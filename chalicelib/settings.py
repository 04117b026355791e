"""A project's settings: read fresh on every API request, changed by admins."""

from __future__ import annotations

from chalicelib.errors import NotFoundError
from chalicelib.schemas import Settings, SettingsPatch
from chalicelib.store import keys
from chalicelib.store.models import Project
from chalicelib.webhooks import alerts

SETTING_NAMES = tuple(Settings.model_fields)


def load_project(project_id: str) -> Project:
    try:
        return Project.get(keys.project_pk(project_id), keys.PROJECT_SK)
    except Project.DoesNotExist as exc:
        raise NotFoundError(f"project {project_id} not found") from exc


def of(project: Project) -> Settings:
    return Settings.model_validate({name: getattr(project, name) for name in SETTING_NAMES})


def read(project_id: str) -> Settings:
    return of(load_project(project_id))


def change(project_id: str, patch: SettingsPatch) -> Settings:
    project = load_project(project_id)
    if patch.alerts is not None:
        alerts.check_chat_url(patch.alerts.missed_call_chat_url)
    changes = patch.model_dump(exclude_unset=True, exclude_none=True)
    if changes:
        attributes = Project.get_attributes()
        project.update(
            actions=[attributes[name].set(value) for name, value in changes.items()],
            condition=Project.pk.exists(),
        )
    return of(project)
