"""The operator CLI: `python -m chalicelib.cli project create|key create|key revoke|key list|member add|member
remove|calls index|reports rebuild`.

Runs with the app's environment (CALLCARD_TABLE, CALLCARD_USER_POOL_ID, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL
locally).
With --json it prints exactly one JSON object on stdout; logs and errors go to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

import pydantic

from chalicelib import auth, calllog, clock, projects, reports, schemas, settings
from chalicelib.errors import ApiError, invalid
from chalicelib.people import members

log = logging.getLogger("callcard.cli")


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
    else:
        for name, value in result.items():
            print(f"{name}: {value}")


def _project_create(args: argparse.Namespace) -> None:
    created = projects.create_project(args.name, args.country)
    log.info("created project %s", created.project_id)
    _print(
        {"project_id": created.project_id, "site_key": created.site_key, "admin_key": created.admin_key},
        args.json,
    )


def _key_create(args: argparse.Namespace) -> None:
    settings.load_project(args.project)
    issued = auth.create_key(args.project, auth.Role(args.role), args.label)
    _print({"key_id": issued.key_id, "key": issued.key}, args.json)


def _key_revoke(args: argparse.Namespace) -> None:
    auth.revoke_key(args.key_id)
    _print({"key_id": args.key_id, "revoked": True}, args.json)


def _key_list(args: argparse.Namespace) -> None:
    items = [
        {
            "key_id": key.key_id,
            "role": key.role,
            "label": key.label,
            "created_at": clock.iso(key.created_at),
            "revoked_at": clock.iso(key.revoked_at),
        }
        for key in auth.list_keys(args.project)
    ]
    if args.json:
        print(json.dumps({"items": items}))
    else:
        for item in items:
            print("\t".join(str(item[name] or "-") for name in item))


def _member_add(args: argparse.Namespace) -> None:
    """A person in the project (the first admin of a fresh stack); with --password, set as theirs, no invitation."""
    member = schemas.MemberIn.model_validate(
        {"email": args.email, "name": args.name, "role": args.role, "extension": args.extension}
    )
    if args.password is not None and len(args.password) < schemas.MIN_PASSWORD:
        raise invalid("password", f"at least {schemas.MIN_PASSWORD} characters")
    added = members.add_member(
        args.project, member.email, member.name, auth.Role(member.role), member.extension, args.password
    )
    _print({"user_id": added.user_id}, args.json)


def _member_remove(args: argparse.Namespace) -> None:
    members.remove_member(args.project, args.user_id)
    _print({"user_id": args.user_id, "removed": True}, args.json)


def _calls_index(args: argparse.Namespace) -> None:
    indexed = calllog.index_older_calls(args.project)
    log.info("gave %d calls the call log's index keys", indexed)
    _print({"project_id": args.project, "calls_indexed": indexed}, args.json)


def _reports_rebuild(args: argparse.Namespace) -> None:
    rebuilt = reports.rebuild(settings.load_project(args.project))
    log.info("recomputed the reports of %d calls: %d buckets fixed", rebuilt["calls"], rebuilt["buckets_fixed"])
    _print(rebuilt, args.json)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m chalicelib.cli", description=__doc__.splitlines()[0])
    groups = top.add_subparsers(dest="group", required=True)

    project = groups.add_parser("project").add_subparsers(dest="action", required=True)
    create = project.add_parser("create", help="create a project with its site key and an admin key")
    create.add_argument("--name", required=True)
    create.add_argument("--country", default="UA", help="default country of phone numbers (ISO 3166)")
    create.set_defaults(run=_project_create)

    key = groups.add_parser("key").add_subparsers(dest="action", required=True)
    key_create = key.add_parser("create", help="issue an API key")
    key_create.add_argument("--project", required=True)
    key_create.add_argument("--role", required=True, choices=[role.value for role in auth.Role])
    key_create.add_argument("--label", help="who uses the key (defaults to the role)")
    key_create.set_defaults(run=_key_create)
    key_revoke = key.add_parser("revoke", help="end a key")
    key_revoke.add_argument("--key-id", required=True)
    key_revoke.set_defaults(run=_key_revoke)
    key_list = key.add_parser("list", help="list a project's keys (never the secrets)")
    key_list.add_argument("--project", required=True)
    key_list.set_defaults(run=_key_list)

    member = groups.add_parser("member").add_subparsers(dest="action", required=True)
    member_add = member.add_parser("add", help="add a person to a project (invited, or with --password)")
    member_add.add_argument("--project", required=True)
    member_add.add_argument("--email", required=True)
    member_add.add_argument("--name", required=True)
    member_add.add_argument("--role", required=True, choices=["admin", "supervisor", "agent"])
    member_add.add_argument("--extension", help="the PBX's agent value for this person")
    member_add.add_argument("--password", help="set as the person's own password (no invitation is sent)")
    member_add.set_defaults(run=_member_add)
    member_remove = member.add_parser("remove", help="remove a person from a project (their access ends in 60 s)")
    member_remove.add_argument("--project", required=True)
    member_remove.add_argument("--user-id", required=True)
    member_remove.set_defaults(run=_member_remove)

    calls = groups.add_parser("calls").add_subparsers(dest="action", required=True)
    calls_index = calls.add_parser(
        "index", help="give calls written before the call log's indexes their keys (agent, status, changes)"
    )
    calls_index.add_argument("--project", required=True)
    calls_index.set_defaults(run=_calls_index)

    report_group = groups.add_parser("reports").add_subparsers(dest="action", required=True)
    rebuild = report_group.add_parser(
        "rebuild", help="recompute a project's report figures from its calls; fix and list what differed"
    )
    rebuild.add_argument("--project", required=True)
    rebuild.set_defaults(run=_reports_rebuild)

    for sub in (create, key_create, key_revoke, key_list, member_add, member_remove, calls_index, rebuild):
        sub.add_argument("--json", action="store_true", help="print one JSON object")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except (ApiError, pydantic.ValidationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
