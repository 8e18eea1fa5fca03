#!/usr/bin/env python3
# test-qoimactl-application.py: `qoimactl application` as a support script runs it: a form
# saved by the admin, its problems as JSON lines naming the seed's rules, shown with its
# edit log, listed, printed as a PDF in Russian (R004-19), sent to the chief, and sent by
# the chief to the stand's Fund with the consent signed by her key (R004-22): without a key
# refused, with her key of another organization refused before anything is sent
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-qoimactl-application.py QOIMACTL QOIMA-STAND PKI-DIR   (TAP output; meson passes them)

import copy
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import qoima_test_db  # tests/qoima_test_db.py: SQLite file or PostgreSQL database

qoimactl, stand_exe, pki = sys.argv[1:4]
tmp = tempfile.mkdtemp(prefix="qoimactl-application-")
db = qoima_test_db.new_location(tmp)
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def secret(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text + "\n")
    return path


def q(*args, user=None, password=None, stdin=None, key_password=None):
    opts = ["--db", db]
    if user:
        opts += ["--user", user, "--password-file", password]
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
    env.pop("QOIMA_KATO_CSV", None)
    env.pop("QOIMA_KEY_PASSWORD", None)
    if key_password is not None:
        env["QOIMA_KEY_PASSWORD"] = key_password
    return subprocess.run([qoimactl, *opts, *args], env=env, input=stdin if stdin is not None else "",
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)


def write_form(name, form):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        json.dump(form, f, ensure_ascii=False)
    return path


now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
base1, base2 = "г. Алматы, ул. Абая, 1", "г. Алматы, ул. Сатпаева, 2"
form = {
    "name_kk": "«№1 қалалық аурухана» ШЖҚ МКК",
    "name_ru": "ГКП на ПХВ «Городская больница №1»",
    "bin": "990340001230",
    "ownership": "Государственные организации",
    "provider": True, "coexecutor": False,
    "care_provider": ["inpatient", "ct-mri-suspected-cancer"], "care_coexecutor": [],
    "region": "750000000", "pharmacy": "",
    "legal_kato": "751110000", "legal_index": "050000", "legal_street": "ул. Абая", "legal_house": "1",
    "phone": "+77272000000", "email": "info@hospital1.kz", "more_addresses": [],
    "bases": [
        {"address": base1, "license": "23012345", "latitude": 43.2389, "longitude": 76.8897,
         "kato": "751110000", "permit": {"name": "СЭС-1.pdf", "size": 1000}, "subtypes": ["inpatient"]},
        {"address": base2, "license": "23012347", "latitude": 43.2401, "longitude": 76.9102,
         "kato": "751110000", "permit": {"name": "СЭС-2.pdf", "size": 1000}, "subtypes": ["ct-mri-suspected-cancer"]},
    ],
    "licenses": [
        {"number": "23012345", "bin": "990340001230", "activity": "L60", "category": "Лицензия на вид деятельности",
         "type": "Генеральная", "status": "Действительный", "issued": "2023-04-01", "fetched_at": now,
         "annexes": [{"number": "001", "subtypes": ["L60-INPAT", "L60-DIAG"], "bases": [base1, base2]}]},
        {"number": "23012347", "bin": "990340001230", "activity": "A15", "category": "Лицензия на вид деятельности",
         "type": "Генеральная", "status": "Действительный", "issued": "2022-11-30", "fetched_at": now,
         "annexes": [{"number": "001", "subtypes": ["A15B"], "bases": [base2]}]},
    ],
    "registration": [{"name": "Справка о регистрации.pdf", "size": 1000}],
    "power_of_attorney": [],
}

admin_pw, chief_pw = secret("a", "Admin-pass-1"), secret("h", "Chief-pass-3")
with open(os.path.join(pki, "password.txt")) as f:
    key_pw = f.readline().strip()
assert q("users", "add", "admin", "--role", "admin", "--password-file", admin_pw).returncode == 0
# The chief's IIN is the one her keys in the test PKI carry.
assert q("users", "add", "chief", "--role", "chief", "--iin", "850715400238", "--password-file", chief_pw,
         user="admin", password=admin_pw).returncode == 0

good = write_form("good.json", form)
proc = q("application", "check", good)
check("a complete form has no problems", proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr)

broken = copy.deepcopy(form)
broken["bases"][1]["subtypes"] = []
broken["phone"] = ""
broken["bases"][0]["latitude"], broken["bases"][0]["longitude"] = 76.8897, 43.2389
proc = q("application", "check", write_form("broken.json", broken))
problems = [json.loads(line) for line in proc.stdout.splitlines()]
by_rule = {p["rule"]: p for p in problems}
check("check exits 1 with problems", proc.returncode == 1, proc.stderr)
check("each problem is JSON: section, field, rule, message",
      problems and all(set(p) == {"section", "field", "rule", "message"} for p in problems), proc.stdout)
check("R004-11 with the seed's text", by_rule.get("R004-11", {}).get("message")
      == "Ошибка: Не выбрано ни одного подвида для адреса производственной базы"
      and by_rule["R004-11"]["field"] == "bases[1].subtypes", proc.stdout)
check("R004-12 with the seed's text", by_rule.get("R004-12", {}).get("message")
      == "Вы не выбрали все подвиды, соответствующие данным из раздела «Субъект здравоохранения». "
         "Пожалуйста, укажите их в разделе «Адрес производственной базы».", proc.stdout)
check("R004-16 under the phone", {"section": "addresses", "field": "phone", "rule": "R004-16",
                                  "message": "Это обязательное поле"} in problems, proc.stdout)
check("R004-10: swapped coordinates", by_rule.get("R004-10", {}).get("field") == "bases[0].latitude", proc.stdout)

proc = q("application", "save", write_form("broken2.json", broken), user="admin", password=admin_pw)
check("a form with problems is not saved", proc.returncode == 1 and "R004-11" in proc.stderr, proc.stderr)
proc = q("application", "save", good, user="chief", password=chief_pw)
check("R004-3: the chief does not prepare it", proc.returncode == 1, proc.stderr)
proc = q("application", "save", good, user="admin", password=admin_pw)
check("the admin saves it", proc.returncode == 0 and proc.stdout.strip().isdigit(), proc.stderr)
app_id = proc.stdout.strip()

edited = copy.deepcopy(form)
edited["email"] = "fund@hospital1.kz"
proc = q("application", "save", write_form("edited.json", edited), "--id", app_id, user="admin", password=admin_pw)
check("and edits it", proc.returncode == 0, proc.stderr)
proc = q("application", "check", app_id)
check("a saved application checks by its id", proc.returncode == 0 and proc.stdout == "", proc.stdout)

proc = q("application", "show", app_id)
shown = json.loads(proc.stdout) if proc.returncode == 0 else {}
check("show: «Проект», author, the edit log (R004-18)",
      shown.get("status_label") == "Проект" and shown.get("author") == "admin"
      and [e["action"] for e in shown.get("edits", [])] == ["created", "edited"]
      and shown["edits"][1]["detail"] == "email", proc.stdout)

proc = q("application", "list")
listed = json.loads(proc.stdout) if proc.returncode == 0 else []
check("list: one application, version 1", len(listed) == 1 and listed[0]["version"] == 1
      and listed[0]["region"] == "750000000", proc.stdout)

pdf = os.path.join(tmp, "application.pdf")
proc = q("application", "pdf", app_id, "--output", pdf)
check("pdf writes a file", proc.returncode == 0 and os.path.getsize(pdf) > 1000, proc.stderr)
if shutil.which("pdftotext"):
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], stdout=subprocess.PIPE, text=True).stdout
    flat = " ".join(text.split())
    check("R004-19: the PDF is the application, in Russian",
          "ЗАЯВЛЕНИЕ" in flat and "ГКП на ПХВ «Городская больница №1»" in flat and "990340001230" in flat
          and base2 in flat and "Специализированная медицинская помощь в стационарных условиях" in flat
          and "Проект" in flat, flat[:2000])
else:
    check("pdftotext is installed (poppler-utils)", False)

stand_db = os.path.join(tmp, "stand.db")
stand = subprocess.Popen([stand_exe, "--port", "0", "--db", stand_db, "--ca", os.path.join(pki, "ca.pem"),
                          "--no-demo"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
base = stand.stdout.readline().strip()
assert base.startswith("http://127.0.0.1:"), base
fund = base.split("/api/")[0]
own_key = os.path.join(pki, "sign.p12")
other_key = os.path.join(pki, "chief-other-org.p12")

proc = q("application", "send", app_id, "--fund", fund, user="chief", password=chief_pw)
check("R004-22: send without a key refuses, saying so", proc.returncode == 2 and "--key" in proc.stderr
      and "Usage:" not in proc.stderr, proc.stderr)
proc = q("application", "send", app_id, "--fund", fund, "--key", own_key, user="chief", password=chief_pw,
         stdin=key_pw + "\n")
check("the chief cannot send a draft", proc.returncode == 1 and "Проект" in proc.stderr, proc.stderr)
proc = q("application", "submit", app_id, user="admin", password=admin_pw)
check("the admin sends it to the chief (R004-20)", proc.returncode == 0, proc.stderr)
proc = q("application", "send", app_id, "--fund", fund, "--key", own_key, user="chief", password=chief_pw,
         stdin="wrong password\n")
check("a wrong key password: nothing signed", proc.returncode == 1, proc.stderr)
proc = q("application", "send", app_id, "--fund", fund, "--key", other_key, user="chief", password=chief_pw,
         stdin=key_pw + "\n")
check("R004-22: her key of another organization is refused, both BINs named",
      proc.returncode == 1 and "210540012341" in proc.stderr and "990340001230" in proc.stderr, proc.stderr)
proc = q("application", "show", app_id)
shown = json.loads(proc.stdout)
check("still «На согласовании руководителя», the consent unsigned, nothing at the Fund",
      shown.get("status_label") == "На согласовании руководителя" and not shown.get("consent_signed")
      and not shown.get("fund_id"), proc.stdout)
proc = q("application", "send", app_id, "--fund", fund, "--key", own_key, user="chief", password=chief_pw,
         key_password=key_pw)
fund_id = proc.stdout.strip()
check("R004-22: her own key (password from QOIMA_KEY_PASSWORD) signs the consent and sends",
      proc.returncode == 0 and fund_id != "", proc.stderr)
proc = q("application", "show", app_id)
shown = json.loads(proc.stdout)
check("«На рассмотрении» with the Fund's number and the consent signed",
      shown.get("status_label") == "На рассмотрении" and shown.get("fund_id") == fund_id
      and shown.get("consent_signed") is True, proc.stdout)
stand.send_signal(signal.SIGTERM)
stand.wait(timeout=30)
for args in (("application",), ("application", "pdf", app_id), ("application", "send", app_id),
             ("application", "show", "x")):
    proc = q(*args)
    check("usage error: " + " ".join(args), proc.returncode == 2 and "Usage:" in proc.stderr, proc.stderr)

shutil.rmtree(tmp)
print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} {name}")
    if not ok:
        for line in str(detail).splitlines() or [""]:  # a multi-line detail must not break TAP
            print(f"# {line}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
