/* sip/registrar.c  REGISTER with digest authentication, the location
 * store, and digest checks of other requests (registrar.h).
 *
 * Authentication.  A request without credentials for our realm gets a
 * challenge (401 WWW-Authenticate for REGISTER, 407 Proxy-Authenticate
 * otherwise) with algorithm=MD5, qop="auth".  Nonces are stateless: 36
 * bytes, base64-encoded to 48 characters, of issue time (seconds of the
 * registrar clock, 8 bytes big-endian), 8 random bytes and HMAC-SHA1 over
 * those 16 bytes with a random per-registrar key.  A nonce is accepted
 * when it is exactly 48 base64 characters that re-encode to themselves
 * (libre's decoder maps junk to zero bits), its HMAC matches
 * (constant-time compare) and it is not from the future.  Checks run
 * cheapest first and before the host's user handler: credential syntax,
 * digest uri == Request-URI (400), qop=auth with 8-hex nc and a cnonce
 * (400), nonce integrity (new challenge), REGISTER: digest user == To and
 * From user (403), then the HA1 (unknown user and wrong password are both
 * 403, so neither is revealed), then the age: a correct digest on a nonce
 * older than REG_NONCE_LIFETIME gets a new challenge with stale=true.
 * HA1s live on the stack and are wiped; nothing secret is logged.
 *
 * Store.  users: hash by hash_joaat_str(user) -> struct reg_user, which
 * exists only while it has bindings (1..REG_CONTACTS_MAX, oldest first in
 * its list; a new contact beyond the maximum replaces the oldest).  Every
 * binding is also in expl, one list for the registrar sorted by expiry,
 * with one libre timer on its head.  Costs: look-up O(1) + O(contacts);
 * insert into expl O(k), walking from the tail, k = bindings expiring
 * later than the new one (0 in the usual case where every phone uses the
 * same interval); expiry O(1) per binding; the timer is re-armed only
 * when the head changes.
 *
 * REGISTER (RFC 3261 10.3): every Contact is parsed and validated before
 * anything changes (400 for bad syntax, 423 with Min-Expires when any is
 * below the minimum, 500 for an older CSeq of the same Call-ID); then
 * contacts are added, refreshed (same URI, compared as text) or removed
 * (expires 0; "*" with Expires: 0 removes all).  The 200 OK lists every
 * current contact with its remaining seconds and a Date header.
 *
 * The change handler runs last, from locals, once per user whose count
 * goes 0 -> n or n -> 0 (REGISTER or expiry); it may free the registrar.
 * Replies are stateful (sip_treplyf): retransmissions of a REGISTER and
 * the ACK of a 407 to an INVITE are absorbed by libre's transactions.
 */

#include <errno.h>
#include <string.h>
#include <time.h>
#include "libre.h"
#include "sip/registrar.h"
#include "sip/registrar_int.h"

#define DEBUG_MODULE "registrar"
#define DEBUG_LEVEL 5
#include <re_dbg.h>

enum {
	KEY_SIZE = 20,
	NONCE_RAW = 36,              /* time 8, random 8, HMAC-SHA1 20 */
	NONCE_B64 = 48,
	USER_MAX = 64,
	CONTACT_URI_MAX = 256,
	REALM_MAX = 128,
	EXPIRES_DIGITS_MAX = 10,
};

struct reg_user {
	struct le he;                /* registrar.users, or a local list */
	struct list bindings;        /* struct reg_binding, oldest first */
	char *name;
};

struct reg_binding {
	struct le le_user;           /* reg_user.bindings */
	struct le le_exp;            /* registrar.expl, by expiry */
	struct reg_user *user;       /* borrowed back-pointer */
	char *uri;                   /* Contact addr-spec, as registered */
	char *callid;
	uint32_t cseq;
	uint64_t expires;            /* registrar clock, ms */
	struct sa src;
	enum sip_transp tp;
};

struct registrar {
	struct sip *sip;
	struct hash *users;
	struct list expl;
	struct tmr tmr;
	char *realm;
	uint8_t key[KEY_SIZE];
	uint32_t expires_min;
	registrar_user_h *userh;
	registrar_save_h *saveh;       /* persistence, may be NULL */
	void *save_arg;
	registrar_change_h *changeh;
	void *arg;
};

/* A REGISTER's contacts, parsed and validated before any change. */
struct reg_req {
	struct pl uri[REG_CONTACTS_MAX];
	uint32_t exp[REG_CONTACTS_MAX];
	unsigned n;
	bool star;
	uint16_t scode;              /* set on the first failure */
	const char *reason;
};

static registrar_clock_h *reg_clock_h;

static uint64_t reg_now(void)
{
	return reg_clock_h ? reg_clock_h() : tmr_jiffies();
}

void registrar_clock_set(registrar_clock_h *clockh)
{
	reg_clock_h = clockh;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int dec_u32(const struct pl *pl, size_t maxdig, uint32_t *v)
{
	uint64_t x = 0;

	if (!pl->p || !pl->l || pl->l > maxdig)
		return EBADMSG;
	for (size_t i = 0; i < pl->l; i++) {
		if (!is_digit(pl->p[i]))
			return EBADMSG;
		x = x * 10 + (uint64_t)(pl->p[i] - '0');
	}
	if (x > UINT32_MAX)
		return EBADMSG;
	*v = (uint32_t)x;
	return 0;
}

/* ---- nonces ---- */

static int nonce_make(const struct registrar *reg, char *out, size_t sz)
{
	uint8_t raw[NONCE_RAW];
	uint64_t t = reg_now() / 1000;
	size_t olen = sz - 1;
	int err;

	if (sz < NONCE_B64 + 1)
		return EINVAL;
	for (int i = 0; i < 8; i++)
		raw[i] = (uint8_t)(t >> (56 - 8 * i));
	rand_bytes(raw + 8, 8);
	hmac_sha1(reg->key, sizeof(reg->key), raw, 16, raw + 16, 20);
	err = base64_encode(raw, sizeof(raw), out, &olen);
	if (err)
		return err;
	out[olen] = '\0';
	return 0;
}

enum nonce_state { NONCE_BAD, NONCE_FRESH, NONCE_STALE };

static enum nonce_state nonce_check(const struct registrar *reg,
				    const struct pl *nonce)
{
	uint8_t raw[NONCE_RAW], mac[20], diff = 0;
	char again[NONCE_B64 + 1];
	size_t olen = sizeof(raw), elen = NONCE_B64;
	uint64_t t = 0, now;

	if (nonce->l != NONCE_B64)
		return NONCE_BAD;
	if (base64_decode(nonce->p, nonce->l, raw, &olen) ||
	    olen != NONCE_RAW)
		return NONCE_BAD;
	if (base64_encode(raw, olen, again, &elen) || elen != NONCE_B64 ||
	    memcmp(again, nonce->p, NONCE_B64))
		return NONCE_BAD;
	hmac_sha1(reg->key, sizeof(reg->key), raw, 16, mac, sizeof(mac));
	for (size_t i = 0; i < sizeof(mac); i++)
		diff |= (uint8_t)(mac[i] ^ raw[16 + i]);
	if (diff)
		return NONCE_BAD;
	for (int i = 0; i < 8; i++)
		t = t << 8 | raw[i];
	now = reg_now() / 1000;
	if (t > now)
		return NONCE_BAD;
	return now - t > REG_NONCE_LIFETIME ? NONCE_STALE : NONCE_FRESH;
}

/* ---- authentication ---- */

static int challenge(struct registrar *reg, const struct sip_msg *msg,
		     bool proxy, bool stale)
{
	char nonce[NONCE_B64 + 1];
	int err;

	err = nonce_make(reg, nonce, sizeof(nonce));
	if (err)
		return err;
	return sip_treplyf(NULL, NULL, reg->sip, msg, false,
			   proxy ? 407 : 401,
			   proxy ? "Proxy Authentication Required" :
			   "Unauthorized",
			   "%s: Digest realm=\"%s\", nonce=\"%s\", "
			   "algorithm=MD5, qop=\"auth\"%s\r\n"
			   "Content-Length: 0\r\n\r\n",
			   proxy ? "Proxy-Authenticate" : "WWW-Authenticate",
			   reg->realm, nonce, stale ? ", stale=true" : "");
}

static int reply(struct registrar *reg, const struct sip_msg *msg,
		 uint16_t scode, const char *reason)
{
	return sip_treplyf(NULL, NULL, reg->sip, msg, false, scode, reason,
			   "Content-Length: 0\r\n\r\n");
}

struct cred_find {
	const struct registrar *reg;
	struct httpauth_digest_resp resp;
	bool bad;                    /* some credentials did not parse */
};

static bool cred_h(const struct sip_hdr *hdr, const struct sip_msg *msg,
		   void *arg)
{
	struct cred_find *cf = arg;
	struct httpauth_digest_resp resp;
	(void)msg;

	if (httpauth_digest_response_decode(&resp, &hdr->val)) {
		cf->bad = true;
		return false;
	}
	if (pl_strcmp(&resp.realm, cf->reg->realm))
		return false;
	cf->resp = resp;
	return true;
}

static bool user_valid(const struct pl *u)
{
	if (!u->p || !u->l || u->l > USER_MAX)
		return false;
	for (size_t i = 0; i < u->l; i++) {
		char c = u->p[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return false;
	}
	return true;
}

static bool nc_valid(const struct pl *nc)
{
	if (nc->l != 8)
		return false;
	for (size_t i = 0; i < nc->l; i++)
		if (!is_hex(nc->p[i]))
			return false;
	return true;
}

static int ha1_decode(const char *hex, uint8_t ha1[MD5_SIZE])
{
	for (size_t i = 0; i < 2 * MD5_SIZE; i++)
		if (!is_hex(hex[i]))
			return EINVAL;
	if (hex[2 * MD5_SIZE] != '\0')
		return EINVAL;
	for (size_t i = 0; i < MD5_SIZE; i++)
		ha1[i] = (uint8_t)(ch_hex(hex[2 * i]) << 4 |
				   ch_hex(hex[2 * i + 1]));
	return 0;
}

static void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

/* The user's HA1 against the response: 0, EACCES (unknown user or
 * wrong digest) or another error (the host gave a bad HA1). */
static int digest_verify(struct registrar *reg, const char *user,
			 const struct httpauth_digest_resp *resp,
			 const struct pl *met)
{
	char hex[33];
	uint8_t ha1[MD5_SIZE];
	int err;

	memset(hex, 0, sizeof(hex));
	if (!reg->userh(user, hex, reg->arg)) {
		err = EACCES;
		goto out;
	}
	hex[32] = '\0';
	err = ha1_decode(hex, ha1);
	if (err) {
		DEBUG_WARNING("user \"%s\": the user handler gave an HA1 that"
			      " is not 32 hex digits; fix the user store\n",
			      user);
		goto out;
	}
	err = httpauth_digest_response_auth(resp, met, ha1);
	if (err == EAUTH)
		err = EACCES;
 out:
	wipe(hex, sizeof(hex));
	wipe(ha1, sizeof(ha1));
	return err;
}

/* Authenticate msg (REGISTER when !proxy).  Returns 0 with the user name
 * in user; otherwise it has answered: EAUTH (challenge), EACCES (403),
 * EBADMSG (400) or another errno (500 attempted). */
static int auth_verify(struct registrar *reg, const struct sip_msg *msg,
		       bool proxy, char *user, size_t sz)
{
	struct cred_find cf;
	const struct httpauth_digest_resp *r = &cf.resp;
	enum nonce_state ns;
	const char *bad = NULL;
	int err;

	memset(&cf, 0, sizeof(cf));
	cf.reg = reg;
	if (!(proxy && sip_msg_hdr_apply(msg, true,
					 SIP_HDR_PROXY_AUTHORIZATION,
					 cred_h, &cf)) &&
	    !sip_msg_hdr_apply(msg, true, SIP_HDR_AUTHORIZATION, cred_h,
			       &cf)) {
		if (cf.bad) {
			(void)reply(reg, msg, 400, "Bad Authorization");
			return EBADMSG;
		}
		err = challenge(reg, msg, proxy, false);
		return err ? err : EAUTH;
	}
	if (!user_valid(&r->username))
		bad = "Bad Digest Username";
	else if (pl_cmp(&r->uri, &msg->ruri))
		bad = "Digest URI Mismatch";
	else if (pl_strcmp(&r->qop, "auth") || !nc_valid(&r->nc) ||
		 !pl_isset(&r->cnonce))
		bad = "Digest qop=auth Required";
	if (bad) {
		(void)reply(reg, msg, 400, bad);
		return EBADMSG;
	}
	ns = nonce_check(reg, &r->nonce);
	if (ns == NONCE_BAD) {
		err = challenge(reg, msg, proxy, false);
		return err ? err : EAUTH;
	}
	if (!proxy && (pl_cmp(&r->username, &msg->to.uri.user) ||
		       pl_cmp(&r->username, &msg->from.uri.user))) {
		(void)reply(reg, msg, 403, "Forbidden");
		return EACCES;
	}
	if (r->username.l >= sz) {
		(void)reply(reg, msg, 500, "Server Internal Error");
		return EOVERFLOW;
	}
	(void)pl_strcpy(&r->username, user, sz);
	err = digest_verify(reg, user, r, &msg->met);
	if (err == EACCES) {
		(void)reply(reg, msg, 403, "Forbidden");
		return EACCES;
	}
	if (err) {
		(void)reply(reg, msg, 500, "Server Internal Error");
		return err;
	}
	if (ns == NONCE_STALE) {
		err = challenge(reg, msg, proxy, true);
		return err ? err : EAUTH;
	}
	return 0;
}

/**
 * Check the digest of a non-REGISTER request (an INVITE from an agent's
 * phone).
 *
 * @return 0 with the user in user; otherwise the request has been
 *         answered: EAUTH (407 challenge), EACCES (403), EBADMSG (400),
 *         EINVAL for bad arguments (nothing sent), or another errno when
 *         even the answer failed
 */
int registrar_auth(struct registrar *reg, const struct sip_msg *msg,
		   char *user, size_t sz)
{
	if (!reg || !msg || !user || !sz)
		return EINVAL;
	return auth_verify(reg, msg, true, user, sz);
}

/* ---- location store ---- */

static void binding_destructor(void *arg)
{
	struct reg_binding *b = arg;

	list_unlink(&b->le_user);
	list_unlink(&b->le_exp);
	mem_deref(b->uri);
	mem_deref(b->callid);
}

static void user_destructor(void *arg)
{
	struct reg_user *u = arg;

	list_unlink(&u->he);
	list_flush(&u->bindings);
	mem_deref(u->name);
}

static bool user_cmp_h(struct le *le, void *arg)
{
	const struct reg_user *u = le->data;

	return 0 == strcmp(u->name, arg);
}

static struct reg_user *user_find(const struct registrar *reg,
				  const char *name)
{
	return list_ledata(hash_lookup(reg->users, hash_joaat_str(name),
				       user_cmp_h, (void *)name));
}

static struct reg_binding *binding_find(const struct reg_user *u,
					const struct pl *uri)
{
	struct le *le;

	for (le = u ? u->bindings.head : NULL; le; le = le->next) {
		struct reg_binding *b = le->data;

		if (!pl_strcmp(uri, b->uri))
			return b;
	}
	return NULL;
}

static void timer_arm(struct registrar *reg);

static void expire_h(void *arg)
{
	registrar_tick(arg);
}

static void timer_arm(struct registrar *reg)
{
	const struct reg_binding *b = list_ledata(list_head(&reg->expl));
	uint64_t now = reg_now();

	if (!b) {
		tmr_cancel(&reg->tmr);
		return;
	}
	tmr_start(&reg->tmr, b->expires > now ? b->expires - now : 0,
		  expire_h, reg);
}

/* Put b into expl at its place (walk from the tail: new expiries are
 * usually the latest). */
static void expl_insert(struct registrar *reg, struct reg_binding *b)
{
	struct le *le;

	list_unlink(&b->le_exp);
	for (le = list_tail(&reg->expl); le; le = le->prev) {
		const struct reg_binding *o = le->data;

		if (o->expires <= b->expires)
			break;
	}
	if (le)
		list_insert_after(&reg->expl, le, &b->le_exp, b);
	else
		list_prepend(&reg->expl, &b->le_exp, b);
}

static int binding_set(struct registrar *reg, struct reg_binding *b,
		       const struct sip_msg *msg, uint32_t secs)
{
	char *callid = NULL;
	int err;

	if (!b->callid || pl_strcmp(&msg->callid, b->callid)) {
		err = pl_strdup(&callid, &msg->callid);
		if (err)
			return err;
		mem_deref(b->callid);
		b->callid = callid;
	}
	b->cseq = msg->cseq.num;
	b->expires = reg_now() + (uint64_t)secs * 1000;
	b->src = msg->src;
	b->tp = msg->tp;
	expl_insert(reg, b);
	return 0;
}

static int binding_add(struct registrar *reg, struct reg_user *u,
		       const struct pl *uri, const struct sip_msg *msg,
		       uint32_t secs)
{
	struct reg_binding *b;
	int err;

	if (list_count(&u->bindings) >= REG_CONTACTS_MAX)
		mem_deref(list_ledata(list_head(&u->bindings)));
	b = mem_zalloc(sizeof(*b), binding_destructor);
	if (!b)
		return ENOMEM;
	err = pl_strdup(&b->uri, uri);
	if (err)
		goto out;
	b->user = u;
	err = binding_set(reg, b, msg, secs);
	if (err)
		goto out;
	list_append(&u->bindings, &b->le_user, b);
 out:
	if (err)
		mem_deref(b);
	return err;
}

static int user_add(struct reg_user **up, struct registrar *reg,
		    const char *name)
{
	struct reg_user *u;
	int err;

	u = mem_zalloc(sizeof(*u), user_destructor);
	if (!u)
		return ENOMEM;
	err = str_dup(&u->name, name);
	if (err) {
		mem_deref(u);
		return err;
	}
	hash_append(reg->users, hash_joaat_str(name), &u->he, u);
	*up = u;
	return 0;
}

/* ---- REGISTER ---- */

static bool contact_h(const struct sip_hdr *hdr, const struct sip_msg *msg,
		      void *arg)
{
	struct reg_req *rq = arg;
	struct sip_addr addr;
	struct pl v;
	uint32_t secs = REG_EXPIRES_DEFAULT;

	if (!pl_strcmp(&hdr->val, "*")) {
		rq->star = true;
		return false;
	}
	if (sip_addr_decode(&addr, &hdr->val) ||
	    (pl_strcasecmp(&addr.uri.scheme, "sip") &&
	     pl_strcasecmp(&addr.uri.scheme, "sips")) ||
	    addr.auri.l > CONTACT_URI_MAX) {
		rq->scode = 400;
		rq->reason = "Bad Contact";
		return true;
	}
	if (!msg_param_decode(&addr.params, "expires", &v)) {
		if (dec_u32(&v, EXPIRES_DIGITS_MAX, &secs))
			goto bad_expires;
	}
	else if (msg->expires.p) {
		if (dec_u32(&msg->expires, EXPIRES_DIGITS_MAX, &secs))
			goto bad_expires;
	}
	if (rq->n >= REG_CONTACTS_MAX) {
		rq->scode = 400;
		rq->reason = "Too Many Contacts";
		return true;
	}
	rq->uri[rq->n] = addr.auri;
	rq->exp[rq->n] = secs;
	++rq->n;
	return false;

 bad_expires:
	rq->scode = 400;
	rq->reason = "Bad Expires";
	return true;
}

/* Parse and validate every Contact; answers and returns false on
 * failure. */
static bool register_parse(struct registrar *reg, const struct sip_msg *msg,
			   const struct reg_user *u, struct reg_req *rq)
{
	uint32_t zero;

	memset(rq, 0, sizeof(*rq));
	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_h, rq);
	if (!rq->scode && rq->star &&
	    (rq->n || dec_u32(&msg->expires, EXPIRES_DIGITS_MAX, &zero) ||
	     zero)) {
		rq->scode = 400;
		rq->reason = "Bad Wildcard Contact";
	}
	if (rq->scode) {
		(void)reply(reg, msg, rq->scode, rq->reason);
		return false;
	}
	for (unsigned i = 0; i < rq->n; i++) {
		const struct reg_binding *b;

		if (rq->exp[i] && rq->exp[i] < reg->expires_min) {
			(void)sip_treplyf(NULL, NULL, reg->sip, msg, false,
					  423, "Interval Too Brief",
					  "Min-Expires: %u\r\n"
					  "Content-Length: 0\r\n\r\n",
					  reg->expires_min);
			return false;
		}
		if (rq->exp[i] > REG_EXPIRES_MAX)
			rq->exp[i] = REG_EXPIRES_MAX;
		b = binding_find(u, &rq->uri[i]);
		if (b && !pl_strcmp(&msg->callid, b->callid) &&
		    msg->cseq.num <= b->cseq) {
			(void)reply(reg, msg, 500, "Out Of Order CSeq");
			return false;
		}
	}
	return true;
}

static int register_apply(struct registrar *reg, const struct sip_msg *msg,
			  struct reg_user **up, const char *name,
			  const struct reg_req *rq)
{
	struct reg_user *u = *up;
	int err = 0;

	if (rq->star) {
		if (u)
			list_flush(&u->bindings);
		return 0;
	}
	for (unsigned i = 0; i < rq->n && !err; i++) {
		struct reg_binding *b = binding_find(u, &rq->uri[i]);

		if (!rq->exp[i]) {
			mem_deref(b);
			continue;
		}
		if (b) {
			err = binding_set(reg, b, msg, rq->exp[i]);
			continue;
		}
		if (!u) {
			err = user_add(up, reg, name);
			if (err)
				break;
			u = *up;
		}
		err = binding_add(reg, u, &rq->uri[i], msg, rq->exp[i]);
	}
	return err;
}

static int contacts_print(struct re_printf *pf, void *arg)
{
	const struct reg_user *u = arg;
	uint64_t now = reg_now();
	struct le *le;
	int err = 0;

	for (le = u ? u->bindings.head : NULL; le && !err; le = le->next) {
		const struct reg_binding *b = le->data;
		uint64_t left = b->expires > now ? b->expires - now : 0;

		err = re_hprintf(pf, "Contact: <%s>;expires=%llu\r\n", b->uri,
				 (unsigned long long)((left + 999) / 1000));
	}
	return err;
}

/**
 * Handle a REGISTER (authenticate, update the store, answer).
 *
 * @return true when msg was a REGISTER (it has been answered), false
 *         for any other request
 */
/* ---- persistence ---- */

/* One line per binding: "URI<TAB>EXPIRES<TAB>TP<TAB>SRC", EXPIRES in Unix
 * seconds (the registrar's clock is monotonic; the file outlives it). */
static int bindings_print(struct re_printf *pf, const struct reg_user *u)
{
	const uint64_t now = reg_now();
	const int64_t wall = (int64_t)time(NULL);
	struct le *le;
	int err = 0;

	for (le = u->bindings.head; le && !err; le = le->next) {
		const struct reg_binding *b = le->data;
		int64_t left = b->expires > now
			? (int64_t)((b->expires - now) / 1000) : 0;

		err = re_hprintf(pf, "%s\t%lld\t%d\t%J\n", b->uri,
				 (long long)(wall + left), (int)b->tp,
				 &b->src);
	}
	return err;
}

static void save(struct registrar *reg, const char *name,
		 const struct reg_user *u)
{
	char *body = NULL;

	if (!reg->saveh)
		return;
	if (u && !list_isempty(&u->bindings)
	    && re_sdprintf(&body, "%H", bindings_print, u)) {
		DEBUG_WARNING("user \"%s\": cannot save bindings\n", name);
		return;
	}
	reg->saveh(name, body, reg->save_arg);
	mem_deref(body);
}

void registrar_set_save_handler(struct registrar *reg,
				registrar_save_h *saveh, void *arg)
{
	if (!reg)
		return;
	reg->saveh = saveh;
	reg->save_arg = arg;
}

/* A decimal field of at most maxd digits. */
static int field_num(const struct pl *pl, size_t maxd, int64_t *v)
{
	int64_t x = 0;

	if (!pl->l || pl->l > maxd)
		return EBADMSG;
	for (size_t i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return EBADMSG;
		x = x * 10 + (pl->p[i] - '0');
	}
	*v = x;
	return 0;
}

/**
 * Restore a user's bindings saved by the save handler (at start-up,
 * before the loop runs).  Expired and malformed lines are skipped; the
 * change handler fires when the user ends up with contacts.
 *
 * @return 0, EINVAL, ENOENT (no such user now) or ENOMEM
 */
int registrar_restore(struct registrar *reg, const char *user,
		      const char *body)
{
	const int64_t wall = (int64_t)time(NULL);
	struct reg_user *u;
	struct pl rest, line;
	char ha1[33];
	bool fresh = false;
	int err = 0;

	if (!reg || !user || !body)
		return EINVAL;
	if (!reg->userh(user, ha1, reg->arg))
		return ENOENT;          /* no longer configured */
	wipe(ha1, sizeof(ha1));
	u = user_find(reg, user);
	if (!u) {
		err = user_add(&u, reg, user);
		if (err)
			return err;
		fresh = true;
	}
	pl_set_str(&rest, body);
	while (rest.l && !err) {
		struct pl uri, exp, tp, src;
		const char *nl = pl_strchr(&rest, '\n');
		int64_t e, t;
		struct reg_binding *b;

		line.p = rest.p;
		line.l = nl ? (size_t)(nl - rest.p) : rest.l;
		pl_advance(&rest, nl ? line.l + 1 : line.l);
		if (re_regex(line.p, line.l, "[^\t]+\t[0-9]+\t[0-9]+\t[^\t]+",
			     &uri, &exp, &tp, &src)
		    || field_num(&exp, 12, &e) || field_num(&tp, 2, &t)
		    || t >= SIP_TRANSPC || e <= wall
		    || list_count(&u->bindings) >= REG_CONTACTS_MAX
		    || binding_find(u, &uri))
			continue;
		b = mem_zalloc(sizeof(*b), binding_destructor);
		if (!b || pl_strdup(&b->uri, &uri)) {
			mem_deref(b);
			err = ENOMEM;
			break;
		}
		b->user = u;
		b->expires = reg_now() + (uint64_t)(e - wall) * 1000;
		b->tp = (enum sip_transp)t;
		if (sa_decode(&b->src, src.p, src.l))
			sa_init(&b->src, AF_UNSPEC);
		expl_insert(reg, b);
		list_append(&u->bindings, &b->le_user, b);
	}
	timer_arm(reg);
	if (list_isempty(&u->bindings)) {
		if (fresh)
			mem_deref(u);
		return err;
	}
	DEBUG_NOTICE("user \"%s\": %u contacts restored\n", user,
		     list_count(&u->bindings));
	if (fresh && reg->changeh)
		reg->changeh(user, true, reg->arg);
	return err;
}

bool registrar_handle(struct registrar *reg, const struct sip_msg *msg)
{
	char name[USER_MAX + 1];
	registrar_change_h *changeh;
	struct reg_user *u;
	struct reg_req rq;
	unsigned before, after;
	void *arg;
	int err;

	if (!reg || !msg || pl_strcmp(&msg->met, "REGISTER"))
		return false;
	if (auth_verify(reg, msg, false, name, sizeof(name)))
		return true;
	u = user_find(reg, name);
	if (!register_parse(reg, msg, u, &rq))
		return true;
	before = u ? list_count(&u->bindings) : 0;
	err = register_apply(reg, msg, &u, name, &rq);
	timer_arm(reg);
	after = u ? list_count(&u->bindings) : 0;
	if (err) {
		DEBUG_WARNING("user \"%s\": REGISTER from %J: %m\n", name,
			      &msg->src, err);
		(void)reply(reg, msg, 500, "Server Internal Error");
	}
	else {
		err = sip_treplyf(NULL, NULL, reg->sip, msg, false, 200, "OK",
				  "%H"
				  "Date: %H\r\n"
				  "Content-Length: 0\r\n\r\n",
				  contacts_print, u, fmt_gmtime, NULL);
		if (err)
			DEBUG_WARNING("user \"%s\": cannot answer REGISTER "
				      "from %J: %m\n", name, &msg->src, err);
		save(reg, name, after ? u : NULL);
	}
	if (u && !after)
		mem_deref(u);
	if (!before == !after)
		return true;
	DEBUG_NOTICE("user \"%s\": %s (%u contacts, from %J)\n", name,
		     after ? "registered" : "unregistered", after, &msg->src);
	changeh = reg->changeh;
	arg = reg->arg;
	if (changeh)
		changeh(name, after > 0, arg);
	return true;
}

void registrar_tick(struct registrar *reg)
{
	struct list gone = LIST_INIT;
	registrar_change_h *changeh;
	uint64_t now = reg_now();
	struct le *le;
	void *arg;

	if (!reg)
		return;
	while ((le = list_head(&reg->expl))) {
		struct reg_binding *b = le->data;
		struct reg_user *u = b->user;

		if (b->expires > now)
			break;
		mem_deref(b);
		if (list_isempty(&u->bindings)) {
			/* keep the user (and its name) for the handler */
			list_unlink(&u->he);
			list_append(&gone, &u->he, u);
			save(reg, u->name, NULL);
		}
		else
			save(reg, u->name, u);
	}
	timer_arm(reg);
	changeh = reg->changeh;
	arg = reg->arg;
	mem_ref(reg);                /* a handler may release it */
	while ((le = list_head(&gone))) {
		struct reg_user *u = le->data;

		list_unlink(le);
		DEBUG_NOTICE("user \"%s\": registration expired\n", u->name);
		if (changeh && mem_nrefs(reg) > 1)
			changeh(u->name, false, arg);
		mem_deref(u);
	}
	mem_deref(reg);
}

void registrar_expires_min_set(struct registrar *reg, uint32_t secs)
{
	if (reg)
		reg->expires_min = secs;
}

/**
 * Contacts of a user, oldest first.  The pointers in out stay valid until
 * the store changes (the next REGISTER or expiry on the loop).
 *
 * @return how many were written to out (at most max)
 */
unsigned registrar_contacts(const struct registrar *reg, const char *user,
			    struct registrar_contact *out, unsigned max)
{
	const struct reg_user *u;
	struct le *le;
	unsigned n = 0;

	if (!reg || !user)
		return 0;
	u = user_find(reg, user);
	for (le = u ? u->bindings.head : NULL; le && n < max; le = le->next) {
		const struct reg_binding *b = le->data;

		if (out) {
			out[n].uri = b->uri;
			out[n].expires = b->expires;
			out[n].tp = b->tp;
			out[n].src = &b->src;
		}
		++n;
	}
	return n;
}

bool registrar_registered(const struct registrar *reg, const char *user)
{
	return reg && user && user_find(reg, user) != NULL;
}

static void registrar_destructor(void *arg)
{
	struct registrar *reg = arg;

	tmr_cancel(&reg->tmr);
	hash_flush(reg->users);
	mem_deref(reg->users);
	mem_deref(reg->realm);
	mem_deref(reg->sip);
	wipe(reg->key, sizeof(reg->key));
}

/**
 * Create a registrar for realm on sip (held by reference).
 *
 * @return 0, EINVAL (NULLs, or a realm that is empty, longer than 128
 *         bytes or holds '"', '\\' or control characters) or ENOMEM
 */
int registrar_alloc(struct registrar **regp, struct sip *sip,
		    const char *realm, registrar_user_h *userh,
		    registrar_change_h *changeh, void *arg)
{
	struct registrar *reg;
	size_t len;
	int err;

	if (!regp || !sip || !realm || !userh)
		return EINVAL;
	len = strlen(realm);
	if (!len || len > REALM_MAX)
		return EINVAL;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)realm[i] < 0x20 || realm[i] == '"' ||
		    realm[i] == '\\' || realm[i] == 0x7f)
			return EINVAL;
	reg = mem_zalloc(sizeof(*reg), registrar_destructor);
	if (!reg)
		return ENOMEM;
	err = hash_alloc(&reg->users, 16384);
	if (err)
		goto out;
	err = str_dup(&reg->realm, realm);
	if (err)
		goto out;
	rand_bytes(reg->key, sizeof(reg->key));
	tmr_init(&reg->tmr);
	reg->sip = mem_ref(sip);
	reg->expires_min = REG_EXPIRES_MIN;
	reg->userh = userh;
	reg->changeh = changeh;
	reg->arg = arg;
 out:
	if (err)
		mem_deref(reg);
	else
		*regp = reg;
	return err;
}
