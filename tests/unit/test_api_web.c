/* test_api_web.c  api/web.c: which URL paths are pages, and which file
 * and Content-Type a page path names.  The path comes from the network,
 * so the refusals matter most: every character outside [A-Za-z0-9._/-]
 * (including each byte value), "..", "//", percent escapes, hidden and
 * empty segments, unknown extensions.  Serving itself is tested end to
 * end by tests/web/test_desktop.sh.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "libre.h"
#include "api/api_int.h"

static int resolve(const char *path, char *rel, size_t relsz,
		   const char **ctype)
{
	struct pl p, r;
	int err;

	pl_set_str(&p, path);
	*ctype = NULL;
	err = web_resolve(&p, &r, ctype);
	rel[0] = '\0';
	if (!err)
		(void)pl_strcpy(&r, rel, relsz);
	return err;
}

static void expect_file(const char *path, const char *want_rel,
			const char *want_ctype)
{
	const char *ctype;
	char rel[300];

	assert_int_equal(0, resolve(path, rel, sizeof(rel), &ctype));
	assert_string_equal(want_rel, rel);
	assert_non_null(ctype);
	assert_string_equal(want_ctype, ctype);
}

static void expect_refused(const char *path, int want)
{
	const char *ctype;
	char rel[300];

	assert_int_equal(want, resolve(path, rel, sizeof(rel), &ctype));
}

static bool is_page(const char *path)
{
	struct pl p;

	pl_set_str(&p, path);
	return web_path(&p);
}

static void test_web_path_pages(void **state)
{
	(void)state;
	assert_true(is_page("/"));
	assert_true(is_page("/web/"));
	assert_true(is_page("/web/app.js"));
	assert_true(is_page("/web/../x"));    /* ours, to refuse */
	assert_false(is_page(""));
	assert_false(is_page("/web"));
	assert_false(is_page("/webx/app.js"));
	assert_false(is_page("/api/v1/login"));
	assert_false(is_page("/index.html"));
	assert_false(web_path(NULL));
}

static void test_web_resolve_files(void **state)
{
	(void)state;
	expect_file("/", "index.html", "text/html; charset=utf-8");
	expect_file("/web/index.html", "index.html",
		    "text/html; charset=utf-8");
	expect_file("/web/app.js", "app.js",
		    "text/javascript; charset=utf-8");
	expect_file("/web/lib/x.mjs", "lib/x.mjs",
		    "text/javascript; charset=utf-8");
	expect_file("/web/app.css", "app.css", "text/css; charset=utf-8");
	expect_file("/web/img/logo.svg", "img/logo.svg", "image/svg+xml");
	expect_file("/web/a_b-c.1.png", "a_b-c.1.png", "image/png");
	expect_file("/web/data/x.json", "data/x.json", "application/json");
}

static void test_web_resolve_refuses_bad_paths(void **state)
{
	(void)state;
	expect_refused("/web/../sb.conf", EINVAL);
	expect_refused("/web/a/../../x.js", EINVAL);
	expect_refused("/web/..", EINVAL);
	expect_refused("/web/a..js", EINVAL);
	expect_refused("/web//etc/passwd.js", EINVAL);
	expect_refused("/web/a//b.js", EINVAL);
	expect_refused("/web/%2e%2e/x.js", EINVAL);
	expect_refused("/web/app%2ejs", EINVAL);
	expect_refused("/web/a\\b.js", EINVAL);
	expect_refused("/web/a b.js", EINVAL);
	expect_refused("/web/a:b.js", EINVAL);
	expect_refused("/web/~x.js", EINVAL);
	expect_refused("/api/v1/me", EINVAL);
	expect_refused("/index.html", EINVAL);

	/* a NUL inside the slice (pl_set_str would stop at it) */
	{
		static const char raw[] = "/web/a\0b.js";
		const char *ctype;
		struct pl p = {raw, sizeof(raw) - 1}, r;

		assert_int_equal(EINVAL, web_resolve(&p, &r, &ctype));
	}
	/* every byte but the allowed ones, in the middle of a name */
	for (unsigned b = 1; b < 256; b++) {
		char path[] = "/web/aXb.js";
		const bool ok = (b >= 'a' && b <= 'z')
			|| (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
			|| b == '_' || b == '-' || b == '.' || b == '/';
		const char *ctype;
		char rel[64];

		path[6] = (char)b;
		if (ok)
			assert_int_equal(0, resolve(path, rel, sizeof(rel),
						    &ctype));
		else
			assert_int_equal(EINVAL, resolve(path, rel,
							 sizeof(rel), &ctype));
	}
	/* long paths */
	{
		char path[300];

		memset(path, 'a', sizeof(path));
		memcpy(path, "/web/", 5);
		memcpy(path + 256 - 3, ".js", 4);     /* 256 bytes */
		expect_file(path, path + 5, "text/javascript; charset=utf-8");
		memcpy(path + 257 - 3, ".js", 4);     /* 257 bytes */
		expect_refused(path, EINVAL);
	}
}

static void test_web_resolve_hides(void **state)
{
	(void)state;
	expect_refused("/web/", ENOENT);
	expect_refused("/web/lib/", ENOENT);
	expect_refused("/web/.git/config.json", ENOENT);
	expect_refused("/web/.env.js", ENOENT);
	expect_refused("/web/a/.hidden.js", ENOENT);
	expect_refused("/web/./app.js", ENOENT);
	expect_refused("/web/app", ENOENT);
	expect_refused("/web/app.js.map", ENOENT);
	expect_refused("/web/sb.conf", ENOENT);
	expect_refused("/web/switchboard.db", ENOENT);
	expect_refused("/web/app.JS", ENOENT);
}

static void test_web_resolve_args(void **state)
{
	const char *ctype;
	struct pl p = PL("/"), r;

	(void)state;
	assert_int_equal(EINVAL, web_resolve(NULL, &r, &ctype));
	assert_int_equal(EINVAL, web_resolve(&p, NULL, &ctype));
	assert_int_equal(EINVAL, web_resolve(&p, &r, NULL));
	assert_int_equal(EINVAL, web_static(NULL, NULL, "web"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_web_path_pages),
		cmocka_unit_test(test_web_resolve_files),
		cmocka_unit_test(test_web_resolve_refuses_bad_paths),
		cmocka_unit_test(test_web_resolve_hides),
		cmocka_unit_test(test_web_resolve_args),
	};

	return cmocka_run_group_tests_name("core_web", tests, NULL, NULL);
}
