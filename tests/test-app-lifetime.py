#!/usr/bin/env python3
# test-app-lifetime.py: the real `qoima` program starts its local ИС МПТ stand, and the stand
# ends with it however it ends: Quit over D-Bus (app.quit, as the window's close or Ctrl+Q),
# SIGTERM, SIGINT, and SIGKILL (which no handler sees).
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-app-lifetime.py PATH-TO-QOIMA   (TAP output; needs a display and a D-Bus session,
# as the README's test command gives under xvfb-run and dbus-run-session)

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

qoima = sys.argv[1]
APP_ID = "kz.qoima.Qoima"
tests = []


def case(func):
    tests.append(func)
    return func


def alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def children_of(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


class App:
    """The application started as the README's run command starts it (from the build tree)."""

    def __init__(self, home):
        self.log_path = os.path.join(home, "qoima.log")
        env = dict(os.environ)
        env.update(HOME=home, XDG_DATA_HOME=os.path.join(home, "data"),
                   XDG_CONFIG_HOME=os.path.join(home, "config"),
                   G_MESSAGES_DEBUG="qoima-application")
        # A warning must not abort the program here: the test is about its children.
        env.pop("G_DEBUG", None)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([qoima], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.stand_url = wait_until(self._stand_url, 90, "the stand's address in the log")
        self.stand_pid = wait_until(self._stand_pid, 10, "the stand process")

    def _stand_url(self):
        if self.proc.poll() is not None:
            raise AssertionError("qoima exited early: " + self.read_log())
        match = re.search(r"ИС МПТ at (http://127\.0\.0\.1:\d+/\S*true-api)", self.read_log())
        return match.group(1) if match else None

    def _stand_pid(self):
        for child in children_of(self.proc.pid):
            with open("/proc/%d/cmdline" % child, "rb") as f:
                if b"qoima-stand" in f.read():
                    return child
        return None

    def read_log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stand_answers(self):
        with urllib.request.urlopen(self.stand_url + "/auth/key", timeout=10) as answer:
            body = json.load(answer)
        return "uuid" in body and "data" in body

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


home = tempfile.mkdtemp(prefix="qoima-lifetime-")


def run_and_end(end, expect_status):
    app = App(home)
    try:
        assert app.stand_answers(), "the stand did not answer /auth/key"
        stand = app.stand_pid
        end(app)
        status = app.proc.wait(timeout=30)
        if expect_status is not None:
            assert status == expect_status, (status, app.read_log()[-2000:])
        wait_until(lambda: not alive(stand), 10, "the stand to end with the application")
    finally:
        app.close()


@case
def quit_over_dbus_ends_the_stand():
    def quit_(app):
        subprocess.run(["gdbus", "call", "--session", "--dest", APP_ID,
                        "--object-path", "/" + APP_ID.replace(".", "/"),
                        "--method", "org.gtk.Actions.Activate", "quit", "[]", "{}"],
                       check=True, stdout=subprocess.DEVNULL, timeout=30)
    run_and_end(quit_, 0)


@case
def sigterm_ends_the_application_and_the_stand():
    run_and_end(lambda app: app.proc.send_signal(signal.SIGTERM), 0)


@case
def sigint_ends_the_application_and_the_stand():
    run_and_end(lambda app: app.proc.send_signal(signal.SIGINT), 0)


@case
def sigkill_still_ends_the_stand():
    run_and_end(lambda app: app.proc.kill(), -signal.SIGKILL)


def main():
    print("1..%d" % len(tests))
    failed = 0
    try:
        for number, test in enumerate(tests, 1):
            try:
                test()
                print("ok %d %s" % (number, test.__name__))
            except Exception as e:  # report every failure, then go on
                failed += 1
                print("not ok %d %s" % (number, test.__name__))
                for line in repr(e).splitlines():
                    print("# " + line)
            sys.stdout.flush()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
