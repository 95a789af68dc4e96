/* core/customers.c  Customer records: name, phones, email, notes, custom
 * fields, VIP flag and routing (priority, skill), kept in memory for the
 * screen pop and the flows' lookup (a hash by id and one by phone: O(1)
 * per call) and in the store's customers table (written behind, like
 * every record; read back whole at start).  The configuration's
 * [customer] sections seed the table: a customer is added from the file
 * only when its id is new, so changes made through the API survive a
 * restart.
 *
 * Phones are kept normalized: an optional leading "+" then digits; the
 * separators people type (space, "-", ".", "(", ")", "/") are dropped.
 * A caller's number is normalized the same way before a look-up.  One
 * phone belongs to one customer.
 */

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include "libre.h"
#include "store/store.h"
#include "core/core.h"

struct phone_ref {
	struct le he;                 /* customers->by_phone */
	struct customer *cu;
	char phone[CUSTOMER_PHONE_MAX + 1];
};

struct customers {
	struct hash *by_id;           /* struct customer */
	struct hash *by_phone;        /* struct phone_ref */
	unsigned n;
};

int customer_phone_norm(const char *in, char *out, size_t sz)
{
	size_t n = 0;

	if (!in || !out || sz < 2)
		return EINVAL;
	for (const char *p = in; *p; p++) {
		if (isdigit((unsigned char)*p) || (*p == '+' && n == 0)) {
			if (n + 1 >= sz || n >= CUSTOMER_PHONE_MAX)
				return EINVAL;
			out[n++] = *p;
		}
		else if (!strchr(" -.()/", *p))
			return EINVAL;
	}
	out[n] = '\0';
	return n && strcmp(out, "+") ? 0 : EINVAL;
}

bool customer_id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (!n || n > CFG_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)id[i]) && !strchr("._-", id[i]))
			return false;
	}
	return true;
}

static void customer_destructor(void *arg)
{
	struct customer *cu = arg;

	for (unsigned i = 0; i < cu->nphones; i++)
		hash_unlink(&cu->refs[i].he);
	hash_unlink(&cu->he);
	mem_deref(cu->refs);
	mem_deref(cu->id);
	mem_deref(cu->name);
	mem_deref(cu->email);
	mem_deref(cu->notes);
	mem_deref(cu->fields);
	mem_deref(cu->skill);
}

static void destructor(void *arg)
{
	struct customers *cs = arg;

	hash_flush(cs->by_id);
	mem_deref(cs->by_id);
	mem_deref(cs->by_phone);
}

int customers_alloc(struct customers **csp)
{
	struct customers *cs = mem_zalloc(sizeof(*cs), destructor);
	int err;

	if (!cs)
		return ENOMEM;
	err = hash_alloc(&cs->by_id, 1024);
	err = err ? err : hash_alloc(&cs->by_phone, 1024);
	if (err)
		mem_deref(cs);
	else
		*csp = cs;
	return err;
}

static bool id_cmp(struct le *le, void *arg)
{
	const struct customer *cu = le->data;

	return !strcmp(cu->id, arg);
}

static bool phone_cmp(struct le *le, void *arg)
{
	const struct phone_ref *r = le->data;

	return !strcmp(r->phone, arg);
}

struct customer *customer_find(const struct customers *cs, const char *id)
{
	struct le *le;

	if (!cs || !id)
		return NULL;
	le = hash_lookup(cs->by_id, hash_joaat_str(id), id_cmp, (void *)id);
	return le ? le->data : NULL;
}

struct customer *customer_by_phone(const struct customers *cs,
				   const char *number)
{
	char phone[CUSTOMER_PHONE_MAX + 1];
	struct le *le;

	if (!cs || customer_phone_norm(number, phone, sizeof(phone)))
		return NULL;
	le = hash_lookup(cs->by_phone, hash_joaat_str(phone), phone_cmp,
			 phone);
	return le ? ((struct phone_ref *)le->data)->cu : NULL;
}

unsigned customers_count(const struct customers *cs)
{
	return cs ? cs->n : 0;
}

struct apply {
	customer_apply_h *h;
	void *arg;
};

static bool apply_one(struct le *le, void *arg)
{
	struct apply *a = arg;

	return a->h(le->data, a->arg);
}

void customers_apply(const struct customers *cs, customer_apply_h *h,
		     void *arg)
{
	struct apply a = {h, arg};

	if (cs)
		(void)hash_apply(cs->by_id, apply_one, &a);
}

static int dup_opt(char **dst, const char *s)
{
	*dst = NULL;
	return s && *s ? str_dup(dst, s) : 0;
}

int customer_check(const struct customers *cs, const struct customer_in *in,
		   char *why, size_t sz)
{
	char phone[CUSTOMER_PHONE_MAX + 1];

	if (!customer_id_ok(in->id)) {
		re_snprintf(why, sz, "\"id\" must be 1 to %u of A-Z a-z 0-9 "
			    ". _ -", CFG_ID_MAX);
		return EINVAL;
	}
	if (!in->name || !in->name[0] || strlen(in->name) > 200) {
		re_snprintf(why, sz, "\"name\" must be 1 to 200 bytes");
		return EINVAL;
	}
	if (in->email && strlen(in->email) > 254) {
		re_snprintf(why, sz, "\"email\" is over 254 bytes");
		return EINVAL;
	}
	if (in->notes && strlen(in->notes) > CUSTOMER_NOTES_MAX) {
		re_snprintf(why, sz, "\"notes\" is over %u bytes",
			    CUSTOMER_NOTES_MAX);
		return EINVAL;
	}
	if (in->fields && strlen(in->fields) > CUSTOMER_FIELDS_MAX) {
		re_snprintf(why, sz, "\"fields\" is over %u bytes as JSON",
			    CUSTOMER_FIELDS_MAX);
		return EINVAL;
	}
	if (in->skill && in->skill[0] && strlen(in->skill) > CFG_ID_MAX) {
		re_snprintf(why, sz, "\"skill\" is over %u bytes", CFG_ID_MAX);
		return EINVAL;
	}
	if (in->nphones > CUSTOMER_PHONES_MAX) {
		re_snprintf(why, sz, "at most %u phones",
			    CUSTOMER_PHONES_MAX);
		return EINVAL;
	}
	for (unsigned i = 0; i < in->nphones; i++) {
		const struct customer *owner;

		if (customer_phone_norm(in->phones[i], phone, sizeof(phone))) {
			re_snprintf(why, sz, "phone \"%s\": expected digits, "
				    "an optional leading +, spaces or - . ( ) "
				    "/ (at most %u digits)", in->phones[i],
				    CUSTOMER_PHONE_MAX);
			return EINVAL;
		}
		for (unsigned j = 0; j < i; j++) {
			char other[CUSTOMER_PHONE_MAX + 1];

			if (!customer_phone_norm(in->phones[j], other,
						 sizeof(other)) &&
			    !strcmp(other, phone)) {
				re_snprintf(why, sz, "phone %s is listed "
					    "twice", phone);
				return EINVAL;
			}
		}
		owner = customer_by_phone(cs, phone);
		if (owner && strcmp(owner->id, in->id)) {
			re_snprintf(why, sz, "phone %s belongs to customer "
				    "%s", phone, owner->id);
			return EADDRINUSE;
		}
	}
	return 0;
}

/* Build the memory record of in (checked) and index it in place of any
 * record with its id. */
static int index_put(struct customers *cs, const struct customer_in *in,
		     int64_t created, int64_t updated, struct customer **cup)
{
	struct customer *cu, *old;
	int err;

	cu = mem_zalloc(sizeof(*cu), customer_destructor);
	if (!cu)
		return ENOMEM;
	cu->refs = mem_zalloc((in->nphones ? in->nphones : 1)
			      * sizeof(*cu->refs), NULL);
	err = cu->refs ? 0 : ENOMEM;
	err = err ? err : str_dup(&cu->id, in->id);
	err = err ? err : str_dup(&cu->name, in->name);
	err = err ? err : dup_opt(&cu->email, in->email);
	err = err ? err : dup_opt(&cu->notes, in->notes);
	err = err ? err : dup_opt(&cu->fields, in->fields);
	err = err ? err : dup_opt(&cu->skill, in->skill);
	for (unsigned i = 0; !err && i < in->nphones; i++) {
		err = customer_phone_norm(in->phones[i], cu->refs[i].phone,
					  sizeof(cu->refs[i].phone));
		cu->refs[i].cu = cu;
	}
	if (err) {
		mem_deref(cu);
		return err;
	}
	cu->vip = in->vip;
	cu->priority = in->priority;
	cu->level = in->level;
	cu->created = created;
	cu->updated = updated;
	old = customer_find(cs, cu->id);
	if (old) {
		mem_deref(old);
		cs->n--;
	}
	/* a phone still held by someone else moves here (the store does the
	 * same); customer_check refuses that for the API */
	for (unsigned i = 0; i < in->nphones; i++) {
		struct le *le = hash_lookup(cs->by_phone,
					    hash_joaat_str(cu->refs[i].phone),
					    phone_cmp, cu->refs[i].phone);

		if (le)
			hash_unlink(le);
		hash_append(cs->by_phone, hash_joaat_str(cu->refs[i].phone),
			    &cu->refs[i].he, &cu->refs[i]);
		cu->nphones++;
	}
	hash_append(cs->by_id, hash_joaat_str(cu->id), &cu->he, cu);
	cs->n++;
	if (cup)
		*cup = cu;
	return 0;
}

static void store_rec(struct store_customer *sc, const struct customer *cu,
		      const char **phones)
{
	memset(sc, 0, sizeof(*sc));
	for (unsigned i = 0; i < cu->nphones; i++)
		phones[i] = cu->refs[i].phone;
	sc->id = cu->id;
	sc->name = cu->name;
	sc->email = cu->email;
	sc->notes = cu->notes;
	sc->vip = cu->vip;
	sc->fields = cu->fields;
	sc->phones = phones;
	sc->nphones = cu->nphones;
	sc->priority = cu->priority;
	sc->skill = cu->skill;
	sc->level = cu->level;
	sc->created = cu->created;
	sc->updated = cu->updated;
}

int customer_put(struct center *cc, const struct customer_in *in,
		 struct customer **cup)
{
	const char *phones[CUSTOMER_PHONES_MAX];
	struct store_customer sc;
	struct customer *old, *cu = NULL;
	int64_t now = center_wall(cc);
	char why[160];
	int err;

	err = customer_check(cc->customers, in, why, sizeof(why));
	if (err)
		return err;
	old = customer_find(cc->customers, in->id);
	err = index_put(cc->customers, in, old ? old->created : now, now,
			&cu);
	if (err)
		return err;
	store_rec(&sc, cu, phones);
	err = store_customer_put(cc->store, &sc);
	if (err)
		LOG_ERR("store", "customer %s not queued: %m", cu->id, err);
	if (cup)
		*cup = cu;
	return err;
}

int customer_delete(struct center *cc, const char *id)
{
	struct customer *cu = customer_find(cc->customers, id);
	int err;

	if (!cu)
		return ENOENT;
	err = store_customer_delete(cc->store, id);
	if (err)
		LOG_ERR("store", "customer %s: delete not queued: %m", id, err);
	mem_deref(cu);
	cc->customers->n--;
	return err;
}

static void load_one(const struct store_customer *sc, void *arg)
{
	struct center *cc = arg;
	struct customer_in in;

	memset(&in, 0, sizeof(in));
	in.id = sc->id;
	in.name = sc->name;
	in.email = sc->email;
	in.notes = sc->notes;
	in.fields = sc->fields;
	in.vip = sc->vip;
	in.priority = sc->priority;
	in.skill = sc->skill;
	in.level = sc->level;
	in.phones = sc->phones;
	in.nphones = sc->nphones < CUSTOMER_PHONES_MAX ? sc->nphones
		: CUSTOMER_PHONES_MAX;
	if (index_put(cc->customers, &in, sc->created, sc->updated, NULL))
		LOG_WARN("customer", "%s: not loaded (bad record)", sc->id);
}

int customers_load(struct center *cc)
{
	int err;

	err = store_customers_load(cc->store, load_one, cc);
	err = err ? err : customers_seed(cc, false);
	if (!err)
		LOG_INFO("customer", "%u customers", cc->customers->n);
	return err;
}

/* running: the loop runs (a new configuration): queue the records
 * instead of writing them synchronously. */
int customers_seed(struct center *cc, bool running)
{
	const struct config *cfg = cc->cfg;
	int64_t now = center_wall(cc);
	int err;

	for (unsigned i = 0; i < cfg->ncustomers; i++) {
		const struct cfg_customer *k = &cfg->customers[i];
		const char *phones[CFG_PHONES_MAX];
		struct customer_in in;
		struct store_customer sc;
		struct customer *cu = NULL;

		if (customer_find(cc->customers, k->id))
			continue;       /* the table's copy wins */
		memset(&in, 0, sizeof(in));
		for (unsigned j = 0; j < k->nphones; j++)
			phones[j] = k->phones[j];
		in.id = k->id;
		in.name = k->name[0] ? k->name : k->id;
		in.vip = k->vip;
		in.priority = k->priority;
		in.skill = k->skill;
		in.level = k->level;
		in.phones = phones;
		in.nphones = k->nphones;
		err = index_put(cc->customers, &in, now, now, &cu);
		if (err) {
			LOG_WARN("customer", "%s: not loaded: %m", k->id, err);
			continue;
		}
		store_rec(&sc, cu, phones);
		err = running ? store_customer_put(cc->store, &sc)
			: store_customer_seed(cc->store, &sc);
		if (err)
			return err;
	}
	return 0;
}

const char *customer_phone(const struct customer *cu, unsigned i)
{
	return cu && i < cu->nphones ? cu->refs[i].phone : NULL;
}
