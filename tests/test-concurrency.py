#!/usr/bin/env python3
# test-concurrency.py: several workstations (separate processes) on one shared database
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-concurrency.py QOIMACTL QOIMA-STAND PKI-DIR QOIMA-TEST-WORKER   (TAP output)
#
# Each case makes one new database (tests/qoima_test_db.py: with QOIMA_TEST_DATABASE=postgresql
# a throwaway PostgreSQL server started by this script) and runs qoimactl and
# qoima-test-worker (tests/qoima-test-worker.c) as several OS processes against it:
#
# 1. Two nurses log a pack's last units at once: one is served, the other refused with the
#    units left; then the very last unit, at once again: used once, the withdrawal owed once.
# 2. A thousand writes from four processes at once (receipts and uses of one shared pack):
#    exact counts, nothing lost or doubled, and `qoimactl audit verify` passes.
# 3. Two workstations send the withdrawals owed at once (`withdraw`, then `sync`) to the local
#    ИС МПТ stand: the stand receives each document exactly once.
# 4. A workstation SIGKILLed while it holds the write lock: the server frees the lock, the
#    others carry on, its half-done transaction is gone.
# 5. A workstation SIGKILLed while it holds an outbox claim (the stand stored the document and
#    hangs before answering): another workstation of the same computer takes the claim over
#    (its holder's process is dead), asks ИС МПТ, and nothing is sent twice.
#
# "At once" is arranged, not hoped for: a worker holds the write lock while the contenders
# start, and on PostgreSQL the test waits until the server shows them waiting for it
# (pg_locks) before it lets go. No assertion depends on timing.
#
# Without QOIMA_TEST_DATABASE (test-concurrency-sqlite) the same runs on one SQLite file that
# the processes share: there the file's locks serialize the writers, no server shows the
# waiters, so the contenders are given a moment to reach the lock (which only makes the race
# likelier; the checks hold whichever process comes first).

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import qoima_test_db  # tests/qoima_test_db.py: SQLite file or PostgreSQL database

qoimactl, stand_exe, pki, worker = sys.argv[1:5]
HOSPITAL = "990340001230"
SENDER = "100340012341"
WARD = "Терапевтическое отделение"
VIAL = "04870101000065"  # Цефазолин: one vial a pack, used up at its use
PATIENTS = ("850715400238", "MK2041")
ENV = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
tmp = tempfile.mkdtemp(prefix="qoima-concurrency-")
results = []
notes = []
ON_PG = qoima_test_db.on_postgresql()


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def ki_of(code):
    if code.startswith("01") and len(code) > 31 and code[16:18] == "21":
        return code[:31]
    return code


def wait_until(what, cond, timeout=60):
    """Polls @cond until it holds. The timeout only ends a hung run (a broken setup), it is
    not what a check measures."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    raise RuntimeError("gave up waiting: " + what)


class Stand:
    def __init__(self, name, *faults, pass_fds=()):
        self.db = os.path.join(tmp, "stand-" + name + ".db")
        self.proc = subprocess.Popen([stand_exe, "--port", "0", "--db", self.db,
                                      "--ca", os.path.join(pki, "ca.pem"), "--no-demo",
                                      "--processing-delay-ms", "30", *faults],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     pass_fds=pass_fds)
        self.base = self.proc.stdout.readline().strip()
        assert self.base.startswith("http://127.0.0.1:"), self.base
        with open(self.db + ".admin-token") as f:
            self.token = f.read().strip()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)

    def admin(self, method, path, body=None):
        root = self.base.split("/api/")[0]
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{root}/stand/{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json", "X-Stand-Token": self.token})
        with urllib.request.urlopen(req, timeout=30) as answer:
            return json.load(answer)

    def receipts(self):
        """Every LK_RECEIPT the stand was given, whatever its fate, with the codes it carries
        (from the stand's own database: the admin interface lists documents without codes)."""
        rows = qoima_test_db.query(self.db, "SELECT document_number, status, body FROM documents"
                                            " WHERE type = 'LK_RECEIPT' ORDER BY rowid")
        return [(number, status, [ki_of(p["cis"]) for p in json.loads(body).get("products", [])])
                for number, status, body in rows]


class Warehouse:
    USERS = (("aigul", "clerk", "Clerk-pass-2", []), ("dana", "nurse", "4711", ["--ward", WARD]),
             ("chief", "chief", "Chief-pass-3", ["--iin", "850715400238"]))

    def __init__(self, name, stand=None, packs=20):
        self.name = name
        self.db = qoima_test_db.new_location(tmp, name + ".db")
        self.stand = stand
        self.passwords = {}
        subprocess.run([qoimactl, "--db", self.db, "demo", "--packs", str(packs)], check=True,
                       stdout=subprocess.DEVNULL)
        self.passwords["admin"] = self.secret("admin", "Admin-pass-1")
        proc = subprocess.run([qoimactl, "--db", self.db, "users", "add", "admin", "--role", "admin",
                               "--password-file", self.passwords["admin"]], stdout=subprocess.DEVNULL)
        assert proc.returncode == 0
        for user, role, password, extra in self.USERS:
            self.passwords[user] = self.secret(user, password)
            proc = self.run("admin", "users", "add", user, "--role", role, *extra,
                            "--password-file", self.passwords[user])
            assert proc.returncode == 0, proc.stderr

    def secret(self, user, text):
        path = os.path.join(tmp, f"{self.name}.{user}.pw")
        with open(path, "w") as f:
            f.write(text + "\n")
        return path

    def argv(self, user, *args):
        opts = ["--db", self.db, "--user", user, "--password-file", self.passwords[user], "--list-grace", "0"]
        if user == "chief" and self.stand is not None:
            opts += ["--server", self.stand.base, "--key", os.path.join(pki, "sign.p12"),
                     "--auth-key", os.path.join(pki, "auth.p12"),
                     "--key-password-file", os.path.join(pki, "password.txt")]
        return [qoimactl, *opts, *args]

    def run(self, user, *args):
        return subprocess.run(self.argv(user, *args), env=ENV, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=120)

    def start(self, user, *args):
        return subprocess.Popen(self.argv(user, *args), env=ENV, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def json(self, *args):
        proc = self.run("chief", *args)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    def stock(self):
        return {p["ki"]: p for p in self.json("stock", "--json")}

    def sql(self, query):
        return qoima_test_db.query(self.db, query)

    def count(self, query):
        return int(self.sql(query)[0][0])

    def waiting_writers(self):
        """How many connections wait for the write lock (PostgreSQL's advisory lock)."""
        return self.count("SELECT count (*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")

    def sync_until_done(self, tries=10):
        seen = []
        for _ in range(tries):
            seen.append(self.run("chief", "sync").returncode)
            if seen[-1] == 0:
                break
        return seen


class Holder:
    """A workstation in the middle of a write: qoima-test-worker hold."""

    def __init__(self, wh):
        self.proc = subprocess.Popen([worker, "hold", wh.db], env=ENV, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if line != "held":
            self.proc.kill()
            raise RuntimeError("the holder did not hold the write lock: " + self.proc.communicate()[1])

    def release(self):
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        out, err = self.proc.communicate(timeout=60)
        return self.proc.returncode == 0 and out.strip() == "committed", err

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.communicate(timeout=60)


def gate(name, wh, starts):
    """Starts the processes of @starts (callables) while a holder keeps the write lock, waits
    until each waits for it (on PostgreSQL, as the server shows), then lets them all go."""
    holder = Holder(wh)
    procs = [start() for start in starts]
    if ON_PG:
        wait_until("the contenders wait for the write lock",
                   lambda: wh.waiting_writers() >= len(procs) or any(p.poll() is not None for p in procs))
        check(f"{name}: the {len(procs)} workstations all waited for the write lock at once",
              all(p.poll() is None for p in procs), [p.poll() for p in procs])
    else:
        time.sleep(0.5)  # SQLite shows no waiters: a moment for them to reach the lock
    ok, err = holder.release()
    assert ok, err
    return [(p,) + p.communicate(timeout=120) for p in procs]


def accepted_vials(wh, n):
    """@n packs of one vial each, accepted from an act through the stand and moved to the ward."""
    act = wh.stand.admin("POST", "acts", {"sender": SENDER, "receiver": HOSPITAL, "box_size": 0,
                                         "lines": [{"gtin": VIAL, "packs": n}]})
    syncs = wh.sync_until_done()
    assert syncs[-1] == 0, syncs
    for _ in range(10):
        proc = wh.run("chief", "accept", act["id"])
        status = {a["ismpt_id"]: a for a in wh.json("acts", "--json")}[act["id"]]["status"]
        if status == "accepted":
            break
        wh.run("chief", "sync")
    codes = [ki_of(c) for c in act["codes"]]
    proc = wh.run("aigul", "move", "--to", WARD, *[a for k in codes for a in ("--code", k)])
    assert proc.returncode == 0, proc.stderr
    return codes


def test_last_units():
    wh = Warehouse("last")
    stock = wh.stock()
    opened = {p["ki"][2:16] for p in stock.values() if p["status"] == "opened"}
    pack = next(p for p in stock.values() if p["status"] == "in_stock" and (p["units_per_pack"] or 0) >= 6
                and p["location"] == "Склад аптеки" and p["ki"][2:16] not in opened)
    ki, units = pack["ki"], pack["units_per_pack"]
    proc = wh.run("aigul", "move", "--to", WARD, "--code", ki)
    assert proc.returncode == 0, proc.stderr
    proc = wh.run("dana", "use", "--code", ki, "--patient", PATIENTS[0], "--units", str(units - 4))
    assert proc.returncode == 0, proc.stderr

    # Four left; two nurses ask for three each at once.
    runs = gate("last units", wh, [lambda p=p: wh.start("dana", "use", "--code", ki, "--patient", p, "--units", "3")
                     for p in PATIENTS])
    codes = sorted(p.returncode for p, _, _ in runs)
    refused = [err for p, _, err in runs if p.returncode != 0]
    served = [json.loads(out) for p, out, _ in runs if p.returncode == 0]
    check("last units: of two nurses asking for 3 of 4 units at once, exactly one is served", codes == [0, 1],
          [(p.returncode, out, err) for p, out, err in runs])
    check("last units: the other is refused with the units left", len(refused) == 1
          and "Only 1 unit remains" in refused[0], refused)
    check("last units: the served one printed 1 unit left", [s.get("units_left") for s in served] == [1], served)
    check("last units: one use in the journal for the two", wh.count(
        f"SELECT count (*) FROM movements m JOIN packs p ON p.id = m.pack_id WHERE p.ki = '{ki}' AND m.kind = 'use'") == 2)

    # The very last unit, at once again.
    runs = gate("last unit", wh, [lambda p=p: wh.start("dana", "use", "--code", ki, "--patient", p, "--units", "1")
                     for p in PATIENTS])
    codes = sorted(p.returncode for p, _, _ in runs)
    check("last unit: exactly one of two nurses uses it", codes == [0, 1],
          [(p.returncode, out, err) for p, out, err in runs])
    check("last unit: the pack is used up with 0 units left",
          wh.sql(f"SELECT status, units_left FROM packs WHERE ki = '{ki}'") in ([("used_up", "0")], [("used_up", 0)]),
          wh.sql(f"SELECT status, units_left FROM packs WHERE ki = '{ki}'"))
    check("last unit: the withdrawal is owed once", wh.count(
        f"SELECT count (*) FROM withdrawals_owed w JOIN packs p ON p.id = w.pack_id WHERE p.ki = '{ki}'") == 1)
    proc = wh.run("chief", "audit", "verify")
    check("last unit: the audit trail verifies", proc.returncode == 0, proc.stdout + proc.stderr)


def test_thousand_writes():
    n_workers, rounds = 4, 125  # 4 × 125 × (a receipt + a use) = 1000 write transactions
    wh = Warehouse("thousand")
    stock = wh.stock()
    opened = {p["ki"][2:16] for p in stock.values() if p["status"] == "opened"}
    pack = next(p for p in stock.values() if p["status"] == "in_stock" and (p["units_per_pack"] or 0) >= 2
                and p["location"] == "Склад аптеки" and p["ki"][2:16] not in opened)
    ki, gtin = pack["ki"], pack["ki"][2:16]
    # One shared pack with more units than the workers use, so that no use is refused.
    shared_units = n_workers * rounds + 100
    proc = wh.run("aigul", "units", "--gtin", gtin, "--units", str(shared_units))
    assert proc.returncode == 0, proc.stderr
    proc = wh.run("aigul", "move", "--to", WARD, "--code", ki)
    assert proc.returncode == 0, proc.stderr
    warehouse = wh.count("SELECT id FROM locations WHERE kind = 'warehouse' ORDER BY id LIMIT 1")
    before = {
        "packs": wh.count("SELECT count (*) FROM packs"),
        "receipts": wh.count("SELECT count (*) FROM movements WHERE kind = 'receipt'"),
        "uses": wh.count("SELECT count (*) FROM movements WHERE kind = 'use'"),
        "audit receipts": wh.count("SELECT count (*) FROM audit WHERE tbl = 'receipts'"),
    }
    runs = gate("thousand", wh, [lambda i=i: subprocess.Popen(
        [worker, "writes", wh.db, "dana", "4711", ki, PATIENTS[i % 2], gtin, str(warehouse), f"CONC{i:04d}", str(rounds)],
        env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(n_workers)])
    outs = [out.strip() for _, out, _ in runs]
    check("thousand: each of the 4 workers made its 125 receipts and 125 uses, none refused",
          all(p.returncode == 0 for p, _, _ in runs) and outs == [f"received {rounds} used {rounds} refused 0"] * n_workers,
          [(p.returncode, out, err) for p, out, err in runs])
    total = n_workers * rounds
    after = {
        "packs": wh.count("SELECT count (*) FROM packs"),
        "receipts": wh.count("SELECT count (*) FROM movements WHERE kind = 'receipt'"),
        "uses": wh.count("SELECT count (*) FROM movements WHERE kind = 'use'"),
        "audit receipts": wh.count("SELECT count (*) FROM audit WHERE tbl = 'receipts'"),
    }
    check("thousand: exactly 500 packs, 500 receipts, 500 uses more, and one audit row per receipt",
          all(after[k] - before[k] == total for k in before), (before, after))
    units_left = wh.count(f"SELECT units_left FROM packs WHERE ki = '{ki}'")
    check("thousand: the shared pack lost exactly one unit per use (no lost update)",
          units_left == shared_units - total, units_left)
    journal = wh.count(f"SELECT coalesce (sum (-m.units_delta), 0) FROM movements m JOIN packs p ON p.id = m.pack_id"
                       f" WHERE p.ki = '{ki}' AND m.kind = 'use'")
    check("thousand: the journal's uses of the shared pack add up to the units gone", journal == total, journal)
    n_audit = wh.count("SELECT count (*) FROM audit")
    ids = wh.sql("SELECT min (id), max (id) FROM audit")[0]
    check("thousand: the audit ids run from 1 to the row count without a gap",
          int(ids[0]) == 1 and int(ids[1]) == n_audit, (ids, n_audit))
    proc = wh.run("chief", "audit", "verify")
    check("thousand: qoimactl audit verify passes over every row",
          proc.returncode == 0 and proc.stdout.strip() == f"audit trail OK: {n_audit} rows", proc.stdout + proc.stderr)


def test_two_syncing():
    stand = Stand("two")
    try:
        wh = Warehouse("two", stand)
        codes = accepted_vials(wh, 6)
        for i, ki in enumerate(codes):
            proc = wh.run("dana", "use", "--code", ki, "--patient", PATIENTS[i % 2])
            assert proc.returncode == 0, proc.stderr
        owed = wh.count("SELECT count (*) FROM withdrawals_owed")
        check("two syncing: six vials used up, six withdrawals owed", owed == 6, owed)

        # Automatic withdrawals: each sync queues what is owed and sends it. Two workstations
        # (two processes of the chief) sync at once, both finding the same six owed.
        proc = wh.run("admin", "settings", "auto-withdraw", "on")
        assert proc.returncode == 0, proc.stderr
        runs = gate("two syncing", wh, [lambda: wh.start("chief", "sync"), lambda: wh.start("chief", "sync")])
        notes.append("two syncing: sync exits " + str([(p.returncode, err.strip()[-160:]) for p, _, err in runs]))
        # Whatever either left (a document another workstation was sending), one more sync ends it.
        syncs = wh.sync_until_done()
        check("two syncing: a sync afterwards ends cleanly", syncs[-1] == 0, syncs)
        carried = [k for _, _, kis in stand.receipts() for k in kis]
        check("two syncing: the stand received exactly one withdrawal per used-up code",
              sorted(carried) == sorted(codes), {k: carried.count(k) for k in set(carried) | set(codes)})
        rows = wh.json("withdrawals", "--json")
        check("two syncing: locally each pack is withdrawn once, done",
              sorted(w["pack"] for w in rows) == sorted(codes) and all(w["status"] == "done" for w in rows),
              [(w["pack"], w["status"]) for w in rows])
        n = wh.count("SELECT count (*) FROM outbox WHERE doc_type = 'LK_RECEIPT'")
        check("two syncing: the outbox holds as many withdrawal documents as the stand received",
              n == len(stand.receipts()), (n, len(stand.receipts())))
        check("two syncing: no claim is left behind", wh.count("SELECT count (*) FROM outbox_claims") == 0)
    finally:
        stand.stop()


def test_killed_holding_lock():
    wh = Warehouse("killed-lock")
    stock = wh.stock()
    pack = next(p for p in stock.values() if p["status"] == "in_stock" and p["location"] == "Склад аптеки")
    holder = Holder(wh)
    mover = wh.start("aigul", "move", "--to", WARD, "--code", pack["ki"])
    if ON_PG:
        wait_until("the move waits for the write lock", lambda: wh.waiting_writers() >= 1 or mover.poll() is not None)
    check("killed lock: a move waits while another workstation holds the write lock", mover.poll() is None)
    holder.kill()
    out, err = mover.communicate(timeout=120)
    check("killed lock: the holder SIGKILLed, the move goes through", mover.returncode == 0, err)
    check("killed lock: the pack is in the ward", wh.stock()[pack["ki"]]["location"] == WARD)
    check("killed lock: nothing of the killed transaction is left",
          wh.count("SELECT count (*) FROM test_holder") == 0)
    # And a holder that lives to commit does write: the check above can fail.
    Holder(wh).release()
    check("killed lock: a holder that commits leaves its row (the check can fail)",
          wh.count("SELECT count (*) FROM test_holder") == 1)
    proc = wh.run("chief", "audit", "verify")
    check("killed lock: the audit trail verifies", proc.returncode == 0, proc.stdout + proc.stderr)


class Stored:
    """The stand's --notify lines ("stored TYPE NUMBER ID"), read from a pipe as they come."""

    def __init__(self):
        self.read_fd, self.write_fd = os.pipe()
        self.buffer = b""

    def wait(self, proc, doc_type, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.read_fd], [], [], 0.02)
            if ready:
                self.buffer += os.read(self.read_fd, 4096)
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                if line.decode().split(" ")[1] == doc_type:
                    return line.decode()
            if proc.poll() is not None and not ready:
                return None
        return None


def test_killed_holding_claim():
    stored = Stored()
    stand = Stand("killed-claim", "--notify", f"/dev/fd/{stored.write_fd}", "--hang-seconds", "60",
                  pass_fds=(stored.write_fd,))
    os.close(stored.write_fd)
    try:
        wh = Warehouse("killed-claim", stand)
        codes = accepted_vials(wh, 2)
        for i, ki in enumerate(codes):
            assert wh.run("dana", "use", "--code", ki, "--patient", PATIENTS[i]).returncode == 0
        # The stand stores the withdrawal and then hangs: the workstation is mid-send, its claim held.
        stand.admin("POST", "faults", {"after_store": "hang", "after_store_rate": 1})
        proc = wh.start("chief", "withdraw")
        line = stored.wait(proc, "LK_RECEIPT")
        check("killed claim: the withdrawal reached the stand while its workstation waits", line is not None
              and proc.poll() is None, line)
        claims = wh.sql("SELECT workstation FROM outbox_claims")
        check("killed claim: the sending workstation holds the document's claim", len(claims) == 1, claims)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        states = [r[0] for r in wh.sql("SELECT state FROM outbox WHERE doc_type = 'LK_RECEIPT'")]
        check("killed claim: after the kill the document is left 'sending', still claimed",
              states == ["sending"] and wh.count("SELECT count (*) FROM outbox_claims") == 1,
              (states, wh.sql("SELECT * FROM outbox_claims")))

        # Another workstation of this computer carries on: the claim's process is dead.
        stand.admin("POST", "faults", {"after_store": "none"})
        syncs = wh.sync_until_done()
        check("killed claim: another workstation's sync ends cleanly", syncs[-1] == 0, syncs)
        carried = [k for _, _, kis in stand.receipts() for k in kis]
        check("killed claim: the stand received exactly one withdrawal per used-up code, nothing twice",
              sorted(carried) == sorted(codes) and len(stand.receipts()) == 1,
              {k: carried.count(k) for k in set(carried) | set(codes)})
        rows = wh.json("withdrawals", "--json")
        check("killed claim: locally each pack is withdrawn, done",
              sorted(w["pack"] for w in rows) == sorted(codes) and all(w["status"] == "done" for w in rows),
              [(w["pack"], w["status"]) for w in rows])
        check("killed claim: the claim is gone", wh.count("SELECT count (*) FROM outbox_claims") == 0)
    finally:
        stand.stop()
        os.close(stored.read_fd)


cases = [test_last_units, test_thousand_writes, test_two_syncing, test_killed_holding_lock, test_killed_holding_claim]
only = os.environ.get("QOIMA_CONCURRENCY_ONLY")
for case in cases:
    if only and only not in case.__name__:
        continue
    started = time.monotonic()
    try:
        case()
    except Exception as e:  # a broken run is a failure, with its cause
        import traceback
        check(case.__name__ + " ran to its end", False, traceback.format_exc())
    notes.append(f"{case.__name__}: {time.monotonic() - started:.1f} s")

print("1..%d" % len(results))
for i, (name, ok, detail) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    if not ok and detail:
        for line in str(detail).splitlines():
            print("# " + line)
for note in notes:
    print("# " + note)
