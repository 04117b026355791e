"""The operator CLI: `python -m chalicelib.cli project|key|calls|reports ...` (`--help` lists the actions).

Runs with the app's environment (CALLCARD_TABLE, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL locally).
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

from chalicelib import auth, calllog, clock, projects, reports, settings
from chalicelib.errors import ApiError

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

    for sub in (create, key_create, key_revoke, key_list, calls_index, rebuild):
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
