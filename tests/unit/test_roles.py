"""The role table (DESIGN.md section 4), as pure logic: what each role may do (auth.ROLES_MAY, Caller.may)."""

from __future__ import annotations

import pytest

from chalicelib.auth import ROLES_MAY, Caller, Permission, Role
from chalicelib.errors import ForbiddenError

P = Permission
# the contract's table, row by row
MAY: dict[Role, set[Permission]] = {
    # everything, including settings, numbers, keys, deleting recordings, erasing a client
    Role.ADMIN: set(Permission),
    # read everything, comment, set category, both ratings, delete and share recordings, restore
    Role.SUPERVISOR: {
        P.READ,
        P.READ_SETTINGS,
        P.PLAY,
        P.COMMENT,
        P.CATEGORISE,
        P.RATE,
        P.DELETE_RECORDINGS,
        P.SHARE,
        P.RESTORE,
    },  # fmt: skip
    # read (settings too), comment, set category, play and download
    Role.AGENT: {P.READ, P.READ_SETTINGS, P.COMMENT, P.CATEGORISE, P.PLAY},
    # post calls and upload recordings (telephony side); fetch the Google Ads conversions (section 4b)
    Role.INTEGRATION: {P.POST_CALLS, P.UPLOAD_RECORDINGS, P.EXPORT_CONVERSIONS},
}


def test_every_permission_has_its_roles() -> None:
    assert set(ROLES_MAY) == set(Permission)


@pytest.mark.parametrize("permission", list(Permission))
def test_a_permission_belongs_to_the_roles_the_contracts_table_gives_it(permission: Permission) -> None:
    assert ROLES_MAY[permission] == {role for role, may in MAY.items() if permission in may}


@pytest.mark.parametrize("role", list(Role))
def test_a_caller_may_exactly_what_its_role_may(role: Role) -> None:
    caller = Caller("p1", role, "label", "k1")
    assert {permission for permission in Permission if caller.may(permission)} == MAY[role]


def test_a_caller_without_the_permission_is_refused_naming_role_and_action() -> None:
    agent = Caller("p1", Role.AGENT, "agent", "k1")
    assert agent.require(Permission.PLAY) is agent
    with pytest.raises(ForbiddenError, match="^the agent role may not delete recordings$"):
        agent.require(Permission.DELETE_RECORDINGS)
