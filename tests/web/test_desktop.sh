#!/usr/bin/env bash
# The agent desktop in a real browser (headless Debian chromium, driven by
# playwright-core from tests/web/desktop.test.mjs), against the real
# server on loopback with the pages of the repository's web/:
# - the static pages: / and /web/... with their Content-Type, HEAD, 404,
#   405, and refused paths ("..", "//", percent escapes), by curl;
# - in the browser: a wrong password shows the API's error; agent 1001
#   signs in and sees the state the server has; Ready is refused (no
#   phone registered: the API's 409 message shows); Not ready with reason
#   break, then Log out, each checked against the API with a token of the
#   test's own; a reload keeps the session; Sign out ends it (the page's
#   token then gets 401).
# Screenshots of each step go to $T/shots (kept on failure) and to
# BUILD/test-artifacts/web/ (kept always, for CI).
source "$(dirname "$0")/../sip/lib.sh" "$1"

source "$ROOT/tests/web/lib.sh"
web_init desktop

write_conf "
[queue sales]
[agent 1001]
name = Alice
password = alice-1001
queues = sales
"
web_conf
start_server
URL=http://127.0.0.1:$HTTP_PORT

# ---- the static pages ----
# page METHOD PATH: prints "STATUS CONTENT-TYPE", the body to $T/page.out
page() {
	local how=(-X "$1")
	[ "$1" != HEAD ] || how=(--head)    # headers, then, to page.out
	curl -s --path-as-is -o "$T/page.out" \
		-w '%{http_code} %{content_type}' "${how[@]}" "$URL$2"
}
expect_page() {	# expect_page "STATUS TYPE" METHOD PATH
	local got
	got=$(page "$2" "$3")
	[ "$got" = "$1" ] || fail "$2 $3: '$got', expected '$1':" \
		"$(head -c 300 "$T/page.out")"
	echo "ok: $2 $3: $got"
}
JSON=application/json
expect_page "200 text/html; charset=utf-8" GET /
cmp -s "$T/page.out" "$WEB/index.html" || fail "/ is not web/index.html"
expect_page "200 text/html; charset=utf-8" GET /?x=1
expect_page "200 text/javascript; charset=utf-8" GET /web/desktop/main.js
cmp -s "$T/page.out" "$WEB/desktop/main.js" \
	|| fail "/web/desktop/main.js differs from the file"
# what the import map of index.html names (npm ci --prefix web)
for m in $(sed -n 's|.*": "\(/web/node_modules/[^"]*\)".*|\1|p' "$WEB/index.html"); do
	expect_page "200 text/javascript; charset=utf-8" GET "$m"
done
grep -q '"preact/hooks"' "$WEB/index.html" || fail "no import map in index.html"
expect_page "200 text/css; charset=utf-8" GET /web/app.css
expect_page "200 text/javascript; charset=utf-8" HEAD /web/api.js
grep -qi "^content-length: $(stat -c %s "$WEB/api.js")" "$T/page.out" \
	|| fail "HEAD: wrong Content-Length: $(cat "$T/page.out")"
expect_page "404 $JSON" GET /web/nothing.js
expect_page "404 $JSON" GET /web/
expect_page "404 $JSON" GET /web/.hidden.js
expect_page "405 $JSON" POST /web/desktop/main.js
expect_page "405 $JSON" DELETE /
for p in /web/../sb.conf /web/..%2fsb.conf /web/%2e%2e/sb.conf \
	 '/web//etc/passwd' '/web/a\b.js' /web/desktop/main.js%00.png; do
	expect_page "400 $JSON" GET "$p"
done
grep -q '"error":"bad page path' "$T/page.out" \
	|| fail "no JSON error: $(cat "$T/page.out")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/me")
[ "$code" = 401 ] || fail "the API still needs credentials: got $code"
echo "ok: the API still needs credentials"

# ---- the browser ----
browser_start desktop.test.mjs "$URL" "$T/shots"
browser_end

# ---- nothing secret in the log ----
! grep -q -- "alice-1001" "$T/sb.log" "$T/sb.out" \
	|| fail "the password is in the server's log"
stop_server
echo "PASS"
