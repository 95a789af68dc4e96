/* test_core_config.c  core/config.c and core/ini.c against hostile
 * files: the demo configuration mutated at random (bytes flipped,
 * inserted, deleted, lines duplicated or cut short; fixed seed, SB_SEED
 * overrides, printed on failure).  Every mutant must load or be refused
 * with "FILE:LINE: message" (or "FILE: ..." for the file as a whole),
 * never crash or leak (ASan/LSan in the sanitizer build).  Also: the
 * demo file itself loads, and lookups find what it defines.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "libre.h"
#include "core/config.h"

#ifndef SB_SOURCE_DIR
#define SB_SOURCE_DIR "."
#endif

static char *demo;              /* the demo file, prompts path fixed */
static size_t demo_len;
static char dir[64];

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int write_file(const char *path, const char *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (fwrite(buf, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static int setup(void **state)
{
	char path[512], line[1024];
	FILE *f;
	size_t cap = 1 << 16;

	(void)state;
	strcpy(dir, "/tmp/sb-config-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	/* prompts the demo names: empty files will do for the checks */
	{
		static const char *const names[] = {"moh", "welcome",
			"menu-main", "invalid", "noinput", "vip"};

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]);
		     i++) {
			snprintf(path, sizeof(path), "%s/%s.wav", dir,
				 names[i]);
			if (write_file(path, "", 0))
				return -1;
		}
	}
	demo = malloc(cap);
	if (!demo)
		return -1;
	snprintf(path, sizeof(path), "%s/examples/switchboard.conf",
		 SB_SOURCE_DIR);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		int n;

		if (!strncmp(line, "prompts ", 8))
			n = snprintf(demo + demo_len, cap - demo_len,
				     "prompts = %s\n", dir);
		else
			n = snprintf(demo + demo_len, cap - demo_len, "%s",
				     line);
		demo_len += (size_t)n;
	}
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	free(demo);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_config_demo(void **state)
{
	struct config *c = NULL;
	char path[512], err[1024];

	(void)state;
	snprintf(path, sizeof(path), "%s/demo.conf", dir);
	assert_int_equal(0, write_file(path, demo, demo_len));
	assert_int_equal(0, config_load(&c, path, err, sizeof(err)));
	assert_int_equal(2, c->nqueues);
	assert_int_equal(4, c->nagents);
	assert_non_null(config_queue(c, "sales"));
	assert_null(config_queue(c, "nosuch"));
	assert_non_null(config_agent(c, "1003"));
	assert_int_equal(CFG_TO_FLOW, config_number(c, "100")->kind);
	assert_string_equal("acme",
			    config_customer_by_phone(c, "5550100")->id);
	assert_null(config_customer_by_phone(c, "5550101"));
	mem_deref(c);
}

static void test_config_mutants(void **state)
{
	enum { RUNS = 3000 };
	const char *env = getenv("SB_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 10) : 20261123;
	uint64_t x = seed | 1;
	char path[512], err[1024];
	char *buf = malloc(demo_len * 2 + 64);
	unsigned loaded = 0, refused = 0;

	(void)state;
	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/mutant.conf", dir);
	for (int run = 0; run < RUNS; run++) {
		size_t n = demo_len;
		unsigned k = 1 + (unsigned)(rnd(&x) % 6);
		struct config *c = NULL;
		int e;

		memcpy(buf, demo, n);
		for (unsigned m = 0; m < k && n > 1; m++) {
			size_t at = rnd(&x) % n;

			switch (rnd(&x) % 5) {
			case 0:         /* flip a byte (NUL and controls too) */
				buf[at] = (char)(rnd(&x) & 0xff);
				break;
			case 1:         /* insert a byte */
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = "=[] ;#:\t\n0a-*"[rnd(&x) % 14];
				n++;
				break;
			case 2:         /* delete a byte */
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
				break;
			case 3:         /* cut short */
				n = at + 1;
				break;
			default:        /* a digit run made long */
				if (n + 40 < demo_len * 2) {
					memmove(buf + at + 20, buf + at,
						n - at);
					memset(buf + at, '9', 20);
					n += 20;
				}
				break;
			}
		}
		assert_int_equal(0, write_file(path, buf, n));
		err[0] = '\0';
		e = config_load(&c, path, err, sizeof(err));
		if (!e) {
			loaded++;
			mem_deref(c);
			continue;
		}
		refused++;
		if (!strstr(err, "mutant.conf")) {
			print_message("seed %llu run %d: error without the "
				      "file name: '%s'\n",
				      (unsigned long long)seed, run, err);
			fail();
		}
	}
	print_message("%u mutants loaded, %u refused with a message\n",
		      loaded, refused);
	assert_true(refused > RUNS / 2);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_demo),
		cmocka_unit_test(test_config_mutants),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
