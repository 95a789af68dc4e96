/* tests/unit/test_store_customers.c  store/customers.c and migration
 * 3 -> 4: customers put, replaced, deleted (phones with them), loaded
 * back, seeded without overwriting; a phone moving between customers;
 * bad records; a fresh file and a file left by a version-3 build. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "store/store_int.h"

#include "store_harness.h"

static int fx_setup(void **state)
{
	return fx_setup_prefix(state, "sb-cust");
}

static struct store *open_ok(const char *path)
{
	struct store *st = NULL;
	char err[256];
	int e;

	e = store_open(&st, path, err, sizeof(err));
	if (e)
		fail_msg("store_open %s: %d: %s", path, e, err);
	return st;
}

static sqlite3 *db_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(SQLITE_OK, sqlite3_open_v2(path, &db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL));
	return db;
}

/* What store_customers_load gave, one line per customer:
 * id|name|email|notes|vip|fields|created|updated|phone,phone; */
struct seen {
	char text[2048];
	unsigned n;
};

static void load_h(const struct store_customer *c, void *arg)
{
	struct seen *s = arg;
	size_t l = strlen(s->text);

	l += snprintf(s->text + l, sizeof(s->text) - l,
		      "%s|%s|%s|%s|%d|%s|%lld|%lld|", c->id, c->name,
		      c->email ? c->email : "-", c->notes ? c->notes : "-",
		      c->vip, c->fields ? c->fields : "-",
		      (long long)c->created, (long long)c->updated);
	if (c->priority || c->skill || c->level)
		l += snprintf(s->text + l, sizeof(s->text) - l, "%d/%s/%u|",
			      (int)c->priority, c->skill ? c->skill : "-",
			      (unsigned)c->level);
	for (unsigned i = 0; i < c->nphones; i++)
		l += snprintf(s->text + l, sizeof(s->text) - l, "%s%s",
			      i ? "," : "", c->phones[i]);
	snprintf(s->text + l, sizeof(s->text) - l, ";");
	s->n++;
}

static const char *load(struct store *st, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(0, store_customers_load(st, load_h, s));
	return s->text;
}

static void test_store_customers_put_replace_delete(void **state)
{
	struct fx *fx = *state;
	char p1[16], p2[16], name[16], buf[64];
	const char *ph[2] = {p1, p2};
	const char *ph3[] = {"+15550003"};
	const char *ph4[] = {"+15550002", "+15550004"};
	struct store_customer c;
	struct store *st;
	struct seen s;
	sqlite3 *db;

	st = open_ok(fx->path);
	assert_string_equal("", load(st, &s));
	snprintf(p1, sizeof(p1), "+15550001");
	snprintf(p2, sizeof(p2), "+15550002");
	snprintf(name, sizeof(name), "Ada");
	c = (struct store_customer){ .id = "k1", .name = name,
		.email = "ada@example.org", .notes = "line1\nline2",
		.vip = true, .fields = "{\"tier\":\"gold\"}", .phones = ph,
		.nphones = 2, .created = 100, .updated = 100 };
	assert_int_equal(0, store_customer_put(st, &c));
	/* the store copied everything */
	memset(p1, 'x', sizeof(p1) - 1);
	memset(name, 'x', sizeof(name) - 1);
	c = (struct store_customer){ .id = "k2", .name = "Bob",
		.phones = ph3, .nphones = 1, .created = 200, .updated = 200,
		.priority = -3, .skill = "french", .level = 4 };
	assert_int_equal(0, store_customer_put(st, &c));
	assert_int_equal(0, store_flush(st));
	assert_string_equal("k1|Ada|ada@example.org|line1\nline2|1|"
			    "{\"tier\":\"gold\"}|100|100|+15550001,+15550002;"
			    "k2|Bob|-|-|0|-|200|200|-3/french/4|+15550003;",
			    load(st, &s));
	assert_int_equal(2, s.n);

	/* replaced whole, phones as a set */
	c = (struct store_customer){ .id = "k1", .name = "Ada L.",
		.phones = ph4, .nphones = 2, .created = 100, .updated = 300 };
	assert_int_equal(0, store_customer_put(st, &c));
	assert_int_equal(0, store_flush(st));
	assert_string_equal("k1|Ada L.|-|-|0|-|100|300|+15550002,+15550004;"
			    "k2|Bob|-|-|0|-|200|200|-3/french/4|+15550003;",
			    load(st, &s));

	/* deleted with its phones (the cascade) */
	assert_int_equal(0, store_customer_delete(st, "k2"));
	assert_int_equal(0, store_customer_delete(st, "absent"));
	assert_int_equal(0, store_flush(st));
	assert_string_equal("k1|Ada L.|-|-|0|-|100|300|+15550002,+15550004;",
			    load(st, &s));
	db = db_open(fx->path);
	assert_string_equal("k1", q_text(db, "SELECT customer_id FROM "
		"customer_phones WHERE phone = ?1", "+15550004", buf,
		sizeof(buf)));
	assert_int_equal(2, q_int(db, "SELECT count(*) FROM customer_phones",
				  NULL));
	assert_int_equal(0, q_int(db, "SELECT count(*) FROM customer_phones "
				  "WHERE phone = ?1", "+15550003"));
	sqlite3_close(db);
	mem_deref(st);

	/* kept across a reopen */
	st = open_ok(fx->path);
	assert_string_equal("k1|Ada L.|-|-|0|-|100|300|+15550002,+15550004;",
			    load(st, &s));
	mem_deref(st);
}

static void test_store_customers_phone_moves(void **state)
{
	struct fx *fx = *state;
	const char *a[] = {"101", "102", "103"};
	const char *b[] = {"102", "104"};
	const char *dup[] = {"105", "105"};
	struct store_customer c;
	struct store *st;
	struct seen s;

	st = open_ok(fx->path);
	c = (struct store_customer){ .id = "A", .name = "a", .phones = a,
		.nphones = 3, .created = 1, .updated = 1 };
	assert_int_equal(0, store_customer_put(st, &c));
	c = (struct store_customer){ .id = "B", .name = "b", .phones = b,
		.nphones = 2, .created = 2, .updated = 2 };
	assert_int_equal(0, store_customer_put(st, &c));
	assert_int_equal(0, store_flush(st));
	assert_string_equal("A|a|-|-|0|-|1|1|101,103;B|b|-|-|0|-|2|2|102,104;",
			    load(st, &s));
	/* back to A with a repeated number, which counts once */
	c = (struct store_customer){ .id = "A", .name = "a", .phones = a,
		.nphones = 2, .created = 1, .updated = 3 };
	assert_int_equal(0, store_customer_put(st, &c));
	c = (struct store_customer){ .id = "C", .name = "c", .phones = dup,
		.nphones = 2, .created = 4, .updated = 4 };
	assert_int_equal(0, store_customer_put(st, &c));
	assert_int_equal(0, store_flush(st));
	assert_string_equal("A|a|-|-|0|-|1|3|101,102;B|b|-|-|0|-|2|2|104;"
			    "C|c|-|-|0|-|4|4|105;", load(st, &s));
	/* no phones at all */
	c = (struct store_customer){ .id = "B", .name = "b", .created = 2,
		.updated = 5 };
	assert_int_equal(0, store_customer_put(st, &c));
	assert_int_equal(0, store_flush(st));
	assert_string_equal("A|a|-|-|0|-|1|3|101,102;B|b|-|-|0|-|2|5|;"
			    "C|c|-|-|0|-|4|4|105;", load(st, &s));
	mem_deref(st);
}

static void test_store_customers_seed(void **state)
{
	struct fx *fx = *state;
	const char *p1[] = {"201"};
	const char *p2[] = {"201", "202"};
	struct store_customer c;
	struct store *st;
	struct seen s;

	st = open_ok(fx->path);
	c = (struct store_customer){ .id = "s1", .name = "from config",
		.phones = p1, .nphones = 1, .created = 10, .updated = 10 };
	assert_int_equal(0, store_customer_seed(st, &c));
	assert_string_equal("s1|from config|-|-|0|-|10|10|201;",
			    load(st, &s));
	/* edited through the API, then seeded again at a restart */
	c.name = "edited";
	c.updated = 20;
	assert_int_equal(0, store_customer_put(st, &c));
	assert_int_equal(0, store_flush(st));
	mem_deref(st);
	st = open_ok(fx->path);
	c = (struct store_customer){ .id = "s1", .name = "from config",
		.email = "x@y", .created = 30, .updated = 30 };
	assert_int_equal(0, store_customer_seed(st, &c));
	/* a new one whose number s1 has: inserted, the number stays */
	c = (struct store_customer){ .id = "s2", .name = "second",
		.phones = p2, .nphones = 2, .vip = true, .created = 30,
		.updated = 30, .priority = 7, .skill = "vip",
		.level = 1 };
	assert_int_equal(0, store_customer_seed(st, &c));
	assert_string_equal("s1|edited|-|-|0|-|10|20|201;"
			    "s2|second|-|-|1|-|30|30|7/vip/1|202;",
			    load(st, &s));
	c.id = "";
	assert_int_equal(EINVAL, store_customer_seed(st, &c));
	assert_int_equal(EINVAL, store_customer_seed(NULL, &c));
	mem_deref(st);
}

static void test_store_customers_invalid(void **state)
{
	struct fx *fx = *state;
	const char *many[STORE_PHONES_MAX + 1];
	const char *empty[] = {""};
	const char *nul[] = {NULL};
	struct store_customer c = { .id = "k", .name = "n" };
	struct store_stats ss;
	struct store *st;
	struct seen s;

	for (unsigned i = 0; i <= STORE_PHONES_MAX; i++)
		many[i] = "1";
	st = open_ok(fx->path);
	assert_int_equal(EINVAL, store_customer_put(NULL, &c));
	assert_int_equal(EINVAL, store_customer_put(st, NULL));
	c.id = "";
	assert_int_equal(EINVAL, store_customer_put(st, &c));
	c.id = NULL;
	assert_int_equal(EINVAL, store_customer_put(st, &c));
	c.id = "k";
	c.name = NULL;
	assert_int_equal(EINVAL, store_customer_put(st, &c));
	c.name = "n";
	c.phones = many;
	c.nphones = STORE_PHONES_MAX + 1;
	assert_int_equal(EINVAL, store_customer_put(st, &c));
	c.nphones = STORE_PHONES_MAX;
	assert_int_equal(0, store_customer_put(st, &c));
	c.phones = NULL;
	c.nphones = 1;
	assert_int_equal(EINVAL, store_customer_put(st, &c));
	c.phones = empty;
	assert_int_equal(EINVAL, store_customer_put(st, &c));
	c.phones = nul;
	assert_int_equal(EINVAL, store_customer_put(st, &c));
	assert_int_equal(EINVAL, store_customer_delete(st, ""));
	assert_int_equal(EINVAL, store_customer_delete(st, NULL));
	assert_int_equal(EINVAL, store_customers_load(st, NULL, NULL));
	assert_int_equal(0, store_flush(st));

	/* fields that are not a JSON object fail when written, whole */
	c = (struct store_customer){ .id = "bad", .name = "n",
		.fields = "[1,2]", .phones = empty, .nphones = 0 };
	assert_int_equal(0, store_customer_put(st, &c));
	c.id = "bad2";
	c.fields = "{not json";
	assert_int_equal(0, store_customer_put(st, &c));
	assert_int_equal(EIO, store_flush(st));
	store_stats(st, &ss);
	assert_int_equal(2, ss.failed);
	assert_string_equal("k|n|-|-|0|-|0|0|1;", load(st, &s));
	mem_deref(st);
}

/* Whether the query plan of sql names `index`. */
static bool plan_uses(sqlite3 *db, const char *sql, const char *index)
{
	char q[512];
	sqlite3_stmt *s;
	bool found = false;

	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(SQLITE_OK, sqlite3_prepare_v2(db, q, -1, &s, NULL));
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(s, 3);

		if (d && strstr(d, index))
			found = true;
	}
	sqlite3_finalize(s);
	return found;
}

static void test_store_customers_schema_fresh(void **state)
{
	struct fx *fx = *state;
	struct store *st;
	sqlite3 *db;

	assert_true(store_schema_latest() >= 4);
	st = open_ok(fx->path);
	mem_deref(st);
	db = db_open(fx->path);
	assert_int_equal(store_schema_latest(),
			 q_int(db, "PRAGMA user_version", NULL));
	assert_int_equal(2, q_int(db, "SELECT count(*) FROM sqlite_schema "
				  "WHERE type = 'table' AND name IN "
				  "('customers', 'customer_phones')", NULL));
	assert_int_equal(3, q_int(db, "SELECT count(*) FROM sqlite_schema "
				  "WHERE type = 'index' AND name IN ("
				  "'calls_caller', 'customer_phones_customer',"
				  " 'recordings_start')", NULL));
	/* a customer's history is an index search, not a scan */
	assert_true(plan_uses(db, "SELECT id FROM calls WHERE caller IN "
			      "('1', '2') ORDER BY arrival DESC",
			      "calls_caller"));
	sqlite3_close(db);
}

/* A file as a version-3 build left it: migrated on open, data kept. */
static void test_store_customers_schema_from_v3(void **state)
{
	struct fx *fx = *state;
	struct store_customer c = { .id = "k", .name = "n", .created = 1,
		.updated = 1 };
	struct store *st;
	struct seen s;
	char err[256];
	sqlite3 *db;

	db = db_open(fx->path);
	assert_int_equal(0, store_schema_migrate_to(db, fx->path, 3, err,
						    sizeof(err)));
	assert_int_equal(3, q_int(db, "PRAGMA user_version", NULL));
	assert_int_equal(0, q_int(db, "SELECT count(*) FROM sqlite_schema "
				  "WHERE name = 'customers'", NULL));
	assert_int_equal(SQLITE_OK, sqlite3_exec(db, "INSERT INTO calls (id,"
		" caller, arrival, outcome) VALUES ('old', '1001', 5, "
		"'answered')", NULL, NULL, NULL));
	sqlite3_close(db);

	st = open_ok(fx->path);
	assert_int_equal(0, store_customer_put(st, &c));
	assert_int_equal(0, store_flush(st));
	assert_string_equal("k|n|-|-|0|-|1|1|;", load(st, &s));
	mem_deref(st);
	db = db_open(fx->path);
	assert_int_equal(store_schema_latest(),
			 q_int(db, "PRAGMA user_version", NULL));
	assert_int_equal(5, q_int(db, "SELECT arrival FROM calls WHERE id = "
				  "?1", "old"));
	assert_int_equal(1, q_int(db, "SELECT count(*) FROM sqlite_schema "
				  "WHERE name = 'calls_caller'", NULL));
	sqlite3_close(db);

	db = db_open(fx->path);
	assert_int_equal(EINVAL, store_schema_migrate_to(db, fx->path, 99,
							 err, sizeof(err)));
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(test_store_customers_put_replace_delete),
		T(test_store_customers_phone_moves),
		T(test_store_customers_seed),
		T(test_store_customers_invalid),
		T(test_store_customers_schema_fresh),
		T(test_store_customers_schema_from_v3),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
