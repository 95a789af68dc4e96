/* api/customers.c  Customer records (docs/api.md):
 *
 *   GET    /api/v1/customers?q=&phone=&limit=&offset=   search, by name
 *   POST   /api/v1/customers            create (id given or made up)
 *   GET    /api/v1/customers/ID         one record
 *   PUT    /api/v1/customers/ID         replace (created if new)
 *   DELETE /api/v1/customers/ID         supervisor and above
 *   GET    /api/v1/customers/ID/history its calls, newest first (store)
 *   GET    /api/v1/customers.csv        export (supervisor and above)
 *   POST   /api/v1/customers.csv        import: all rows or none
 *
 * A record: {"id", "name", "phones": [...], "email", "notes", "vip",
 * "priority", "skill", "level", "fields": {custom}, "created",
 * "updated"}.  Agents read, create and change records (they take the
 * calls); deleting and bulk import/export are for supervisors and up.
 * Search walks the records in memory: O(customers) per request.
 *
 * CSV (RFC 4180, UTF-8, a header row): id, name, phones (separated by
 * ";"), email, vip (yes/no), priority, skill, level, notes, then one
 * column per custom field.  On export a text cell that begins with = + -
 * or @ gets a leading ' so a spreadsheet does not run it as a formula
 * (phones excepted); import removes that ' again.
 */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "libre.h"
#include "store/store.h"
#include "api/api_int.h"

enum {
	LIST_DEFAULT = 50,
	LIST_MAX = 500,
	CSV_BODY_MAX = 448 * 1024,
	CSV_ROWS_MAX = 20000,
	CSV_COLS_MAX = 64,
	IMPORT_ERRORS_MAX = 20,       /* told */
	ERRORS_KEPT = 1000,           /* sorted by line, then told */
	CUSTOMER_BODY_MAX = 32 * 1024,  /* notes and fields: 8000 each */
};

/* ---- JSON ---- */

static int customer_odict(struct odict **odp, const struct customer *cu)
{
	struct odict *od, *ph = NULL, *fl = NULL;
	char idx[8];
	int err;

	err = odict_alloc(&od, 16);
	if (err)
		return err;
	err = odict_entry_add(od, "id", ODICT_STRING, cu->id);
	err |= odict_entry_add(od, "name", ODICT_STRING, cu->name);
	err |= odict_alloc(&ph, 4);
	for (unsigned i = 0; !err && i < cu->nphones; i++) {
		re_snprintf(idx, sizeof(idx), "%u", i);
		err = odict_entry_add(ph, idx, ODICT_STRING,
				      customer_phone(cu, i));
	}
	err = err ? err : odict_entry_add(od, "phones", ODICT_ARRAY, ph);
	err |= odict_entry_add(od, "email", cu->email ? ODICT_STRING
			       : ODICT_NULL, cu->email);
	err |= odict_entry_add(od, "notes", cu->notes ? ODICT_STRING
			       : ODICT_NULL, cu->notes);
	err |= odict_entry_add(od, "vip", ODICT_BOOL, cu->vip);
	err |= odict_entry_add(od, "priority", ODICT_INT,
			       (int64_t)cu->priority);
	err |= odict_entry_add(od, "skill", cu->skill ? ODICT_STRING
			       : ODICT_NULL, cu->skill);
	err |= odict_entry_add(od, "level", ODICT_INT, (int64_t)cu->level);
	if (!cu->fields || json_decode_odict(&fl, 16, cu->fields,
					     strlen(cu->fields), 4))
		err |= odict_alloc(&fl, 1);
	err = err ? err : odict_entry_add(od, "fields", ODICT_OBJECT, fl);
	err |= odict_entry_add(od, "created", ODICT_INT, cu->created);
	err |= odict_entry_add(od, "updated", ODICT_INT, cu->updated);
	mem_deref(ph);
	mem_deref(fl);
	if (err)
		mem_deref(od);
	else
		*odp = od;
	return err;
}

static void customer_reply(struct api_req *r, const struct customer *cu,
			   uint16_t scode)
{
	struct odict *od;

	if (customer_odict(&od, cu)) {
		(void)api_error(r->conn, 500, "out of memory");
		return;
	}
	(void)http_creply(r->conn, scode, scode == 201 ? "Created" : "OK",
			  "application/json", "%H\n", json_encode_odict, od);
	mem_deref(od);
}

/* The record a JSON body describes, with id.  Strings point into in (or
 * into *fieldsp, the custom fields re-encoded, which the caller frees).
 * On a bad body: 400 replied, EINVAL. */
struct body_rec {
	struct customer_in in;
	const char *phones[CUSTOMER_PHONES_MAX];
	char *fields;
};

static bool str_member(struct odict *in, const char *key, const char **v,
		       char *why, size_t sz)
{
	const struct odict_entry *e = odict_lookup(in, key);

	*v = NULL;
	if (!e || e->type == ODICT_NULL)
		return true;
	if (e->type != ODICT_STRING) {
		re_snprintf(why, sz, "\"%s\" must be a string", key);
		return false;
	}
	*v = e->u.str;
	return true;
}

static bool int_member(struct odict *in, const char *key, int64_t lo,
		       int64_t hi, int64_t *v, char *why, size_t sz)
{
	const struct odict_entry *e = odict_lookup(in, key);

	if (!e || e->type == ODICT_NULL)
		return true;
	if (e->type != ODICT_INT || e->u.integer < lo || e->u.integer > hi) {
		re_snprintf(why, sz, "\"%s\" must be an integer from %lld to "
			    "%lld", key, (long long)lo, (long long)hi);
		return false;
	}
	*v = e->u.integer;
	return true;
}

static int body_rec(struct api_req *r, struct odict *in, const char *id,
		    struct body_rec *b)
{
	const struct odict_entry *e;
	int64_t prio = 0, level = 0;
	char why[128] = "";

	memset(b, 0, sizeof(*b));
	b->in.id = id;
	if (!str_member(in, "name", &b->in.name, why, sizeof(why)) ||
	    !str_member(in, "email", &b->in.email, why, sizeof(why)) ||
	    !str_member(in, "notes", &b->in.notes, why, sizeof(why)) ||
	    !str_member(in, "skill", &b->in.skill, why, sizeof(why)) ||
	    !int_member(in, "priority", -1000, 1000, &prio, why,
			sizeof(why)) ||
	    !int_member(in, "level", 0, 100, &level, why, sizeof(why)))
		goto bad;
	b->in.priority = (int32_t)prio;
	b->in.level = (uint8_t)level;
	e = odict_lookup(in, "vip");
	if (e && e->type != ODICT_NULL) {
		if (e->type != ODICT_BOOL) {
			re_snprintf(why, sizeof(why), "\"vip\" must be true "
				    "or false");
			goto bad;
		}
		b->in.vip = e->u.boolean;
	}
	e = odict_lookup(in, "phones");
	if (e && e->type != ODICT_NULL) {
		struct le *le;

		if (e->type != ODICT_ARRAY) {
			re_snprintf(why, sizeof(why), "\"phones\" must be an "
				    "array of strings");
			goto bad;
		}
		LIST_FOREACH(&e->u.odict->lst, le) {
			const struct odict_entry *p = le->data;

			if (p->type != ODICT_STRING ||
			    b->in.nphones >= CUSTOMER_PHONES_MAX) {
				re_snprintf(why, sizeof(why), "\"phones\" must "
					    "be an array of at most %u strings",
					    CUSTOMER_PHONES_MAX);
				goto bad;
			}
			b->phones[b->in.nphones++] = p->u.str;
		}
		b->in.phones = b->phones;
	}
	e = odict_lookup(in, "fields");
	if (e && e->type != ODICT_NULL) {
		struct le *le;

		if (e->type != ODICT_OBJECT) {
			re_snprintf(why, sizeof(why), "\"fields\" must be an "
				    "object");
			goto bad;
		}
		LIST_FOREACH(&e->u.odict->lst, le) {
			const struct odict_entry *f = le->data;

			if (odict_type_iscontainer(f->type)) {
				re_snprintf(why, sizeof(why), "custom field "
					    "\"%s\" must be a string, number, "
					    "boolean or null", f->key);
				goto bad;
			}
		}
		if (odict_count(e->u.odict, false) &&
		    re_sdprintf(&b->fields, "%H", json_encode_odict,
				e->u.odict)) {
			(void)api_error(r->conn, 500, "out of memory");
			return ENOMEM;
		}
		b->in.fields = b->fields;
	}
	return 0;
 bad:
	(void)api_error(r->conn, 400, why);
	return EINVAL;
}

static void put_reply(struct api_req *r, const struct body_rec *b,
		      bool existed)
{
	struct customer *cu = NULL;
	char why[160];
	int err;

	err = customer_check(r->cc->customers, &b->in, why, sizeof(why));
	if (err) {
		(void)api_error(r->conn, err == EADDRINUSE ? 409 : 400, why);
		return;
	}
	err = customer_put(r->cc, &b->in, &cu);
	if (!cu) {
		(void)api_error(r->conn, 500, "the record was not kept");
		return;
	}
	if (err)        /* in memory; the store refused it (logged) */
		LOG_WARN("customer", "%s: kept in memory only", cu->id);
	customer_reply(r, cu, existed ? 200 : 201);
}

/* POST /api/v1/customers */
static void create(struct api_req *r)
{
	struct odict *in;
	struct body_rec b;
	const char *id;
	char made[40];

	if (api_body(r, &in))
		return;
	id = odict_string(in, "id");
	if (odict_lookup(in, "id") && !odict_get_type(in, ODICT_STRING,
						      "id")) {
		(void)api_error(r->conn, 400, "\"id\" must be a string");
		goto out;
	}
	if (!id) {
		re_snprintf(made, sizeof(made), "c%llx%08x",
			    (unsigned long long)center_wall(r->cc),
			    rand_u32());
		id = made;
	}
	else if (customer_find(r->cc->customers, id)) {
		(void)api_error(r->conn, 409, "a customer with this id exists: "
				"PUT /api/v1/customers/ID changes it");
		goto out;
	}
	if (body_rec(r, in, id, &b))
		goto out;
	put_reply(r, &b, false);
	mem_deref(b.fields);
 out:
	mem_deref(in);
}

/* PUT /api/v1/customers/ID */
static void replace(struct api_req *r)
{
	char id[CFG_ID_MAX + 1];
	struct odict *in;
	struct body_rec b;
	const char *bid;

	if (!api_arg(r, 0, id, sizeof(id), "no such customer"))
		return;
	if (api_body(r, &in))
		return;
	bid = odict_string(in, "id");
	if (odict_lookup(in, "id") && (!bid || strcmp(bid, id))) {
		(void)api_error(r->conn, 400, "\"id\" differs from the path's");
		goto out;
	}
	if (body_rec(r, in, id, &b))
		goto out;
	put_reply(r, &b, customer_find(r->cc->customers, id) != NULL);
	mem_deref(b.fields);
 out:
	mem_deref(in);
}

static struct customer *customer_arg(struct api_req *r)
{
	char id[CFG_ID_MAX + 1];
	struct customer *cu;

	if (!api_arg(r, 0, id, sizeof(id), "no such customer"))
		return NULL;
	cu = customer_find(r->cc->customers, id);
	if (!cu)
		(void)api_error(r->conn, 404, "no such customer");
	return cu;
}

static void one(struct api_req *r)
{
	const struct customer *cu = customer_arg(r);

	if (cu)
		customer_reply(r, cu, 200);
}

static void delete(struct api_req *r)
{
	struct customer *cu = customer_arg(r);
	char id[CFG_ID_MAX + 1];

	if (!cu)
		return;
	str_ncpy(id, cu->id, sizeof(id));
	(void)customer_delete(r->cc, id);
	(void)http_creply(r->conn, 200, "OK", "application/json",
			  "{\"id\":\"%s\",\"deleted\":true}\n", id);
}

/* Query parameter name as an integer in [lo, hi] into *v (left as it
 * is when absent); false and a 400 sent when it is something else. */
static bool num_param(struct api_req *r, const char *name, int64_t lo,
		      int64_t hi, int64_t *v)
{
	int64_t x = 0;
	char m[96];
	int err = api_query_num(r->msg, name, &x);

	if (err == ENOENT)
		return true;
	if (err || x < lo || x > hi) {
		re_snprintf(m, sizeof(m), "%s is an integer from %lld to %lld",
			    name, (long long)lo, (long long)hi);
		(void)api_error(r->conn, 400, m);
		return false;
	}
	*v = x;
	return true;
}

/* GET /api/v1/customers/ID/history?limit=&before= */
static void history(struct api_req *r)
{
	const struct customer *cu = customer_arg(r);
	const char *phones[CUSTOMER_PHONES_MAX];
	struct store_call_query q;
	int64_t lim = 0, before = 0;
	void *arg;
	int err;

	if (!cu)
		return;
	memset(&q, 0, sizeof(q));
	for (unsigned i = 0; i < cu->nphones; i++)
		phones[i] = customer_phone(cu, i);
	q.phones = phones;
	q.nphones = cu->nphones;
	if (!num_param(r, "limit", 1, 1000, &lim) ||
	    !num_param(r, "before", 1, INT64_MAX, &before))
		return;
	q.limit = (unsigned)lim;
	q.before = before;
	if (!cu->nphones) {
		(void)http_creply(r->conn, 200, "OK", "application/json",
				  "{\"calls\":[],\"next\":null}\n");
		return;
	}
	arg = api_read_arg(r);
	err = store_read_calls(r->cc->store, &q, api_read_reply, arg);
	api_read_fail(r, arg, err);
}

/* ---- search ---- */

struct search {
	const char *q;                /* lower case, or NULL */
	char phone[CUSTOMER_PHONE_MAX + 1];
	const struct customer **hits;
	size_t n, cap;
	int err;
};

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay && *hay; hay++) {
		size_t i;

		for (i = 0; i < n && hay[i] &&
		     tolower((unsigned char)hay[i]) == needle[i]; i++)
			;
		if (i == n)
			return true;
	}
	return false;
}

static bool search_one(const struct customer *cu, void *arg)
{
	struct search *s = arg;
	bool hit = !s->q;

	if (s->q) {
		hit = contains_ci(cu->id, s->q) || contains_ci(cu->name, s->q)
			|| contains_ci(cu->email, s->q);
		for (unsigned i = 0; !hit && i < cu->nphones; i++)
			hit = strstr(customer_phone(cu, i), s->q) != NULL;
	}
	if (!hit)
		return false;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		const struct customer **h = s->hits
			? mem_realloc(s->hits, cap * sizeof(*h))
			: mem_alloc(cap * sizeof(*h), NULL);

		if (!h) {
			s->err = ENOMEM;
			return true;
		}
		s->hits = h;
		s->cap = cap;
	}
	s->hits[s->n++] = cu;
	return false;
}

static int by_name(const void *a, const void *b)
{
	const struct customer *x = *(const struct customer *const *)a;
	const struct customer *y = *(const struct customer *const *)b;
	int c = strcasecmp(x->name, y->name);

	return c ? c : strcmp(x->id, y->id);
}

/* All matches of ?q= and ?phone=, sorted by name then id. */
static int search_run(struct api_req *r, struct search *s)
{
	char q[128], lower[128];
	int err;

	memset(s, 0, sizeof(*s));
	err = api_query(r->msg, "q", q, sizeof(q));
	if (err == EINVAL) {
		(void)api_error(r->conn, 400, "q: at most 127 bytes, "
				"URL-encoded");
		return err;
	}
	if (!err && q[0]) {
		size_t i;

		for (i = 0; q[i]; i++)
			lower[i] = (char)tolower((unsigned char)q[i]);
		lower[i] = '\0';
		s->q = lower;
	}
	err = api_query(r->msg, "phone", q, sizeof(q));
	if (err != ENOENT) {
		const struct customer *cu;

		if (err || customer_phone_norm(q, s->phone,
					       sizeof(s->phone))) {
			(void)api_error(r->conn, 400, "phone: a phone number");
			return EINVAL;
		}
		cu = customer_by_phone(r->cc->customers, s->phone);
		if (cu)
			(void)search_one(cu, s);
		return s->err;
	}
	customers_apply(r->cc->customers, search_one, s);
	if (!s->err && s->n > 1)
		qsort(s->hits, s->n, sizeof(*s->hits), by_name);
	if (s->err)
		(void)api_error(r->conn, 500, "out of memory");
	return s->err;
}

static void list(struct api_req *r)
{
	struct odict *od = NULL, *arr = NULL, *o;
	struct search s;
	int64_t limit = LIST_DEFAULT, offset = 0;
	char idx[16];
	int err;

	if (!num_param(r, "limit", 1, LIST_MAX, &limit) ||
	    !num_param(r, "offset", 0, INT32_MAX, &offset))
		return;
	if (search_run(r, &s))
		goto out;
	err = odict_alloc(&od, 4);
	err |= odict_alloc(&arr, 16);
	for (size_t i = (size_t)offset, k = 0; !err && i < s.n &&
	     k < (size_t)limit; i++, k++) {
		err = customer_odict(&o, s.hits[i]);
		if (err)
			break;
		re_snprintf(idx, sizeof(idx), "%zu", k);
		err = odict_entry_add(arr, idx, ODICT_OBJECT, o);
		mem_deref(o);
	}
	err = err ? err : odict_entry_add(od, "customers", ODICT_ARRAY, arr);
	err |= odict_entry_add(od, "total", ODICT_INT, (int64_t)s.n);
	if (err)
		(void)api_error(r->conn, 500, "out of memory");
	else
		(void)api_json(r->conn, od);
 out:
	mem_deref(s.hits);
	mem_deref(arr);
	mem_deref(od);
}

/* ---- CSV ---- */

static const char *const csv_cols[] = {
	"id", "name", "phones", "email", "vip", "priority", "skill",
	"level", "notes",
};
enum { CSV_FIXED = sizeof(csv_cols) / sizeof(csv_cols[0]) };

/* One cell, quoted when it must be; guard: a text cell. */
static int csv_cell(struct mbuf *mb, const char *v, bool guard)
{
	bool quote;
	int err = 0;

	if (!v)
		v = "";
	quote = strpbrk(v, ",\"\r\n") != NULL;
	if (quote)
		err |= mbuf_write_u8(mb, '"');
	if (guard && strchr("=+-@", v[0]) && v[0])
		err |= mbuf_write_u8(mb, '\'');
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			err |= mbuf_write_u8(mb, '"');
		err |= mbuf_write_u8(mb, (uint8_t)*p);
	}
	if (quote)
		err |= mbuf_write_u8(mb, '"');
	return err;
}

struct keys {
	char **k;
	size_t n;
	int err;
};

static bool keys_of(const struct customer *cu, void *arg)
{
	struct keys *ks = arg;
	struct odict *fl = NULL;
	struct le *le;

	if (!cu->fields || json_decode_odict(&fl, 16, cu->fields,
					     strlen(cu->fields), 4))
		return false;
	LIST_FOREACH(&fl->lst, le) {
		const struct odict_entry *e = le->data;
		bool have = false;

		for (size_t i = 0; i < ks->n && !have; i++)
			have = !strcmp(ks->k[i], e->key);
		if (have)
			continue;
		if (ks->n >= CSV_COLS_MAX - CSV_FIXED)
			break;
		ks->k[ks->n] = NULL;
		ks->err |= str_dup(&ks->k[ks->n], e->key);
		if (ks->k[ks->n])
			ks->n++;
	}
	mem_deref(fl);
	return ks->err != 0;
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int field_text(struct mbuf *mb, const struct odict *fl,
		      const char *key)
{
	const struct odict_entry *e = fl ? odict_lookup(fl, key) : NULL;
	char num[48];

	if (!e)
		return csv_cell(mb, "", false);
	switch (e->type) {
	case ODICT_STRING:
		return csv_cell(mb, e->u.str, true);
	case ODICT_INT:
		re_snprintf(num, sizeof(num), "%lld", (long long)e->u.integer);
		return csv_cell(mb, num, false);
	case ODICT_DOUBLE:
		re_snprintf(num, sizeof(num), "%f", e->u.dbl);
		return csv_cell(mb, num, false);
	case ODICT_BOOL:
		return csv_cell(mb, e->u.boolean ? "true" : "false", false);
	default:
		return csv_cell(mb, "", false);
	}
}

static int csv_row(struct mbuf *mb, const struct customer *cu,
		   const struct keys *ks)
{
	struct odict *fl = NULL;
	char phones[CUSTOMER_PHONES_MAX * (CUSTOMER_PHONE_MAX + 1) + 1];
	char num[16];
	size_t n = 0;
	int err;

	phones[0] = '\0';
	for (unsigned i = 0; i < cu->nphones; i++)
		n += (size_t)re_snprintf(phones + n, sizeof(phones) - n,
					 "%s%s", i ? ";" : "",
					 customer_phone(cu, i));
	err = csv_cell(mb, cu->id, false);
	err |= mbuf_write_u8(mb, ',');
	err |= csv_cell(mb, cu->name, true);
	err |= mbuf_write_u8(mb, ',');
	err |= csv_cell(mb, phones, false);
	err |= mbuf_write_u8(mb, ',');
	err |= csv_cell(mb, cu->email, true);
	err |= mbuf_write_u8(mb, ',');
	err |= csv_cell(mb, cu->vip ? "yes" : "no", false);
	err |= mbuf_write_u8(mb, ',');
	re_snprintf(num, sizeof(num), "%d", cu->priority);
	err |= csv_cell(mb, num, false);
	err |= mbuf_write_u8(mb, ',');
	err |= csv_cell(mb, cu->skill, true);
	err |= mbuf_write_u8(mb, ',');
	re_snprintf(num, sizeof(num), "%u", cu->level);
	err |= csv_cell(mb, num, false);
	err |= mbuf_write_u8(mb, ',');
	err |= csv_cell(mb, cu->notes, true);
	if (cu->fields)
		(void)json_decode_odict(&fl, 16, cu->fields,
					strlen(cu->fields), 4);
	for (size_t i = 0; i < ks->n; i++) {
		err |= mbuf_write_u8(mb, ',');
		err |= field_text(mb, fl, ks->k[i]);
	}
	err |= mbuf_write_str(mb, "\r\n");
	mem_deref(fl);
	return err;
}

/* GET /api/v1/customers.csv: every record (or those of ?q=), by name. */
static void export_csv(struct api_req *r)
{
	struct keys ks = {NULL, 0, 0};
	struct mbuf *mb = mbuf_alloc(4096);
	struct search s = {0};
	int err = mb ? 0 : ENOMEM;

	ks.k = mem_zalloc(CSV_COLS_MAX * sizeof(*ks.k), NULL);
	if (!ks.k || err) {
		(void)api_error(r->conn, 500, "out of memory");
		goto out;
	}
	if (search_run(r, &s))
		goto out;
	for (size_t i = 0; i < s.n && !ks.err; i++)
		(void)keys_of(s.hits[i], &ks);
	qsort(ks.k, ks.n, sizeof(*ks.k), strp_cmp);
	for (size_t i = 0; i < CSV_FIXED; i++)
		err |= mbuf_printf(mb, "%s%s", i ? "," : "", csv_cols[i]);
	for (size_t i = 0; i < ks.n; i++) {
		err |= mbuf_write_u8(mb, ',');
		err |= csv_cell(mb, ks.k[i], true);
	}
	err |= mbuf_write_str(mb, "\r\n");
	for (size_t i = 0; !err && i < s.n; i++)
		err = csv_row(mb, s.hits[i], &ks);
	if (err || ks.err)
		(void)api_error(r->conn, 500, "out of memory");
	else
		(void)http_creply(r->conn, 200, "OK",
				  "text/csv; charset=utf-8", "%b",
				  mb->buf, mb->end);
 out:
	for (size_t i = 0; ks.k && i < ks.n; i++)
		mem_deref(ks.k[i]);
	mem_deref(ks.k);
	mem_deref(s.hits);
	mem_deref(mb);
}

/* A CSV reader over a buffer (RFC 4180: quoted cells may hold commas,
 * quotes doubled, line breaks). */
struct csv {
	const char *p, *end;
	unsigned line;                /* of the next row */
};

/* Read one row's cells into cell[] (NUL-terminated, in buf).
 * @return 0, ENODATA (no more rows), EBADMSG (bad quoting), E2BIG (too
 *         many cells or too long) */
static int csv_next(struct csv *c, char *buf, size_t sz, char **cell,
		    unsigned *ncell)
{
	size_t n = 0;
	unsigned k = 0;

	if (c->p >= c->end)
		return ENODATA;
	cell[k++] = buf;
	for (;;) {
		char ch;

		if (c->p >= c->end)
			break;
		ch = *c->p++;
		if (ch == '"' && (n == 0 || buf[n - 1] == '\0') &&
		    cell[k - 1] == buf + n) {
			/* a quoted cell */
			for (;;) {
				if (c->p >= c->end)
					return EBADMSG;
				ch = *c->p++;
				if (ch == '"') {
					if (c->p < c->end && *c->p == '"')
						c->p++;
					else
						break;
				}
				if (ch == '\n')
					c->line++;
				if (n + 2 >= sz)
					return E2BIG;
				buf[n++] = ch;
			}
			if (c->p < c->end && *c->p != ',' && *c->p != '\r'
			    && *c->p != '\n')
				return EBADMSG;
			continue;
		}
		if (ch == ',') {
			if (n + 2 >= sz || k >= CSV_COLS_MAX)
				return E2BIG;
			buf[n++] = '\0';
			cell[k++] = buf + n;
			continue;
		}
		if (ch == '\r' && c->p < c->end && *c->p == '\n')
			continue;
		if (ch == '\n')
			break;
		if (n + 2 >= sz)
			return E2BIG;
		buf[n++] = ch;
	}
	buf[n] = '\0';
	c->line++;
	*ncell = k;
	return 0;
}

static const char *unguard(char *v)
{
	if (v[0] == '\'' && v[1] && strchr("=+-@", v[1]))
		return v + 1;
	return v;
}

struct import_row {
	struct customer_in in;
	const char *phones[CUSTOMER_PHONES_MAX];
	char *fields;                 /* JSON, mem */
	char *cells;                  /* mem: the row's text */
	unsigned line;
};

struct import_err {
	unsigned line;
	char why[200];
};

struct import {
	struct import_row *rows;
	size_t n;
	struct import_err *errs;      /* [ERRORS_KEPT] */
	unsigned nerrors;             /* all, kept or not */
};

/* Errors are kept (up to ERRORS_KEPT) and told by line, the first
 * IMPORT_ERRORS_MAX of them: the phone check runs after the rows. */
static void row_error(struct import *im, unsigned line, const char *why)
{
	if (im->nerrors < ERRORS_KEPT) {
		im->errs[im->nerrors].line = line;
		str_ncpy(im->errs[im->nerrors].why, why,
			 sizeof(im->errs[im->nerrors].why));
	}
	im->nerrors++;
}

static int err_cmp(const void *a, const void *b)
{
	const struct import_err *x = a, *y = b;

	return x->line < y->line ? -1 : x->line > y->line;
}

/* The errors to tell, as a JSON array, by line. */
static int errors_odict(struct import *im, struct odict **arrp)
{
	unsigned n = im->nerrors < ERRORS_KEPT ? im->nerrors : ERRORS_KEPT;
	struct odict *arr, *o;
	char idx[16];
	int err;

	qsort(im->errs, n, sizeof(*im->errs), err_cmp);
	err = odict_alloc(&arr, 8);
	for (unsigned i = 0; !err && i < n && i < IMPORT_ERRORS_MAX; i++) {
		err = odict_alloc(&o, 4);
		if (err)
			break;
		err = odict_entry_add(o, "line", ODICT_INT,
				      (int64_t)im->errs[i].line);
		err |= odict_entry_add(o, "error", ODICT_STRING,
				       im->errs[i].why);
		re_snprintf(idx, sizeof(idx), "%u", i);
		err |= odict_entry_add(arr, idx, ODICT_OBJECT, o);
		mem_deref(o);
	}
	if (err)
		mem_deref(arr);
	else
		*arrp = arr;
	return err;
}

/* Cells to a record; why gets the problem. */
static int row_parse(struct import_row *row, char **cell, unsigned ncell,
		     char *const *hdr, unsigned nhdr, const int *col,
		     char *why, size_t sz)
{
	struct odict *fl = NULL;
	const char *v;
	char *end;
	long x;
	int err = 0;

	if (ncell != nhdr) {
		re_snprintf(why, sz, "%u cells, the header has %u", ncell,
			    nhdr);
		return EINVAL;
	}
	memset(&row->in, 0, sizeof(row->in));
	row->in.id = cell[col[0]];
	row->in.name = unguard(cell[col[1]]);
	if (col[2] >= 0) {
		char *p = cell[col[2]];

		while (p && *p) {
			char *semi = strchr(p, ';');

			if (semi)
				*semi = '\0';
			if (*p) {
				if (row->in.nphones >= CUSTOMER_PHONES_MAX) {
					re_snprintf(why, sz, "more than %u "
						    "phones",
						    CUSTOMER_PHONES_MAX);
					return EINVAL;
				}
				row->phones[row->in.nphones++] = p;
			}
			p = semi ? semi + 1 : NULL;
		}
		row->in.phones = row->phones;
	}
	if (col[3] >= 0 && cell[col[3]][0])
		row->in.email = unguard(cell[col[3]]);
	if (col[4] >= 0 && (v = cell[col[4]])[0]) {
		if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
		    !strcmp(v, "1"))
			row->in.vip = true;
		else if (strcasecmp(v, "no") && strcasecmp(v, "false") &&
			 strcmp(v, "0")) {
			re_snprintf(why, sz, "vip: yes or no");
			return EINVAL;
		}
	}
	if (col[5] >= 0 && (v = cell[col[5]])[0]) {
		x = strtol(v, &end, 10);
		if (*end || x < -1000 || x > 1000) {
			re_snprintf(why, sz, "priority: -1000 to 1000");
			return EINVAL;
		}
		row->in.priority = (int32_t)x;
	}
	if (col[6] >= 0 && cell[col[6]][0])
		row->in.skill = unguard(cell[col[6]]);
	if (col[7] >= 0 && (v = cell[col[7]])[0]) {
		x = strtol(v, &end, 10);
		if (*end || x < 0 || x > 100) {
			re_snprintf(why, sz, "level: 0 to 100");
			return EINVAL;
		}
		row->in.level = (uint8_t)x;
	}
	if (col[8] >= 0 && cell[col[8]][0])
		row->in.notes = unguard(cell[col[8]]);
	/* every other column is a custom field (text) */
	for (unsigned i = 0; i < nhdr; i++) {
		bool fixed = false;

		for (unsigned j = 0; j < CSV_FIXED && !fixed; j++)
			fixed = col[j] == (int)i;
		if (fixed || !cell[i][0])
			continue;
		if (!fl)
			err |= odict_alloc(&fl, 16);
		if (!err)
			err |= odict_entry_add(fl, hdr[i], ODICT_STRING,
					       unguard(cell[i]));
	}
	if (fl && !err)
		err = re_sdprintf(&row->fields, "%H", json_encode_odict, fl);
	mem_deref(fl);
	row->in.fields = row->fields;
	if (err)
		re_snprintf(why, sz, "out of memory");
	return err;
}

struct phone_owner {
	char phone[CUSTOMER_PHONE_MAX + 1];
	const char *id;
	unsigned line;
};

static int owner_cmp(const void *a, const void *b)
{
	return strcmp(((const struct phone_owner *)a)->phone,
		      ((const struct phone_owner *)b)->phone);
}

/* Two rows of the file giving one phone to two customers. */
static void phones_check(struct import *im)
{
	struct phone_owner *po;
	size_t n = 0;
	char why[160];

	for (size_t i = 0; i < im->n; i++)
		n += im->rows[i].in.nphones;
	if (!n)
		return;
	po = mem_zalloc(n * sizeof(*po), NULL);
	if (!po) {
		row_error(im, 0, "out of memory");
		return;
	}
	n = 0;
	for (size_t i = 0; i < im->n; i++) {
		for (unsigned j = 0; j < im->rows[i].in.nphones; j++) {
			if (customer_phone_norm(im->rows[i].in.phones[j],
						po[n].phone,
						sizeof(po[n].phone)))
				continue;
			po[n].id = im->rows[i].in.id;
			po[n++].line = im->rows[i].line;
		}
	}
	qsort(po, n, sizeof(*po), owner_cmp);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(po[i].phone, po[i - 1].phone) ||
		    !strcmp(po[i].id, po[i - 1].id))
			continue;
		re_snprintf(why, sizeof(why), "phone %s is also customer "
			    "%s's (line %u)", po[i].phone, po[i - 1].id,
			    po[i - 1].line);
		row_error(im, po[i].line, why);
	}
	mem_deref(po);
}

static void import_free(struct import *im)
{
	for (size_t i = 0; i < im->n; i++) {
		mem_deref(im->rows[i].fields);
		mem_deref(im->rows[i].cells);
	}
	mem_deref(im->rows);
	mem_deref(im->errs);
}

/* POST /api/v1/customers.csv: check every row, then write them all, or
 * none (400 with the first errors by line). */
static void import_csv(struct api_req *r)
{
	const struct http_msg *msg = r->msg;
	struct import im = {0};
	struct csv c;
	char *buf = NULL, *cell[CSV_COLS_MAX], *hdr[CSV_COLS_MAX];
	char *hdrtext = NULL;
	int col[CSV_FIXED];
	unsigned nhdr = 0, ncell, created = 0, updated = 0;
	char why[200];
	int err;

	if (!msg->mb || !mbuf_get_left(msg->mb)) {
		(void)api_error(r->conn, 400, "expected CSV: a header row, "
				"then one row per customer");
		return;
	}
	c.p = (const char *)mbuf_buf(msg->mb);
	c.end = c.p + mbuf_get_left(msg->mb);
	c.line = 1;
	if (c.end - c.p >= 3 && !memcmp(c.p, "\xef\xbb\xbf", 3))
		c.p += 3;               /* a UTF-8 byte order mark */
	buf = mem_alloc(CSV_BODY_MAX, NULL);
	err = buf ? 0 : ENOMEM;
	im.errs = mem_zalloc(ERRORS_KEPT * sizeof(*im.errs), NULL);
	err = err ? err : im.errs ? 0 : ENOMEM;
	im.rows = mem_zalloc(CSV_ROWS_MAX * sizeof(*im.rows), NULL);
	if (err || !im.rows) {
		(void)api_error(r->conn, 500, "out of memory");
		goto out;
	}
	/* the header */
	err = csv_next(&c, buf, CSV_BODY_MAX, cell, &nhdr);
	if (err) {
		(void)api_error(r->conn, 400, "line 1: expected a header row");
		goto out;
	}
	hdrtext = mem_alloc(CSV_BODY_MAX, NULL);
	if (!hdrtext) {
		(void)api_error(r->conn, 400, "out of memory");
		goto out;
	}
	for (unsigned i = 0, off = 0; i < nhdr; i++) {
		size_t l = strlen(cell[i]);

		hdr[i] = hdrtext + off;
		memcpy(hdr[i], cell[i], l + 1);
		off += (unsigned)l + 1;
	}
	for (unsigned j = 0; j < CSV_FIXED; j++) {
		col[j] = -1;
		for (unsigned i = 0; i < nhdr; i++) {
			if (!strcasecmp(hdr[i], csv_cols[j]))
				col[j] = (int)i;
		}
	}
	if (col[0] < 0 || col[1] < 0) {
		(void)api_error(r->conn, 400, "line 1: the header needs the "
				"columns id and name");
		goto out;
	}
	/* the rows: parse and check each */
	for (;;) {
		struct import_row *row;
		unsigned line = c.line;
		size_t used;

		err = csv_next(&c, buf, CSV_BODY_MAX, cell, &ncell);
		if (err == ENODATA)
			break;
		if (err) {
			row_error(&im, line, err == EBADMSG ? "bad quoting"
				  : "too many cells or too long");
			break;
		}
		if (ncell == 1 && !cell[0][0])
			continue;       /* an empty line */
		if (im.n >= CSV_ROWS_MAX) {
			row_error(&im, line, "more than 20000 rows: split "
				  "the file");
			break;
		}
		row = &im.rows[im.n];
		row->line = line;
		/* keep the row's text: cells point into it */
		used = (size_t)(cell[ncell - 1] - buf)
			+ strlen(cell[ncell - 1]) + 1;
		row->cells = mem_alloc(used, NULL);
		if (!row->cells) {
			row_error(&im, line, "out of memory");
			break;
		}
		memcpy(row->cells, buf, used);
		for (unsigned i = 0; i < ncell; i++)
			cell[i] = row->cells + (cell[i] - buf);
		im.n++;
		if (row_parse(row, cell, ncell, hdr, nhdr, col, why,
			      sizeof(why))) {
			row_error(&im, line, why);
			continue;
		}
		err = customer_check(r->cc->customers, &row->in, why,
				     sizeof(why));
		if (err)
			row_error(&im, line, why);
	}
	phones_check(&im);
	if (im.nerrors) {
		struct odict *od = NULL, *arr = NULL;

		err = errors_odict(&im, &arr);
		err = err ? err : odict_alloc(&od, 4);
		if (!err) {
			re_snprintf(why, sizeof(why), "%u row%s refused; "
				    "nothing imported", im.nerrors,
				    im.nerrors == 1 ? "" : "s");
			err = odict_entry_add(od, "error", ODICT_STRING, why);
			err |= odict_entry_add(od, "errors", ODICT_ARRAY,
					       arr);
			if (!err)
				(void)http_creply(r->conn, 400, "Bad Request",
						  "application/json", "%H\n",
						  json_encode_odict, od);
			mem_deref(od);
			mem_deref(arr);
		}
		if (err)
			(void)api_error(r->conn, 400, "rows refused");
		goto out;
	}
	for (size_t i = 0; i < im.n; i++) {
		bool existed = customer_find(r->cc->customers,
					     im.rows[i].in.id) != NULL;

		err = customer_put(r->cc, &im.rows[i].in, NULL);
		if (err)
			LOG_WARN("customer", "import: %s: %m",
				 im.rows[i].in.id, err);
		if (existed)
			updated++;
		else
			created++;
	}
	LOG_INFO("customer", "%s imported %u new and %u changed customers",
		 r->who.user, created, updated);
	(void)http_creply(r->conn, 200, "OK", "application/json",
			  "{\"created\":%u,\"updated\":%u}\n", created,
			  updated);
 out:
	import_free(&im);
	mem_deref(hdrtext);
	mem_deref(buf);
}

const struct api_route api_routes_customers[] = {
	{"GET",    "/api/v1/customers.csv", export_csv, CFG_ROLE_SUPERVISOR,
	 0},
	{"POST",   "/api/v1/customers.csv", import_csv, CFG_ROLE_SUPERVISOR,
	 CSV_BODY_MAX},
	{"GET",    "/api/v1/customers",     list,    CFG_ROLE_AGENT, 0},
	{"POST",   "/api/v1/customers",     create,  CFG_ROLE_AGENT,
	 CUSTOMER_BODY_MAX},
	{"GET",    "/api/v1/customers/*",   one,     CFG_ROLE_AGENT, 0},
	{"PUT",    "/api/v1/customers/*",   replace, CFG_ROLE_AGENT,
	 CUSTOMER_BODY_MAX},
	{"DELETE", "/api/v1/customers/*",   delete,  CFG_ROLE_SUPERVISOR, 0},
	{"GET",    "/api/v1/customers/*/history", history, CFG_ROLE_AGENT, 0},
	{NULL, NULL, NULL, 0, 0}
};
