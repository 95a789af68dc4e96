/* tests/unit/test_flow_hours.c  Business-hours schedules (src/flow/hours.c)
 * and the TZif reader (src/flow/tzif.c): open/closed either side of the
 * 2026 DST changes in Europe/Berlin and America/New_York, holidays, the
 * schedule parser's messages, and the zone offsets against glibc's
 * localtime_r over random times up to 2100 in zones with unusual rules
 * (footer rules past 2037, southern and negative DST, 30-minute DST,
 * rule times past 24 h).  Fixed seed, SB_SEED overrides. */

#define _DEFAULT_SOURCE 1          /* tm_gmtoff, for the glibc oracle */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "flow/flow_int.h"

static char err[512];

static uint64_t seed(void)
{
	const char *s = getenv("SB_SEED");

	return s ? strtoull(s, NULL, 10) : 20260329;
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Build a set from "key = value" lines of one [hours NAME] section. */
static int load(struct flow_set **fsp, const char *name,
		const char *const *lines)
{
	struct flow_set *fs = NULL;
	int e;

	assert_int_equal(0, flow_set_alloc(&fs));
	err[0] = '\0';
	for (unsigned i = 0; lines[i]; i += 2) {
		e = flow_set_entry(fs, "hours", name, lines[i], lines[i + 1],
				   "test.conf", i / 2 + 1, err, sizeof(err));
		if (e) {
			mem_deref(fs);
			return e;
		}
	}
	e = flow_set_check(fs, NULL, err, sizeof(err));
	if (e) {
		mem_deref(fs);
		return e;
	}
	*fsp = fs;
	return 0;
}

static bool is_open(const struct flow_set *fs, const char *name, int64_t t)
{
	bool open = false;

	assert_int_equal(0, flow_hours_open(fs, name, t, &open));
	return open;
}

/* 2026-03-29 01:00 UTC Berlin goes from +1 to +2; 2026-10-25 back. */
static void test_flow_hours_berlin_dst(void **state)
{
	static const char *const l[] = {
		"timezone", "Europe/Berlin",
		"mon-sun", "08:00-18:00",
		NULL
	};
	struct flow_set *fs = NULL;
	(void)state;

	assert_int_equal(0, load(&fs, "office", l));
	/* Saturday 28 March, CET: 08:00 local is 07:00 UTC */
	assert_false(is_open(fs, "office", 1774681140));  /* 07:59 */
	assert_true(is_open(fs, "office", 1774681200));   /* 08:00 */
	/* Sunday 29 March, CEST: 08:00 local is 06:00 UTC */
	assert_false(is_open(fs, "office", 1774763940));  /* 07:59 */
	assert_true(is_open(fs, "office", 1774764000));   /* 08:00 */
	assert_true(is_open(fs, "office", 1774764000 + 9 * 3600
			    + 59 * 60));                     /* 17:59 */
	assert_false(is_open(fs, "office", 1774764000 + 10 * 3600));
	/* the change itself: 00:59:59 UTC is 01:59:59 CET */
	assert_int_equal(3600, flow_tz_offset(flow_hours_find(fs,
		"office")->tz, 1774745999));
	assert_int_equal(7200, flow_tz_offset(flow_hours_find(fs,
		"office")->tz, 1774746000));
	/* Sunday 25 October, back to CET at 01:00 UTC */
	assert_int_equal(7200, flow_tz_offset(flow_hours_find(fs,
		"office")->tz, 1792889999));
	assert_int_equal(3600, flow_tz_offset(flow_hours_find(fs,
		"office")->tz, 1792890000));
	/* 25 Oct 08:00 CET = 07:00 UTC (1792890000 is 01:00 UTC) */
	assert_false(is_open(fs, "office", 1792890000 + 6 * 3600 - 1));
	assert_true(is_open(fs, "office", 1792890000 + 6 * 3600));
	/* 24 Oct (CEST) 08:00 = 06:00 UTC */
	assert_true(is_open(fs, "office", 1792890000 - 19 * 3600));
	assert_false(is_open(fs, "office", 1792890000 - 19 * 3600 - 1));
	mem_deref(fs);
}

/* New York: 2026-03-08 07:00 UTC to EDT, 2026-11-01 06:00 UTC to EST. */
static void test_flow_hours_new_york_dst(void **state)
{
	static const char *const l[] = {
		"timezone", "America/New_York",
		"sun", "09:00-17:00",
		"sat", "closed",
		NULL
	};
	const int64_t mar8 = 1772953200;      /* 03:00 EDT */
	const int64_t nov1 = 1793512800;      /* 01:00 EST (second time) */
	struct flow_set *fs = NULL;
	(void)state;

	assert_int_equal(0, load(&fs, "ny", l));
	/* Sunday 8 March, EDT from 03:00: 09:00 local = 13:00 UTC */
	assert_false(is_open(fs, "ny", mar8 + 6 * 3600 - 1));
	assert_true(is_open(fs, "ny", mar8 + 6 * 3600));
	assert_true(is_open(fs, "ny", mar8 + 14 * 3600 - 1));   /* 16:59 */
	assert_false(is_open(fs, "ny", mar8 + 14 * 3600));      /* 17:00 */
	/* Saturday 7 March (EST): closed all day */
	assert_false(is_open(fs, "ny", mar8 - 24 * 3600 + 7 * 3600));
	/* Sunday 1 November, EST: 09:00 local = 14:00 UTC */
	assert_false(is_open(fs, "ny", nov1 + 8 * 3600 - 1));
	assert_true(is_open(fs, "ny", nov1 + 8 * 3600));
	assert_true(is_open(fs, "ny", nov1 + 16 * 3600 - 1));
	assert_false(is_open(fs, "ny", nov1 + 16 * 3600));
	assert_int_equal(-4 * 3600, flow_tz_offset(flow_hours_find(fs,
		"ny")->tz, nov1 - 1));
	assert_int_equal(-5 * 3600, flow_tz_offset(flow_hours_find(fs,
		"ny")->tz, nov1));
	/* Sunday 25 October, EDT: 09:00 local = 13:00 UTC */
	assert_true(is_open(fs, "ny", nov1 - 7 * 86400 + 7 * 3600));
	assert_false(is_open(fs, "ny", nov1 - 7 * 86400 + 7 * 3600 - 1));
	mem_deref(fs);
}

static int64_t utc(int y, unsigned m, unsigned d, unsigned hh, unsigned mm)
{
	return flow_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

static void test_flow_hours_holidays(void **state)
{
	static const char *const l[] = {
		"timezone", "UTC",
		"mon-fri", "08:00-12:00 13:00-18:00",
		"sat", "09:00-13:00",
		"holiday", "2026-12-25",
		"holiday", "2026-12-24 08:00-12:00",
		"holiday", "2026-12-26 10:00-11:00",
		NULL
	};
	struct flow_set *fs = NULL;
	(void)state;

	assert_int_equal(0, load(&fs, "h", l));
	/* Wednesday 23 Dec: the week's ranges, lunch closed */
	assert_true(is_open(fs, "h", utc(2026, 12, 23, 8, 0)));
	assert_false(is_open(fs, "h", utc(2026, 12, 23, 12, 30)));
	assert_true(is_open(fs, "h", utc(2026, 12, 23, 17, 59)));
	assert_false(is_open(fs, "h", utc(2026, 12, 23, 18, 0)));
	/* Thursday 24 Dec: only 08:00-12:00 */
	assert_true(is_open(fs, "h", utc(2026, 12, 24, 11, 59)));
	assert_false(is_open(fs, "h", utc(2026, 12, 24, 13, 0)));
	/* Friday 25 Dec: closed all day */
	assert_false(is_open(fs, "h", utc(2026, 12, 25, 8, 0)));
	assert_false(is_open(fs, "h", utc(2026, 12, 25, 15, 0)));
	/* Saturday 26 Dec: the holiday's range, not Saturday's */
	assert_false(is_open(fs, "h", utc(2026, 12, 26, 9, 30)));
	assert_true(is_open(fs, "h", utc(2026, 12, 26, 10, 30)));
	/* Sunday: no ranges */
	assert_false(is_open(fs, "h", utc(2026, 12, 27, 10, 30)));
	/* Saturday 2 Jan 2027 */
	assert_true(is_open(fs, "h", utc(2027, 1, 2, 9, 0)));
	mem_deref(fs);
}

/* A holiday is a local date: 25 Dec in New York starts 05:00 UTC. */
static void test_flow_hours_holiday_local_date(void **state)
{
	static const char *const l[] = {
		"timezone", "America/New_York",
		"mon-sun", "00:00-24:00",
		"holiday", "2026-12-25",
		NULL
	};
	struct flow_set *fs = NULL;
	(void)state;

	assert_int_equal(0, load(&fs, "ny", l));
	assert_true(is_open(fs, "ny", utc(2026, 12, 25, 4, 59)));
	assert_false(is_open(fs, "ny", utc(2026, 12, 25, 5, 0)));
	assert_false(is_open(fs, "ny", utc(2026, 12, 26, 4, 59)));
	assert_true(is_open(fs, "ny", utc(2026, 12, 26, 5, 0)));
	mem_deref(fs);
}

static void test_flow_hours_day_keys(void **state)
{
	static const char *const l[] = {
		"timezone", "UTC",
		"fri-mon", "10:00-11:00",    /* wraps: fri sat sun mon */
		"tue,thu", "12:00-13:00",
		"wed", "14:00-15:00",
		"wed", "16:00-17:00",        /* adds */
		NULL
	};
	struct flow_set *fs = NULL;
	/* 2026-06-01 is a Monday */
	static const struct { unsigned d, h; bool open; } c[] = {
		{1, 10, true}, {2, 10, false}, {2, 12, true}, {3, 14, true},
		{3, 16, true}, {3, 15, false}, {4, 12, true}, {5, 10, true},
		{6, 10, true}, {7, 10, true}, {7, 12, false},
	};
	(void)state;

	assert_int_equal(0, load(&fs, "d", l));
	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (is_open(fs, "d", utc(2026, 6, c[i].d, c[i].h, 0)) !=
		    c[i].open)
			fail_msg("June %u %u:00: want %s", c[i].d, c[i].h,
				 c[i].open ? "open" : "closed");
	mem_deref(fs);
}

static void expect_bad(const char *const *l, int code, const char *msg)
{
	struct flow_set *fs = NULL;
	int e = load(&fs, "office", l);

	if (e != code || !strstr(err, msg))
		fail_msg("want %d '%s', got %d '%s'", code, msg, e, err);
}

static void test_flow_hours_errors(void **state)
{
	(void)state;

	expect_bad((const char *const[]){"timezone", "Europe/Berln",
			"mon", "08:00-09:00", NULL}, EINVAL,
		"test.conf:1: hours office: unknown timezone 'Europe/Berln'");
	expect_bad((const char *const[]){"timezone", "../../etc/passwd",
			NULL}, EINVAL, "bad timezone '../../etc/passwd'");
	expect_bad((const char *const[]){"timezone", "/etc/localtime",
			NULL}, EINVAL, "bad timezone");
	expect_bad((const char *const[]){"timezone", "Europe/..",
			NULL}, EINVAL, "bad timezone");
	expect_bad((const char *const[]){"timezone", "Europe",
			NULL}, EINVAL, "unknown timezone 'Europe'"); /* dir */
	expect_bad((const char *const[]){"timezone", "Europe/Berlin x",
			NULL}, EINVAL, "bad timezone");
	expect_bad((const char *const[]){"mon", "08:00-09:00", NULL}, EINVAL,
		"test.conf:1: hours office: no timezone; add timezone");
	expect_bad((const char *const[]){"timezone", "UTC", "timezone",
			"UTC", NULL}, EINVAL,
		"test.conf:2: hours office: timezone given twice");
	expect_bad((const char *const[]){"timezone", "UTC", "mnday",
			"08:00-09:00", NULL}, EINVAL, "unknown key 'mnday'");
	expect_bad((const char *const[]){"timezone", "UTC", "mon-",
			"08:00-09:00", NULL}, EINVAL, "unknown key 'mon-'");
	expect_bad((const char *const[]){"timezone", "UTC", "mon,",
			"08:00-09:00", NULL}, EINVAL, "unknown key 'mon,'");
	expect_bad((const char *const[]){"timezone", "UTC", "mon",
			"09:00-08:00", NULL}, EINVAL,
		"bad time range '09:00-08:00'");
	expect_bad((const char *const[]){"timezone", "UTC", "mon",
			"09:00-09:00", NULL}, EINVAL, "bad time range");
	expect_bad((const char *const[]){"timezone", "UTC", "mon",
			"09:00-24:01", NULL}, EINVAL, "bad time range");
	expect_bad((const char *const[]){"timezone", "UTC", "mon",
			"24:00-24:00", NULL}, EINVAL, "bad time range");
	expect_bad((const char *const[]){"timezone", "UTC", "mon",
			"08:60-09:00", NULL}, EINVAL, "bad time range");
	expect_bad((const char *const[]){"timezone", "UTC", "mon",
			"0800-0900", NULL}, EINVAL, "bad time range");
	expect_bad((const char *const[]){"timezone", "UTC", "mon",
			"closed 08:00-09:00", NULL}, EINVAL,
		"bad time range '08:00-09:00'");
	expect_bad((const char *const[]){"timezone", "UTC", "mon",
			"1:00-2:00 3:00-4:00 5:00-6:00 7:00-8:00 9:00-10:00 "
			"11:00-12:00 13:00-14:00 15:00-16:00 17:00-18:00",
			NULL}, EINVAL, "bad time range '17:00-18:00'");
	expect_bad((const char *const[]){"timezone", "UTC", "mon",
			"1:00-2:00 3:00-4:00 5:00-6:00 7:00-8:00", "mon-fri",
			"9:00-10:00 11:00-12:00 13:00-14:00 15:00-16:00 "
			"17:00-18:00", NULL}, EINVAL,
		"test.conf:3: hours office: more than 8 ranges on mon");
	expect_bad((const char *const[]){"timezone", "UTC", "mon",
			"1:00-2:00 3:00-4:00 5:00-6:00 7:00-8:00", "mon-fri",
			"9:00-10:00 11:00-12:00 13:00-14:00 15:00-16:00",
			"mon", "17:00-18:00", NULL}, EINVAL,
		"more than 8 ranges on mon");
	expect_bad((const char *const[]){"timezone", "UTC", "holiday",
			"2026-02-29", NULL}, EINVAL,
		"bad holiday '2026-02-29'");
	expect_bad((const char *const[]){"timezone", "UTC", "holiday",
			"2026-13-01", NULL}, EINVAL, "bad holiday");
	expect_bad((const char *const[]){"timezone", "UTC", "holiday",
			"26-12-01", NULL}, EINVAL, "bad holiday");
	expect_bad((const char *const[]){"timezone", "UTC", "holiday",
			"", NULL}, EINVAL, "bad holiday");
	expect_bad((const char *const[]){"timezone", "UTC", "holiday",
			"2026-12-24 12:00-08:00", NULL}, EINVAL,
		"bad time range '12:00-08:00'");
	expect_bad((const char *const[]){"timezone", "UTC", "holiday",
			"2026-12-24", "holiday", "2026-12-24 08:00-09:00",
			NULL}, EINVAL,
		"test.conf:3: hours office: holiday 2026-12-24 given twice "
		"(first at line 2)");
}

static void test_flow_hours_valid_edges(void **state)
{
	static const char *const l[] = {
		"timezone", "UTC",
		"sun", "0:00-0:01 23:59-24:00",
		"holiday", "2028-02-29 00:00-24:00",
		NULL
	};
	struct flow_set *fs = NULL;
	bool open;
	(void)state;

	assert_int_equal(0, load(&fs, "e", l));
	assert_true(is_open(fs, "e", utc(2026, 6, 7, 0, 0)));     /* Sun */
	assert_false(is_open(fs, "e", utc(2026, 6, 7, 0, 1)));
	assert_true(is_open(fs, "e", utc(2026, 6, 7, 23, 59) + 59));
	assert_false(is_open(fs, "e", utc(2026, 6, 8, 0, 1)));
	assert_true(is_open(fs, "e", utc(2028, 2, 29, 12, 0)));   /* Tue */
	assert_int_equal(ENOENT, flow_hours_open(fs, "nope", 0, &open));
	assert_int_equal(EINVAL, flow_hours_open(fs, NULL, 0, &open));
	/* before 1970 and far ahead still evaluate */
	(void)is_open(fs, "e", -4000000000LL);
	(void)is_open(fs, "e", 10000000000LL);
	mem_deref(fs);
}

/* Not checked yet: the zone is not loaded. */
static void test_flow_hours_unchecked(void **state)
{
	struct flow_set *fs = NULL;
	bool open;
	(void)state;

	assert_int_equal(0, flow_set_alloc(&fs));
	assert_int_equal(0, flow_set_entry(fs, "hours", "h", "timezone",
					   "UTC", "f", 1, err, sizeof(err)));
	assert_int_equal(EINVAL, flow_hours_open(fs, "h", 0, &open));
	assert_int_equal(0, flow_set_check(fs, NULL, err, sizeof(err)));
	assert_int_equal(0, flow_hours_open(fs, "h", 0, &open));
	assert_false(open);
	assert_int_equal(EPERM, flow_set_entry(fs, "hours", "h", "mon",
					       "08:00-09:00", "f", 2, err,
					       sizeof(err)));
	mem_deref(fs);
}

static int64_t glibc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	assert_non_null(localtime_r(&tt, &tm));
	return tm.tm_gmtoff;
}

/* Our reader against glibc's over random times, 1901 to 2100. */
static void test_flow_hours_tz_vs_glibc(void **state)
{
	static const char *const zones[] = {
		"Europe/Berlin", "America/New_York", "Australia/Sydney",
		"America/Sao_Paulo", "Pacific/Chatham", "Asia/Kolkata",
		"Africa/Casablanca", "America/Santiago", "America/Nuuk",
		"Asia/Jerusalem", "Pacific/Auckland", "Europe/Dublin",
		"America/St_Johns", "Antarctica/Troll", "Australia/Lord_Howe",
		"UTC", "Etc/GMT+5", "America/Los_Angeles", "Asia/Tehran",
		"Europe/London",
	};
	uint64_t x = seed() | 1;
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	(void)state;

	for (unsigned z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		struct flow_tz *tz = NULL;
		char env[160];
		char path[200];
		FILE *f;

		snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s",
			 zones[z]);
		f = fopen(path, "rb");
		if (!f)
			continue;          /* zone absent on this machine */
		(void)fclose(f);
		assert_int_equal(0, flow_tz_load(&tz, zones[z], err,
						 sizeof(err)));
		snprintf(env, sizeof(env), ":%s", zones[z]);
		setenv("TZ", env, 1);
		tzset();
		for (unsigned i = 0; i < 20000; i++) {
			int64_t t = -2147483648LL +
				(int64_t)(rnd(&x) % 6250000000ULL);
			int64_t want = glibc_offset(t);
			int64_t got = flow_tz_offset(tz, t);

			if (want != got)
				fail_msg("seed %llu: %s at %lld: offset %lld, "
					 "glibc %lld",
					 (unsigned long long)seed(), zones[z],
					 (long long)t, (long long)got,
					 (long long)want);
		}
		/* and around each rule change of 2040..2060 */
		for (int64_t t = 2208988800LL; t < 2840140800LL; t += 1800) {
			if (glibc_offset(t) != flow_tz_offset(tz, t))
				fail_msg("%s at %lld: offset %d, glibc %lld",
					 zones[z], (long long)t,
					 flow_tz_offset(tz, t),
					 (long long)glibc_offset(t));
		}
		mem_deref(tz);
	}
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	}
	else {
		unsetenv("TZ");
	}
	tzset();
}

/* Truncated and corrupted files are refused or read, never overread
 * (ASan watches). */
static void test_flow_hours_tzif_corrupt(void **state)
{
	static uint8_t buf[8192];
	uint64_t x = seed() | 1;
	struct flow_tz *tz = NULL;
	FILE *f = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
	size_t n;
	(void)state;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	(void)fclose(f);
	assert_true(n > 44);
	assert_int_equal(0, flow_tz_parse(&tz, buf, n));
	tz = mem_deref(tz);
	assert_int_equal(EBADMSG, flow_tz_parse(&tz, buf, 10));
	assert_int_equal(EBADMSG, flow_tz_parse(&tz, (const uint8_t *)
						"TZjf2", 5));
	for (size_t l = 0; l < n; l++) {
		uint8_t *c = malloc(l ? l : 1);

		memcpy(c, buf, l);
		if (!flow_tz_parse(&tz, c, l)) {
			(void)flow_tz_offset(tz, 1774746000);
			(void)flow_tz_offset(tz, 4000000000LL);
			tz = mem_deref(tz);
		}
		free(c);
	}
	for (unsigned i = 0; i < 5000; i++) {
		uint8_t *c = malloc(n);

		memcpy(c, buf, n);
		for (unsigned k = 0; k < 1 + rnd(&x) % 4; k++)
			c[rnd(&x) % n] ^= (uint8_t)(1u << (rnd(&x) % 8));
		if (!flow_tz_parse(&tz, c, n)) {
			(void)flow_tz_offset(tz, (int64_t)(rnd(&x) %
							   5000000000ULL));
			tz = mem_deref(tz);
		}
		free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_hours_berlin_dst),
		cmocka_unit_test(test_flow_hours_new_york_dst),
		cmocka_unit_test(test_flow_hours_holidays),
		cmocka_unit_test(test_flow_hours_holiday_local_date),
		cmocka_unit_test(test_flow_hours_day_keys),
		cmocka_unit_test(test_flow_hours_errors),
		cmocka_unit_test(test_flow_hours_valid_edges),
		cmocka_unit_test(test_flow_hours_unchecked),
		cmocka_unit_test(test_flow_hours_tz_vs_glibc),
		cmocka_unit_test(test_flow_hours_tzif_corrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
