#!/usr/bin/env python3
# test-qoimactl-parse.py: `qoimactl parse` prints one JSON object per scan and an exit status
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-qoimactl-parse.py PATH-TO-QOIMACTL   (TAP output; meson passes the path)

import json
import os
import subprocess
import sys

GS = "\x1d"
CRYPTO44 = "tWWb94HnJKPCqjjx1VzokuBwLXwLa7IQbV6wdeFgieI="
KI = "0104607000000014215AbCdEfGh1234"
FIELDS = ["gtin", "serial", "ki", "verification_key", "crypto", "crypto_short",
          "expiry", "expiry_raw", "batch", "symbology"]

qoimactl = sys.argv[1]
here = os.environ.get("G_TEST_SRCDIR") or os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "gs1-vectors.json"), encoding="utf-8") as f:
    VECTORS = json.load(f)

tests = []


def case(func):
    tests.append(func)
    return func


def run(args=(), stdin=b""):
    env = dict(os.environ, LC_ALL="C.UTF-8")
    proc = subprocess.run([qoimactl, "parse", *args], input=stdin, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    # Split on newlines only: str.splitlines() would also split on GS.
    lines = [line for line in proc.stdout.decode("utf-8").split("\n") if line]
    return proc.returncode, [json.loads(line) for line in lines]


def check_vector(vector, obj):
    vid = vector["id"]
    if vector["kind"] == "invalid":
        assert obj["ok"] is False, (vid, obj)
        assert obj["error"] == vector["expected_error"], (vid, obj)
        assert obj["message"], (vid, obj)
        assert obj["position"] is None or isinstance(obj["position"], int), (vid, obj)
        return
    expected = vector["expected"]
    assert obj["ok"] is True, (vid, obj)
    assert obj["kind"] == "pack", (vid, obj)
    for field in FIELDS:
        assert obj[field] == expected.get(field), (vid, field, obj[field], expected.get(field))
    for warning in expected.get("warnings", []):
        assert warning in obj["warnings"], (vid, obj)
    assert obj["recovered"] is (vector["kind"] == "recoverable"), (vid, obj)
    if vector["kind"] == "recoverable":
        assert obj["km"] == vector["recovered_input"], (vid, obj)


@case
def argument_valid():
    status, out = run([KI + GS + "91EE06" + GS + "92" + CRYPTO44])
    assert status == 0, status
    assert len(out) == 1
    o = out[0]
    assert o["ok"] is True and o["kind"] == "pack"
    assert o["gtin"] == "04607000000014" and o["serial"] == "5AbCdEfGh1234" and o["ki"] == KI
    assert o["verification_key"] == "EE06" and o["crypto"] == CRYPTO44
    assert o["expiry"] is None and o["batch"] is None and o["sscc"] is None and o["symbology"] is None
    assert o["km"] == KI + GS + "91EE06" + GS + "92" + CRYPTO44
    assert o["recovered"] is False and o["warnings"] == []


@case
def arguments_one_invalid_fails():
    status, out = run([KI, "0104607000000015215AbCdEfGh1234"])
    assert status == 1, status
    assert [o["ok"] for o in out] == [True, False]
    assert out[0]["warnings"] == ["NO_VERIFICATION_PART"]
    assert out[1]["error"] == "BAD_CHECK_DIGIT" and out[1]["position"] == 15
    assert "check digit" in out[1]["message"]


@case
def stdin_every_vector():
    # One line per vector; only the line's own newline goes, so R07 keeps its CR.
    lines = [v["input"][:-1] if v["input"].endswith("\n") else v["input"] for v in VECTORS]
    assert all("\n" not in line for line in lines)
    status, out = run(stdin="".join(line + "\n" for line in lines).encode("utf-8"))
    assert status == 1, status
    assert len(out) == len(VECTORS), (len(out), len(VECTORS))
    for vector, obj in zip(VECTORS, out):
        check_vector(vector, obj)
    r07 = out[[v["id"] for v in VECTORS].index("R07")]
    assert "TERMINATOR_STRIPPED" in r07["warnings"], r07


@case
def stdin_valid_only_succeeds():
    valid = [v for v in VECTORS if v["kind"] != "invalid"]
    text = "".join(v["input"].rstrip("\r\n") + "\n" for v in valid)
    status, out = run(stdin=text.encode("utf-8"))
    assert status == 0, status
    assert len(out) == len(valid)
    assert all(o["ok"] for o in out)


@case
def stdin_keeps_gs_and_last_line_without_newline():
    status, out = run(stdin=(KI + GS + "93Ab1z\n" + KI).encode("utf-8"))
    assert status == 0, status
    assert len(out) == 2
    assert out[0]["crypto_short"] == "Ab1z" and out[0]["recovered"] is False
    assert out[1]["ki"] == KI


@case
def empty_stdin():
    status, out = run(stdin=b"")
    assert status == 0 and out == [], (status, out)


@case
def json_escaping():
    serial = "\"%<&'>a;b/c?*"
    status, out = run(["0104607000000014" + "21" + serial + GS + "91EE06" + GS + "92" + CRYPTO44])
    assert status == 0, status
    assert out[0]["serial"] == serial
    assert out[0]["ki"] == "0104607000000014" + "21" + serial


@case
def error_without_position_is_null():
    status, out = run(["215AbCdEfGh1234"])
    assert status == 1
    assert out[0]["ok"] is False and out[0]["error"] == "MISSING_GTIN" and out[0]["position"] is None


@case
def box_and_layout():
    status, out = run(["]d2" + GS + "00106141412345678908",
                       "0104607000000014215ФиСвУаПр1234ъ91УУ06ъ92" + "еЦЦи94РтОЛЗСйооч1МящлгИцДЧцДф7ШЙиМ6цвуАпшуШ="])
    assert status == 0, status
    box, ru = out
    assert box["kind"] == "box" and box["sscc"] == "106141412345678908" and box["ki"] is None
    assert box["symbology"] == "]d2"
    assert ru["ki"] == KI and ru["recovered"] is True
    assert ru["warnings"] == ["LAYOUT_REMAPPED", "GS_RECOVERED"], ru["warnings"]


@case
def invalid_utf8_line():
    status, out = run(stdin=b"01046070\xff00000014\n")
    assert status == 1
    assert out[0]["error"] == "BAD_CHARSET" and out[0]["position"] == 8


FULL = KI + GS + "91EE06" + GS + "92" + CRYPTO44


@case
def nul_after_a_code_is_refused_with_its_position():
    # Issue 9: getline()'s length was ignored, so "<code>\0GARBAGE" parsed as the code.
    text = FULL.encode() + b"\0GARBAGE\n" + FULL.encode() + b"\n"
    status, out = run(stdin=text)
    assert status == 1, status
    assert len(out) == 2, out
    assert out[0]["ok"] is False and out[0]["error"] == "BAD_CHARSET", out[0]
    assert out[0]["position"] == len(FULL), out[0]
    assert "byte %d" % (len(FULL) + 1) in out[0]["message"] and "NUL" in out[0]["message"], out[0]
    # The next line is read whole and on its own.
    assert out[1]["ok"] is True and out[1]["km"] == FULL, out[1]


@case
def verification_part_after_a_nul_is_refused():
    # Cut at the NUL this was a KI without its verification part, accepted with a warning.
    status, out = run(stdin=KI.encode() + b"\0" + (GS + "91EE06" + GS + "92" + CRYPTO44 + "\n").encode())
    assert status == 1, status
    assert out[0]["ok"] is False and out[0]["error"] == "BAD_CHARSET" and out[0]["position"] == len(KI), out[0]


@case
def nul_position_counts_characters():
    # Positions count characters, as for every other error; the message also names the byte.
    ru = "0104607000000014215ФиСвУаПр1234"
    status, out = run(stdin=ru.encode() + b"\0\n")
    assert status == 1, status
    assert out[0]["position"] == len(ru), out[0]
    assert "byte %d" % (len(ru.encode()) + 1) in out[0]["message"], out[0]


@case
def control_characters_a_scanner_cannot_send_are_refused():
    # Only GS is a control character inside a scan; CR, LF or Tab end it (the scanner's suffix).
    for c in ("\x01", "\x07", "\x1b", "\x7f", "\t", "\r"):
        status, out = run([KI + c + GS + "91EE06" + GS + "92" + CRYPTO44])
        assert status == 1, (repr(c), status)
        assert out[0]["error"] == "BAD_CHARSET" and out[0]["position"] == len(KI), (repr(c), out[0])
    status, out = run(stdin=(FULL + "\r\t\n").encode())
    assert status == 0 and "TERMINATOR_STRIPPED" in out[0]["warnings"], out


@case
def longest_scan_taken_longer_refused():
    # 8192 bytes is the cap: a line that long reaches the parser (and fails as a bad code, not
    # as too long); one byte more is TOO_LONG, and the line after it is read on its own.
    at_cap = KI + GS + "10" + "A" * (8192 - len(KI) - 3)
    assert len(at_cap.encode()) == 8192
    status, out = run(stdin=(at_cap + "\n" + at_cap + "A\n" + KI + "\n").encode())
    assert status == 1, status
    assert len(out) == 3, out
    assert out[0]["ok"] is False and out[0]["error"] != "TOO_LONG", out[0]
    assert out[1]["ok"] is False and out[1]["error"] == "TOO_LONG" and out[1]["position"] is None, out[1]
    assert out[2]["ok"] is True and out[2]["ki"] == KI, out[2]
    status, out = run([at_cap + "A"])
    assert status == 1 and out[0]["error"] == "TOO_LONG", out


@case
def hundred_megabyte_line_refused_with_little_memory():
    # Issue 9: a 100 MB line took 1.5 GB. Refused before it is copied whole: the child's peak
    # RSS (wait4 gives that child's own) stays far below the line's size. A time bound would be
    # flaky on a loaded machine; memory is not.
    import tempfile
    with tempfile.TemporaryFile() as big:
        chunk = b"1" * (1 << 20)
        for _ in range(100):
            big.write(chunk)
        big.write(b"\n" + FULL.encode() + b"\n")
        big.seek(0)
        env = dict(os.environ, LC_ALL="C.UTF-8")
        proc = subprocess.Popen([qoimactl, "parse"], stdin=big, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env)
        _, wait_status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
        lines = [json.loads(l) for l in proc.stdout.read().decode().split("\n") if l]
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == 1, proc.returncode
    assert [o["ok"] for o in lines] == [False, True], lines
    assert lines[0]["error"] == "TOO_LONG", lines[0]
    assert usage.ru_maxrss < 64 * 1024, usage.ru_maxrss  # KiB on Linux


COMMANDS = ["parse", "demo", "stock", "sync", "acts", "accept", "reject", "users", "wards",
            "settings", "audit", "move", "transfers", "units", "use", "withdrawals", "withdraw",
            "write-off", "report"]


def run_plain(*args, db=None):
    env = dict(os.environ, LC_ALL="C.UTF-8")
    env.pop("LANGUAGE", None)
    prefix = ["--db", db] if db else []
    return subprocess.run([qoimactl, *prefix, *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60, text=True)


@case
def every_command_help_exits_0():
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "help.db")
        for command in COMMANDS:
            for flag in ("--help", "-h"):
                proc = run_plain(command, flag, db=db)
                assert proc.returncode == 0, (command, flag, proc.returncode, proc.stderr)
                assert proc.stdout.startswith("Usage: qoimactl"), (command, proc.stdout)
                lines = [l.strip() for l in proc.stdout.splitlines()]
                assert any(l.startswith(command + " ") or l == command for l in lines), (command, proc.stdout)
                assert "Options:" in proc.stdout, command
        # Asking for help does nothing else: no database was made.
        assert not os.path.exists(db)


@case
def usage_errors_still_exit_2():
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "usage.db")
        assert run_plain("no-such-command", db=db).returncode == 2
        assert run_plain(db=db).returncode == 2
        proc = run_plain("wards", "bogus", db=db)
        assert proc.returncode == 2 and "Usage" in proc.stderr, (proc.returncode, proc.stderr)
        assert run_plain("--help").returncode == 0


def main():
    print("1..%d" % len(tests))
    failed = 0
    for number, test in enumerate(tests, 1):
        try:
            test()
            print("ok %d %s" % (number, test.__name__))
        except Exception as e:  # report every failure, then go on
            failed += 1
            print("not ok %d %s" % (number, test.__name__))
            for line in repr(e).splitlines():
                print("# " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
