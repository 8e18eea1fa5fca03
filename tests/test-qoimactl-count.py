#!/usr/bin/env python3
# test-qoimactl-count.py: `qoimactl count`, a ward's stock count as a script makes it
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-qoimactl-count.py QOIMACTL   (TAP output; meson passes the path)
#
# The nurse counts her ward with the codes on standard input, as a scanner in a terminal
# types them; one pack was taken out without a movement; the chief signs the count off and
# the pack is owed as a lost write-off. A pack of the warehouse found in the ward is "there
# but not on the book"; the result exported as XLSX (read back by openpyxl) and PDF (by
# pdftotext), tools the project did not write, lists both with why.

import json
import os
import subprocess
import sys
import tempfile

import qoima_test_db  # tests/qoima_test_db.py: SQLite file or PostgreSQL database

qoimactl = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="qoimactl-count-")
db = qoima_test_db.new_location(tmp)
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def secret(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text + "\n")
    return path


def q(*args, user=None, password=None, stdin=None):
    opts = ["--db", db]
    if user:
        opts += ["--user", user, "--password-file", password]
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
    return subprocess.run([qoimactl, *opts, *args], env=env, input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)


subprocess.run([qoimactl, "--db", db, "demo", "--packs", "200"], check=True, stdout=subprocess.DEVNULL)
admin_pw, chief_pw, nurse_pw = secret("a", "Admin-pass-1"), secret("c", "Chief-pass-3"), secret("n", "4711")
ward = "Терапевтическое отделение"
assert q("users", "add", "admin", "--role", "admin", "--password-file", admin_pw).returncode == 0
assert q("users", "add", "dana", "--role", "nurse", "--ward", ward, "--password-file", nurse_pw,
         user="admin", password=admin_pw).returncode == 0
assert q("users", "add", "chief", "--role", "chief", "--password-file", chief_pw,
         user="admin", password=admin_pw).returncode == 0

proc = q("count", "--help")
check("count --help answers with exit status 0", proc.returncode == 0 and "count start" in proc.stdout, proc.stdout)
proc = q("count", "start")
check("a usage error exits 2", proc.returncode == 2, proc.stderr)

packs = json.loads(q("stock", "--json").stdout)
in_ward = [p["ki"] for p in packs if p["location"] == ward and p["status"] in ("in_stock", "opened")]
assert len(in_ward) >= 2, in_ward
taken = in_ward[-1]

proc = q("count", "start", "--location", ward, user="dana", password=nurse_pw)
count = proc.stdout.strip()
check("the ward's nurse starts a count and gets its id", proc.returncode == 0 and count.isdigit(), proc.stderr)

lines = "\n".join(in_ward[:-1] + [in_ward[0]]) + "\n"
proc = q("count", "scan", count, user="dana", password=nurse_pw, stdin=lines)
scans = [json.loads(line) for line in proc.stdout.splitlines()] if proc.returncode == 0 else []
check("scanned lines are counted, one JSON object each", len(scans) == len(in_ward)
      and all(s["finding"] == "found" for s in scans), proc.stdout + proc.stderr)
check("a pack scanned twice is counted once", scans and scans[-1]["added"] == 0 and scans[-1]["already"] == 1,
      proc.stdout)
proc = q("count", "scan", count, "not a code", user="dana", password=nurse_pw)
check("a garbled scan is refused, the others stand", proc.returncode == 1 and proc.stderr.startswith("qoimactl: "),
      proc.stderr)

proc = q("count", "show", count, "--json")
shown = json.loads(proc.stdout) if proc.returncode == 0 else {}
missing = [line["ki"] for line in shown.get("lines", []) if line["finding"] == "missing"]
check("the count finds the pack taken without a movement", missing == [taken], proc.stdout)
check("the tally sums the ward's packs", sum(t["expected"] for t in shown.get("tally", [])) == len(in_ward)
      and sum(t["counted"] for t in shown.get("tally", [])) == len(in_ward) - 1, proc.stdout)

elsewhere = [p for p in packs if p["location"] != ward and p["status"] == "in_stock"][0]
proc = q("count", "scan", count, elsewhere["ki"], user="dana", password=nurse_pw)
check("a pack booked at another location is counted as found elsewhere",
      proc.returncode == 0 and json.loads(proc.stdout)["finding"] == "elsewhere", proc.stdout + proc.stderr)

proc = q("count", "finish", count, user="dana", password=nurse_pw)
check("the nurse finishes the count", proc.returncode == 0, proc.stderr)

xlsx, pdf = os.path.join(tmp, "count.xlsx"), os.path.join(tmp, "count.pdf")
proc = q("count", "show", count, "--xlsx", xlsx, "--pdf", pdf)
check("the result is exported as XLSX and PDF", proc.returncode == 0 and os.path.getsize(xlsx) > 0
      and os.path.getsize(pdf) > 0, proc.stderr)
try:
    import openpyxl
    sheet = openpyxl.load_workbook(xlsx).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]

    def section(title):
        start = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith(title))
        out = []
        for r in rows[start + 2:]:
            if not any(r):
                break
            out.append(r)
        return out

    gone = section("Missing")
    there = section("On the shelf but not on the book")
    check("XLSX: the missing pack is listed by its code", [r[1] for r in gone] == [taken], gone)
    check("XLSX: the pack of the warehouse is listed with why: booked elsewhere",
          [r[1] for r in there] == [elsewhere["ki"]] and there[0][4] == "Booked at " + elsewhere["location"], there)
    check("XLSX: the count's location and the signature lines are there",
          ward in str(rows[0][0]) and any(r[0] and str(r[0]).startswith("Chief:") for r in rows), rows[:3])
except ImportError:
    check("openpyxl reads the XLSX (python3-openpyxl is not installed)", False)
text = subprocess.run(["pdftotext", "-layout", pdf, "-"], stdout=subprocess.PIPE, text=True).stdout
check("PDF: the missing pack, the pack booked elsewhere and why, the tally",
      taken in text and elsewhere["ki"] in text and "Booked at" in text and "Tally per medicine" in text, text[:2000])
proc = q("count", "sign-off", count, user="dana", password=nurse_pw)
check("a nurse may not sign a count off", proc.returncode == 1, proc.stderr)
proc = q("count", "sign-off", count, user="chief", password=chief_pw)
check("the chief signs it off: two corrections (the pack found here moved, the missing one owed)",
      proc.returncode == 0 and proc.stdout.startswith("2 corrections"),
      proc.stdout + proc.stderr)
proc = q("withdrawals", "--json")
owed = json.loads(proc.stdout) if proc.returncode == 0 else {}
check("the missing pack is owed as a lost write-off", taken in json.dumps(owed) and "LOST" in json.dumps(owed),
      proc.stdout)
proc = q("audit", "verify")
check("the audit trail verifies", proc.returncode == 0 and proc.stdout.startswith("audit trail OK"), proc.stdout)

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} {name}")
    if not ok:
        for line in str(detail).splitlines() or [""]:  # a multi-line detail must not break TAP
            print(f"# {line}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
