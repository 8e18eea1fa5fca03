#!/usr/bin/env python3
# test-qoimactl-store.py: qoimactl on a bad store and with bad input (issue 9): every error
# starts the same way, a full disk is said to be full and a read-only database can still be read
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-qoimactl-store.py QOIMACTL   (TAP output; meson passes the path)

import json
import os
import shutil
import subprocess
import sys
import tempfile

qoimactl = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="qoimactl-store-")
PREFIX = "qoimactl: "
tests = []


def case(func):
    tests.append(func)
    return func


def env():
    e = dict(os.environ, LC_ALL="C.UTF-8")
    e.pop("LANGUAGE", None)
    return e


def q(db, *args, stdin=None, preexec_fn=None, wrap=()):
    return subprocess.run([*wrap, qoimactl, "--db", db, *args], env=env(), stdin=stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
                          preexec_fn=preexec_fn)


def secret(name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def demo_db(name, packs=10):
    """A fresh database with demo packs and an admin, closed (so no -wal or -shm is left)."""
    folder = os.path.join(tmp, name)
    os.makedirs(folder)
    db = os.path.join(folder, "qoima.db")
    assert q(db, "demo", "--packs", str(packs)).returncode == 0
    proc = q(db, "users", "add", "admin", "--role", "admin", "--password-file", ADMIN_PW)
    assert proc.returncode == 0, proc.stderr
    return db


def error_lines(proc):
    """stderr without the usage text that may follow an error."""
    lines = proc.stderr.splitlines()
    if "Usage: qoimactl" in proc.stderr:
        lines = lines[:[i for i, l in enumerate(lines) if l.startswith("Usage: qoimactl")][0]]
    return lines


ADMIN_PW = secret("admin.pw", b"Admin-pass-1\n")


# One error prefix ----------------------------------------------------------------------------

@case
def every_error_starts_with_the_prefix():
    # Issue 9: `users add` and `audit verify` printed errors without "qoimactl: ". A sample of
    # failing commands of each kind: a store that cannot be opened, a refused input, a refused
    # role, a wrong password, a usage error with its message, a file that cannot be read.
    db = demo_db("prefix")
    folder_db = os.path.join(tmp, "prefix")  # a folder, not a database
    nul_pw = secret("nul.pw", b"Admin\0pass\n")
    long_pw = secret("long.pw", b"x" * 10000 + b"\n")
    stdin_dir = os.open(tmp, os.O_RDONLY)
    admin = ["--user", "admin", "--password-file", ADMIN_PW]
    try:
        failing = [
            ("no store: stock", q(folder_db, "stock", "--json")),
            ("no store: audit verify", q(folder_db, "audit", "verify")),
            ("no store: users add", q(folder_db, "users", "add", "x", "--role", "nurse", "--password-file", ADMIN_PW)),
            ("no store: users --json", q(folder_db, "users", "--json")),
            ("no store: report", q(folder_db, *admin, "report", "wards")),
            ("users add: bad IIN", q(db, *admin, "users", "add", "x", "--role", "chief", "--iin", "123",
                                     "--password-file", ADMIN_PW)),
            ("users add: delegation to a nurse", q(db, *admin, "users", "add", "x", "--role", "nurse",
                                                   "--may-sign", "--password-file", ADMIN_PW)),
            ("users add: unknown ward", q(db, *admin, "users", "add", "x", "--role", "nurse", "--ward", "Nowhere",
                                          "--password-file", ADMIN_PW)),
            ("users add: no password file", q(db, *admin, "users", "add", "x", "--role", "nurse",
                                              "--password-file", os.path.join(tmp, "missing"))),
            ("users add: NUL in the password", q(db, *admin, "users", "add", "x", "--role", "nurse",
                                                 "--password-file", nul_pw)),
            ("users add: password line too long", q(db, *admin, "users", "add", "x", "--role", "nurse",
                                                    "--password-file", long_pw)),
            ("users add: no --user", q(db, "users", "add", "x", "--role", "nurse", "--password-file", ADMIN_PW)),
            ("wrong password", q(db, "--user", "admin", "--password-file", nul_pw, "wards", "add", "X")),
            ("wards archive: no such ward", q(db, *admin, "wards", "archive", "Nowhere")),
            ("demo: not empty", q(db, "demo")),
            ("demo: not a number", q(db, "demo", "--packs", "many")),
            ("move: no such code", q(db, *admin, "move", "--to", "Nowhere", "--code", "0104607000000014215AbCdEfGh1234")),
            ("accept: no key", q(db, *admin, "accept", "1")),
            ("parse: unreadable input", q(db, "parse", stdin=stdin_dir)),
            ("unknown command", q(db, "no-such-command")),
            ("unknown option", q(db, "--no-such-option")),
        ]
    finally:
        os.close(stdin_dir)
    for name, proc in failing:
        lines = error_lines(proc)
        assert proc.returncode != 0, (name, proc.returncode, proc.stderr)
        assert lines, (name, proc.stderr)
        for line in lines:
            assert line.startswith(PREFIX) and not line.startswith(PREFIX + PREFIX), (name, proc.stderr)
    # The NUL and the long line say what is wrong with the file.
    said = dict((name, proc.stderr) for name, proc in failing)
    assert "holds a NUL byte (byte 6)" in said["users add: NUL in the password"], said
    assert "longer than 8192 bytes" in said["users add: password line too long"], said
    assert "Cannot read the standard input" in said["parse: unreadable input"], said


def main():
    print("1..%d" % len(tests))
    failed = 0
    for number, test in enumerate(tests, 1):
        try:
            skipped = test()
            if skipped:
                print("ok %d %s # SKIP %s" % (number, test.__name__, skipped))
            else:
                print("ok %d %s" % (number, test.__name__))
        except Exception as e:  # report every failure, then go on
            failed += 1
            print("not ok %d %s" % (number, test.__name__))
            for line in repr(e).splitlines():
                print("# " + line)
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
