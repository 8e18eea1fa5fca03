#!/usr/bin/env python3
# test-qoimactl-report.py: `qoimactl report` as the chief, an admin and a (refused) nurse
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-qoimactl-report.py QOIMACTL   (TAP output; meson passes the path)

import csv
import datetime
import io
import json
import os
import subprocess
import sys
import tempfile

import qoima_test_db  # tests/qoima_test_db.py: SQLite file or PostgreSQL database

qoimactl = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="qoimactl-report-")
db = qoima_test_db.new_location(tmp)
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def secret(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text + "\n")
    return path


def q(*args, user=None, password=None, binary=False, language=""):
    opts = ["--db", db]
    if user:
        opts += ["--user", user, "--password-file", password]
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE=language)
    return subprocess.run([qoimactl, *opts, *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=not binary, timeout=120)


def stock():
    return {p["ki"]: p for p in json.loads(q("stock", "--json").stdout)}


def rows(text):
    """The report's tab-separated rows under its title and column titles."""
    lines = text.splitlines()
    return [line.split("\t") for line in lines[2:]]


subprocess.run([qoimactl, "--db", db, "demo", "--packs", "200"], check=True, stdout=subprocess.DEVNULL)
admin_pw, clerk_pw, nurse_pw, chief_pw = (secret("a", "Admin-pass-1"), secret("c", "Clerk-pass-2"),
                                          secret("n", "4711"), secret("h", "Chief-pass-3"))
ward = "Терапевтическое отделение"
assert q("users", "add", "admin", "--role", "admin", "--password-file", admin_pw).returncode == 0
for name, role, pw in (("aigul", "clerk", clerk_pw), ("chief", "chief", chief_pw)):
    assert q("users", "add", name, "--role", role, "--password-file", pw,
             user="admin", password=admin_pw).returncode == 0
assert q("users", "add", "dana", "--role", "nurse", "--ward", ward, "--password-file", nurse_pw,
         user="admin", password=admin_pw).returncode == 0

today = datetime.date.today().isoformat()
sealed = [p for p in stock().values() if p["status"] == "in_stock" and p["location"] == "Склад аптеки"
          and (p["expiry"] or "9999") >= today]
tablets = next(p for p in sealed if (p["units_per_pack"] or 0) >= 5)
vial = next(p for p in sealed if p["units_per_pack"] == 1)
assert q("move", "--to", ward, "--code", tablets["ki"], "--code", vial["ki"],
         user="aigul", password=clerk_pw).returncode == 0
for code, patient, units in ((tablets["ki"], "850715400238", 2), (tablets["ki"], "MK2041", 1),
                             (vial["ki"], "MK2041", 1)):
    proc = q("use", "--code", code, "--patient", patient, "--units", str(units), user="dana", password=nurse_pw)
    assert proc.returncode == 0, proc.stderr

proc = q("report", "patients", user="chief", password=chief_pw)
got = rows(proc.stdout)
check("the chief sees use by patient for this month",
      proc.returncode == 0 and proc.stdout.startswith("Use by patient, ")
      and ["850715400238", tablets["product"], ward, "2"] in got
      and ["MK2041", tablets["product"], ward, "1"] in got
      and ["MK2041", vial["product"], ward, "1"] in got
      and got[-1] == ["Total", "", "", "4"], proc.stdout + proc.stderr)

proc = q("report", "wards", "--ward", ward, user="admin", password=admin_pw)
got = rows(proc.stdout)
check("an admin sees use by ward, one ward",
      proc.returncode == 0 and proc.stdout.splitlines()[0].endswith(", " + ward)
      and [ward, tablets["product"], "2", "3"] in got and got[-1] == ["Total", "", "", "4"],
      proc.stdout + proc.stderr)

proc = q("report", "medicines", "--from", "2000-01-01", "--to", "2000-01-31", user="chief", password=chief_pw)
check("a period without use is empty",
      proc.returncode == 0 and "01.01.2000 – 31.01.2000" in proc.stdout and rows(proc.stdout) == [["Total", "", "", "0"]],
      proc.stdout + proc.stderr)

proc = q("report", "opened", user="chief", password=chief_pw)
got = [r for r in rows(proc.stdout) if len(r) > 1 and r[1] == tablets["ki"]]
check("the opened pack is listed with its units left",
      proc.returncode == 0 and len(got) == 1 and got[0][2] == ward
      and got[0][3] == str(tablets["units_per_pack"] - 3), proc.stdout + proc.stderr)

opened = [r for r in rows(proc.stdout) if len(r) > 1 and r[0] != "Total"]
check("every opened pack says since when, the demo's opened packs too",
      len(opened) > 1 and all(len(r[5]) == 10 for r in opened), proc.stdout)
check("the opened packs' column is Location, not Ward (the warehouse opens packs too)",
      proc.stdout.splitlines()[1].split("\t")[2] == "Location", proc.stdout)

proc = q("report", "withdrawals", user="chief", password=chief_pw)
got = [r for r in rows(proc.stdout) if r[0] == vial["ki"]]
check("the used-up vial's withdrawal is owed",
      proc.returncode == 0 and len(got) == 1 and got[0][2] == "Medical use"
      and got[0][5] == "Owed, not yet signed", proc.stdout + proc.stderr)

csv_path = os.path.join(tmp, "medicines.csv")
proc = q("report", "medicines", "--csv", csv_path, user="chief", password=chief_pw)
data = open(csv_path, "rb").read() if os.path.exists(csv_path) else b""
check("--csv FILE writes UTF-8 with a BOM and CRLF lines",
      proc.returncode == 0 and data.startswith(b"\xef\xbb\xbfMedicine,GTIN,Patients,Units\r\n")
      and data.endswith(b"Total,,,4\r\n") and b"\n" not in data.replace(b"\r\n", b"")
      and tablets["product"].encode() in data, repr(data[:200]) + proc.stderr)
proc = q("report", "medicines", "--csv", "-", user="chief", password=chief_pw, binary=True)
check("--csv - writes the same bytes to standard output", proc.returncode == 0 and proc.stdout == data,
      repr(proc.stdout[:200]))

# CSV for a Russian or Kazakh spreadsheet: ';', as Excel there splits; ',' when told.
for language in ("ru", "kk"):
    proc = q("report", "medicines", "--csv", "-", user="chief", password=chief_pw, binary=True, language=language)
    lines = proc.stdout.decode("utf-8-sig").split("\r\n")
    check(f"CSV in a {language} UI is separated by ';'",
          proc.returncode == 0 and lines[0].count(";") == 3 and "," not in lines[0]
          and lines[-2].endswith(";;;4"), repr(proc.stdout[:200]))
proc = q("report", "medicines", "--csv", "-", "--csv-separator", ",", user="chief", password=chief_pw,
         binary=True, language="ru")
check("--csv-separator , overrides the language", proc.returncode == 0
      and proc.stdout.decode("utf-8-sig").split("\r\n")[-2].endswith(",,,4"), repr(proc.stdout[:200]))
proc = q("report", "medicines", "--csv", "-", "--csv-separator", "|", user="chief", password=chief_pw)
check("--csv-separator takes only , or ;", proc.returncode == 2 and "Usage:" in proc.stderr, proc.stderr)

# XLSX, read back by openpyxl (a reader we did not write) and compared cell by cell to the
# CSV of the same report: numbers as numbers, days as dates, a header row, column widths.
try:
    import openpyxl
except ImportError:
    openpyxl = None
check("openpyxl is installed (python3-openpyxl)", openpyxl is not None)
DATE_COLUMNS = {"opened": {4, 5}, "withdrawals": {3}}
NUMBER_COLUMNS = {"patients": {3}, "wards": {2, 3}, "medicines": {2, 3}, "opened": {3}, "withdrawals": set()}
for kind in ("patients", "wards", "medicines", "opened", "withdrawals") if openpyxl else ():
    csv_path = os.path.join(tmp, kind + ".csv")
    xlsx_path = os.path.join(tmp, kind + ".xlsx")
    proc = q("report", kind, "--csv", csv_path, "--xlsx", xlsx_path, user="chief", password=chief_pw)
    if proc.returncode != 0 or not os.path.exists(xlsx_path):
        check(f"XLSX of {kind} is written", False, proc.stderr)
        continue
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        expected = list(csv.reader(f))
    sheet = openpyxl.load_workbook(xlsx_path).active
    got = [list(r) for r in sheet.iter_rows()]
    problems = []
    if len(got) != len(expected):
        problems.append(f"{len(got)} rows, the CSV has {len(expected)}")
    for r, (cells, want) in enumerate(zip(got, expected)):
        for c, (cell, text) in enumerate(zip(cells, want)):
            # The CSV's formula guard is not needed in XLSX, where a string is never a formula.
            if text[:2] in ("'=", "'+", "'-", "'@"):
                text = text[1:]
            value = cell.value
            if r > 0 and c in DATE_COLUMNS.get(kind, ()) and text:
                ok = cell.is_date and value.date().isoformat() == text
            elif r > 0 and c in NUMBER_COLUMNS[kind] and text:
                ok = cell.data_type == "n" and value == int(text)
            else:
                ok = (value if value is not None else "") == text and (r == 0 or cell.data_type in ("s", "n"))
            if not ok:
                problems.append(f"{kind} row {r} column {c}: {value!r} ({cell.data_type}) against {text!r}")
    check(f"XLSX of {kind} holds the CSV's cells, numbers and dates typed", len(expected) > 1 and not problems,
          "; ".join(problems[:5]))
    check(f"XLSX of {kind} has a bold header row and set column widths",
          all(cell.font.b for cell in got[0])
          and all((sheet.column_dimensions[openpyxl.utils.get_column_letter(c + 1)].width or 0) >= 8
                  for c in range(len(got[0]))), [cell.font.b for cell in got[0]])
proc = q("report", "opened", "--xlsx", "-", user="chief", password=chief_pw, binary=True)
check("--xlsx - writes the workbook to standard output", proc.returncode == 0 and proc.stdout[:2] == b"PK",
      repr(proc.stdout[:20]))

proc = q("report", "patients", user="dana", password=nurse_pw)
check("a nurse may not view reports", proc.returncode == 1 and "view reports" in proc.stderr and proc.stdout == "",
      proc.stdout + proc.stderr)
proc = q("report", "patients")
check("without --user there is no report", proc.returncode == 1 and "--user" in proc.stderr, proc.stderr)
for args in (("report", "stock"), ("report",), ("report", "patients", "--from", "2026-02-30"),
             ("report", "patients", "--to"), ("report", "patients", "--bogus", "x")):
    proc = q(*args, user="chief", password=chief_pw)
    check("usage error: " + " ".join(args), proc.returncode == 2 and "Usage:" in proc.stderr, proc.stderr)
proc = q("report", "wards", "--ward", "Нет такого", user="chief", password=chief_pw)
check("an unknown ward is an error", proc.returncode == 1, proc.stderr)

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} {name}")
    if not ok:
        for line in str(detail).splitlines() or [""]:  # a multi-line detail must not break TAP
            print(f"# {line}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
