#!/usr/bin/env bash
# tests/cli/test_openapi.sh BUILD_DIR  docs/openapi.yaml and docs/api.md
# against the route tables of src/api/*.c.  Needs no build (BUILD_DIR is
# taken for the CMake convention and not used) and no YAML library.
#
# From the code: every route table entry {"METHOD", "/path", handler,
# ROLE, body_max} of src/api/*.c, wherever its line breaks fall; "*"
# segments become "{}".  Then:
#  1. every api_routes_X table defined in src/api/*.c is listed in
#     http.c's tables[] (else its routes are never served), and back;
#  2. no (method, path) is in two entries (the second never matches);
#  3. each route is under `paths:` of docs/openapi.yaml with its method
#     ("{agentId}" and any other "{name}" compare as "{}");
#  4. docs/openapi.yaml has no path and method that no table has;
#  5. each documented operation's x-route-min-role is its entry's role
#     (none, agent, supervisor, admin);
#  6. docs/api.md names each route as `METHOD /path` (a "*" segment
#     written ID, CODE, {name}...).
# The YAML is read line by line (`paths:` at column 0, paths at two
# spaces, methods at four, x-route-min-role at six); when python3 has
# PyYAML, the file is parsed with it too and both readings must agree.
# Any mismatch prints FAIL lines saying what and where, and exits 1.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
command -v python3 >/dev/null ||
	{ echo "FAIL: python3 is needed to read the route tables" >&2; exit 1; }
for f in docs/openapi.yaml docs/api.md src/api/http.c; do
	[ -f "$root/$f" ] || { echo "FAIL: no $root/$f" >&2; exit 1; }
done

exec python3 - "$root" <<'PY'
import glob
import os
import re
import sys

root = sys.argv[1]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
           "TRACE")
ROLES = {"0": "none", "CFG_ROLE_AGENT": "agent",
         "CFG_ROLE_SUPERVISOR": "supervisor", "CFG_ROLE_ADMIN": "admin"}
fails = []


def fail(msg):
    fails.append(msg)


def rel(path):
    return os.path.relpath(path, root)


def norm(path):
    """A path with its parameters as "{}": "*" (code), "{name}" (doc)."""
    path = re.sub(r"\{[^/{}]*\}", "{}", path)
    return "/".join("{}" if seg == "*" else seg for seg in path.split("/"))


# ---- the code ----
ENTRY = re.compile(r'\{\s*"(%s)"\s*,\s*"([^"]*)"\s*,\s*(\w+)\s*,\s*(\w+)'
                   % "|".join(METHODS))
ENTRY_START = re.compile(r'\{\s*"(%s)"\s*,' % "|".join(METHODS))
TABLE = re.compile(r"\bstruct\s+api_route\s+(api_routes_\w+)\s*\[\s*\]\s*=")

code = {}               # (METHOD, norm path) -> (where, path, role)
defined = {}            # table name -> where
sources = sorted(glob.glob(os.path.join(root, "src/api/*.c")))
if not sources:
    fail("no src/api/*.c under %s" % root)
for src in sources:
    text = open(src, encoding="utf-8", errors="replace").read()

    def where(off, src=src, text=text):
        return "%s:%d" % (rel(src), text.count("\n", 0, off) + 1)

    for m in TABLE.finditer(text):
        defined[m.group(1)] = where(m.start())
    starts = [m.start() for m in ENTRY_START.finditer(text)]
    parsed = {m.start(): m for m in ENTRY.finditer(text)}
    for off in starts:
        m = parsed.get(off)
        if not m:
            fail("%s: a route entry this test cannot read; write it as "
                 '{"METHOD", "/path", handler, ROLE, body_max}'
                 % where(off))
            continue
        method, path, _, role = m.groups()
        if not path.startswith("/"):
            fail('%s: route path "%s" does not start with /'
                 % (where(off), path))
            continue
        if role not in ROLES:
            fail("%s: role %s of %s %s is not one of %s"
                 % (where(off), role, method, path, ", ".join(ROLES)))
        key = (method, norm(path))
        if key in code:
            fail("%s: %s %s is routed already at %s; this entry never "
                 "matches" % (where(off), method, path, code[key][0]))
            continue
        code[key] = (where(off), path, ROLES.get(role, role))

http_c = os.path.join(root, "src/api/http.c")
m = re.search(r"\btables\s*\[\s*\]\s*=\s*\{(.*?)\};",
              open(http_c, encoding="utf-8").read(), re.S)
listed = set(re.findall(r"\bapi_routes_\w+", m.group(1))) if m else set()
if not m:
    fail("src/api/http.c: no `tables[] = {...};` list of route tables")
for name, at in sorted(defined.items()):
    if name not in listed:
        fail("%s: %s is not listed in src/api/http.c tables[], so its "
             "routes are never served" % (at, name))
for name in sorted(listed - set(defined)):
    fail("src/api/http.c: tables[] lists %s, which no src/api/*.c "
         "defines" % name)
if len(code) < 10:
    fail("only %d routes read from src/api/*.c: the table format "
         "changed?" % len(code))

# ---- docs/openapi.yaml, line by line ----
yaml_path = os.path.join(root, "docs/openapi.yaml")
lines = open(yaml_path, encoding="utf-8").read().split("\n")
doc = {}                # (METHOD, norm path) -> [line, path, role]
PATH_KEY = re.compile(r"""^  (['"]?)(/[^'"]*)\1\s*:\s*(#.*)?$""")
KEY = re.compile(r"""^\s*(['"]?)([^'":\s]+)\1\s*:(\s|$)""")
PATH_ITEM_KEYS = {"parameters", "summary", "description", "servers"}
in_paths = seen_paths = False
path = op = None
openapi_version = None
for n, line in enumerate(lines, 1):
    body = line.strip()
    if not body or body.startswith("#"):
        continue
    indent = len(line) - len(line.lstrip(" "))
    if line[indent:indent + 1] == "\t":
        fail("docs/openapi.yaml:%d: a tab in the indentation" % n)
        continue
    if indent == 0:
        in_paths = body.startswith("paths:")
        seen_paths |= in_paths
        if in_paths and body.rstrip() != "paths:":
            fail("docs/openapi.yaml:%d: write `paths:` alone on its line, "
                 "a mapping below it" % n)
        if body.startswith("openapi:"):
            openapi_version = body.split(":", 1)[1].strip().strip("'\"")
        path = op = None
        continue
    if not in_paths:
        continue
    if indent == 2:
        m = PATH_KEY.match(line)
        if not m:
            fail("docs/openapi.yaml:%d: expected a path (`  /api/...:`) "
                 "under paths:" % n)
            path = None
        else:
            path = m.group(2)
        op = None
        continue
    if indent == 4 and path:
        m = KEY.match(line)
        key = m.group(2) if m else ""
        if key.upper() in METHODS and key == key.lower():
            k = (key.upper(), norm(path))
            if k in doc:
                fail("docs/openapi.yaml:%d: %s %s is described already at "
                     "line %d" % (n, k[0], path, doc[k][0]))
            doc[k] = [n, path, None]
            op = k
        elif key in PATH_ITEM_KEYS:
            op = None
        else:
            fail("docs/openapi.yaml:%d: `%s` under %s is not a method this "
                 "test reads (%s)" % (n, key, path,
                                     ", ".join(m.lower() for m in METHODS)))
            op = None
        continue
    if indent == 6 and op:
        m = re.match(r"^      x-route-min-role:\s*(['\"]?)(\S+?)\1\s*$",
                     line)
        if m:
            doc[op][2] = m.group(2)
if not seen_paths:
    fail("docs/openapi.yaml: no `paths:` at column 0")
if not (openapi_version or "").startswith("3.1"):
    fail("docs/openapi.yaml: `openapi:` is %r, not 3.1.x" % openapi_version)

# ---- the same with PyYAML, when there is one ----
try:
    import yaml
except ImportError:
    yaml = None
if yaml:
    try:
        y = yaml.safe_load(open(yaml_path, encoding="utf-8"))
        ypaths = (y or {}).get("paths") or {}
        yops = {(mth.upper(), norm(p))
                for p, item in ypaths.items() if isinstance(item, dict)
                for mth in item if mth.upper() in METHODS}
        if yops != set(doc):
            fail("docs/openapi.yaml: PyYAML reads other operations than "
                 "the line reader (only by PyYAML: %s; only by lines: %s); "
                 "keep the layout described in this test"
                 % (sorted(yops - set(doc)), sorted(set(doc) - yops)))
    except yaml.YAMLError as e:
        fail("docs/openapi.yaml is not valid YAML: %s" % e)

# ---- compare ----
for key in sorted(code, key=lambda k: (k[1], k[0])):
    at, path, role = code[key]
    if key not in doc:
        fail("%s: %s %s is not in docs/openapi.yaml: add `%s:` with `%s:` "
             "under paths:" % (at, key[0], path,
                               path.replace("*", "{id}"), key[0].lower()))
        continue
    n, dpath, drole = doc[key]
    if drole is None:
        fail("docs/openapi.yaml:%d: %s %s has no x-route-min-role (the "
             "code's: %s, %s)" % (n, key[0], dpath, role, at))
    elif drole != role:
        fail("docs/openapi.yaml:%d: %s %s says x-route-min-role %s; the "
             "code's is %s (%s)" % (n, key[0], dpath, drole, role, at))
for key in sorted(set(doc) - set(code), key=lambda k: (k[1], k[0])):
    fail("docs/openapi.yaml:%d: %s %s is documented, but no route table "
         "in src/api/*.c has it" % (doc[key][0], key[0], doc[key][1]))

# ---- docs/api.md names every route ----
md = open(os.path.join(root, "docs/api.md"), encoding="utf-8").read()
named = set()
for m in re.finditer(r"\b(%s) (/[A-Za-z0-9_./{}*-]*)" % "|".join(METHODS),
                     md):
    segs = m.group(2).rstrip(".").split("/")
    segs = ["*" if re.fullmatch(r"[A-Z][A-Z_]*|\{[^{}]*\}", s) else s
            for s in segs]
    named.add((m.group(1), norm("/".join(segs))))
for key in sorted(code, key=lambda k: (k[1], k[0])):
    if key not in named:
        at, path, _ = code[key]
        fail("%s: %s %s is not named in docs/api.md (write it as `%s %s`)"
             % (at, key[0], path, key[0], path.replace("*", "ID")))

if fails:
    for f in fails:
        print("FAIL: " + f, file=sys.stderr)
    print("test_openapi: %d problem(s); %d routes in the code, %d "
          "operations in docs/openapi.yaml" % (len(fails), len(code),
                                               len(doc)), file=sys.stderr)
    sys.exit(1)
print("test_openapi: %d routes of %d tables, each in docs/openapi.yaml "
      "(with its role) and docs/api.md; nothing else documented%s"
      % (len(code), len(defined), "" if yaml else
         " (PyYAML absent: line reader only)"))
PY
