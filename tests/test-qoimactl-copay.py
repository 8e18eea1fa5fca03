#!/usr/bin/env python3
# test-qoimactl-copay.py: `qoimactl copay` on the demo's month of co-payment dispensing
# (seed 002: R002-4, R002-7, R002-8, R002-10, R002-11) and its report for ИСЛО, its XLSX read back
# by openpyxl and its PDF by pdftotext, tools the project did not write
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-qoimactl-copay.py QOIMACTL   (TAP output; meson passes the path)

import csv
import datetime
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal

import qoima_test_db  # tests/qoima_test_db.py: SQLite file or PostgreSQL database

try:
    import openpyxl
except ImportError:
    openpyxl = None

qoimactl = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="qoimactl-copay-")
db = qoima_test_db.new_location(tmp)
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def q(*args, language=""):
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE=language)
    return subprocess.run([qoimactl, "--db", db, *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)


def pdf_text(path):
    out = subprocess.run(["pdftotext", "-layout", path, "-"], stdout=subprocess.PIPE, text=True, check=True).stdout
    return out.replace("\u00a0", " ")


# The last whole month: the registry is of a past month.
first = datetime.date.today().replace(day=1)
last_month = first - datetime.timedelta(days=1)
month = last_month.strftime("%Y-%m")

proc = q("demo", "--packs", "400", "--copay", month)
assert proc.returncode == 0, proc.stderr

proc = q("copay", "registry", "--month", month, "--json")
lines = [json.loads(line) for line in proc.stdout.splitlines()]
rows, totals = lines[:-1], lines[-1]
check("registry --json gives a row object per dispensed pack and a totals object",
      proc.returncode == 0 and len(rows) == 7 and "totals" in totals
      and all(sorted(r) == sorted("c%d" % i for i in range(1, 18)) for r in rows), proc.stdout + proc.stderr)

ok = True
kinds = set()
for r in rows:
    price = Decimal(r["c17"])
    fund, patient, limit_unit = Decimal(r["c15"]), Decimal(r["c16"]), Decimal(r["c12"])
    units = {"Метформин": 60, "Бисопролол": 30, "Амлодипин": 30}[r["c8"]]
    limit = limit_unit * units
    # R002-10: the Fund pays the limit price, never above the trade-name price; the patient
    # the difference, nothing when the price is below the limit.
    ok &= fund == min(limit, price) and patient == max(Decimal(0), price - limit)
    # R002-11: 17 = 15 + 16, amounts with two decimals.
    ok &= price == fund + patient and all(len(r[c].split(".")[1]) == 2 for c in ("c12", "c15", "c16", "c17"))
    kinds.add("above" if price > limit else "equal" if price == limit else "below")
check("R002-10 and R002-11: every row's amounts, 17 = 15 + 16", ok and len(rows) == 7, proc.stdout)
check("the demo month has prices above, equal to and below the limit", kinds == {"above", "equal", "below"}, kinds)
check("R002-11: the totals are the columns' sums",
      Decimal(totals["totals"]["c15"]) == sum(Decimal(r["c15"]) for r in rows)
      and Decimal(totals["totals"]["c16"]) == sum(Decimal(r["c16"]) for r in rows)
      and Decimal(totals["totals"]["c17"]) == sum(Decimal(r["c17"]) for r in rows)
      and Decimal(totals["totals"]["c17"]) == Decimal(totals["totals"]["c15"]) + Decimal(totals["totals"]["c16"]),
      totals)
check("R002-8: due by the 25th of the next month (December's by 25 January)",
      totals["due"] == first.strftime("%Y-%m-25"), totals)
# R002-7: a calendar month; this month has no dispensing, so only its totals line.
this_month = q("copay", "registry", "--month", first.strftime("%Y-%m"), "--json").stdout.splitlines()
check("R002-7: the registry holds its calendar month's dispensing only",
      len(this_month) == 1 and json.loads(this_month[0])["totals"]["rows"] == 0, this_month)
check("the month's limit price, not the one in force after it (the price history)",
      all(r["c12"] == "20.00" for r in rows if r["c8"] == "Метформин"), proc.stdout)

# A price for this month (replacing the demo's of the same day) does not change the past month.
csv_path = os.path.join(tmp, "prices.csv")
with open(csv_path, "w", encoding="utf-8") as f:
    f.write("inn,form,dosage,unit,limit_price,valid_from\n")
    f.write("Метформин,\"таблетки, покрытые пленочной оболочкой\",850 мг,таблетка,\"30,00\",%s\n"
            % first.isoformat())
proc = q("copay", "prices", "import", csv_path)
check("prices import refuses without an administrator", proc.returncode == 1 and "Log in" in proc.stderr, proc.stderr)
proc = q("copay", "prices", "import", os.path.join(tmp, "prices.xlsx"))
check("prices import asks for CSV instead of XLSX", proc.returncode == 1 and "CSV" in proc.stderr, proc.stderr)
proc = q("copay", "prices", "list")
check("prices list shows the history", proc.returncode == 0 and proc.stdout.count("Метформин") == 3, proc.stdout)

proc = q("copay", "dispense", "--qr", "RX1|N|2026-01-14|800101300706|E11|Метформин|таблетки|500 мг|60",
         "--code", rows[0]["c14"], "--price", "100", "--receipt", "1")
check("dispensing needs a user", proc.returncode == 1 and "Log in" in proc.stderr, proc.stderr)
proc = q("copay", "dispense", "--qr", "RX1|N|2026-01-14|800101300705|E11|Метформин|таблетки|500 мг|60",
         "--code", rows[0]["c14"], "--price", "100", "--receipt", "1")
check("R002-3: a prescription whose IIN fails its check digit is refused",
      proc.returncode == 1 and "IIN" in proc.stderr, proc.stderr)

proc = q("withdrawals", "--json")
owed = {w["pack"] for w in json.loads(proc.stdout)} if proc.returncode == 0 else set()
check("R002-4: every dispensed pack's withdrawal from circulation is owed through the outbox",
      all(r["c14"] in owed for r in rows), proc.stdout[:2000] + proc.stderr)

# Dispensing by a named user: an administrator loads the prices, the pharmacy point's clerk
# dispenses; a nurse logs use in her ward and does not sell.
def secret(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text + "\n")
    return path


admin_pw, nurse_pw = secret("a", "Admin-pass-1"), secret("n", "4711")
assert q("users", "add", "admin", "--role", "admin", "--password-file", admin_pw).returncode == 0
assert q("--user", "admin", "--password-file", admin_pw, "users", "add", "dana", "--role", "nurse", "--ward",
         "Терапевтическое отделение", "--password-file", nurse_pw).returncode == 0 or \
    q("users", "add", "dana", "--role", "nurse", "--ward", "Терапевтическое отделение", "--password-file", nurse_pw,
      "--user", "admin", "--password-file", admin_pw).returncode == 0
clerk_pw = secret("c", "4712")
assert q("--user", "admin", "--password-file", admin_pw, "users", "add", "saule", "--role", "clerk",
         "--password-file", clerk_pw).returncode == 0


def as_user(name, pw, *args):
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
    return subprocess.run([qoimactl, "--db", db, "--user", name, "--password-file", pw, *args], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)


proc = as_user("admin", admin_pw, "copay", "settings", "bin", "240340000018")
check("a BIN with a wrong check digit is refused", proc.returncode == 1 and "BIN" in proc.stderr, proc.stderr)
ok = all(as_user("admin", admin_pw, "copay", "settings", k, v).returncode == 0
         for k, v in (("bin", "250140001232"), ("region", "г. Алматы")))
check("an administrator sets the pharmacy point's BIN and region", ok)
proc = as_user("admin", admin_pw, "copay", "prices", "import", csv_path)
check("an administrator loads the limit prices", proc.returncode == 0 and proc.stdout.startswith("1 "),
      proc.stdout + proc.stderr)
stock = json.loads(q("stock", "--json").stdout)
metformin = [p["ki"] for p in stock if p["inn"] == "Метформин" and p["status"] == "in_stock"
             and p["units_left"] == p["units_per_pack"] and (p["expiry"] or "9999") >= datetime.date.today().isoformat()]
bisoprolol = [p["ki"] for p in stock if p["inn"] == "Бисопролол" and p["status"] == "in_stock"]
today = datetime.date.today().isoformat()
rx = "RX1|RX-T-1|%s|800101300706|Е11.9|Метформин|таблетки, покрытые пленочной оболочкой|850 мг|60" % today
proc = as_user("saule", clerk_pw, "copay", "dispense", "--qr", rx, "--code", bisoprolol[0], "--price", "1 500,00",
               "--receipt", "77")
check("R002-3: a pack of another INN is refused", proc.returncode == 1 and "prescription" in proc.stderr, proc.stderr)
proc = as_user("dana", nurse_pw, "copay", "dispense", "--qr", rx, "--code", metformin[0], "--price", "1 500,00",
               "--receipt", "77")
check("a nurse may not dispense", proc.returncode == 1 and "dispense" in proc.stderr, proc.stderr)
proc = as_user("saule", clerk_pw, "copay", "dispense", "--qr", rx, "--code", metformin[0], "--price", "1 500,00",
               "--receipt", "77")
check("the clerk dispenses a matching whole pack", proc.returncode == 0 and proc.stdout.strip().isdigit(),
      proc.stdout + proc.stderr)
proc = as_user("saule", clerk_pw, "copay", "dispense", "--qr", rx, "--code", metformin[0], "--price", "1 500,00",
               "--receipt", "78")
check("the same pack cannot be dispensed twice", proc.returncode == 1, proc.stderr)
now_rows = [json.loads(line) for line in q("copay", "registry", "--month", first.strftime("%Y-%m"), "--json").stdout.splitlines()]
# R002-10 with this month's price, loaded last (30,00 × 60 = 1 800,00 > 1 500,00): the Fund pays the price.
check("R002-10: this month's row takes this month's limit price; below it the patient pays nothing",
      len(now_rows) == 2 and now_rows[0]["c12"] == "30.00" and now_rows[0]["c15"] == "1500.00"
      and now_rows[0]["c16"] == "0.00" and now_rows[0]["c5"] == "E11.9" and now_rows[0]["c13"] == "77"
      and now_rows[0]["c3"] == "250140001232" and now_rows[0]["c4"] == "г. Алматы", now_rows)
proc = q("copay", "registry", "--month", month, "--json")
again = [json.loads(line) for line in proc.stdout.splitlines()]
# Its rows keep the limit price, the pharmacy and the amounts of the day they were dispensed.
check("the past month's registry is unchanged by later prices and settings",
      again[:-1] == rows and again[-1]["totals"] == totals["totals"], proc.stdout[-800:])

check("openpyxl is installed (python3-openpyxl)", openpyxl is not None, sys.executable + " " + repr(sys.path))
for language in ("ru", "kk") if openpyxl else ():
    xlsx = os.path.join(tmp, "registry-%s.xlsx" % language)
    pdf = os.path.join(tmp, "registry-%s.pdf" % language)
    act = os.path.join(tmp, "act-%s.pdf" % language)
    proc = q("copay", "registry", "--month", month, "--xlsx", xlsx, "--pdf", pdf, "--language", language)
    proc2 = q("copay", "act", "--month", month, "--pdf", act, "--language", language)
    check("registry and act export (%s)" % language, proc.returncode == 0 and proc2.returncode == 0,
          proc.stderr + proc2.stderr)

    sheet = openpyxl.load_workbook(xlsx).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    numbers = next(i for i, r in enumerate(values) if r[:3] == [1, 2, 3])
    data = values[numbers + 1:numbers + 1 + len(rows)]
    total = values[numbers + 1 + len(rows)]
    ok = len(data) == 7 and all(abs(r[16] - (r[14] + r[15])) < 0.005 for r in data)
    ok &= abs(total[14] - float(totals["totals"]["c15"])) < 0.005 and abs(total[16] - float(totals["totals"]["c17"])) < 0.005
    ok &= [r[13] for r in data] == [r["c14"] for r in rows]
    check("R002-11: the XLSX (%s) read by openpyxl: 17 columns, 17 = 15 + 16, the totals" % language,
          ok and len(values[numbers - 1]) >= 17 and values[numbers - 1][16] is not None, values[numbers - 1:numbers + 2])

    text = pdf_text(pdf)
    c17 = totals["totals"]["c17"].replace(".", ",")
    whole, cents = c17.split(",")
    grouped = "{:,}".format(int(whole)).replace(",", " ") + "," + cents
    title = "Сводный реестр" if language == "ru" else "жиынтық тізілімі"
    check("the registry PDF (%s) has the form's title and the total %s" % (language, grouped),
          title in text and "Итого" * (language == "ru") in text and grouped in text.split("\n", 20)[-1]
          and grouped in [line for line in text.splitlines() if line.startswith(("Итого", "Барлығы"))][0],
          text[-1500:])
    text = pdf_text(act)
    fund = totals["totals"]["c15"].replace(".", ",")
    whole, cents = fund.split(",")
    grouped = "{:,}".format(int(whole)).replace(",", " ") + "," + cents
    # Appendix 2: prescriptions counted once (one prescription took two packs).
    check("the act PDF (%s) has 6 prescriptions and the Fund's %s" % (language, grouped),
          grouped in text and " 6 " in text, text[:1500])

# The month's dispensing for ИСЛО (R002-4): one row per dispensed pack, in the registry's
# order, with the date of dispensing, the fiscal receipt and the marking code's status as
# the outbox has it (owed, not yet signed: the code is still in circulation).
islo_state = {"ru": "Не подписан", "kk": "Қол қойылмаған"}
for language in ("ru", "kk") if openpyxl else ():
    xlsx = os.path.join(tmp, "islo-%s.xlsx" % language)
    csv_out = os.path.join(tmp, "islo-%s.csv" % language)
    proc = q("copay", "islo", "--month", month, "--xlsx", xlsx, "--csv", csv_out, "--language", language)
    check("islo export (%s)" % language, proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr)
    values = [[c.value for c in row] for row in openpyxl.load_workbook(xlsx).active.iter_rows()]
    header = next(i for i, r in enumerate(values) if r[0] in ("№ п/п", "№ р/с"))
    data = values[header + 1:]
    day = re.compile(r"\d\d\.%02d\.%04d$" % (last_month.month, last_month.year))
    ok = len(data) == len(rows) == 7 and len(values[header]) == 15
    ok &= [r[0] for r in data] == list(range(1, 8))
    ok &= [r[1] for r in data] == [r["c7"].split(" ")[0] for r in rows]
    ok &= [r[3] for r in data] == [r["c6"] for r in rows] and [r[4] for r in data] == [r["c5"] for r in rows]
    ok &= [r[5] for r in data] == [r["c8"] for r in rows] and [r[6] for r in data] == [r["c9"] for r in rows]
    ok &= [r[11] for r in data] == [r["c13"] for r in rows] and [r[12] for r in data] == [r["c14"] for r in rows]
    ok &= all(isinstance(r[8], (int, float)) and r[8] > 0 for r in data)
    ok &= all(isinstance(r[10], str) and day.match(r[10]) for r in data)
    ok &= all(r[13] == "INTRODUCED" and r[14] == islo_state[language] for r in data)
    check("R002-4: the ИСЛО XLSX (%s) read by openpyxl: each pack's prescription, date of dispensing, "
          "fiscal receipt, marking code and its status" % language, ok, values[header:header + 3])
    with open(csv_out, encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f, delimiter=";"))
    check("the ИСЛО CSV (%s) holds the same cells as the XLSX" % language,
          len(table) == 8 and table[0] == values[header]
          and all(t == [str(v) if not isinstance(v, float) else "%g" % v for v in r] for t, r in zip(table[1:], data)),
          table[:3])

proc = q("copay", "islo", "--month", first.strftime("%Y-%m"))
table = list(csv.reader(io.StringIO(proc.stdout), delimiter=";"))
check("islo without a file prints this month's CSV: the clerk's dispensing only",
      proc.returncode == 0 and len(table) == 2 and table[1][12] == metformin[0] and table[1][11] == "77"
      and not proc.stdout.startswith("\ufeff"), proc.stdout + proc.stderr)
proc = q("copay", "islo")
check("islo without --month is a usage error", proc.returncode == 2, proc.stderr)

proc = q("copay", "registry", "--month", "2026-13")
check("a month that is no month is refused", proc.returncode == 1, proc.stderr)
proc = q("copay", "registry")
check("registry without --month is a usage error", proc.returncode == 2, proc.stderr)

print("1..%d" % len(results))
for i, (name, ok, detail) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    if not ok:
        for line in str(detail).splitlines()[:40]:
            print("# " + line)
shutil.rmtree(tmp, ignore_errors=True)
sys.exit(0)
