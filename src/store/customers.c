/* store/customers.c  Customer records: queued puts and deletes, and the
 * synchronous load and seed used at start.
 *
 * store_customer_put/delete copy the customer into one record block
 * (struct store_rec, the phone pointer array, then every string) and
 * queue it for the writer (writer.c writes a put in a savepoint: the
 * row upserted, its phones deleted and inserted again, a number taken
 * from whichever customer had it).  O(size) to copy, no I/O.
 *
 * store_customers_load and store_customer_seed run before the loop on a
 * connection of their own, opened and closed per call (the writer thread
 * owns the first; WAL and busy_timeout serialise the two).  Load is one
 * scan of customers in id order plus one indexed phone lookup each:
 * O(customers x log phones).  Seed inserts only an id not yet present,
 * and only phones no one has, so what the API changed since survives a
 * restart.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store_int.h"

static bool customer_valid(const struct store_customer *c)
{
	if (!c || !c->id || !*c->id || !c->name ||
	    c->nphones > STORE_PHONES_MAX || (c->nphones && !c->phones))
		return false;
	for (unsigned i = 0; i < c->nphones; i++)
		if (!c->phones[i] || !*c->phones[i])
			return false;
	return true;
}

/**
 * Queue a customer and its phones (replacing any stored under its id).
 *
 * @return 0, EINVAL, ENOMEM or ENOBUFS (queue full; counted)
 */
int store_customer_put(struct store *st, const struct store_customer *c)
{
	struct store_customer *d;
	struct store_rec *r;
	const char **phones;
	size_t extra;
	char *p;

	if (!st || !customer_valid(c))
		return EINVAL;
	extra = c->nphones * sizeof(*phones) + store_str_size(c->id) +
		store_str_size(c->name) + store_str_size(c->email) +
		store_str_size(c->notes) + store_str_size(c->fields) +
		store_str_size(c->skill);
	for (unsigned i = 0; i < c->nphones; i++)
		extra += store_str_size(c->phones[i]);
	r = store_rec_alloc(STORE_REC_CUSTOMER_PUT, extra);
	if (!r)
		return ENOMEM;
	/* the pointer array follows the struct (8-byte aligned) */
	phones = (const char **)(void *)(r + 1);
	p = (char *)(phones + c->nphones);
	d = &r->u.customer;
	*d = *c;
	d->id = store_str_copy(&p, c->id);
	d->name = store_str_copy(&p, c->name);
	d->email = store_str_copy(&p, c->email);
	d->notes = store_str_copy(&p, c->notes);
	d->fields = store_str_copy(&p, c->fields);
	d->skill = store_str_copy(&p, c->skill);
	for (unsigned i = 0; i < c->nphones; i++)
		phones[i] = store_str_copy(&p, c->phones[i]);
	d->phones = c->nphones ? phones : NULL;
	return store_rec_enqueue(st, r);
}

/**
 * Queue the deletion of a customer (its phones go with it).
 *
 * @return 0, EINVAL, ENOMEM or ENOBUFS (queue full; counted)
 */
int store_customer_delete(struct store *st, const char *id)
{
	struct store_rec *r;
	char *p;

	if (!st || !id || !*id)
		return EINVAL;
	r = store_rec_alloc(STORE_REC_CUSTOMER_DEL, store_str_size(id));
	if (!r)
		return ENOMEM;
	p = (char *)(r + 1);
	r->u.customer_del.id = store_str_copy(&p, id);
	return store_rec_enqueue(st, r);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* Copy the phones of customer `id` into ph[] (malloc'd each). */
static int phones_read(sqlite3_stmt *s, const char *id, char **ph,
		       unsigned *n)
{
	int rc;

	*n = 0;
	rc = sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW || *n >= STORE_PHONES_MAX)
			break;
		ph[*n] = strdup(col_text(s, 0));
		if (!ph[*n]) {
			rc = SQLITE_NOMEM;
			break;
		}
		++*n;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/**
 * Read every customer (synchronously, before the loop runs), calling
 * h(customer, arg) for each in id order.
 *
 * @return 0, EINVAL or EIO (logged)
 */
int store_customers_load(struct store *st, store_customer_h *h, void *arg)
{
	sqlite3_stmt *s = NULL, *ps = NULL;
	sqlite3 *db = NULL;
	char err[256];
	int rc, e = 0;

	if (!st || !h)
		return EINVAL;
	if (store_db_open(&db, st->path, SQLITE_OPEN_READONLY, err,
			  sizeof(err))) {
		store_log("customers: %s", err);
		return EIO;
	}
	rc = sqlite3_prepare_v2(db, "SELECT id, name, email, notes, vip, "
				"fields, created, updated, priority, skill, "
				"level FROM customers ORDER BY id", -1, &s,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT phone FROM customer_phones"
					" WHERE customer_id = ?1 ORDER BY "
					"phone", -1, &ps, NULL);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		char *ph[STORE_PHONES_MAX];
		struct store_customer c;
		unsigned n = 0;

		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			break;
		memset(&c, 0, sizeof(c));
		c.id = col_text(s, 0);
		c.name = col_text(s, 1);
		c.email = col_text(s, 2);
		c.notes = col_text(s, 3);
		c.vip = sqlite3_column_int(s, 4) != 0;
		c.fields = col_text(s, 5);
		c.created = sqlite3_column_int64(s, 6);
		c.updated = sqlite3_column_int64(s, 7);
		c.priority = sqlite3_column_int(s, 8);
		c.skill = col_text(s, 9);
		c.level = (uint8_t)sqlite3_column_int(s, 10);
		rc = phones_read(ps, c.id, ph, &n);
		if (rc == SQLITE_OK) {
			c.phones = (const char *const *)ph;
			c.nphones = n;
			h(&c, arg);
		}
		for (unsigned i = 0; i < n; i++)
			free(ph[i]);
	}
	if (rc != SQLITE_DONE) {
		store_log("%s: cannot read customers: %s", st->path,
			  sqlite3_errmsg(db));
		e = EIO;
	}
	sqlite3_finalize(ps);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return e;
}

static int seed_rows(sqlite3 *db, const struct store_customer *c,
		     bool *inserted)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, "INSERT INTO customers (id, name, email,"
				" notes, vip, fields, created, updated,"
				" priority, skill, level) VALUES (?1, ?2, ?3,"
				" ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
				" ON CONFLICT(id) DO NOTHING", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 1, c->id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, c->name, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 3, c->email, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 4, c->notes, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 5, c->vip ? 1 : 0);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 6, c->fields, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 7, c->created);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 8, c->updated);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 9, c->priority);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 10, c->skill, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 11, c->level);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc;
	*inserted = sqlite3_changes(db) == 1;
	if (!*inserted)
		return SQLITE_OK;

	/* a number some customer has keeps its owner */
	rc = sqlite3_prepare_v2(db, "INSERT INTO customer_phones (phone, "
				"customer_id) VALUES (?1, ?2) ON CONFLICT"
				"(phone) DO NOTHING", -1, &s, NULL);
	for (unsigned i = 0; i < c->nphones && rc == SQLITE_OK; i++) {
		rc = sqlite3_bind_text(s, 1, c->phones[i], -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(s, 2, c->id, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return rc;
}

/**
 * Insert a customer from the configuration unless its id is stored
 * already (synchronous, before the loop runs; one transaction).
 *
 * @return 0 (inserted, or there already), EINVAL or EIO (logged)
 */
int store_customer_seed(struct store *st, const struct store_customer *c)
{
	bool inserted = false;
	sqlite3 *db = NULL;
	char err[256];
	int rc;

	if (!st || !customer_valid(c))
		return EINVAL;
	if (store_db_open(&db, st->path, SQLITE_OPEN_READWRITE, err,
			  sizeof(err))) {
		store_log("customer %s: seeding: %s", c->id, err);
		return EIO;
	}
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = seed_rows(db, c, &inserted);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_log("%s: customer %s: seeding: %s", st->path, c->id,
			  sqlite3_errmsg(db));
		if (!sqlite3_get_autocommit(db))
			(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL,
					   NULL);  /* closing would too */
	}
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : EIO;
}
