#!/usr/bin/env python3
"""A real read replica, tried end to end (``make replica``).

Not part of the test suite: it builds two PostgreSQL clusters of its own and
takes a few minutes.

1. A primary cluster (initdb into a temporary folder, ``wal_level=replica``,
   a replication role, ``pg_hba`` for it), with pg_stat_statements.
2. A database with the addon and its demo data, installed by Odoo from the
   cached source and virtualenv of tools/xrm.py.
3. A streaming hot standby made with ``pg_basebackup -R`` on another port.
4. Odoo with ``--db_host/--db_port`` on the primary and
   ``--db_replica_host/--db_replica_port`` on the standby, crons off (they
   belong on the primary's own cron server).
5. Proofs, as a manager logged in through /web/dataset/call_kw like the web
   client: the dashboard and every report (``web_search_read``) are served by
   the standby, a write goes to the primary (statement counts of
   pg_stat_statements and transaction counts of pg_stat_database on each
   cluster); with replay paused on the standby (a lag), the dashboard still
   answers, stale, without an error, and the write shows once replay resumes.

Prints a PASS/FAIL line per check; exits 1 when one fails. The clusters, Odoo
and the temporary folder are removed at the end (``--keep`` keeps the folder
and its logs).

The ports are options (defaults 5440, 5441 and 8177); nothing here touches the
PostgreSQL server tools/xrm.py uses.
"""

import argparse
import getpass
import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import xrm  # noqa: E402  (tools/xrm.py: Odoo source, virtualenv, odoo-bin)

DB = "xrm_replica"
ODOO_ROLE = "odoo"
REPL_ROLE = "replicator"
# The reports of report/, read the way their list and pivot views read them.
REPORTS = (
    "xrm.stage.analysis",
    "xrm.agent.scorecard",
    "xrm.relationship.mirror",
    "xrm.return.driver",
    "xrm.supplier.friction",
    "xrm.churn.precursor",
    "xrm.interaction.effect",
)
# A statement only the dashboard sends (its funnel and health scan, in
# xrm.dashboard._xrm_partner_blocks), as pg_stat_statements shows it.
DASHBOARD_MARK = "COUNT(res_partner.xrm_stage_date)"
INSERT_MARK = 'INSERT INTO "xrm_interaction"'
# Odoo logs these when a read-only call had to go to the primary after all.
FALLBACK_LOGS = (
    "retrying with a read/write cursor",
    "Failed to open a readonly cursor",
)


def say(msg):
    print(f"[replica] {msg}", flush=True)


class Failure(Exception):
    pass


# --------------------------------------------------------------------------
# PostgreSQL clusters of our own
# --------------------------------------------------------------------------
def pg_bindir():
    versions = sorted(
        (
            p
            for p in Path("/usr/lib/postgresql").glob("*/bin")
            if p.parent.name.isdigit()
        ),
        key=lambda p: int(p.parent.name),
    )
    for path in reversed(versions):
        if (path / "initdb").exists() and (path / "pg_basebackup").exists():
            return path
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise Failure("PostgreSQL server binaries (initdb, pg_basebackup) not found")


class Cluster:
    """A PostgreSQL cluster in ``datadir`` owned by an unprivileged user."""

    def __init__(self, name, bindir, datadir, port, sockdir):
        self.name = name
        self.bindir = bindir
        self.datadir = datadir
        self.port = port
        self.sockdir = sockdir
        self.logfile = datadir.parent / f"{name}.log"
        self.started = False
        # initdb and postgres refuse to run as root: use the postgres account.
        self.os_user = "postgres" if os.geteuid() == 0 else None
        self.superuser = self.os_user or getpass.getuser()

    def _as_owner(self, cmd, env=None):
        cmd = [str(c) for c in cmd]
        if env:
            cmd = ["env", *(f"{k}={v}" for k, v in env.items()), *cmd]
        if self.os_user:
            cmd = ["runuser", "-u", self.os_user, "--", *cmd]
        return cmd

    def run(self, cmd, env=None):
        res = subprocess.run(
            self._as_owner(cmd, env), capture_output=True, text=True, check=False
        )
        if res.returncode:
            raise Failure(
                f"{self.name}: {' '.join(map(str, cmd))} failed:\n"
                f"{res.stdout}{res.stderr}"
            )
        return res.stdout

    def initdb(self):
        self.run(
            [
                self.bindir / "initdb",
                "-D",
                self.datadir,
                "-U",
                self.superuser,
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ]
        )

    def configure(self, **settings):
        """Settings in postgresql.auto.conf (read after postgresql.conf)."""
        path = self.datadir / "postgresql.auto.conf"
        lines = [f"{key} = '{value}'" for key, value in settings.items()]
        text = path.read_text() if path.exists() else ""
        self._write(path, text + "\n".join(lines) + "\n")

    def _write(self, path, text):
        path.write_text(text)
        if self.os_user:
            shutil.chown(path, self.os_user, self.os_user)

    def start(self):
        self.run(
            [
                self.bindir / "pg_ctl",
                "-D",
                self.datadir,
                "-l",
                self.logfile,
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        self.started = True

    def stop(self):
        if self.started:
            subprocess.run(
                self._as_owner(
                    [self.bindir / "pg_ctl", "-D", self.datadir, "-m", "fast", "stop"]
                ),
                capture_output=True,
                check=False,
            )
            self.started = False

    def sql(self, query, db="postgres"):
        """Rows of ``query`` as lists of strings (superuser, local socket)."""
        out = self.run(
            [
                self.bindir / "psql",
                "-X",
                "-q",
                "-h",
                self.sockdir,
                "-p",
                self.port,
                "-d",
                db,
                "-v",
                "ON_ERROR_STOP=1",
                "-tA",
                "-F",
                "\x1f",
                "-c",
                query,
            ]
        )
        return [line.split("\x1f") for line in out.splitlines() if line]

    # ------------------------------------------------------------------
    # What the cluster executed
    # ------------------------------------------------------------------
    def statements(self):
        """{queryid: (calls, query)} of pg_stat_statements for the database.

        Read from the ``postgres`` database: these probes must not count.
        """
        rows = self.sql(
            "SELECT s.queryid, s.calls, replace(s.query, E'\\n', ' ')"
            "  FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
            f" WHERE d.datname = '{DB}'"
        )
        return {qid: (int(calls), query) for qid, calls, query in rows}

    def transactions(self):
        """Committed + rolled back transactions of the database so far.

        Call it after ``settle()``: backends publish these counts late.
        """
        rows = self.sql(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database"
            f" WHERE datname = '{DB}'"
        )
        return int(rows[0][0])


def settle():
    """Wait until idle backends have published their transaction counts.

    PostgreSQL (15+) flushes a backend's pending statistics at the latest
    10 s (PGSTAT_IDLE_INTERVAL) after it goes idle; pg_stat_statements
    counts at once and needs no wait.
    """
    time.sleep(11)


def port_free(port):
    with socket.socket() as sock:
        # As servers bind: a closed connection in TIME_WAIT does not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# --------------------------------------------------------------------------
# Odoo over HTTP, as the web client calls it
# --------------------------------------------------------------------------
class Client:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def jsonrpc(self, path, params, timeout=60):
        body = json.dumps(
            {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
        ).encode()
        request = urllib.request.Request(
            self.base + path,
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=timeout) as resp:
            answer = json.loads(resp.read())
        if answer.get("error"):
            error = answer["error"]
            raise Failure(
                f"{path}: {error.get('data', {}).get('message') or error['message']}"
            )
        return answer["result"]

    def login(self, login, password):
        return self.jsonrpc(
            "/web/session/authenticate",
            {"db": DB, "login": login, "password": password},
        )

    def call(self, model, method, *args, **kwargs):
        return self.jsonrpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def wait_up(self, proc, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise Failure("Odoo stopped while starting (see its log)")
            try:
                with self.opener.open(self.base + "/web/health", timeout=5) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(1)
        raise Failure(f"Odoo did not answer on {self.base} within {timeout} s")


def _report_spec(client, model):
    """A web_search_read specification of the report's plain fields."""
    described = client.call(model, "fields_get", attributes=["type"])
    spec = {}
    for name, info in described.items():
        if info["type"] in ("many2one",):
            spec[name] = {"fields": {"display_name": {}}}
        elif info["type"] in (
            "integer",
            "float",
            "monetary",
            "char",
            "selection",
            "boolean",
            "date",
            "datetime",
        ):
            spec[name] = {}
    return spec


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------
class Counter:
    """Statements and transactions each cluster ran between two points."""

    def __init__(self, primary, standby, transactions=True):
        self.clusters = {"primary": primary, "standby": standby}
        self.with_transactions = transactions
        self.before = None

    def _transactions(self, cluster):
        return cluster.transactions() if self.with_transactions else 0

    def __enter__(self):
        if self.with_transactions:
            settle()
        self.before = {
            name: (self._transactions(cluster), cluster.statements())
            for name, cluster in self.clusters.items()
        }
        return self

    def __exit__(self, *exc):
        if self.with_transactions:
            settle()
        self.delta = {}
        for name, cluster in self.clusters.items():
            xacts, statements = self._transactions(cluster), cluster.statements()
            old_xacts, old_statements = self.before[name]
            calls = {}
            for qid, (count, query) in statements.items():
                diff = count - old_statements.get(qid, (0, ""))[0]
                if diff > 0:
                    calls[query] = calls.get(query, 0) + diff
            self.delta[name] = {"transactions": xacts - old_xacts, "calls": calls}
        return False

    def calls(self, name, mark=None):
        return sum(
            n
            for query, n in self.delta[name]["calls"].items()
            if not mark or mark in query
        )

    def summary(self, name):
        if not self.with_transactions:
            return f"{name}: {self.calls(name)} statements"
        return (
            f"{name}: {self.delta[name]['transactions']} transactions, "
            f"{self.calls(name)} statements"
        )


class Report:
    def __init__(self):
        self.results = []

    def check(self, label, ok, detail=""):
        self.results.append((label, bool(ok), detail))
        say(f"{'PASS' if ok else 'FAIL'}: {label}" + (f" ({detail})" if detail else ""))

    @property
    def ok(self):
        return bool(self.results) and all(ok for _label, ok, _detail in self.results)


def funnel_total(data):
    return sum(stage["count"] for stage in data["funnel"])


def check_reads(report, client, primary, standby, specs):
    """The dashboard and the reports come from the standby, not the primary."""
    with Counter(primary, standby) as count:
        data = client.call("xrm.dashboard", "get_dashboard_data", {})
        client.call("xrm.dashboard", "get_stage_insight", {})
        rows = {
            model: client.call(model, "web_search_read", [], specs[model], limit=80)[
                "length"
            ]
            for model in REPORTS
        }
    calls = len(REPORTS) + 2
    report.check(
        "dashboard answered (manager)",
        data["is_manager"] and data["funnel"],
        f"{funnel_total(data)} relationships in the funnel",
    )
    report.check(
        "dashboard statements ran on the standby, none on the primary",
        count.calls("standby", DASHBOARD_MARK) >= 1
        and count.calls("primary", DASHBOARD_MARK) == 0,
        f"standby {count.calls('standby', DASHBOARD_MARK)}, "
        f"primary {count.calls('primary', DASHBOARD_MARK)}",
    )
    for model in REPORTS:
        mark = '"{}"'.format(model.replace(".", "_"))
        report.check(
            f"report {model} read from the standby",
            count.calls("standby", mark) >= 1 and count.calls("primary", mark) == 0,
            f"{rows[model]} rows; statements standby "
            f"{count.calls('standby', mark)}, primary {count.calls('primary', mark)}",
        )
    report.check(
        "the read calls opened no transaction and ran no statement on the primary",
        count.delta["primary"]["transactions"] == 0 and count.calls("primary") == 0,
        f"{count.summary('standby')}; {count.summary('primary')}",
    )
    report.check(
        "each read call was a transaction on the standby",
        count.delta["standby"]["transactions"] >= calls,
        f"{calls} calls",
    )
    return data


def check_write(report, client, primary, standby, partner_id, marker):
    with Counter(primary, standby) as count:
        interaction_id = client.call(
            "xrm.interaction",
            "create",
            {"partner_id": partner_id, "channel": "phone", "summary": marker},
        )
    report.check(
        "creating an interaction ran on the primary, not the standby",
        count.calls("primary", INSERT_MARK) >= 1
        and count.calls("standby", INSERT_MARK) == 0
        and count.delta["primary"]["transactions"] >= 1,
        f"inserts primary {count.calls('primary', INSERT_MARK)}, standby "
        f"{count.calls('standby', INSERT_MARK)}; {count.summary('primary')}",
    )
    found = wait_for(
        lambda: standby.sql(
            f"SELECT 1 FROM xrm_interaction WHERE id = {int(interaction_id)}", db=DB
        ),
        timeout=30,
    )
    report.check(
        "the new interaction streamed to the standby",
        found is not None,
        f"after {found:.1f} s" if found is not None else "not within 30 s",
    )


def wait_for(predicate, timeout):
    """Seconds until ``predicate()`` is truthy, None after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.5)
    return None


def check_lag(report, client, primary, standby, stage_id, lag_seconds):
    """Replay paused on the standby: reads answer stale, then catch up."""
    baseline = funnel_total(client.call("xrm.dashboard", "get_dashboard_data", {}))
    standby.sql("SELECT pg_wal_replay_pause()")
    paused = wait_for(
        lambda: standby.sql("SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused",
        timeout=10,
    )
    report.check("replay paused on the standby", paused is not None)
    marker = f"replica lag {secrets.token_hex(4)}"
    partner_id = client.call(
        "res.partner",
        "create",
        {"name": marker, "is_company": True, "xrm_stage_id": stage_id},
    )
    client.call(
        "xrm.interaction",
        "create",
        {"partner_id": partner_id, "channel": "email", "summary": marker},
    )
    on_primary = primary.sql(
        f"SELECT count(*) FROM xrm_interaction WHERE summary = '{marker}'", db=DB
    )
    errors = []
    stale = []
    # Statements only: waiting for transaction counts would stretch the lag.
    with Counter(primary, standby, transactions=False) as count:
        lagging_since = time.monotonic()
        while not (stale or errors) or time.monotonic() - lagging_since < lag_seconds:
            try:
                data = client.call("xrm.dashboard", "get_dashboard_data", {})
                found = client.call(
                    "xrm.interaction", "search_count", [("summary", "=", marker)]
                )
                stale.append(funnel_total(data) == baseline and found == 0)
            except (Failure, OSError) as exc:
                errors.append(str(exc))
            time.sleep(1)
    report.check(
        f"with {lag_seconds} s of lag the dashboard answers without an error",
        not errors and stale,
        f"{len(stale)} calls" + (f"; errors: {errors[:2]}" if errors else ""),
    )
    report.check(
        "... and is stale (the new relationship and interaction not shown yet)",
        stale and all(stale),
        f"funnel {baseline} while the primary has {baseline + 1}; the "
        f"interaction: {on_primary[0][0]} on the primary, 0 read through Odoo",
    )
    report.check(
        "... and is still served by the standby",
        count.calls("primary", DASHBOARD_MARK) == 0
        and count.calls("standby", DASHBOARD_MARK) >= len(stale),
        f"{count.summary('standby')}; {count.summary('primary')}",
    )
    standby.sql("SELECT pg_wal_replay_resume()")

    def caught_up():
        data = client.call("xrm.dashboard", "get_dashboard_data", {})
        found = client.call(
            "xrm.interaction", "search_count", [("summary", "=", marker)]
        )
        return funnel_total(data) == baseline + 1 and found == 1

    seconds = wait_for(caught_up, timeout=30)
    report.check(
        "replay resumed: the new relationship and interaction appear",
        seconds is not None,
        f"after {seconds:.1f} s" if seconds is not None else "not within 30 s",
    )


def check_log(report, log_file):
    text = log_file.read_text(errors="replace") if log_file.exists() else ""
    bad = [
        line
        for line in text.splitlines()
        if any(mark in line for mark in FALLBACK_LOGS)
        or " ERROR " in line
        or " CRITICAL " in line
    ]
    report.check(
        "Odoo's log: no read-only call fell back to the primary, no error",
        not bad,
        "; ".join(bad[:3]),
    )


# --------------------------------------------------------------------------
# Set-up
# --------------------------------------------------------------------------
def make_primary(bindir, tmp, port, passwords):
    primary = Cluster("primary", bindir, tmp / "primary", port, tmp / "sock")
    say(f"primary: initdb in {primary.datadir}, port {port}")
    primary.initdb()
    primary.configure(
        port=port,
        listen_addresses="127.0.0.1",
        unix_socket_directories=tmp / "sock",
        wal_level="replica",
        max_wal_senders=4,
        wal_keep_size="512MB",
        hot_standby="on",
        shared_preload_libraries="pg_stat_statements",
        **{"pg_stat_statements.max": 10000},
        # A throwaway cluster: the install need not wait for the disk.
        fsync="off",
        synchronous_commit="off",
    )
    primary._write(
        primary.datadir / "pg_hba.conf",
        "local all all trust\n"
        f"host replication {REPL_ROLE} 127.0.0.1/32 scram-sha-256\n"
        f"host all {ODOO_ROLE} 127.0.0.1/32 scram-sha-256\n",
    )
    primary.start()
    primary.sql(
        f"CREATE ROLE {REPL_ROLE} LOGIN REPLICATION PASSWORD '{passwords[REPL_ROLE]}'"
    )
    primary.sql(
        f"CREATE ROLE {ODOO_ROLE} LOGIN CREATEDB PASSWORD '{passwords[ODOO_ROLE]}'"
    )
    return primary


def make_standby(bindir, tmp, port, primary, passwords):
    standby = Cluster("standby", bindir, tmp / "standby", port, tmp / "sock")
    say(f"standby: pg_basebackup -R from port {primary.port} to port {port}")
    primary.run(
        [
            bindir / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            primary.port,
            "-U",
            REPL_ROLE,
            "-D",
            standby.datadir,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ],
        env={"PGPASSWORD": passwords[REPL_ROLE]},
    )
    standby.configure(port=port)
    standby.start()
    state = standby.sql("SELECT pg_is_in_recovery()")[0][0]
    if state != "t":
        raise Failure("the standby is not in recovery")
    return standby


def odoo_db_args(primary, standby, passwords, data_dir):
    args = [
        f"--data-dir={data_dir}",
        "--db_host=127.0.0.1",
        f"--db_port={primary.port}",
        f"--db_user={ODOO_ROLE}",
        f"--db_password={passwords[ODOO_ROLE]}",
    ]
    if standby:
        args += ["--db_replica_host=127.0.0.1", f"--db_replica_port={standby.port}"]
    return args


def odoo_env():
    # Only the options above say where the databases are.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def install(odoo_src, venv, primary, passwords, tmp):
    say(f"installing {xrm.ADDON} with demo data into {DB} on the primary (minutes)")
    log_file = tmp / "install.log"
    res = subprocess.run(
        [
            str(c)
            for c in xrm.install_cmd(
                odoo_src,
                venv,
                DB,
                *odoo_db_args(primary, None, passwords, tmp / "data"),
                "--log-level=warn",
                f"--logfile={log_file}",
            )
        ],
        env=odoo_env(),
        check=False,
    )
    if res.returncode:
        raise Failure(f"the install failed (see {log_file})")
    # The view lives in ``postgres``, where the probes connect; start the
    # counts after the install so that its statements cannot crowd ours out.
    primary.sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    # Autovacuum's transactions count in pg_stat_database too: settle the
    # fresh database once, then keep autovacuum from adding to the counts.
    primary.sql("VACUUM ANALYZE", db=DB)
    primary.sql("ALTER SYSTEM SET autovacuum = off")
    primary.sql("SELECT pg_reload_conf()")
    primary.sql("SELECT pg_stat_statements_reset()")


def start_odoo(odoo_src, venv, primary, standby, passwords, tmp, http_port):
    log_file = tmp / "odoo.log"
    cmd = xrm.odoo_cmd(
        odoo_src,
        venv,
        "-d",
        DB,
        f"--db-filter=^{DB}$",
        f"--http-port={http_port}",
        "--http-interface=127.0.0.1",
        # Crons run on the primary's cron server, not on the HTTP workers.
        "--max-cron-threads=0",
        *odoo_db_args(primary, standby, passwords, tmp / "data"),
        "--log-level=info",
        f"--logfile={log_file}",
    )
    say(
        f"Odoo on port {http_port}: --db_port={primary.port} "
        f"--db_replica_port={standby.port}"
    )
    proc = subprocess.Popen([str(c) for c in cmd], env=odoo_env())
    return proc, log_file


def stop_odoo(proc):
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def prove(report, client, primary, standby, lag_seconds):
    client.login("admin", "admin")
    # Warm up: the registry loads, the specifications are read (not measured).
    specs = {model: _report_spec(client, model) for model in REPORTS}
    data = check_reads(report, client, primary, standby, specs)
    stage_id = data["funnel"][0]["id"]
    partner_id = client.call(
        "res.partner", "search", [("xrm_stage_id", "!=", False)], limit=1
    )[0]
    check_write(
        report, client, primary, standby, partner_id, f"replica {secrets.token_hex(4)}"
    )
    check_lag(report, client, primary, standby, stage_id, lag_seconds)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--primary-port", type=int, default=5440)
    parser.add_argument("--standby-port", type=int, default=5441)
    parser.add_argument("--http-port", type=int, default=8177)
    parser.add_argument(
        "--lag", type=int, default=5, help="seconds of paused replay (default 5)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the folder and logs")
    args = parser.parse_args(argv)
    busy = [
        p
        for p in (args.primary_port, args.standby_port, args.http_port)
        if not port_free(p)
    ]
    if busy:
        say(f"FAIL: ports already in use: {busy}")
        return 2
    odoo_src = xrm.ensure_odoo_src()
    venv = xrm.ensure_venv(odoo_src)
    xrm.ensure_no_installed_copy(venv)
    tmp = Path(tempfile.mkdtemp(prefix="xrm-replica-"))
    (tmp / "sock").mkdir()
    if os.geteuid() == 0:
        for path in (tmp, tmp / "sock"):
            shutil.chown(path, "postgres", "postgres")
    passwords = {REPL_ROLE: secrets.token_hex(12), ODOO_ROLE: secrets.token_hex(12)}
    report = Report()
    clusters, proc, log_file = [], None, None
    started = time.monotonic()
    try:
        bindir = pg_bindir()
        primary = make_primary(bindir, tmp, args.primary_port, passwords)
        clusters.append(primary)
        install(odoo_src, venv, primary, passwords, tmp)
        standby = make_standby(bindir, tmp, args.standby_port, primary, passwords)
        clusters.append(standby)
        report.check(
            "the standby streams from the primary",
            primary.sql("SELECT state FROM pg_stat_replication") == [["streaming"]],
        )
        proc, log_file = start_odoo(
            odoo_src, venv, primary, standby, passwords, tmp, args.http_port
        )
        client = Client(args.http_port)
        client.wait_up(proc)
        prove(report, client, primary, standby, args.lag)
        check_log(report, log_file)
    except (Failure, OSError) as exc:
        report.check("the run completed", False, str(exc))
    finally:
        stop_odoo(proc)
        for cluster in reversed(clusters):
            cluster.stop()
        if args.keep or not report.ok:
            say(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    passed = sum(ok for _label, ok, _detail in report.results)
    say(
        f"{'PASS' if report.ok else 'FAIL'}: {passed}/{len(report.results)} checks "
        f"in {time.monotonic() - started:.0f} s"
    )
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
