#!/usr/bin/env python3
"""Screenshot an Odoo page as a logged-in user, with headless chromium.

Usage (inside the tool's virtualenv, which has requests and websocket-client):
    python tools/screenshot.py URL_PATH OUT.png [--login admin --password admin]
        [--base http://localhost:8069] [--db xrm_demo] [--width 1400 --height 900]

Logs in through Odoo's JSON-RPC session endpoint, hands the session cookie to
chromium over the DevTools protocol, opens the page and saves a PNG.
"""

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time

import requests
import websocket


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("out")
    parser.add_argument("--base", default="http://localhost:8069")
    parser.add_argument("--db", default="xrm_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--anonymous", action="store_true")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--wait", type=float, default=4.0)
    parser.add_argument("--port", type=int, default=9333)
    parser.add_argument(
        "--click",
        action="append",
        default=[],
        help="CSS selector to click once the page is loaded (repeatable)",
    )
    args = parser.parse_args()

    session_id = None
    if not args.anonymous:
        resp = requests.post(
            f"{args.base}/web/session/authenticate",
            json={
                "jsonrpc": "2.0",
                "params": {
                    "db": args.db,
                    "login": args.login,
                    "password": args.password,
                },
            },
            timeout=30,
        )
        resp.raise_for_status()
        session_id = resp.cookies.get("session_id")

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    profile = tempfile.mkdtemp(prefix="xrm-shot-")
    proc = subprocess.Popen(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={args.port}",
            f"--window-size={args.width},{args.height}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        targets = None
        for _i in range(50):
            try:
                targets = requests.get(
                    f"http://127.0.0.1:{args.port}/json", timeout=2
                ).json()
                break
            except requests.RequestException:
                time.sleep(0.2)
        page = next(t for t in targets if t["type"] == "page")
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        counter = iter(range(1, 10_000))

        def call(method, **params):
            msg_id = next(counter)
            ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
            while True:
                msg = json.loads(ws.recv())
                if msg.get("id") == msg_id:
                    return msg.get("result", {})

        call(
            "Emulation.setDeviceMetricsOverride",
            width=args.width,
            height=args.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        if session_id:
            call(
                "Network.setCookie",
                name="session_id",
                value=session_id,
                url=args.base,
            )
        call("Page.enable")
        call("Page.navigate", url=args.base + args.path)
        time.sleep(args.wait)
        for selector in args.click:
            # e.g. a notebook tab: a[name='xrm_health']
            call(
                "Runtime.evaluate",
                expression=f"document.querySelector({json.dumps(selector)}).click()",
            )
            time.sleep(1.5)
        shot = call("Page.captureScreenshot", format="png")
        with open(args.out, "wb") as fh:
            fh.write(base64.b64decode(shot["data"]))
        ws.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
