#!/usr/bin/env python3
# test-qoimactl-acts.py: `qoimactl sync | acts --json | accept | reject` against the project's stand
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-qoimactl-acts.py QOIMACTL QOIMA-STAND PKI-DIR   (TAP output; meson passes the paths)
#
# The stand runs as a subprocess on 127.0.0.1 (port 0) with its own database; acts are created
# through its admin interface; qoimactl talks to it over real HTTP and signs with the demo keys.

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import urllib.request

import qoima_test_db  # tests/qoima_test_db.py: SQLite file or PostgreSQL database

qoimactl, stand_exe, pki = sys.argv[1:4]
HOSPITAL = "990340001230"
SENDER = "100340012341"  # ТОО "Медсервис Плюс"
tmp = tempfile.mkdtemp(prefix="qoimactl-acts-")
db = qoima_test_db.new_location(tmp)
stand_db = os.path.join(tmp, "stand.db")
stand = None
base = None


def start_stand():
    global stand, base
    stand = subprocess.Popen([stand_exe, "--port", "0", "--db", stand_db,
                              "--ca", os.path.join(pki, "ca.pem"), "--no-demo",
                              "--processing-delay-ms", "30"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = stand.stdout.readline().strip()
    assert base.startswith("http://127.0.0.1:"), base


def stop_stand():
    stand.send_signal(signal.SIGTERM)
    stand.wait(timeout=30)


def admin(method, path, body=None):
    root = base.split("/api/")[0]
    data = json.dumps(body).encode() if body is not None else None
    # The admin interface's secret, in a file next to the stand's database.
    with open(stand_db + ".admin-token") as f:
        token = f.read().strip()
    req = urllib.request.Request(f"{root}/stand/{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json", "X-Stand-Token": token})
    with urllib.request.urlopen(req, timeout=30) as answer:
        return json.load(answer)


def secret(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text + "\n")
    return path


admin_pw = secret("admin.pw", "Admin-pass-1")
nurse_pw = secret("nurse.pw", "Nurse-pass-2")
chief_pw = secret("chief.pw", "Chief-pass-3")
ward = "Терапевтическое отделение"


def qctl(*args, key=True, password="password.txt", user="chief", user_pw=None):
    # Acting on acts and withdrawals needs a user (issue 4): the chief by default; the key's
    # password comes apart from the user's.
    opts = ["--db", db, "--server", base, "--key-password-file", os.path.join(pki, password)]
    if user is not None:
        opts += ["--user", user, "--password-file", user_pw or chief_pw]
    if key:
        opts += ["--key", os.path.join(pki, "sign.p12"), "--auth-key", os.path.join(pki, "auth.p12")]
    else:
        opts += ["--auth-key", os.path.join(pki, "auth.p12")]
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
    return subprocess.run([qoimactl, *opts, *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)


def acts():
    proc = qctl("acts", "--json")
    assert proc.returncode == 0, proc.stderr
    return {a["ismpt_id"]: a for a in json.loads(proc.stdout)}


def stock_by_ki():
    proc = subprocess.run([qoimactl, "--db", db, "stock", "--json"], stdout=subprocess.PIPE, text=True)
    return {p["ki"]: p for p in json.loads(proc.stdout)}


def stock_count():
    proc = subprocess.run([qoimactl, "--db", db, "stock", "--json"], stdout=subprocess.PIPE, text=True)
    return len(json.loads(proc.stdout))


def new_act(packs, box_size=0):
    products = subprocess.run([qoimactl, "--db", db, "stock", "--json"], stdout=subprocess.PIPE, text=True)
    gtins = sorted({p["gtin"] for p in json.loads(products.stdout)})[:2]
    return admin("POST", "acts", {"sender": SENDER, "receiver": HOSPITAL, "box_size": box_size,
                                  "lines": [{"gtin": gtins[0], "packs": packs // 2},
                                            {"gtin": gtins[1], "packs": packs - packs // 2}]})


results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


start_stand()
try:
    subprocess.run([qoimactl, "--db", db, "demo", "--packs", "20"], check=True, stdout=subprocess.DEVNULL)

    def as_user(name, pw, *args):
        return subprocess.run([qoimactl, "--db", db, "--user", name, "--password-file", pw, *args],
                              env=dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE=""), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    subprocess.run([qoimactl, "--db", db, "users", "add", "admin", "--role", "admin", "--password-file", admin_pw],
                   check=True, stdout=subprocess.DEVNULL)
    for name, role, pw, extra in (("aigul", "clerk", admin_pw, []), ("dana", "nurse", nurse_pw, ["--ward", ward]),
                                  ("chief", "chief", chief_pw, ["--iin", "850715400238"])):
        proc = as_user("admin", admin_pw, "users", "add", name, "--role", role, *extra, "--password-file", pw)
        assert proc.returncode == 0, proc.stderr
    before = stock_count()
    a1 = new_act(10)
    a2 = new_act(4)

    proc = qctl("sync")
    check("sync loads the new acts", proc.returncode == 0 and len(acts()) == 2, proc.stderr)
    listed = acts()[a1["id"]]
    check("acts --json fields", listed["packs"] == 10 and listed["status"] == "waiting"
          and listed["sender_bin"] == SENDER and listed["deadline"] and listed["number"], listed)

    codes_file = os.path.join(tmp, "codes.txt")
    with open(codes_file, "w") as f:
        f.write("\n".join(a1["codes"][:6]) + "\n")
    proc = qctl("accept", str(listed["id"]), "--codes", codes_file)
    after = acts()[a1["id"]]
    check("accept --codes: partially accepted", proc.returncode == 0 and after["status"] == "partially_accepted",
          proc.stderr + json.dumps(after))
    check("accept --codes: 6 packs entered stock", stock_count() == before + 6, stock_count())
    owner_in = admin("GET", "codes/" + urllib.request.quote(a1["codes"][0], safe=""))
    owner_out = admin("GET", "codes/" + urllib.request.quote(a1["codes"][9], safe=""))
    check("the stand: accepted code owned by the hospital, refused one by the sender",
          owner_in.get("owner") == HOSPITAL and owner_out.get("owner") == SENDER, (owner_in, owner_out))

    proc = qctl("reject", a2["id"], user="dana", user_pw=nurse_pw)
    check("a nurse may not answer an act: exit 1, with the core's reason",
          proc.returncode == 1 and "accept acts" in proc.stderr and acts()[a2["id"]]["status"] == "waiting", proc.stderr)
    proc = qctl("reject", a2["id"], user=None)
    check("answering an act needs --user", proc.returncode == 1 and "--user" in proc.stderr, proc.stderr)
    proc = qctl("reject", a2["id"])
    check("reject by ИС МПТ id", proc.returncode == 0 and acts()[a2["id"]]["status"] == "rejected", proc.stderr)
    check("reject: stock unchanged", stock_count() == before + 6)

    a3 = new_act(2)
    qctl("sync")
    proc = qctl("accept", a3["id"], key=False)
    check("accept without --key is a usage error", proc.returncode == 2, proc.returncode)
    with open(os.path.join(tmp, "wrong.txt"), "w") as f:
        f.write("not-the-password\n")
    proc = qctl("accept", a3["id"], password=os.path.join(tmp, "wrong.txt"))
    check("a wrong password is refused clearly", proc.returncode == 1 and "password" in proc.stderr.lower(),
          proc.stderr)

    # Real crashes: qoimactl is killed (SIGKILL) at random moments while it signs, queues and
    # sends; a later `sync` resumes. Each answer reaches the stand exactly once, and the stock
    # counts each accepted pack once.
    rng = random.Random(4)
    killed = [new_act(4) for _ in range(6)]
    after_kill = []
    qctl("sync")
    stock_before_kills = stock_count()
    for act in killed:
        opts = ["--db", db, "--server", base, "--user", "chief", "--password-file", chief_pw,
                "--key-password-file", os.path.join(pki, "password.txt"),
                "--key", os.path.join(pki, "sign.p12"), "--auth-key", os.path.join(pki, "auth.p12")]
        victim = subprocess.Popen([qoimactl, *opts, "accept", act["id"]], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            victim.wait(timeout=rng.uniform(0.3, 2.2))
        except subprocess.TimeoutExpired:
            victim.send_signal(signal.SIGKILL)
            victim.wait()
        status = acts()[act["id"]]["status"]
        after_kill.append(status)
        if status == "waiting":
            # Killed before the answer was queued: the chief signs again.
            qctl("accept", act["id"])
    # A send killed after "sending" was committed but before its request reached the stand
    # waits out the list's grace (15 minutes) before it is sent again; the local stand lists
    # a document as soon as it stores it, so here no grace is needed, and a document the
    # stand has is still found and not sent twice.
    for _ in range(3):
        qctl("--list-grace", "0", "sync")
    states = [acts()[a["id"]]["status"] for a in killed]
    numbers = [d["document_number"] for d in admin("GET", "documents?type=LP_ACCEPT_GOODS")]
    check("killed at random moments: every act accepted", states == ["accepted"] * len(killed), states)
    check("killed at random moments: no answer sent twice", len(numbers) == len(set(numbers)) == 2 + len(killed),
          numbers)
    check("killed at random moments: each pack counted once", stock_count() == stock_before_kills + 4 * len(killed),
          stock_count() - stock_before_kills)

    # Withdrawal (R000-9): a pack of an accepted act goes to a ward, a nurse uses it up, the
    # chief signs the owed withdrawal; ИС МПТ retires the code and the pack is withdrawn.
    pack = stock_by_ki()[a1["codes"][0]]
    proc = as_user("admin", admin_pw, "move", "--to", ward, "--code", pack["ki"])
    check("an admin may not move stock", proc.returncode == 1, proc.stderr)
    proc = as_user("aigul", admin_pw, "move", "--to", ward, "--code", pack["ki"])
    check("the clerk moves a received pack to a ward", proc.returncode == 0, proc.stderr)
    units = pack["units_left"]
    used = []
    for i in range(units):
        proc = as_user("dana", nurse_pw, "use", "--code", pack["ki"], "--patient", "850715400238")
        used.append(proc.returncode)
    check("the nurse uses the pack up", used == [0] * units and stock_by_ki()[pack["ki"]]["status"] == "used_up",
          used)
    owed = json.loads(qctl("withdrawals", "--json").stdout)
    check("its withdrawal is owed", [w["pack"] for w in owed if w["status"] == "owed"] == [pack["ki"]], owed)
    proc = subprocess.run([qoimactl, "--db", db, "--server", base, "--user", "dana", "--password-file", nurse_pw,
                           "--key", os.path.join(pki, "sign.p12"), "--auth-key", os.path.join(pki, "auth.p12"),
                           "--key-password-file", os.path.join(pki, "password.txt"), "withdraw"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    check("a nurse may not sign the withdrawal", proc.returncode == 1, proc.stderr)
    proc = subprocess.run([qoimactl, "--db", db, "--server", base, "--user", "chief", "--password-file", chief_pw,
                           "--key", os.path.join(pki, "sign.p12"), "--auth-key", os.path.join(pki, "auth.p12"),
                           "--key-password-file", os.path.join(pki, "password.txt"), "withdraw"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    sent = json.loads(qctl("withdrawals", "--json").stdout)
    retired = admin("GET", "codes/" + urllib.request.quote(pack["ki"], safe=""))
    check("the chief signs: ИС МПТ retires the code, the pack is withdrawn, once",
          proc.returncode == 0 and retired.get("status") == "RETIRED" and sent[0]["status"] == "done"
          and stock_by_ki()[pack["ki"]]["status"] == "withdrawn"
          and len(admin("GET", "documents?type=LK_RECEIPT")) == 1, (proc.stderr, retired, sent))

    # Write-offs: recorded by the chief with a reason, signed apart from medical use, one
    # document per reason; `withdraw --code` signs only the packs named.
    damaged, lost = a1["codes"][1], a1["codes"][2]
    proc = as_user("aigul", admin_pw, "write-off", "--code", damaged, "--reason", "damaged")
    check("a clerk may not write off", proc.returncode == 1 and "write off" in proc.stderr, proc.stderr)
    proc = as_user("chief", chief_pw, "write-off", "--code", damaged, "--reason", "expired")
    check("expired only for an expired pack", proc.returncode == 1 and "not expired" in proc.stderr, proc.stderr)
    proc = as_user("chief", chief_pw, "write-off", "--code", damaged, "--reason", "damaged")
    check("the chief writes off a damaged pack", proc.returncode == 0, proc.stderr)
    proc = as_user("chief", chief_pw, "write-off", "--code", lost, "--reason", "lost")
    check("the chief writes off a lost pack", proc.returncode == 0, proc.stderr)
    proc = as_user("chief", chief_pw, "write-off", "--code", damaged, "--reason", "lost")
    check("a pack is written off once", proc.returncode == 1, proc.stderr)
    owed = {w["pack"]: w for w in json.loads(qctl("withdrawals", "--json").stdout)}
    check("withdrawals --json: pack, reason, document, status",
          owed[damaged]["reason"] == "DAMAGED" and owed[damaged]["status"] == "owed"
          and owed[damaged]["document"] is None and owed[pack["ki"]]["reason"] == "MEDICAL_USE", owed)
    proc = qctl("withdraw", "--code", damaged)
    after = {w["pack"]: w for w in json.loads(qctl("withdrawals", "--json").stdout)}
    check("withdraw --code signs only that pack", proc.returncode == 0 and after[damaged]["status"] == "done"
          and after[lost]["status"] == "owed" and stock_by_ki().get(damaged, {}).get("status", "written_off") == "written_off",
          (proc.stderr, after))
    proc = qctl("withdraw")
    after = {w["pack"]: w for w in json.loads(qctl("withdrawals", "--json").stdout)}
    reasons = sorted(d.get("withdrawReason") or "" for d in
                     [admin("GET", "codes/" + urllib.request.quote(k, safe="")) for k in (damaged, lost)])
    check("withdraw signs the rest; the stand records the reason", proc.returncode == 0
          and after[lost]["status"] == "done" and reasons == ["DAMAGE_LOSS", "DAMAGE_LOSS"]
          and len(admin("GET", "documents?type=LK_RECEIPT")) == 3, (proc.stderr, after, reasons))
    proc = qctl("withdraw")
    check("nothing owed: withdraw says so", proc.returncode == 0 and "No withdrawal" in proc.stderr, proc.stderr)

    proc = subprocess.run([qoimactl, "--db", db, "audit", "verify"], stdout=subprocess.PIPE, text=True)
    check("the audit trail verifies", proc.returncode == 0, proc.stdout)

    stop_stand()
    proc = qctl("accept", a3["id"])
    check("stand down: exit 3, the answer waits", proc.returncode == 3 and acts()[a3["id"]]["status"] == "sending",
          f"{proc.returncode} {proc.stderr}")
    start_stand()
    proc = qctl("sync")
    check("stand back: sync sends it once", proc.returncode == 0 and acts()[a3["id"]]["status"] == "accepted"
          and len(admin("GET", "documents?type=LP_ACCEPT_GOODS")) == 3 + len(killed), proc.stderr)

    # Issue 9: ИС МПТ stores the document, then answers 200 with an empty body, or 204 (no
    # document id). qoimactl crashed (SIGSEGV) here. Now the outcome is unknown: exit 3, the
    # answer waits as "sending", and the next sync asks ИС МПТ, finds the document and does
    # not send it again.
    for shape in ("create-empty-200", "create-empty-204"):
        act = new_act(2)
        qctl("sync")
        sent_before = len(admin("GET", "documents?type=LP_ACCEPT_GOODS"))
        admin("POST", "shape", {"shape": shape})
        proc = qctl("accept", act["id"])
        check(f"{shape}: accept does not crash, the answer waits (exit 3, sending)",
              proc.returncode == 3 and acts()[act["id"]]["status"] == "sending",
              f"{proc.returncode} {proc.stderr}")
        check(f"{shape}: the stand stored the document once",
              len(admin("GET", "documents?type=LP_ACCEPT_GOODS")) == sent_before + 1)
        admin("POST", "shape", {"shape": "standard"})
        proc = qctl("sync")
        check(f"{shape}: the next sync finds it, accepted exactly once",
              proc.returncode == 0 and acts()[act["id"]]["status"] == "accepted"
              and len(admin("GET", "documents?type=LP_ACCEPT_GOODS")) == sent_before + 1,
              f"{proc.returncode} {proc.stderr}")
finally:
    stop_stand()

print(f"1..{len(results)}")
print(f"# states right after the kills: {after_kill}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} {name}")
    if not ok:
        # Every line a comment: a multi-line detail (a command's stderr) must not break TAP.
        for line in str(detail).splitlines() or [""]:
            print(f"# {line}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
