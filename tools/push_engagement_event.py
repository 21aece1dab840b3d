#!/usr/bin/env python3
# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Push one engagement event to Odoo through the JSON-2 API.

Example (an API key from Preferences > Account Security > New API Key, of a
user with the XRM User role):

    python3 tools/push_engagement_event.py --url http://localhost:8069 \\
        --db xrm_demo --api-key KEY --partner-id 42 --type visit \\
        --source website --external-id visit-2026-0001

Prints the new event's id; exits 1 with Odoo's message on an error.
"""

import argparse
import sys

import requests

TYPES = ("visit", "content", "referral", "review", "community")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", help="database (needed when several are served)")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--partner-id", type=int, required=True)
    parser.add_argument("--type", choices=TYPES, required=True)
    parser.add_argument("--source")
    parser.add_argument("--external-id")
    parser.add_argument("--event-url")
    parser.add_argument("--description")
    args = parser.parse_args(argv)

    vals = {"partner_id": args.partner_id, "event_type": args.type}
    for key, value in (
        ("source", args.source),
        ("external_id", args.external_id),
        ("url", args.event_url),
        ("description", args.description),
    ):
        if value:
            vals[key] = value
    headers = {"Authorization": f"Bearer {args.api_key}"}
    if args.db:
        headers["X-Odoo-Database"] = args.db
    try:
        response = requests.post(
            f"{args.url.rstrip('/')}/json/2/xrm.engagement.event/create",
            json={"vals_list": [vals]},
            headers=headers,
            timeout=10,
        )
    except requests.RequestException as exc:
        print(f"cannot reach Odoo: {exc}", file=sys.stderr)
        return 1
    if response.status_code != 200:
        try:
            message = response.json().get("message")
        except ValueError:
            message = response.text[:500]
        print(f"refused ({response.status_code}): {message}", file=sys.stderr)
        return 1
    print(response.json()[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
