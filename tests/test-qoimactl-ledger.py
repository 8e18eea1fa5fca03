#!/usr/bin/env python3
# test-qoimactl-ledger.py: `qoimactl move` and `qoimactl use` acting as named users
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-qoimactl-ledger.py QOIMACTL   (TAP output; meson passes the path)

import json
import os
import subprocess
import sys
import tempfile

import qoima_test_db  # tests/qoima_test_db.py: SQLite file or PostgreSQL database

qoimactl = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="qoimactl-ledger-")
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


def stock():
    return {p["ki"]: p for p in json.loads(q("stock", "--json").stdout)}


subprocess.run([qoimactl, "--db", db, "demo", "--packs", "200"], check=True, stdout=subprocess.DEVNULL)
admin_pw, clerk_pw, nurse_pw = secret("a", "Admin-pass-1"), secret("c", "Clerk-pass-2"), secret("n", "4711")
ward = "Терапевтическое отделение"
assert q("users", "add", "admin", "--role", "admin", "--password-file", admin_pw).returncode == 0
assert q("users", "add", "dana", "--role", "nurse", "--ward", ward, "--password-file", nurse_pw,
         user="admin", password=admin_pw).returncode == 0
packs = stock()
assert q("users", "add", "aigul", "--role", "clerk", "--password-file", clerk_pw,
         user="admin", password=admin_pw).returncode == 0

# A sealed multi-unit pack in the warehouse.
# Of a product none of whose packs is open yet, so that its units per pack may still change.
opened_gtins = {p["ki"][2:16] for p in packs.values() if p["status"] == "opened"}
pack = next(p for p in packs.values() if p["status"] == "in_stock" and (p["units_per_pack"] or 0) >= 3
            and p["location"] == "Склад аптеки" and p["ki"][2:16] not in opened_gtins)
units = pack["units_per_pack"]

proc = q("move", "--to", ward, "--code", pack["ki"], user="aigul", password=clerk_pw)
check("a clerk moves a pack to a ward", proc.returncode == 0 and stock()[pack["ki"]]["location"] == ward,
      proc.stderr)
number = proc.stdout.splitlines()[0] if proc.stdout else ""
check("move prints the transfer document's number", number == "ВП-000001", proc.stdout)
proc = q("transfers", "--json")
docs = json.loads(proc.stdout) if proc.returncode == 0 else []
check("transfers --json lists the document", len(docs) == 1 and docs[0]["number"] == number
      and docs[0]["to"] == ward and docs[0]["packs"] == 1 and docs[0]["actor"] == "aigul", proc.stdout)
proc = q("units", "--gtin", pack["ki"][2:16], "--units", str(units + 1), user="aigul", password=clerk_pw)
check("units per pack: a new value is taken while no pack is opened", proc.returncode == 0, proc.stderr)
proc = q("units", "--gtin", pack["ki"][2:16], "--units", str(units), user="aigul", password=clerk_pw)
check("units per pack: set back", proc.returncode == 0 and stock()[pack["ki"]]["units_left"] == units, proc.stderr)

nurse = "dana"
proc = q("use", "--ward", ward, "--code", pack["ki"], "--patient", "850715400238", "--units", "1",
         user=nurse, password=nurse_pw)
first = json.loads(proc.stdout) if proc.returncode == 0 else {}
check("the ward's nurse logs a tablet (IIN checked)", first.get("units_left") == units - 1, proc.stderr)

proc = q("use", "--code", pack["ki"], "--patient", "850715400239", user=nurse, password=nurse_pw)
check("a wrong IIN is refused, nothing recorded",
      proc.returncode == 1 and "IIN" in proc.stderr and stock()[pack["ki"]]["units_left"] == units - 1,
      proc.stderr)
proc = q("use", "--code", pack["ki"], "--patient", "MK2041", "--units", str(units), user=nurse, password=nurse_pw)
check("more units than remain are refused", proc.returncode == 1 and "remain" in proc.stderr
      and stock()[pack["ki"]]["units_left"] == units - 1, proc.stderr)
proc = q("use", "--code", pack["ki"], "--patient", "MK2041", "--units", str(units - 1), user=nurse, password=nurse_pw)
last = json.loads(proc.stdout) if proc.returncode == 0 else {}
check("the last units for a second patient: used up, withdrawal owed (R000-9)",
      last.get("units_left") == 0 and last.get("used_up") and last.get("withdrawal_owed"), proc.stderr)
check("the pack is used up in the stock", stock()[pack["ki"]]["status"] == "used_up")

other = next(p for p in stock().values() if p["status"] == "in_stock" and p["location"] == "Склад аптеки")
proc = q("move", "--to", ward, "--code", other["ki"], user=nurse, password=nurse_pw)
check("a nurse may not move stock", proc.returncode == 1 and stock()[other["ki"]]["location"] == "Склад аптеки",
      proc.stderr)
proc = q("use", "--code", other["ki"], "--patient", "850715400238", user=nurse, password=nurse_pw)
check("a pack in another place is refused for the nurse", proc.returncode == 1, proc.stderr)
proc = q("use", "--ward", "Хирургическое отделение", "--code", pack["ki"], "--patient", "850715400238",
         user=nurse, password=nurse_pw)
check("a nurse logs use only in her own ward", proc.returncode == 1, proc.stderr)
proc = q("move", "--to", ward, "--code", other["ki"])
check("without --user nothing moves", proc.returncode == 1 and "--user" in proc.stderr, proc.stderr)
proc = q("units", "--gtin", pack["ki"][2:16], "--units", str(units + 5), user="aigul", password=clerk_pw)
check("units per pack stay once a pack was opened", proc.returncode == 1 and "opened" in proc.stderr, proc.stderr)
proc = q("units", "--gtin", pack["ki"][2:16], "--units", "3", user=nurse, password=nurse_pw)
check("a nurse may not enter units per pack", proc.returncode == 1, proc.stderr)
proc = q("audit", "verify")
check("the audit trail verifies", proc.returncode == 0 and proc.stdout.startswith("audit trail OK"), proc.stdout)

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} {name}")
    if not ok:
        for line in str(detail).splitlines() or [""]:  # a multi-line detail must not break TAP
            print(f"# {line}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
