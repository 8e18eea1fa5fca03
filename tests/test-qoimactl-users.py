#!/usr/bin/env python3
# test-qoimactl-users.py: `qoimactl users`, `wards` and `settings` as an administrator's script runs them
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-qoimactl-users.py QOIMACTL   (TAP output; meson passes the path)

import json
import os
import subprocess
import sys
import tempfile

import qoima_test_db  # tests/qoima_test_db.py: SQLite file or PostgreSQL database

qoimactl = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="qoimactl-users-")
db = qoima_test_db.new_location(tmp)
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def secret(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text + "\n")
    return path


def q(*args, user=None, password=None):
    opts = ["--db", db]
    if user:
        opts += ["--user", user, "--password-file", password]
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
    return subprocess.run([qoimactl, *opts, *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)


def wards():
    return {w["name_ru"]: w for w in json.loads(q("wards", "--json").stdout)}


def users():
    return {u["name"]: u for u in json.loads(q("users", "--json").stdout)}


def setting(key):
    rows = qoima_test_db.query(db, "SELECT value FROM settings WHERE key = '%s'" % key.replace("'", "''"))
    return rows[0][0] if rows else None


admin_pw, clerk_pw, nurse_pw = secret("a", "Admin-pass-1"), secret("c", "Clerk-pass-2"), secret("n", "4711")
new_pw = secret("new", "Brand-new-pass")
assert q("users", "add", "admin", "--role", "admin", "--password-file", admin_pw).returncode == 0
assert q("users", "add", "aigul", "--role", "clerk", "--password-file", clerk_pw,
         user="admin", password=admin_pw).returncode == 0

proc = q("wards", "add", "Хирургия", "--name-kk", "Хирургия бөлімі", user="admin", password=admin_pw)
check("an admin adds a ward", proc.returncode == 0 and wards().get("Хирургия", {}).get("name_kk") == "Хирургия бөлімі",
      proc.stderr)
proc = q("wards", "add", "Кардиология", user="aigul", password=clerk_pw)
check("a clerk may not add a ward", proc.returncode == 1 and "may not manage locations" in proc.stderr
      and "Кардиология" not in wards(), proc.stderr)
proc = q("wards", "add", "Кардиология")
check("nobody may not add a ward", proc.returncode == 1 and "--user" in proc.stderr, proc.stderr)

proc = q("users", "add", "dana", "--role", "nurse", "--ward", "Хирургия", "--password-file", nurse_pw,
         user="admin", password=admin_pw)
check("a nurse of the new ward", proc.returncode == 0 and users()["dana"]["ward_id"] == wards()["Хирургия"]["id"],
      proc.stderr)

proc = q("wards", "archive", "Хирургия", user="admin", password=admin_pw)
check("a ward with a nurse is not archived, and says why",
      proc.returncode == 1 and "nurse" in proc.stderr and not wards()["Хирургия"]["archived"], proc.stderr)

proc = q("users", "disable", "dana", user="aigul", password=clerk_pw)
check("a clerk may not disable a user", proc.returncode == 1 and not users()["dana"]["disabled"], proc.stderr)
proc = q("users", "disable", "dana", user="admin", password=admin_pw)
check("an admin disables the nurse", proc.returncode == 0 and users()["dana"]["disabled"], proc.stderr)
proc = q("users", "disable", "admin", user="admin", password=admin_pw)
check("the last admin is not disabled", proc.returncode == 1 and not users()["admin"]["disabled"], proc.stderr)

proc = q("wards", "archive", "Хирургия", user="admin", password=admin_pw)
check("the emptied ward is archived", proc.returncode == 0 and wards()["Хирургия"]["archived"], proc.stderr)
proc = q("users", "add", "aru", "--role", "nurse", "--ward", "Хирургия", "--password-file", nurse_pw,
         user="admin", password=admin_pw)
check("an archived ward is not offered", proc.returncode == 1 and "aru" not in users(), proc.stderr)

proc = q("users", "passwd", "aigul", "--new-password-file", new_pw, user="aigul", password=clerk_pw)
check("a clerk changes her own password", proc.returncode == 0, proc.stderr)
proc = q("users", "passwd", "admin", "--new-password-file", new_pw, user="aigul", password=new_pw)
check("a clerk may not change the admin's password", proc.returncode == 1 and "admin" in proc.stderr, proc.stderr)
proc = q("users", "passwd", "aigul", "--new-password-file", clerk_pw, user="admin", password=admin_pw)
# She logs in with the reset password: refused for her role, not for a wrong password.
again = q("wards", "add", "Кардиология", user="aigul", password=clerk_pw)
check("an admin resets it", proc.returncode == 0 and "may not manage locations" in again.stderr,
      proc.stderr + again.stderr)
proc = q("users", "passwd", "aigul", "--new-password-file", secret("short", "123"), user="admin", password=admin_pw)
check("a too short password is refused with the rule", proc.returncode == 1 and "4 to 6 digits" in proc.stderr,
      proc.stderr)

proc = q("settings", "auto-withdraw", "on", user="aigul", password=clerk_pw)
check("a clerk may not turn automatic withdrawals on", proc.returncode == 1 and setting("auto-withdraw") is None,
      proc.stderr)
proc = q("settings", "auto-withdraw", "on", user="admin", password=admin_pw)
check("an admin turns them on", proc.returncode == 0 and setting("auto-withdraw") == "true", proc.stderr)
proc = q("settings", "auto-withdraw", "off", user="admin", password=admin_pw)
check("and off", proc.returncode == 0 and setting("auto-withdraw") == "false", proc.stderr)
proc = q("settings", "organization", "ГКП «Городская больница №2»", user="aigul", password=clerk_pw)
check("a clerk may not name the hospital", proc.returncode == 1 and setting("organization") is None, proc.stderr)
proc = q("settings", "organization", "ГКП «Городская больница №2»", user="admin", password=admin_pw)
check("an admin names the hospital for printed documents",
      proc.returncode == 0 and setting("organization") == "ГКП «Городская больница №2»", proc.stderr)
check("usage errors exit 2", q("settings", "auto-withdraw", "maybe").returncode == 2
      and q("settings", "organization").returncode == 2
      and q("settings", "organization", "").returncode == 2
      and q("wards", "rename").returncode == 2)

# Who signs (issue 8): the IIN of her key, checked by its check digit; a clerk signs only
# when an admin delegated it, and the delegation is audited.
proc = q("users", "add", "chief", "--role", "chief", "--iin", "850715400238", "--password-file", clerk_pw,
         user="admin", password=admin_pw)
check("a chief is added with her IIN", proc.returncode == 0 and users()["chief"]["iin"] == "850715400238"
      and not users()["chief"]["may_sign"], proc.stderr)
proc = q("users", "add", "bota", "--role", "clerk", "--iin", "850715400239", "--password-file", clerk_pw,
         user="admin", password=admin_pw)
check("a wrong check digit is refused, and nobody is added", proc.returncode == 1 and "check digit" in proc.stderr
      and "bota" not in users(), proc.stderr)
proc = q("users", "add", "bota", "--role", "admin", "--may-sign", "--password-file", clerk_pw,
         user="admin", password=admin_pw)
check("only a clerk is delegated", proc.returncode == 1 and "clerk" in proc.stderr and "bota" not in users(),
      proc.stderr)
proc = q("users", "signing", "aigul", "--iin", "900312450126", "--may-sign", "yes", user="aigul", password=clerk_pw)
check("a clerk may not delegate herself", proc.returncode == 1 and not users()["aigul"]["may_sign"], proc.stderr)
proc = q("users", "signing", "aigul", "--iin", "900312450126", "--may-sign", "yes", user="admin", password=admin_pw)
check("an admin delegates signing to a clerk", proc.returncode == 0 and users()["aigul"]["may_sign"]
      and users()["aigul"]["iin"] == "900312450126", proc.stderr)
proc = q("users", "signing", "aigul", "--iin", "850715400238", user="admin", password=admin_pw)
check("an IIN belongs to one user", proc.returncode == 1 and users()["aigul"]["iin"] == "900312450126", proc.stderr)
proc = q("users", "signing", "aigul", "--may-sign", "no", user="admin", password=admin_pw)
check("and withdraws it, the IIN kept", proc.returncode == 0 and not users()["aigul"]["may_sign"]
      and users()["aigul"]["iin"] == "900312450126", proc.stderr)
if qoima_test_db.on_postgresql():
    delegations = qoima_test_db.query(db, "SELECT actor, reason FROM audit WHERE tbl = 'users' "
                                          "AND new_values::jsonb->>'may_sign' <> old_values::jsonb->>'may_sign' "
                                          "ORDER BY id")
else:
    delegations = qoima_test_db.query(db, "SELECT actor, reason FROM audit WHERE tbl = 'users' "
                                          "AND json_extract (new_values, '$.may_sign') <> json_extract (old_values, '$.may_sign') "
                                          "ORDER BY id")
check("the delegation and its withdrawal are audited, with the admin",
      delegations == [("admin", "signing delegated"), ("admin", "signing set")], delegations)
check("usage errors exit 2 (signing)", q("users", "signing", "aigul", "--may-sign", "maybe").returncode == 2)

proc = q("audit", "verify")
check("the audit trail verifies", proc.returncode == 0, proc.stdout + proc.stderr)

print("1..%d" % len(results))
for i, (name, ok, detail) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    if not ok and detail:
        for line in detail.splitlines():
            print("# " + line)
