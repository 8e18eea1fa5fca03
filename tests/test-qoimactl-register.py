#!/usr/bin/env python3
# test-qoimactl-register.py: `qoimactl register` and `qoimactl reference import` (issue 12)
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-qoimactl-register.py QOIMACTL QOIMA-STAND PKI-DIR   (TAP output; meson passes the paths)
#
# A draft is checked as the wizard checks it (each problem a JSON line: field, rule, message);
# sent to the project's stand over real HTTP signed with the test clinic's AUTH key; followed
# until the stand confirms it.

import json
import os
import signal
import subprocess
import sys
import tempfile

import qoima_test_db  # tests/qoima_test_db.py: SQLite file or PostgreSQL database

qoimactl, stand_exe, pki = sys.argv[1:4]
source_root = os.environ["QOIMA_SOURCE_ROOT"]
tmp = tempfile.mkdtemp(prefix="qoimactl-register-")
db = qoima_test_db.new_location(tmp)
stand_db = os.path.join(tmp, "stand.db")
reference_dir = os.path.join(tmp, "reference")

stand = subprocess.Popen([stand_exe, "--port", "0", "--db", stand_db,
                          "--ca", os.path.join(pki, "ca.pem"), "--no-demo",
                          "--processing-delay-ms", "200"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
base = stand.stdout.readline().strip()
assert base.startswith("http://127.0.0.1:"), base


def secret(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text + "\n")
    return path


admin_pw = secret("admin.pw", "Admin-pass-1")
wrong_pw = secret("wrong.pw", "not-the-password")
env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="", QOIMA_REFERENCE_DIR=reference_dir)


def qctl(*args):
    return subprocess.run([qoimactl, "--db", db, *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)


def kato_leaf():
    parents = set()
    rows = []
    with open(os.path.join(source_root, "data", "reference", "kato.csv"), encoding="utf-8-sig") as f:
        next(f)
        for line in f:
            id_, parent, code, _ = line.rstrip("\n").split(";", 3)
            parents.add(parent)
            rows.append((id_, code))
    return next(code for id_, code in rows if id_ not in parents)


def draft(**changes):
    d = {
        "stand": "custom", "stand-url": base,
        "signer-iin": "800101300706", "company": "ГКП \"Поликлиника №7\"", "head-name": "САПАРОВ АСЕТ",
        "certificate-serial": "6b", "email": "info@poliklinika7.kz", "org-phone": "+7 7172 55 66 77",
        "head-mobile": "+7 701 234 56 78", "consent": "true", "producer-or-importer": "no",
        "product-groups": ["pharma"], "product-groups-confirmed": "true",
        "full-name": "ГКП \"Поликлиника №7\"", "bin": "240340000019", "tax-office": "6201",
        "head": "Сапаров Асет", "kato": kato_leaf(), "address": "ул. Бабаева 12",
        "participant-email": "info@poliklinika7.kz", "participant-phone": "+77172556677",
        "participant-types": ["retail"], "bic": "CASPKZKA", "iban": "KZ72722S000000000001",
    }
    for key, value in changes.items():
        key = key.replace("_", "-")
        if value is None:
            d.pop(key, None)
        else:
            d[key] = value
    path = os.path.join(tmp, f"draft-{len(os.listdir(tmp))}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(d, f, ensure_ascii=False)
    return path


def problems(proc):
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


# The first user is the administrator, who keeps the registration.
proc = qctl("users", "add", "admin", "--role", "admin", "--password-file", admin_pw)
assert proc.returncode == 0, proc.stderr

proc = qctl("register", "--draft", draft())
check("/registration/draft-complete-passes", proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr)

# R001-9: a mistyped IBAN is one JSON line naming its field and rule; the exit status says so.
proc = qctl("register", "--draft", draft(iban="KZ72722S000000000002"))
found = problems(proc)
check("/rules/R001-9/bad-iban-printed-as-json",
      proc.returncode == 1 and any(p["field"] == "iban" and p["rule"] == "R001-9" and p["message"] for p in found),
      proc.stdout + proc.stderr)

# R001-6: product groups never confirmed; R001-4: no consent. Every problem, not only the first.
proc = qctl("register", "--draft", draft(product_groups_confirmed=None, consent=None))
found = problems(proc)
check("/rules/R001-6/unconfirmed-product-groups-refused",
      proc.returncode == 1 and {("product-groups-confirmed", "R001-6"), ("consent", "R001-4")}
      <= {(p["field"], p["rule"]) for p in found}, proc.stdout)

# Nothing is sent that fails the checks, whatever --send says.
proc = qctl("--server", base, "--auth-key", os.path.join(pki, "new-org.p12"),
            "--password-file", os.path.join(pki, "password.txt"),
            "register", "--draft", draft(iban="KZ72722S000000000002"), "--send")
check("/registration/send-refused-before-sending", proc.returncode == 1 and '"id"' not in proc.stdout, proc.stdout)

# R003-7: a wrong password is said, and nothing is sent.
proc = qctl("--server", base, "--auth-key", os.path.join(pki, "new-org.p12"), "--key-password-file", wrong_pw,
            "register", "--draft", draft(), "--send")
check("/rules/R003-7/wrong-password", proc.returncode == 1 and "password" in proc.stderr.lower() and '"id"' not in proc.stdout,
      proc.stderr)

# R001-3, R001-5: signed with the AUTH key, sent, kept in the database by the administrator,
# then followed until the stand confirms it.
proc = qctl("--server", base, "--auth-key", os.path.join(pki, "new-org.p12"),
            "--key-password-file", os.path.join(pki, "password.txt"),
            "--user", "admin", "--password-file", admin_pw,
            "register", "--draft", draft(), "--send")
sent = json.loads(proc.stdout) if proc.returncode == 0 else {}
check("/rules/R001-3/sent-signed-with-auth-key", sent.get("status") == "CHECKED", proc.stdout + proc.stderr)

proc = qctl("--server", base, "register", "--status", "--wait")
status = json.loads(proc.stdout) if proc.stdout.strip() else {}
check("/rules/R001-5/status-followed-until-confirmed",
      proc.returncode == 0 and status.get("status") == "CONFIRMED" and status.get("id") == sent.get("id"),
      proc.stdout + proc.stderr)

# R000-2: the standard connection contract, shown whole before it is signed; someone else's key
# is refused by the stand; the head's is taken and the database keeps it as done.
proc = qctl("--server", base, "--auth-key", os.path.join(pki, "auth.p12"),
            "--key-password-file", os.path.join(pki, "password.txt"), "register", "--contract")
check("/rules/R000-2/contract-refused-from-another-key",
      proc.returncode != 0 and "850715400238" in proc.stderr and '"SIGNED"' not in proc.stdout, proc.stdout + proc.stderr)
proc = qctl("--server", base, "--auth-key", os.path.join(pki, "new-org.p12"),
            "--key-password-file", os.path.join(pki, "password.txt"),
            "--user", "admin", "--password-file", admin_pw, "register", "--contract")
signed = json.loads(proc.stdout) if proc.returncode == 0 and proc.stdout.strip() else {}
check("/rules/R000-2/contract-signed-with-the-heads-key",
      signed.get("contract") == "SIGNED" and signed.get("id") == sent.get("id")
      and "Типовой договор" in proc.stderr and "240340000019" in proc.stderr, proc.stdout + proc.stderr)
proc = qctl("--server", base, "register", "--status")
status = json.loads(proc.stdout) if proc.stdout.strip() else {}
check("/rules/R000-2/contract-in-the-requests-status", status.get("contract") == "SIGNED", proc.stdout + proc.stderr)

# Reference directories: a file that fails the check replaces nothing; a good one is used.
bad = secret("bad-banks.csv", "bic;code;name\nCASPZKZK;722;Kaspi")
good = secret("good-banks.csv", "bic;code;name\nCASPKZKA;722;Kaspi\nNEWBKZKA;123;Новый банк")
proc = qctl("reference", "import", "banks", bad)
check("/reference/import-bad-file-refused",
      proc.returncode == 1 and not os.path.exists(os.path.join(reference_dir, "banks.csv")), proc.stderr)
proc = qctl("reference", "import", "banks", good)
check("/reference/import-good-file-used",
      proc.returncode == 0 and "NEWBKZKA" in open(os.path.join(reference_dir, "banks.csv")).read(), proc.stderr)
# With the new edition, Kaspi's BIC still checks, and the draft passes.
proc = qctl("register", "--draft", draft())
check("/reference/imported-directory-checks-drafts", proc.returncode == 0, proc.stdout)
proc = qctl("reference", "import", "stars", good)
check("/reference/unknown-kind-is-usage", proc.returncode == 2, proc.stderr)

stand.send_signal(signal.SIGTERM)
stand.wait(timeout=30)

print(f"1..{len(results)}")
failed = 0
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} {name}")
    if not ok:
        failed += 1
        for line in str(detail).splitlines():
            print(f"# {line}")
sys.exit(1 if failed else 0)
