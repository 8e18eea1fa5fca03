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


# Read-only databases ---------------------------------------------------------------------------

def unprivileged():
    """How to run qoimactl so that file modes apply: as is, or for root in a user namespace
    with no mapping (root there keeps its uid, so the owner's bits apply, but loses the
    capability to override them). None when neither is possible."""
    if os.geteuid() != 0:
        return ()
    try:
        if subprocess.run(["unshare", "--user", "true"], stderr=subprocess.DEVNULL).returncode == 0:
            return ("unshare", "--user")
    except OSError:
        pass
    return None


def check_reads(db, wrap=(), preexec_fn=None, wards_expected=None):
    admin = ["--user", "admin", "--password-file", ADMIN_PW]
    stock = q(db, "stock", "--json", wrap=wrap, preexec_fn=preexec_fn)
    assert stock.returncode == 0, stock.stderr
    assert len(json.loads(stock.stdout)) == 10, stock.stdout[:200]
    audit = q(db, "audit", "verify", wrap=wrap, preexec_fn=preexec_fn)
    assert audit.returncode == 0 and audit.stdout.startswith("audit trail OK"), (audit.stdout, audit.stderr)
    wards = q(db, "wards", "--json", wrap=wrap, preexec_fn=preexec_fn)
    assert wards.returncode == 0, wards.stderr
    names = [w["name_ru"] for w in json.loads(wards.stdout)]
    if wards_expected is not None:
        assert wards_expected in names, names
    report = q(db, *admin, "report", "medicines", "--csv", "-", wrap=wrap, preexec_fn=preexec_fn)
    assert report.returncode == 0, report.stderr
    return names


def check_write_refused(db, said, wrap=(), preexec_fn=None):
    admin = ["--user", "admin", "--password-file", ADMIN_PW]
    before = sorted(os.listdir(os.path.dirname(db)))
    proc = q(db, *admin, "wards", "add", "Хирургия-2", wrap=wrap, preexec_fn=preexec_fn)
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stderr.startswith(PREFIX) and said in proc.stderr, proc.stderr
    assert "may be failing" not in proc.stderr, proc.stderr
    return before


@case
def read_only_file_and_folder_are_read():
    # Issue 9: a read-only database could not even be read. Now stock, the audit check, lists
    # and reports work, and a change is refused saying that it cannot be recorded, and why.
    wrap = unprivileged()
    if wrap is None:
        return "running as root without user namespaces: file modes cannot be made to apply"
    for what, mode_of in (("file 0444", lambda db: [(db, 0o444, 0o644)]),
                          ("folder 0555", lambda db: [(os.path.dirname(db), 0o555, 0o755)]),
                          ("file 0444 in folder 0555", lambda db: [(db, 0o444, 0o644),
                                                                  (os.path.dirname(db), 0o555, 0o755)])):
        db = demo_db("ro-" + what.replace(" ", "-"))
        for path, mode, _ in mode_of(db):
            os.chmod(path, mode)
        try:
            before = sorted(os.listdir(os.path.dirname(db)))
            check_reads(db, wrap=wrap)
            check_write_refused(db, "is read-only, so Qoima cannot record anything in it", wrap=wrap)
            # Reading left nothing beside the file (a -shm or -wal made by a read-only
            # reader would be read-only itself, and stop the writer once modes are back).
            assert sorted(os.listdir(os.path.dirname(db))) == before, (what, os.listdir(os.path.dirname(db)))
        finally:
            for path, _, back in mode_of(db):
                os.chmod(path, back)
        # Nothing was changed, and the file works as before once it may be written.
        proc = q(db, "--user", "admin", "--password-file", ADMIN_PW, "wards", "add", "Хирургия-2")
        assert proc.returncode == 0, (what, proc.stderr)


@case
def read_only_file_with_changes_in_its_wal_is_read_whole():
    # A -wal that holds changes (another program has the file open, or crashed): the read-only
    # reader must see them, so it shares the -shm instead of reading the file alone.
    wrap = unprivileged()
    if wrap is None:
        return "running as root without user namespaces: file modes cannot be made to apply"
    import sqlite3
    db = demo_db("ro-wal")
    holder = sqlite3.connect(db)  # keeps the WAL from being checkpointed and removed
    try:
        holder.execute("SELECT count(*) FROM sqlite_master").fetchone()
        proc = q(db, "--user", "admin", "--password-file", ADMIN_PW, "wards", "add", "Только в WAL")
        assert proc.returncode == 0, proc.stderr
        copy = os.path.join(tmp, "ro-wal-copy")
        os.makedirs(copy)
        for suffix in ("", "-wal"):
            shutil.copy(db + suffix, os.path.join(copy, "qoima.db" + suffix))
    finally:
        holder.close()
    copied = os.path.join(copy, "qoima.db")
    assert os.path.getsize(copied + "-wal") > 0
    os.chmod(copied, 0o444)
    try:
        check_reads(copied, wrap=wrap, wards_expected="Только в WAL")
        check_write_refused(copied, "cannot record anything", wrap=wrap)
    finally:
        os.chmod(copied, 0o644)


# A full disk -----------------------------------------------------------------------------------
#
# An unprivileged test cannot fill a real disk or mount a small one in the usual way. Two
# ways that can, both used:
# - RLIMIT_FSIZE = 0 in the child (SIGXFSZ ignored): no file may grow, writes fail with EFBIG,
#   as on a disk with 0 bytes free (stricter: even pages already allocated cannot be
#   rewritten). Always available.
# - a real full file system: a 4 MB tmpfs mounted in a new user and mount namespace
#   (unshare -Urm, no privileges needed where user namespaces are allowed), filled with a
#   file until ENOSPC. Skipped where user namespaces are not allowed.

def no_file_may_grow():
    import resource
    import signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


@case
def full_disk_rlimit_reads_work_and_a_change_says_full():
    db = demo_db("full-rlimit")
    check_reads(db, preexec_fn=no_file_may_grow)
    check_write_refused(db, "The disk is full", preexec_fn=no_file_may_grow)
    # Nothing half-written: with room again, the trail is whole and the ward was not added.
    audit = q(db, "audit", "verify")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "Хирургия-2" not in q(db, "wards", "--json").stdout


FULL_SCRIPT = r'''
set -e
mount -t tmpfs -o size=4m tmpfs "$1"
exec "$2" "$3" "$4" --inside-full-tmpfs "$1"
'''


def inside_full_tmpfs(folder):
    """Runs in the namespace with a fresh tmpfs at @folder; prints what happened as JSON."""
    db = os.path.join(folder, "qoima.db")
    assert q(db, "demo", "--packs", "10").returncode == 0
    assert q(db, "users", "add", "admin", "--role", "admin", "--password-file", ADMIN_PW).returncode == 0
    with open(os.path.join(folder, "filler"), "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
    st = os.statvfs(folder)
    out = {"free": st.f_bavail * st.f_frsize}
    admin = ["--user", "admin", "--password-file", ADMIN_PW]
    for name, args in (("stock", ["stock", "--json"]), ("audit", ["audit", "verify"]),
                       ("wards", ["wards", "--json"]), ("write", [*admin, "wards", "add", "Хирургия-2"])):
        proc = q(db, *args)
        out[name] = [proc.returncode, proc.stdout, proc.stderr]
    proc = q(os.path.join(folder, "new", "qoima.db"), "stock", "--json")
    out["create"] = [proc.returncode, proc.stdout, proc.stderr]
    print(json.dumps(out))


@case
def full_disk_real_tmpfs():
    folder = os.path.join(tmp, "tmpfs")
    os.makedirs(folder)
    try:
        proc = subprocess.run(["unshare", "-Urm", "sh", "-c", FULL_SCRIPT, "sh", folder, sys.executable,
                               os.path.abspath(__file__), qoimactl],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    except OSError as e:
        return "no unshare: %s" % e
    if proc.returncode != 0 and ("unshare" in proc.stderr or "mount" in proc.stderr):
        return "no user namespace or tmpfs mount here: %s" % proc.stderr.strip()
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["free"] == 0, out["free"]
    assert out["stock"][0] == 0 and len(json.loads(out["stock"][1])) == 10, out["stock"]
    assert out["audit"][0] == 0 and out["audit"][1].startswith("audit trail OK"), out["audit"]
    assert out["wards"][0] == 0, out["wards"]
    for name in ("write", "create"):
        status, _, err = out[name]
        assert status == 1 and err.startswith(PREFIX) and "The disk is full" in err, (name, out[name])
        assert "may be failing" not in err, (name, err)


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
    if len(sys.argv) == 4 and sys.argv[2] == "--inside-full-tmpfs":
        inside_full_tmpfs(sys.argv[3])
        sys.exit(0)
    sys.exit(main())
