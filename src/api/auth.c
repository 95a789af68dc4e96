/* api/auth.c  Who is calling the HTTP API, and in which role.
 *
 * Principals.  An agent (role agent) logs in with its id and SIP
 * password, checked against the digest HA1, so the server keeps no
 * password.  A [user] of the configuration is a supervisor or an admin,
 * checked against a salted PBKDF2-HMAC-SHA256 digest.  An [apikey] is an
 * integration's key with a role, kept as its SHA-256.
 *
 * Credentials on a request, in this order:
 *  - "Authorization: Bearer T": T is a session token from
 *    POST /api/v1/login, or an API key;
 *  - "Authorization: Basic": an agent's id and SIP password (the voice
 *    release's API; kept so phones' scripts keep working).
 *
 * Sessions.  A token is 32 random bytes (OpenSSL's RAND_bytes), shown to
 * the client once as 64 hex digits; the server keeps only its SHA-256,
 * so a memory dump or a log holds no usable token.  Lookups are by that
 * digest in a hash (O(1)) and compared in constant time.  A session ends
 * at logout, or after session_ttl seconds without use; expired sessions
 * are swept once a minute.  Sessions live in memory: a restart logs
 * everybody out (they log in again).
 */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include "libre.h"
#include "api/api_int.h"

enum {
	TOKEN_BYTES = 32,
	SWEEP_MS    = 60000,
	BUCKETS     = 1024,
};

struct session {
	struct le le;
	uint8_t digest[SHA256_DIGEST_LENGTH];
	struct principal who;
	uint64_t last_used;           /* tmr_jiffies() */
};

struct auth {
	struct center *cc;            /* borrowed */
	struct hash *sessions;
	struct tmr sweep;
};

static uint32_t digest_key(const uint8_t *d)
{
	return (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
		(uint32_t)d[3] << 24;
}

static void session_destructor(void *arg)
{
	struct session *s = arg;

	hash_unlink(&s->le);
}

static bool expired(const struct auth *au, const struct session *s,
		    uint64_t now)
{
	return now - s->last_used > (uint64_t)au->cc->cfg->session_ttl * 1000;
}

static bool sweep_one(struct le *le, void *arg)
{
	struct auth *au = arg;
	struct session *s = le->data;

	if (expired(au, s, tmr_jiffies()))
		mem_deref(s);
	return false;
}

static void sweep_handler(void *arg)
{
	struct auth *au = arg;

	hash_apply(au->sessions, sweep_one, au);
	tmr_start(&au->sweep, SWEEP_MS, sweep_handler, au);
}

static void auth_destructor(void *arg)
{
	struct auth *au = arg;

	tmr_cancel(&au->sweep);
	hash_flush(au->sessions);
	mem_deref(au->sessions);
}

int auth_alloc(struct auth **aup, struct center *cc)
{
	struct auth *au;
	int err;

	au = mem_zalloc(sizeof(*au), auth_destructor);
	if (!au)
		return ENOMEM;
	au->cc = cc;
	tmr_init(&au->sweep);
	err = hash_alloc(&au->sessions, BUCKETS);
	if (err) {
		mem_deref(au);
		return err;
	}
	tmr_start(&au->sweep, SWEEP_MS, sweep_handler, au);
	*aup = au;
	return 0;
}

/* An agent's id and SIP password, against its HA1. */
static struct agent *agent_check(struct center *cc, const char *id,
				 const char *password)
{
	struct agent *a = center_agent(cc, id);
	uint8_t md[16];
	char ha1[33];
	bool ok;

	if (!a)
		return NULL;
	md5_printf(md, "%s:%s:%s", a->cfg->id, cc->cfg->realm, password);
	re_snprintf(ha1, sizeof(ha1), "%w", md, sizeof(md));
	ok = !CRYPTO_memcmp(ha1, a->cfg->ha1, 32);
	return ok ? a : NULL;
}

static bool user_check(const struct cfg_user *u, const char *password)
{
	uint8_t h[CFG_PW_HASH];

	if (config_password_hash(password, u->salt, h))
		return false;
	return !CRYPTO_memcmp(h, u->hash, sizeof(h));
}

/**
 * Check a log-in; on success fill *who.
 *
 * @return 0, EACCES (unknown user or wrong password: one answer for
 *         both, so names cannot be probed)
 */
int auth_password(struct center *cc, const char *user, const char *password,
		  struct principal *who)
{
	const struct cfg_user *u;
	struct agent *a;

	memset(who, 0, sizeof(*who));
	if (!user || !password || strlen(user) > CFG_ID_MAX)
		return EACCES;
	a = agent_check(cc, user, password);
	if (a) {
		who->role = CFG_ROLE_AGENT;
		who->agent = a;
		str_ncpy(who->user, a->cfg->id, sizeof(who->user));
		return 0;
	}
	u = config_user(cc->cfg, user);
	if (u && user_check(u, password)) {
		who->role = u->role;
		str_ncpy(who->user, u->id, sizeof(who->user));
		return 0;
	}
	return EACCES;
}

/**
 * Open a session for who: token gets 64 hex digits and a NUL.
 *
 * @return 0, ENOMEM, EIO (no randomness)
 */
int auth_session_open(struct auth *au, const struct principal *who,
		      char token[2 * TOKEN_BYTES + 1])
{
	uint8_t raw[TOKEN_BYTES];
	struct session *s;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return EIO;
	s = mem_zalloc(sizeof(*s), session_destructor);
	if (!s)
		return ENOMEM;
	SHA256(raw, sizeof(raw), s->digest);
	s->who = *who;
	s->last_used = tmr_jiffies();
	hash_append(au->sessions, digest_key(s->digest), &s->le, s);
	re_snprintf(token, 2 * TOKEN_BYTES + 1, "%w", raw, sizeof(raw));
	memset(raw, 0, sizeof(raw));
	return 0;
}

struct find {
	const uint8_t *digest;
};

static bool digest_cmp(struct le *le, void *arg)
{
	const struct session *s = le->data;
	const struct find *f = arg;

	return !CRYPTO_memcmp(s->digest, f->digest, sizeof(s->digest));
}

/* The session of a token given as hex, or NULL. */
static struct session *session_find(struct auth *au, const struct pl *tok)
{
	uint8_t raw[TOKEN_BYTES], d[SHA256_DIGEST_LENGTH];
	struct find f = {d};
	struct le *le;

	if (tok->l != 2 * TOKEN_BYTES)
		return NULL;
	for (size_t i = 0; i < TOKEN_BYTES; i++) {
		char hx[3] = {tok->p[2 * i], tok->p[2 * i + 1], 0};
		char *end;

		raw[i] = (uint8_t)strtoul(hx, &end, 16);
		if (*end || !isxdigit((unsigned char)hx[0]))
			return NULL;
	}
	SHA256(raw, sizeof(raw), d);
	le = hash_lookup(au->sessions, digest_key(d), digest_cmp, &f);
	return le ? le->data : NULL;
}

/* An API key of the configuration.  Few keys: a scan, constant time
 * per key. */
static const struct cfg_apikey *apikey_find(const struct config *c,
					    const struct pl *key)
{
	uint8_t d[SHA256_DIGEST_LENGTH];
	const struct cfg_apikey *hit = NULL;

	SHA256((const unsigned char *)key->p, key->l, d);
	for (unsigned i = 0; i < c->napikeys; i++)
		if (!CRYPTO_memcmp(d, c->apikeys[i].digest, sizeof(d)))
			hit = &c->apikeys[i];
	return hit;
}

/**
 * End the session of a bearer token.
 *
 * @return 0, ENOENT (not a session: an API key, or already ended)
 */
int auth_session_close(struct auth *au, const struct pl *token)
{
	struct session *s = session_find(au, token);

	if (!s)
		return ENOENT;
	mem_deref(s);
	return 0;
}

static int basic(struct center *cc, const struct pl *b64,
		 struct principal *who)
{
	uint8_t buf[256];
	size_t n = sizeof(buf) - 1;
	char *colon;
	int err;

	if (b64->l > 340 || base64_decode(b64->p, b64->l, buf, &n))
		return EACCES;
	buf[n] = '\0';
	if (strlen((char *)buf) != n)
		return EACCES;
	colon = strchr((char *)buf, ':');
	if (!colon)
		return EACCES;
	*colon = '\0';
	/* Basic is for agents only: a user's PBKDF2 on every request
	 * would cost 10 ms each */
	memset(who, 0, sizeof(*who));
	who->agent = agent_check(cc, (char *)buf, colon + 1);
	err = who->agent ? 0 : EACCES;
	if (!err) {
		who->role = CFG_ROLE_AGENT;
		str_ncpy(who->user, who->agent->cfg->id, sizeof(who->user));
	}
	memset(buf, 0, sizeof(buf));
	return err;
}

/**
 * Who holds this bearer token: a session's or an API key.
 *
 * @return 0, EACCES (unknown, ended or expired)
 */
int auth_bearer(struct auth *au, const struct pl *cred, struct principal *who)
{
	const struct cfg_apikey *k;
	struct session *s;

	memset(who, 0, sizeof(*who));
	s = session_find(au, cred);
	if (s) {
		uint64_t now = tmr_jiffies();

		if (expired(au, s, now)) {
			mem_deref(s);
			return EACCES;
		}
		s->last_used = now;
		*who = s->who;
		/* the configuration may have changed since the log-in
		 * (center_reconfigure): an agent or user that is gone ends
		 * its sessions; a user's role is the current one */
		if (who->role == CFG_ROLE_AGENT) {
			who->agent = center_agent(au->cc, who->user);
			if (who->agent)
				return 0;
		}
		else {
			const struct cfg_user *u = config_user(au->cc->cfg,
							       who->user);

			if (u) {
				who->role = u->role;
				return 0;
			}
		}
		mem_deref(s);
		memset(who, 0, sizeof(*who));
		return EACCES;
	}
	k = apikey_find(au->cc->cfg, cred);
	if (!k)
		return EACCES;
	who->role = k->role;
	who->apikey = true;
	str_ncpy(who->user, k->id, sizeof(who->user));
	return 0;
}

/**
 * Who sent this request.
 *
 * @param token  Receives the bearer token when there was one (for
 *               logout), else is cleared
 *
 * @return 0, ENOENT (no credentials), EACCES (wrong or expired ones)
 */
int auth_request(struct auth *au, const struct http_msg *msg,
		 struct principal *who, struct pl *token)
{
	const struct http_hdr *h = http_msg_hdr(msg, HTTP_HDR_AUTHORIZATION);
	struct pl scheme, cred;

	memset(who, 0, sizeof(*who));
	if (token)
		*token = pl_null;
	if (!h)
		return ENOENT;
	if (re_regex(h->val.p, h->val.l, "[^ ]+[ ]+[^ ]+", &scheme, NULL,
		     &cred))
		return EACCES;
	if (!pl_strcasecmp(&scheme, "Basic"))
		return basic(au->cc, &cred, who);
	if (pl_strcasecmp(&scheme, "Bearer"))
		return EACCES;
	if (token)
		*token = cred;
	return auth_bearer(au, &cred, who);
}
