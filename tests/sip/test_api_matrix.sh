#!/usr/bin/env bash
# Every route of the HTTP API (read from the route tables of src/api/*.c,
# as tests/cli/test_openapi.sh does) against every kind of caller: no
# credentials (401), each role below the route's (403), each role at or
# above it (neither 401 nor 403 from the router, never a 5xx); then bad
# input on every route that takes a body: one byte over its limit (413
# with a JSON error) and malformed JSON (400, or 404 for an id that does
# not exist); the server keeps serving and exits clean (ASan, LSan).
# Ids in paths are ones that do not exist, so nothing is changed.
source "$(dirname "$0")/lib.sh" "$1"

KEY=0123456789abcdef0123456789abcdef
write_conf "
[queue sales]
[agent 4001]
password = pw-4001
queues = sales
[user sup]
role = supervisor
password = sup-secret-1
[user adm]
role = admin
password = adm-secret-1
[apikey crm]
role = supervisor
key = $KEY
"
start_server
AG=$(api_login 4001 pw-4001)
SUP=$(api_login sup sup-secret-1)
ADM=$(api_login adm adm-secret-1)
[ ${#AG} = 64 ] && [ ${#SUP} = 64 ] && [ ${#ADM} = 64 ] || fail "log-ins"

python3 - "$ROOT" "$HTTP_PORT" "$AG" "$SUP" "$ADM" "$KEY" <<'PY' \
	|| fail "the matrix (above)"
import glob, http.client, json, re, sys

root, port, ag, sup, adm, key = sys.argv[1:]
ROLE = {"0": 0, "CFG_ROLE_AGENT": 1, "CFG_ROLE_SUPERVISOR": 2,
        "CFG_ROLE_ADMIN": 3}
entry = re.compile(r'\{\s*"([A-Z]+)"\s*,\s*"(/[^"]*)"\s*,\s*\w+\s*,'
                   r'\s*(\w+)\s*,\s*([^}]*?)\s*\}', re.S)
routes = []
for f in sorted(glob.glob(root + "/src/api/*.c")):
    src = open(f).read()
    for m in entry.finditer(src):
        size = m.group(4).replace(" ", "").replace("\n", "").replace("\t", "")
        limit = eval(size.replace("CONFIG_BODY_MAX", "458752")
                     .replace("CSV_BODY_MAX", "458752")
                     .replace("SCRIPT_BODY_MAX", "65536")
                     .replace("CUSTOMER_BODY_MAX", "32768")) or 4096
        routes.append((m.group(1), m.group(2), ROLE[m.group(3)], limit))
if len(routes) < 40:
    print("FAIL: only %d routes read" % len(routes)); sys.exit(1)

who = [("agent", 1, "Bearer " + ag), ("supervisor", 2, "Bearer " + sup),
       ("admin", 3, "Bearer " + adm), ("key", 2, "Bearer " + key)]
fails = []

def req(method, path, auth=None, body=None, ctype="application/json"):
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    h = {}
    if auth:
        h["Authorization"] = auth
    if body is not None:
        h["Content-Type"] = ctype
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data

def is_json_error(data):
    try:
        return isinstance(json.loads(data).get("error"), str)
    except Exception:
        return False

n = 0
for method, path, role, limit in routes:
    url = path.replace("*", "nope-1")
    if role == 0 or path == "/api/v1/logout":
        continue            # login and the event stream check their own;
                            # logout would end the tokens (test_api.sh)
    st, data = req(method, url)
    n += 1
    if st != 401 or not is_json_error(data):
        fails.append("%s %s without credentials: %d %r" % (method, url, st, data[:80]))
    for name, r, auth in who:
        st, data = req(method, url, auth)
        n += 1
        if r < role:
            if st != 403 or not is_json_error(data):
                fails.append("%s %s as %s: %d, expected 403" % (method, url, name, st))
        elif st in (401, 405) or st >= 500 or (st == 403 and b"role" in data):
            fails.append("%s %s as %s: %d %r" % (method, url, name, st, data[:100]))
    if method in ("POST", "PUT"):
        low = "Bearer " + {1: ag, 2: sup, 3: adm}[role]  # least allowed
        st, data = req(method, url, low, b"x" * (limit + 1))
        n += 1
        if st != 413 or not is_json_error(data):
            fails.append("%s %s: %d bytes gave %d, expected 413" % (method, url, limit + 1, st))
        st, data = req(method, url, low, b'{"a":[1,')
        n += 1
        if st not in (400, 404) or not is_json_error(data):
            fails.append("%s %s: malformed JSON gave %d %r" % (method, url, st, data[:80]))
st, data = req("GET", "/api/v1/me", "Bearer " + adm)
if st != 200:
    fails.append("the server stopped serving: %d" % st)
for f in fails:
    print("FAIL:", f)
print("matrix: %d routes, %d requests, %d failures" % (len(routes), n, len(fails)))
sys.exit(1 if fails else 0)
PY
stop_server
echo PASS
