"""GET /v1/me's answer: who the caller is, what its role may do and, for a person, all their projects."""

from __future__ import annotations

from chalicelib import schemas, settings
from chalicelib.auth import Caller, Permission, Role
from chalicelib.errors import UnauthorizedError
from chalicelib.people.sessions import projects_of
from chalicelib.store import keys
from chalicelib.store.models import Project


def me(caller: Caller) -> schemas.Me:
    may = [permission.value for permission in Permission if caller.may(permission)]
    # the site key goes into the tracking snippet, which admins place (one more read, for admins only)
    site_key = settings.load_project(caller.project_id).site_key if caller.may(Permission.MANAGE_NUMBERS) else None
    answer = schemas.Me(
        project_id=caller.project_id, role=caller.role.value, label=caller.label, may=may, site_key=site_key
    )
    if caller.user_id is None:
        return answer
    memberships = projects_of(caller.user_id)  # one Query, then one BatchGetItem of their projects' names
    names = {
        project.project_id: project.name
        for project in Project.batch_get(
            [(keys.project_pk(m.project_id), keys.PROJECT_SK) for m in memberships],
            attributes_to_get=["project_id", "name"],
        )
    }
    current = next((m for m in memberships if m.project_id == caller.project_id), None)
    if current is None:  # removed from the project since this function cached the session
        raise UnauthorizedError("the session is not valid; sign in again")
    answer.person = schemas.Person(
        user_id=caller.user_id, email=current.email, name=current.name, extension=current.extension
    )
    answer.projects = [
        schemas.MyProject(project_id=m.project_id, name=names.get(m.project_id, m.project_id), role=Role(m.role))
        for m in memberships
    ]
    return answer
