#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the shape of the Flatpak manifest.

CI cannot reach Flathub, so flatpak-builder cannot run there; this catches what
breaks a manifest before anyone tries: bad JSON, missing keys, a library the
runtime lacks (libdmtx, libxlsxwriter, libpq, zxing-cpp) missing or unpinned, the
app module not last, or sandbox holes we do not need.

Usage: check-manifest.py MANIFEST [APP_ID]
       check-manifest.py --self-test MANIFEST   (proves the checks can fail)
"""

import copy
import json
import os
import re
import sys

APP_ID = "kz.qoima.Qoima"
# Holes that a stock-keeping app with a USB keyboard-wedge scanner never needs.
FORBIDDEN_FINISH_ARGS = {
    "--device=all",
    "--socket=x11",
    "--filesystem=host",
    "--filesystem=home",
    "--talk-name=org.freedesktop.Flatpak",
}
REQUIRED_FINISH_ARGS = {
    "--share=ipc",
    "--socket=fallback-x11",
    "--socket=wayland",
    "--device=dri",
}
# What meson.build needs that org.gnome.Platform does not ship: each must be built by a
# pinned module before the app (the runtime has GTK, libadwaita, libsoup, json-glib,
# GnuTLS, SQLite, cairo/pango, libsecret, and GStreamer with PipeWire's source and libportal
# for Scan with Camera: the camera comes through the camera portal, so no --device=all).
BUNDLED_MODULES = ("libdmtx", "libxlsxwriter", "libpq", "zxing-cpp")


def source_is_pinned(source):
    kind = source.get("type")
    if kind in ("archive", "file"):
        return bool(re.fullmatch(r"[0-9a-f]{64}", str(source.get("sha256", ""))))
    if kind == "git":
        return bool(re.fullmatch(r"[0-9a-f]{40}", str(source.get("commit", ""))))
    return False


def check(manifest, app_id):
    """Returns a list of problems; empty when the manifest is fine."""
    problems = []
    if not isinstance(manifest, dict):
        return ["the manifest is not a JSON object"]

    for key in ("app-id", "runtime", "runtime-version", "sdk", "command", "modules"):
        if key not in manifest:
            problems.append(f"missing key '{key}'")
    if manifest.get("app-id") != app_id:
        problems.append(f"app-id is {manifest.get('app-id')!r}, expected {app_id!r}")
    if manifest.get("runtime") != "org.gnome.Platform":
        problems.append("runtime is not org.gnome.Platform")
    if manifest.get("sdk") != "org.gnome.Sdk":
        problems.append("sdk is not org.gnome.Sdk")
    # A released branch ("48"), never a moving target such as "master".
    if not re.fullmatch(r"\d+(\.\d+)?", str(manifest.get("runtime-version", ""))):
        problems.append("runtime-version is not a released GNOME runtime such as \"48\"")
    if manifest.get("command") != "qoima":
        problems.append("command is not 'qoima'")

    finish_args = set(manifest.get("finish-args", []))
    for arg in sorted(REQUIRED_FINISH_ARGS - finish_args):
        problems.append(f"finish-args lacks {arg}")
    for arg in sorted(FORBIDDEN_FINISH_ARGS & finish_args):
        problems.append(f"finish-args has {arg}, which the app does not need")

    modules = manifest.get("modules", [])
    if not isinstance(modules, list) or not modules:
        problems.append("modules is empty")
        return problems
    names = [m.get("name") if isinstance(m, dict) else None for m in modules]

    for bundled in BUNDLED_MODULES:
        if bundled not in names:
            problems.append(f"no {bundled} module")
            continue
        sources = modules[names.index(bundled)].get("sources", [])
        if not sources or not all(source_is_pinned(s) for s in sources):
            problems.append(f"{bundled} is not pinned (archive with sha256, or git with commit)")

    if names[-1] != "qoima":
        problems.append("the qoima module is not the last module")
    else:
        qoima = modules[-1]
        if qoima.get("buildsystem") != "meson":
            problems.append("the qoima module is not built with meson")
        if not any(s.get("type") == "dir" for s in qoima.get("sources", [])):
            problems.append("the qoima module is not built from the checkout (a 'dir' source)")
    return problems


def self_test(manifest, app_id):
    """Breaks the good manifest in known ways; each must be caught."""
    breakages = {
        "no app-id": lambda m: m.pop("app-id"),
        "wrong app-id": lambda m: m.update({"app-id": "org.example.Other"}),
        "no command": lambda m: m.pop("command"),
        "moving runtime": lambda m: m.update({"runtime-version": "master"}),
        "unpinned libdmtx": lambda m: [
            s.pop(key, None)
            for module in m["modules"] if module.get("name") == "libdmtx"
            for s in module.get("sources", []) for key in ("sha256", "commit")
        ],
        "no libpq": lambda m: m.update({"modules": [x for x in m["modules"] if x.get("name") != "libpq"]}),
        "unpinned zxing-cpp": lambda m: [
            s.pop("sha256", None)
            for module in m["modules"] if module.get("name") == "zxing-cpp"
            for s in module.get("sources", [])
        ],
        "qoima not last": lambda m: m["modules"].reverse(),
        "device=all": lambda m: m["finish-args"].append("--device=all"),
    }
    failed = 0
    for number, (name, breakage) in enumerate(breakages.items(), start=1):
        broken = copy.deepcopy(manifest)
        breakage(broken)
        caught = bool(check(broken, app_id))
        print(f"{'ok' if caught else 'not ok'} {number} - {name} is caught")
        failed += not caught
    print(f"1..{len(breakages)}")
    return 1 if failed else 0


def main(argv):
    selftest = "--self-test" in argv
    args = [a for a in argv[1:] if a != "--self-test"]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0]
    app_id = args[1] if len(args) > 1 else APP_ID
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{path}: {e}", file=sys.stderr)
        return 1

    if selftest:
        return self_test(manifest, app_id)

    expected_name = app_id + ".json"
    problems = check(manifest, app_id)
    if os.path.basename(path) != expected_name:
        problems.append(f"the file is not named {expected_name}")
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{path}: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
