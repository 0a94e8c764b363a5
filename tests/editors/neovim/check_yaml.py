#!/usr/bin/env python3
"""Parses the action and pre-commit YAML files and checks what GitHub and pre-commit rely on.

usage: check_yaml.py REPO_ROOT
Prints `ok NAME` / `not ok NAME -- why` per check; exits 1 if any failed.
"""
import os
import re
import sys

import yaml

root = sys.argv[1]
failures = 0


def check(name, cond, why=""):
    global failures
    if cond:
        print(f"ok yaml: {name}")
    else:
        failures += 1
        print(f"not ok yaml: {name} -- {why}")


def load(rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return yaml.safe_load(f)


# --- editors/github-action/action.yml ------------------------------------------------------
try:
    action = load("editors/github-action/action.yml")
    check("action.yml parses", isinstance(action, dict), "not a mapping")
except Exception as e:  # noqa: BLE001
    action = None
    check("action.yml parses", False, str(e))

if action:
    inputs = action.get("inputs") or {}
    runs = action.get("runs") or {}
    steps = runs.get("steps") or []
    check("action has name and description", bool(action.get("name")) and bool(action.get("description")))
    check("composite action", runs.get("using") == "composite", repr(runs.get("using")))
    for name in ("version", "paths", "args", "fail-on"):
        check(f"input {name} declared", name in inputs, sorted(inputs))
    check("fail-on defaults to error", str((inputs.get("fail-on") or {}).get("default")) == "error")
    bad_shell = [s.get("name") for s in steps if "run" in s and not s.get("shell")]
    check("every run step names its shell (required in composite actions)", not bad_shell, bad_shell)
    both = [s.get("name") for s in steps if "run" in s and "uses" in s]
    check("no step has both run and uses", not both, both)
    uses = [s.get("uses") for s in steps if "uses" in s]
    check("uploads with github/codeql-action/upload-sarif@v3", "github/codeql-action/upload-sarif@v3" in uses, uses)
    text = open(os.path.join(root, "editors/github-action/action.yml"), encoding="utf-8").read()
    used_inputs = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text))
    check("every referenced input is declared", used_inputs <= set(inputs), sorted(used_inputs - set(inputs)))
    ids = {s.get("id") for s in steps if s.get("id")}
    used_steps = set(re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", text))
    check("every referenced step id exists", used_steps <= ids, sorted(used_steps - ids))
    scripts = set(re.findall(r"\$GITHUB_ACTION_PATH/([A-Za-z0-9_.-]+)", text))
    missing = [s for s in scripts if not os.path.isfile(os.path.join(root, "editors/github-action", s))]
    check("every script the action runs exists", scripts and not missing, missing or "no scripts referenced")
    run_text = " ".join(s.get("run", "") for s in steps)
    check("check step runs prodlint through check.sh with SARIF output",
          "check.sh" in run_text and "--format sarif --output" in open(
              os.path.join(root, "editors/github-action/check.sh"), encoding="utf-8").read())

# --- .pre-commit-hooks.yaml ------------------------------------------------------------------
try:
    hooks = load(".pre-commit-hooks.yaml")
    check(".pre-commit-hooks.yaml parses", isinstance(hooks, list), "not a list")
except Exception as e:  # noqa: BLE001
    hooks = None
    check(".pre-commit-hooks.yaml parses", False, str(e))

if hooks:
    by_id = {h.get("id"): h for h in hooks}
    main = by_id.get("prodlint") or {}
    check("hook prodlint exists", bool(main), sorted(by_id))
    check("hook prodlint runs `prodlint check`", main.get("entry") == "prodlint check", main.get("entry"))
    check("hook prodlint language is rust or system", main.get("language") in ("rust", "system"), main.get("language"))
    check("hook prodlint types_or covers ts, tsx, javascript, jsx, sql",
          set(main.get("types_or") or []) >= {"ts", "tsx", "javascript", "jsx", "sql"}, main.get("types_or"))
    dotenv = [h for h in hooks if h.get("files") and re.search(h["files"], ".env.production")]
    check("a hook matches dotenv files by name", bool(dotenv))
    for h in dotenv:
        pat = re.compile(h["files"])
        check(f"hook {h['id']} files matches .env, a/.env.local and not .envrc or x.env.ts",
              bool(pat.search(".env")) and bool(pat.search("a/.env.local")) and not pat.search(".envrc")
              and not pat.search("x.env.ts"), h["files"])

sys.exit(1 if failures else 0)
