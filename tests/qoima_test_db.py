# qoima_test_db.py: where a qoimactl test's warehouse lives, for the scripts in tests/
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Python twin of qoima_test_new_store_location() (qoima-test-utils.c): an SQLite file in
# the test's folder; or, when QOIMA_TEST_DATABASE=postgresql (the `-pg` variants meson
# defines), a new database on a throwaway PostgreSQL server that this process starts at its
# first call (initdb + pg_ctl from QOIMA_PG_BINDIR, a Unix socket only) and stops at exit.
# As root the server runs as "postgres", since initdb refuses root.

import atexit
import json
import os
import pwd
import random
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing


def on_postgresql():
    return os.environ.get("QOIMA_TEST_DATABASE") == "postgresql"


class _Server:
    def __init__(self):
        self.bindir = os.environ.get("QOIMA_PG_BINDIR", "")
        if not os.access(os.path.join(self.bindir, "initdb"), os.X_OK):
            # Meson defines the -pg variants only where initdb is: this is a broken setup.
            raise RuntimeError("QOIMA_TEST_DATABASE=postgresql, but no initdb in QOIMA_PG_BINDIR")
        # Under /tmp: a Unix socket's path must stay short.
        self.dir = tempfile.mkdtemp(prefix="qoima-pg-", dir="/tmp")
        self.socket_dir = os.path.join(self.dir, "s")
        os.mkdir(self.socket_dir, 0o700)
        self.wrap = []
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            for path in (self.dir, self.socket_dir):
                os.chown(path, postgres.pw_uid, postgres.pw_gid)
            self.wrap = ["runuser", "-u", "postgres", "--"]
        self.port = 20000 + random.randrange(20000)
        self.n_databases = 0
        data = os.path.join(self.dir, "data")
        self._run("initdb", "-D", data, "-U", "qoima_admin", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "-N")
        options = (f"-c listen_addresses='' -c unix_socket_directories={self.socket_dir} "
                   f"-c port={self.port} -c fsync=off -c full_page_writes=off -c synchronous_commit=off")
        self._run("pg_ctl", "-D", data, "-l", os.path.join(self.dir, "server.log"), "-w", "-t", "60",
                  "-o", options, "start")
        # A watcher in a session of its own stops the server if this process dies first
        # (killed by a timeout), so that no server is left behind.
        script = ('while kill -0 "$1" 2>/dev/null; do sleep 1; done; [ -d "$2" ] || exit 0; '
                  f'{" ".join(self.wrap)} "{self.bindir}/pg_ctl" -D "$2/data" -m immediate -w stop '
                  '>/dev/null 2>&1; rm -rf "$2"')
        subprocess.Popen(["sh", "-c", script, "qoima-test-pg-watcher", str(os.getpid()), self.dir],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        atexit.register(self.stop)

    def _run(self, program, *args):
        proc = subprocess.run([*self.wrap, os.path.join(self.bindir, program), *args], cwd=self.dir,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{program}: {proc.stdout}{proc.stderr}")
        return proc.stdout

    def new_database(self):
        self.n_databases += 1
        name = f"qoima_{self.n_databases}"
        self._run("createdb", "-h", self.socket_dir, "-p", str(self.port), "-U", "qoima_admin", name)
        return f"postgresql:///{name}?host={self.socket_dir}&port={self.port}&user=qoima_admin"

    def stop(self):
        if os.path.isdir(self.dir):
            subprocess.run([*self.wrap, os.path.join(self.bindir, "pg_ctl"), "-D",
                            os.path.join(self.dir, "data"), "-m", "immediate", "-w", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(self.dir, ignore_errors=True)


_server = None


def new_location(folder, name="qoima.db"):
    """Where a new warehouse goes: the file @name in @folder, or a new PostgreSQL database."""
    global _server
    if not on_postgresql():
        return os.path.join(folder, name)
    if _server is None:
        _server = _Server()
    return _server.new_database()


def query(location, sql, *args):
    """The rows of @sql (a read, with ? for each of @args) on the warehouse at @location, as
    tuples of Python values: numbers as int, text as str, on either engine."""
    if location.startswith(("postgresql:", "postgres:")):
        # psql's text would make every number a string: the rows come back as JSON instead.
        parts = sql.split("?")
        if len(parts) != len(args) + 1:
            raise ValueError("one argument per ?: " + sql)
        sql = parts[0] + "".join(_literal(a) + p for a, p in zip(args, parts[1:]))
        psql = os.path.join(os.environ.get("QOIMA_PG_BINDIR", ""), "psql")
        proc = subprocess.run([psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                               "-c", f"SELECT coalesce (json_agg (t), '[]') FROM ({sql}) t", location],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"psql: {proc.stderr}")
        return json.loads(proc.stdout, object_pairs_hook=lambda pairs: tuple(v for _, v in pairs))
    with closing(sqlite3.connect(f"file:{location}?mode=ro", uri=True)) as con:
        return con.execute(sql, args).fetchall()


def _literal(value):
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def execute(location, sql):
    """Runs @sql (a write, several statements allowed) on the warehouse at @location."""
    if location.startswith(("postgresql:", "postgres:")):
        psql = os.path.join(os.environ.get("QOIMA_PG_BINDIR", ""), "psql")
        subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql, location],
                       stdout=subprocess.DEVNULL, check=True)
        return
    with closing(sqlite3.connect(location)) as con:
        con.executescript(sql)
        con.commit()
