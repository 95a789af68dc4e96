/* core/config.c  Reading and checking the configuration file (config.h).
 *
 * Two passes over the data, one over the file: the reader's handler
 * fills struct config section by section, checking each value as it
 * comes (numbers bounded, names well-formed, duplicates refused); then
 * check_refs() resolves every cross-reference by name (members to
 * queues, skills, overflow queues, numbers to flows, queues and agents)
 * and flow_set_check() checks the flows against the queues, skills and
 * prompt files.  Messages carry the file and line of the offending key.
 *
 * Costs: linear lookups by name (a few hundred objects at start-up);
 * the server builds hashes of its own for the hot paths.
 */

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "libre.h"
#include "flow/flow.h"
#include "core/ini.h"
#include "core/config.h"

enum { OBJ_MAX = 100000 };

struct loader {
	struct config *cfg;
	const char *file;
	void *cur;                /* the object of the current section */
	char section[64];
};

static void destructor(void *arg)
{
	struct config *c = arg;

	for (unsigned i = 0; i < c->nagents; i++)
		mem_deref(c->agents[i].password);
	for (unsigned i = 0; i < c->ntrunks; i++)
		mem_deref(c->trunks[i].to);
	for (unsigned i = 0; i < c->nusers; i++)
		mem_deref(c->users[i].password);
	for (unsigned i = 0; i < c->napikeys; i++)
		mem_deref(c->apikeys[i].key);
	mem_deref(c->users);
	mem_deref(c->apikeys);
	mem_deref(c->dispositions);
	mem_deref(c->campaigns);
	mem_deref(c->file);
	mem_deref(c->database);
	mem_deref(c->realm);
	mem_deref(c->prompts);
	mem_deref(c->recordings);
	mem_deref(c->web);
	mem_deref(c->skills);
	mem_deref(c->queues);
	mem_deref(c->agents);
	mem_deref(c->trunks);
	mem_deref(c->numbers);
	mem_deref(c->customers);
	mem_deref(c->flows);
	hash_flush(c->index);
	mem_deref(c->index);
}

static int msg(char *err, size_t errsz, const struct ini_entry *e,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int msg(char *err, size_t errsz, const struct ini_entry *e,
	       const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	re_snprintf(err, errsz, "%s:%u: [%s%s%s] %s: %s", e->file, e->line,
		    e->section, e->name[0] ? " " : "", e->name, e->key, buf);
	return EINVAL;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > CFG_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
		      || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'
		      || ch == '.' || ch == '+' || ch == '*'))
			return false;
	}
	return true;
}

/* Unsigned decimal with at most 9 digits, within [lo, hi]. */
static int num(const char *s, uint32_t lo, uint32_t hi, uint32_t *v)
{
	uint32_t x = 0;
	size_t n = strlen(s);

	if (!n || n > 9)
		return EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return EINVAL;
		x = x * 10 + (uint32_t)(s[i] - '0');
	}
	if (x < lo || x > hi)
		return ERANGE;
	*v = x;
	return 0;
}

static int snum(const char *s, int32_t lo, int32_t hi, int32_t *v)
{
	uint32_t x;
	bool neg = s[0] == '-';
	int err;

	err = num(neg ? s + 1 : s, 0, 999999999, &x);
	if (err)
		return err;
	if ((neg && -(int64_t)x < lo) || (!neg && (int64_t)x > hi))
		return ERANGE;
	*v = neg ? -(int32_t)x : (int32_t)x;
	return 0;
}

/* Seconds, with an optional unit: 30, 30s, 5m, 2h; result in ms. */
static int dur(const char *s, uint32_t max_s, uint32_t *ms)
{
	char buf[16];
	size_t n = strlen(s);
	uint32_t mul = 1, v;
	int err;

	if (!n || n >= sizeof(buf))
		return EINVAL;
	str_ncpy(buf, s, sizeof(buf));
	switch (buf[n - 1]) {
	case 's': buf[n - 1] = '\0'; break;
	case 'm': buf[n - 1] = '\0'; mul = 60; break;
	case 'h': buf[n - 1] = '\0'; mul = 3600; break;
	default: break;
	}
	err = num(buf, 0, max_s, &v);
	if (err)
		return err;
	if ((uint64_t)v * mul > max_s)
		return ERANGE;
	*ms = v * mul * 1000;
	return 0;
}

static int yesno(const char *s, bool *v)
{
	if (!strcmp(s, "yes") || !strcmp(s, "on") || !strcmp(s, "true")) {
		*v = true;
		return 0;
	}
	if (!strcmp(s, "no") || !strcmp(s, "off") || !strcmp(s, "false")) {
		*v = false;
		return 0;
	}
	return EINVAL;
}

/* "HOST:PORT" (IPv4 or [IPv6]) into sa. */
static int hostport(const char *s, struct sa *sa)
{
	return sa_decode(sa, s, strlen(s));
}

static int grow(void **arrp, unsigned n, size_t size)
{
	void *p;

	if (n >= OBJ_MAX)
		return ENOSPC;
	if (n && (n & (n - 1)))
		return 0;               /* capacity is the next power of 2 */
	/* libre's mem_realloc does not take NULL */
	p = *arrp ? mem_realloc(*arrp, n * 2 * size)
		  : mem_zalloc(4 * size, NULL);
	if (!p)
		return ENOMEM;
	*arrp = p;
	return 0;
}

/* Split `s` (modified) into words; returns how many (at most max). */
static unsigned words(char *s, char **w, unsigned max)
{
	unsigned n = 0;

	while (*s) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		if (n == max)
			return max + 1;
		w[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return n;
}

/* "name:level" */
static int name_level(char *s, char *name, size_t sz, uint32_t lo,
		      uint32_t hi, uint32_t *lvl)
{
	char *colon = strchr(s, ':');

	if (!colon)
		return EINVAL;
	*colon = '\0';
	if (!name_ok(s))
		return EINVAL;
	str_ncpy(name, s, sz);
	return num(colon + 1, lo, hi, lvl);
}

static bool prompt_file(const char *dir, const char *name)
{
	char path[1024];

	if (!name_ok(name) || strchr(name, '/'))
		return false;
	re_snprintf(path, sizeof(path), "%s/%s.wav", dir, name);
	return access(path, R_OK) == 0;
}

static int server_key(struct loader *l, const struct ini_entry *e,
		      char *err, size_t errsz)
{
	struct config *c = l->cfg;
	const char *k = e->key, *v = e->value;
	uint32_t a, b;

	if (!strcmp(k, "sip")) {
		if (hostport(v, &c->sip_addr) || !sa_port(&c->sip_addr))
			return msg(err, errsz, e, "expected ADDRESS:PORT, "
				   "got '%s'", v);
	}
	else if (!strcmp(k, "transports")) {
		char buf[64], *w[4];
		unsigned n;

		str_ncpy(buf, v, sizeof(buf));
		n = words(buf, w, 2);
		c->sip_udp = c->sip_tcp = false;
		if (!n || n > 2)
			return msg(err, errsz, e, "expected udp, tcp or both");
		for (unsigned i = 0; i < n; i++) {
			if (!strcmp(w[i], "udp"))
				c->sip_udp = true;
			else if (!strcmp(w[i], "tcp"))
				c->sip_tcp = true;
			else
				return msg(err, errsz, e, "unknown transport "
					   "'%s' (udp, tcp)", w[i]);
		}
	}
	else if (!strcmp(k, "http")) {
		if (!strcmp(v, "off"))
			sa_init(&c->http_addr, AF_UNSPEC);
		else if (hostport(v, &c->http_addr)
			 || !sa_port(&c->http_addr))
			return msg(err, errsz, e, "expected ADDRESS:PORT or "
				   "off, got '%s'", v);
	}
	else if (!strcmp(k, "rtp")) {
		if (sa_set_str(&c->rtp_addr, v, 0))
			return msg(err, errsz, e, "expected an IP address, "
				   "got '%s'", v);
	}
	else if (!strcmp(k, "rtp_ports")) {
		char buf[32], *dash;

		str_ncpy(buf, v, sizeof(buf));
		dash = strchr(buf, '-');
		if (!dash)
			return msg(err, errsz, e, "expected MIN-MAX");
		*dash = '\0';
		if (num(buf, 1024, 65534, &a) || num(dash + 1, 1025, 65535, &b)
		    || b < a + 1)
			return msg(err, errsz, e, "expected MIN-MAX within "
				   "1024-65535, MIN < MAX, got '%s'", v);
		c->rtp_min = (uint16_t)a;
		c->rtp_max = (uint16_t)b;
	}
	else if (!strcmp(k, "events_heartbeat")) {
		if (num(v, 1, 3600, &a))
			return msg(err, errsz, e, "expected seconds, 1 to "
				   "3600, got '%s'", v);
		c->events_heartbeat = a;
	}
	else if (!strcmp(k, "events_client_max")) {
		if (num(v, 16, 1024 * 1024, &a))
			return msg(err, errsz, e, "expected KiB, 16 to "
				   "1048576, got '%s'", v);
		c->events_client_max = a * 1024;
	}
	else if (!strcmp(k, "session_ttl")) {
		if (num(v, 1, 7 * 86400, &a))
			return msg(err, errsz, e, "expected seconds, 1 to "
				   "604800, got '%s'", v);
		c->session_ttl = a;
	}
	else if (!strcmp(k, "media_threads")) {
		if (num(v, 0, 64, &a))
			return msg(err, errsz, e, "expected 0 (one per CPU) "
				   "to 64, got '%s'", v);
		c->media_threads = (unsigned)a;
	}
	else if (!strcmp(k, "database")) {
		c->database = mem_deref(c->database);
		return str_dup(&c->database, v);
	}
	else if (!strcmp(k, "realm")) {
		if (!name_ok(v))
			return msg(err, errsz, e, "letters, digits, . _ - "
				   "only");
		c->realm = mem_deref(c->realm);
		return str_dup(&c->realm, v);
	}
	else if (!strcmp(k, "prompts")) {
		c->prompts = mem_deref(c->prompts);
		return str_dup(&c->prompts, v);
	}
	else if (!strcmp(k, "recordings")) {
		c->recordings = mem_deref(c->recordings);
		return str_dup(&c->recordings, v);
	}
	else if (!strcmp(k, "web")) {
		c->web = mem_deref(c->web);
		return str_dup(&c->web, v);
	}
	else if (!strcmp(k, "node")) {
		if (!name_ok(v) || strlen(v) > 16)
			return msg(err, errsz, e, "up to 16 letters or "
				   "digits");
		str_ncpy(c->node, v, sizeof(c->node));
	}
	else
		return msg(err, errsz, e, "unknown key (sip, transports, "
			   "http, rtp, rtp_ports, media_threads, database, "
			   "realm, prompts, recordings, web, node, "
			   "session_ttl, events_heartbeat, "
			   "events_client_max)");
	return 0;
}

static int empty_rule(const char *v, enum acd_empty_rule *r)
{
	if (!strcmp(v, "always"))
		*r = ACD_EMPTY_ALLOW;
	else if (!strcmp(v, "logged-in"))
		*r = ACD_EMPTY_LOGGED_IN;
	else if (!strcmp(v, "ready"))
		*r = ACD_EMPTY_READY;
	else
		return EINVAL;
	return 0;
}

static int queue_key(struct cfg_queue *q, const struct ini_entry *e,
		     char *err, size_t errsz)
{
	const char *k = e->key, *v = e->value;
	struct acd_queue_conf *a = &q->acd;
	uint32_t x, y;
	bool yn;

	if (!strcmp(k, "strategy")) {
		if (acd_strategy_parse(v, &a->strategy))
			return msg(err, errsz, e, "unknown strategy '%s' "
				   "(longest-idle, round-robin, "
				   "fewest-contacts, least-talk, ring-all, "
				   "linear, random, weighted-random)", v);
	}
	else if (!strcmp(k, "ring")) {
		if (dur(v, 300, &q->ring_ms) || q->ring_ms < 1000)
			return msg(err, errsz, e, "expected 1 to 300 seconds");
	}
	else if (!strcmp(k, "wrapup")) {
		if (dur(v, 3600, &a->wrapup_ms))
			return msg(err, errsz, e, "expected 0 to 3600 seconds");
	}
	else if (!strcmp(k, "sl")) {
		char buf[32], *slash;

		str_ncpy(buf, v, sizeof(buf));
		slash = strchr(buf, '/');
		if (!slash)
			return msg(err, errsz, e, "expected PERCENT/SECONDS");
		*slash = '\0';
		if (num(buf, 1, 100, &x) || num(slash + 1, 1, 3600, &y))
			return msg(err, errsz, e, "expected PERCENT/SECONDS "
				   "(1-100 / 1-3600), got '%s'", v);
		a->sl_percent = (uint8_t)x;
		a->sl_target_ms = y * 1000;
	}
	else if (!strcmp(k, "max_wait")) {
		if (dur(v, 86400, &a->max_wait_ms))
			return msg(err, errsz, e, "expected 0 to 86400 s");
	}
	else if (!strcmp(k, "max_waiting")) {
		if (num(v, 0, 1000000, &a->max_waiting))
			return msg(err, errsz, e, "expected 0 to 1000000");
	}
	else if (!strcmp(k, "overflow")) {
		q->overflow_queue[0] = '\0';
		if (!strcmp(v, "none"))
			a->overflow = ACD_OVF_NONE;
		else if (!strcmp(v, "disconnect"))
			a->overflow = ACD_OVF_DISCONNECT;
		else if (!strncmp(v, "queue:", 6) && name_ok(v + 6)) {
			a->overflow = ACD_OVF_QUEUE;
			str_ncpy(q->overflow_queue, v + 6,
				 sizeof(q->overflow_queue));
		}
		else
			return msg(err, errsz, e, "expected none, disconnect "
				   "or queue:NAME, got '%s'", v);
	}
	else if (!strcmp(k, "join") || !strcmp(k, "leave")) {
		if (empty_rule(v, !strcmp(k, "join") ? &a->join : &a->leave))
			return msg(err, errsz, e, "expected always, logged-in "
				   "or ready");
		a->empty_action = ACD_OVF_DISCONNECT;
	}
	else if (!strcmp(k, "record")) {
		if (yesno(v, &q->record))
			return msg(err, errsz, e, "expected yes or no");
	}
	else if (!strcmp(k, "moh")) {
		if (!name_ok(v))
			return msg(err, errsz, e, "expected a prompt name");
		str_ncpy(q->moh, v, sizeof(q->moh));
	}
	else if (!strcmp(k, "announce")) {
		if (dur(v, 3600, &q->announce_ms)
		    || (q->announce_ms && q->announce_ms < 10000))
			return msg(err, errsz, e, "expected 0 (off) or 10 to "
				   "3600 seconds");
	}
	else if (!strcmp(k, "callback_key")) {
		if (!strcmp(v, "off"))
			q->callback_key = '\0';
		else if (strlen(v) == 1 && strchr("0123456789*#", v[0]))
			q->callback_key = v[0];
		else
			return msg(err, errsz, e, "expected a key 0-9, *, # "
				   "or off");
	}
	else if (!strcmp(k, "alert_wait")) {
		if (dur(v, 86400, &q->alert_wait_ms))
			return msg(err, errsz, e, "expected 0 (off) to 86400 "
				   "seconds");
	}
	else if (!strcmp(k, "missed_rest")) {
		if (dur(v, 600, &a->missed_delay_ms))
			return msg(err, errsz, e, "expected 0 to 600 seconds");
	}
	else if (!strcmp(k, "aging")) {
		if (dur(v, 3600, &a->aging_ms))
			return msg(err, errsz, e, "expected 0 to 3600 seconds");
	}
	else if (!strcmp(k, "skill_match")) {
		if (yesno(v, &yn))
			return msg(err, errsz, e, "expected yes or no");
		a->skill_match = yn;
	}
	else
		return msg(err, errsz, e, "unknown key (strategy, ring, "
			   "wrapup, sl, max_wait, max_waiting, overflow, "
			   "join, leave, record, moh, announce, callback_key, "
			   "alert_wait, missed_rest, aging, skill_match)");
	return 0;
}

static int agent_key(struct config *c, struct cfg_agent *ag,
		     const struct ini_entry *e, char *err, size_t errsz)
{
	const char *k = e->key, *v = e->value;
	char buf[INI_LINE_MAX], *w[CFG_SKILLS_MAX + 1];
	unsigned n;
	uint32_t x;

	if (!strcmp(k, "name")) {
		if (strlen(v) > CFG_ID_MAX)
			return msg(err, errsz, e, "at most %d characters",
				   CFG_ID_MAX);
		str_ncpy(ag->name, v, sizeof(ag->name));
	}
	else if (!strcmp(k, "password")) {
		if (strlen(v) < 4 || strlen(v) > 128 || strchr(v, '"'))
			return msg(err, errsz, e, "4 to 128 characters, no "
				   "double quote");
		ag->password = mem_deref(ag->password);
		return str_dup(&ag->password, v);
	}
	else if (!strcmp(k, "ha1")) {
		if (strlen(v) != 32 || strspn(v, "0123456789abcdef") != 32)
			return msg(err, errsz, e, "32 lowercase hex digits: "
				   "MD5 of ID:REALM:PASSWORD");
		str_ncpy(ag->ha1, v, sizeof(ag->ha1));
	}
	else if (!strcmp(k, "autologin")) {
		if (yesno(v, &ag->autologin))
			return msg(err, errsz, e, "expected yes or no");
	}
	else if (!strcmp(k, "max_missed")) {
		if (num(v, 0, 100, &x))
			return msg(err, errsz, e, "expected 0 to 100");
		ag->acd.max_missed = (uint16_t)x;
	}
	else if (!strcmp(k, "queues")) {
		str_ncpy(buf, v, sizeof(buf));
		n = words(buf, w, CFG_MEMBERS_MAX);
		if (n > CFG_MEMBERS_MAX)
			return msg(err, errsz, e, "at most %d queues",
				   CFG_MEMBERS_MAX);
		ag->nmembers = 0;
		for (unsigned i = 0; i < n; i++) {
			struct cfg_member *m = &ag->members[ag->nmembers++];

			if (!strchr(w[i], ':')) {
				if (!name_ok(w[i]))
					goto badq;
				str_ncpy(m->queue, w[i], sizeof(m->queue));
				m->priority = 1;
				continue;
			}
			if (name_level(w[i], m->queue, sizeof(m->queue), 1,
				       255, &x))
				goto badq;
			m->priority = (uint8_t)x;
		}
	}
	else if (!strcmp(k, "skills")) {
		str_ncpy(buf, v, sizeof(buf));
		n = words(buf, w, CFG_SKILLS_MAX);
		if (n > CFG_SKILLS_MAX)
			return msg(err, errsz, e, "at most %d skills",
				   CFG_SKILLS_MAX);
		ag->nskills = 0;
		for (unsigned i = 0; i < n; i++) {
			struct cfg_skill_level *s = &ag->skills[ag->nskills++];

			if (name_level(w[i], s->skill, sizeof(s->skill),
				       ACD_LEVEL_MIN, ACD_LEVEL_MAX, &x))
				return msg(err, errsz, e, "expected SKILL:LEVEL"
					   " (level 1-10)");
			s->level = (uint8_t)x;
		}
	}
	else
		return msg(err, errsz, e, "unknown key (name, password, ha1, "
			   "autologin, max_missed, queues, skills)");
	(void)c;
	return 0;
 badq:
	return msg(err, errsz, e, "expected QUEUE or QUEUE:PRIORITY "
		   "(1-255)");
}

static int trunk_key(struct cfg_trunk *t, const struct ini_entry *e,
		     char *err, size_t errsz)
{
	const char *k = e->key, *v = e->value;
	char buf[INI_LINE_MAX], *w[CFG_SOURCES_MAX + 1];
	unsigned n;

	if (!strcmp(k, "from")) {
		str_ncpy(buf, v, sizeof(buf));
		n = words(buf, w, CFG_SOURCES_MAX);
		if (!n || n > CFG_SOURCES_MAX)
			return msg(err, errsz, e, "1 to %d addresses",
				   CFG_SOURCES_MAX);
		t->nfrom = 0;
		for (unsigned i = 0; i < n; i++) {
			struct cfg_source *s = &t->from[t->nfrom++];
			char *slash = strchr(w[i], '/');
			uint32_t bits = 32;

			if (slash) {
				*slash = '\0';
				if (num(slash + 1, 0, 32, &bits))
					goto bad;
			}
			if (sa_set_str(&s->addr, w[i], 0)
			    || sa_af(&s->addr) != AF_INET)
				goto bad;
			s->bits = bits;
		}
	}
	else if (!strcmp(k, "to")) {
		struct pl pl;
		struct uri uri;

		pl_set_str(&pl, v);
		if (uri_decode(&uri, &pl) || pl_strcmp(&uri.scheme, "sip"))
			return msg(err, errsz, e, "expected sip:HOST:PORT");
		t->to = mem_deref(t->to);
		return str_dup(&t->to, v);
	}
	else if (!strcmp(k, "prefix")) {
		if (strlen(v) > CFG_ID_MAX || strspn(v, "0123456789+*#")
		    != strlen(v))
			return msg(err, errsz, e, "digits only");
		str_ncpy(t->prefix, v, sizeof(t->prefix));
	}
	else
		return msg(err, errsz, e, "unknown key (from, to, prefix)");
	return 0;
 bad:
	return msg(err, errsz, e, "expected IPv4 ADDRESS or ADDRESS/BITS");
}

static int number_key(struct cfg_number *nu, const struct ini_entry *e,
		      char *err, size_t errsz)
{
	const char *k = e->key, *v = e->value;

	if (!strcmp(k, "campaign")) {
		if (!name_ok(v))
			return msg(err, errsz, e, "expected a campaign id");
		str_ncpy(nu->campaign, v, sizeof(nu->campaign));
		return 0;
	}
	if (!strcmp(k, "flow"))
		nu->kind = CFG_TO_FLOW;
	else if (!strcmp(k, "queue"))
		nu->kind = CFG_TO_QUEUE;
	else
		return msg(err, errsz, e, "unknown key (flow, queue, "
			   "campaign)");
	if (nu->target[0])
		return msg(err, errsz, e, "a number leads to one flow or "
			   "queue");
	if (!name_ok(v))
		return msg(err, errsz, e, "expected a name");
	str_ncpy(nu->target, v, sizeof(nu->target));
	return 0;
}

static int customer_key(struct cfg_customer *cu, const struct ini_entry *e,
			char *err, size_t errsz)
{
	const char *k = e->key, *v = e->value;
	char buf[INI_LINE_MAX], *w[CFG_PHONES_MAX + 1];
	uint32_t x;
	unsigned n;

	if (!strcmp(k, "name"))
		str_ncpy(cu->name, v, sizeof(cu->name));
	else if (!strcmp(k, "phone")) {
		str_ncpy(buf, v, sizeof(buf));
		n = words(buf, w, CFG_PHONES_MAX);
		if (!n || n + cu->nphones > CFG_PHONES_MAX)
			return msg(err, errsz, e, "1 to %d numbers in all",
				   CFG_PHONES_MAX);
		for (unsigned i = 0; i < n; i++) {
			if (!name_ok(w[i]))
				return msg(err, errsz, e, "bad number '%s'",
					   w[i]);
			str_ncpy(cu->phones[cu->nphones++], w[i],
				 sizeof(cu->phones[0]));
		}
	}
	else if (!strcmp(k, "vip")) {
		if (yesno(v, &cu->vip))
			return msg(err, errsz, e, "expected yes or no");
	}
	else if (!strcmp(k, "priority")) {
		if (snum(v, ACD_PRIO_MIN, ACD_PRIO_MAX, &cu->priority))
			return msg(err, errsz, e, "expected -1000 to 1000");
	}
	else if (!strcmp(k, "skill")) {
		str_ncpy(buf, v, sizeof(buf));
		if (name_level(buf, cu->skill, sizeof(cu->skill),
			       ACD_LEVEL_MIN, ACD_LEVEL_MAX, &x))
			return msg(err, errsz, e, "expected SKILL:LEVEL");
		cu->level = (uint8_t)x;
	}
	else
		return msg(err, errsz, e, "unknown key (name, phone, vip, "
			   "priority, skill)");
	return 0;
}

static bool dup_id(const char *id, const void *arr, unsigned n,
		   size_t size)
{
	for (unsigned i = 0; i < n; i++) {
		if (!strcmp((const char *)arr + i * size, id))
			return true;
	}
	return false;
}

/* A new section: create its object. */
static int on_section(const char *file, unsigned line, const char *sec,
		      const char *name, char *err, size_t errsz, void *arg)
{
	struct loader *l = arg;
	struct config *c = l->cfg;
	int e = 0;

	l->cur = NULL;
	str_ncpy(l->section, sec, sizeof(l->section));
	if (!strcmp(sec, "server") || !strcmp(sec, "flow")
	    || !strcmp(sec, "hours")) {
		if (!strcmp(sec, "server") ? name[0] != '\0' : !name_ok(name))
			goto badname;
		return 0;
	}
	if (!name_ok(name))
		goto badname;
#define NEW(arr, n, type) do {						\
		if (dup_id(name, c->arr, c->n, sizeof(type)))		\
			goto dup;					\
		e = grow((void **)&c->arr, c->n, sizeof(type));		\
		if (e)							\
			return e;					\
		memset(&c->arr[c->n], 0, sizeof(type));			\
		str_ncpy((char *)&c->arr[c->n], name, CFG_ID_MAX + 1);	\
		l->cur = &c->arr[c->n++];				\
	} while (0)
	if (!strcmp(sec, "skill")) {
		NEW(skills, nskills, c->skills[0]);
	}
	else if (!strcmp(sec, "queue")) {
		struct cfg_queue *q;

		NEW(queues, nqueues, struct cfg_queue);
		q = l->cur;
		q->line = line;
		acd_queue_conf_init(&q->acd);
		q->ring_ms = 15000;
		q->alert_wait_ms = 60000;
		q->callback_key = '\0';
		str_ncpy(q->moh, "moh", sizeof(q->moh));
	}
	else if (!strcmp(sec, "agent")) {
		struct cfg_agent *ag;

		NEW(agents, nagents, struct cfg_agent);
		ag = l->cur;
		ag->line = line;
		ag->autologin = true;
		acd_agent_conf_init(&ag->acd);
	}
	else if (!strcmp(sec, "trunk")) {
		NEW(trunks, ntrunks, struct cfg_trunk);
		((struct cfg_trunk *)l->cur)->line = line;
	}
	else if (!strcmp(sec, "number")) {
		NEW(numbers, nnumbers, struct cfg_number);
		((struct cfg_number *)l->cur)->line = line;
	}
	else if (!strcmp(sec, "customer")) {
		NEW(customers, ncustomers, struct cfg_customer);
		((struct cfg_customer *)l->cur)->line = line;
	}
	else if (!strcmp(sec, "user")) {
		NEW(users, nusers, struct cfg_user);
		((struct cfg_user *)l->cur)->line = line;
	}
	else if (!strcmp(sec, "apikey")) {
		NEW(apikeys, napikeys, struct cfg_apikey);
		((struct cfg_apikey *)l->cur)->line = line;
	}
	else if (!strcmp(sec, "disposition")) {
		NEW(dispositions, ndispositions, struct cfg_disposition);
		((struct cfg_disposition *)l->cur)->line = line;
	}
	else if (!strcmp(sec, "campaign")) {
		NEW(campaigns, ncampaigns, struct cfg_campaign);
		((struct cfg_campaign *)l->cur)->line = line;
	}
	else {
		re_snprintf(err, errsz, "%s:%u: unknown section [%s] (server,"
			    " skill, queue, agent, trunk, number, customer, "
			    "user, apikey, disposition, campaign, flow, "
			    "hours)", file,
			    line, sec);
		return EINVAL;
	}
#undef NEW
	return 0;
 badname:
	re_snprintf(err, errsz, "%s:%u: [%s] needs a name of letters, "
		    "digits, . _ - + (at most %d)%s", file, line, sec,
		    CFG_ID_MAX, !strcmp(sec, "server") ? " and takes none"
		    : "");
	return EINVAL;
 dup:
	re_snprintf(err, errsz, "%s:%u: [%s %s] is defined twice", file,
		    line, sec, name);
	return EEXIST;
}

static int role_parse(const char *v, enum cfg_role *role)
{
	if (!strcmp(v, "supervisor"))
		*role = CFG_ROLE_SUPERVISOR;
	else if (!strcmp(v, "admin"))
		*role = CFG_ROLE_ADMIN;
	else
		return EINVAL;
	return 0;
}

const char *config_role_name(enum cfg_role role)
{
	switch (role) {
	case CFG_ROLE_AGENT:      return "agent";
	case CFG_ROLE_SUPERVISOR: return "supervisor";
	case CFG_ROLE_ADMIN:      return "admin";
	}
	return "none";
}

static int user_key(struct cfg_user *u, const struct ini_entry *e,
		    char *err, size_t errsz)
{
	const char *k = e->key, *v = e->value;

	if (!strcmp(k, "name"))
		str_ncpy(u->name, v, sizeof(u->name));
	else if (!strcmp(k, "role")) {
		if (role_parse(v, &u->role))
			return msg(err, errsz, e, "expected supervisor or "
				   "admin, got '%s'", v);
	}
	else if (!strcmp(k, "password")) {
		if (strlen(v) < 8 || strlen(v) > 128)
			return msg(err, errsz, e, "8 to 128 characters");
		u->password = mem_deref(u->password);
		return str_dup(&u->password, v);
	}
	else
		return msg(err, errsz, e, "unknown key '%s' (name, role, "
			   "password)", k);
	return 0;
}

static int apikey_key(struct cfg_apikey *a, const struct ini_entry *e,
		      char *err, size_t errsz)
{
	const char *k = e->key, *v = e->value;

	if (!strcmp(k, "role")) {
		if (role_parse(v, &a->role))
			return msg(err, errsz, e, "expected supervisor or "
				   "admin, got '%s'", v);
	}
	else if (!strcmp(k, "key")) {
		if (strlen(v) < 32 || strlen(v) > 256)
			return msg(err, errsz, e, "32 to 256 characters (for "
				   "example: openssl rand -hex 32)");
		a->key = mem_deref(a->key);
		return str_dup(&a->key, v);
	}
	else
		return msg(err, errsz, e, "unknown key '%s' (role, key)", k);
	return 0;
}

/* Dispositions are few (a dozen codes): a scan is fine. */
const struct cfg_campaign *config_campaign(const struct config *c,
					   const char *id)
{
	for (unsigned i = 0; c && id && i < c->ncampaigns; i++)
		if (!strcmp(c->campaigns[i].id, id))
			return &c->campaigns[i];
	return NULL;
}

const struct cfg_disposition *config_disposition(const struct config *c,
						 const char *code)
{
	for (unsigned i = 0; i < c->ndispositions; i++)
		if (!strcmp(c->dispositions[i].id, code))
			return &c->dispositions[i];
	return NULL;
}

/* Users are few (supervisors, administrators): a scan is fine. */
const struct cfg_user *config_user(const struct config *c, const char *id)
{
	for (unsigned i = 0; i < c->nusers; i++)
		if (!strcmp(c->users[i].id, id))
			return &c->users[i];
	return NULL;
}

int config_password_hash(const char *password, const uint8_t *salt,
			 uint8_t *out)
{
	if (!PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt,
			       CFG_PW_SALT, CFG_PW_ITER, EVP_sha256(),
			       CFG_PW_HASH, out))
		return EINVAL;
	return 0;
}

static int on_entry(const struct ini_entry *e, char *err, size_t errsz,
		    void *arg)
{
	struct loader *l = arg;
	const char *s = e->section;

	if (!strcmp(s, "server"))
		return server_key(l, e, err, errsz);
	if (!strcmp(s, "flow") || !strcmp(s, "hours"))
		return flow_set_entry(l->cfg->flows, s, e->name, e->key,
				      e->value, e->file, e->line, err, errsz);
	if (!strcmp(s, "skill"))
		return msg(err, errsz, e, "a skill section has no keys");
	if (!strcmp(s, "queue"))
		return queue_key(l->cur, e, err, errsz);
	if (!strcmp(s, "agent"))
		return agent_key(l->cfg, l->cur, e, err, errsz);
	if (!strcmp(s, "trunk"))
		return trunk_key(l->cur, e, err, errsz);
	if (!strcmp(s, "number"))
		return number_key(l->cur, e, err, errsz);
	if (!strcmp(s, "customer"))
		return customer_key(l->cur, e, err, errsz);
	if (!strcmp(s, "user"))
		return user_key(l->cur, e, err, errsz);
	if (!strcmp(s, "apikey"))
		return apikey_key(l->cur, e, err, errsz);
	if (!strcmp(s, "campaign")) {
		struct cfg_campaign *cp = l->cur;

		if (!strcmp(e->key, "name")) {
			if (strlen(e->value) > CFG_ID_MAX)
				return msg(err, errsz, e, "at most %d "
					   "characters", CFG_ID_MAX);
			str_ncpy(cp->name, e->value, sizeof(cp->name));
			return 0;
		}
		if (!strcmp(e->key, "description")) {
			if (strlen(e->value) >= sizeof(cp->description))
				return msg(err, errsz, e, "at most %zu "
					   "characters",
					   sizeof(cp->description) - 1);
			str_ncpy(cp->description, e->value,
				 sizeof(cp->description));
			return 0;
		}
		return msg(err, errsz, e, "unknown key '%s' (name, "
			   "description)", e->key);
	}
	if (!strcmp(s, "disposition")) {
		struct cfg_disposition *d = l->cur;

		if (strcmp(e->key, "name"))
			return msg(err, errsz, e, "unknown key '%s' (name)",
				   e->key);
		str_ncpy(d->name, e->value, sizeof(d->name));
		return 0;
	}
	return msg(err, errsz, e, "unexpected key");
}

static bool skill_exists(const char *name, void *arg)
{
	const struct config *c = arg;

	return dup_id(name, c->skills, c->nskills, sizeof(c->skills[0]));
}

static bool queue_exists(const char *name, void *arg)
{
	return config_queue(arg, name) != NULL;
}

static bool prompt_exists(const char *name, void *arg)
{
	const struct config *c = arg;

	return prompt_file(c->prompts, name);
}

static int refmsg(char *err, size_t errsz, const char *file, unsigned line,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int refmsg(char *err, size_t errsz, const char *file, unsigned line,
		  const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	re_snprintf(err, errsz, "%s:%u: %s", file, line, buf);
	return EINVAL;
}

static int check_refs(struct config *c, char *err, size_t errsz)
{
	const char *f = c->file;
	uint8_t md[16];

	for (unsigned i = 0; i < c->nqueues; i++) {
		struct cfg_queue *q = &c->queues[i];

		if (q->overflow_queue[0]
		    && !config_queue(c, q->overflow_queue))
			return refmsg(err, errsz, f, q->line, "queue %s: "
				      "overflow to unknown queue '%s'", q->id,
				      q->overflow_queue);
		if (!strcmp(q->overflow_queue, q->id))
			return refmsg(err, errsz, f, q->line, "queue %s: "
				      "overflows to itself", q->id);
		if (!prompt_file(c->prompts, q->moh))
			return refmsg(err, errsz, f, q->line, "queue %s: no "
				      "prompt '%s' (music on hold) in %s",
				      q->id, q->moh, c->prompts);
		if (q->acd.max_wait_ms && q->acd.overflow == ACD_OVF_NONE)
			q->acd.overflow = ACD_OVF_DISCONNECT;
	}
	for (unsigned i = 0; i < c->nusers; i++) {
		struct cfg_user *u = &c->users[i];

		if (!u->role || !u->password)
			return refmsg(err, errsz, f, u->line, "user %s: needs "
				      "a role and a password", u->id);
		if (config_agent(c, u->id))
			return refmsg(err, errsz, f, u->line, "user %s: an "
				      "agent has that id; users and agents "
				      "log in with one name space", u->id);
		if (RAND_bytes(u->salt, sizeof(u->salt)) != 1 ||
		    config_password_hash(u->password, u->salt, u->hash))
			return refmsg(err, errsz, f, u->line, "user %s: "
				      "cannot hash the password", u->id);
		/* the clear text goes now: only the digest is kept */
		memset(u->password, 0, strlen(u->password));
		u->password = mem_deref(u->password);
	}
	for (unsigned i = 0; i < c->napikeys; i++) {
		struct cfg_apikey *a = &c->apikeys[i];

		if (!a->role || !a->key)
			return refmsg(err, errsz, f, a->line, "apikey %s: "
				      "needs a role and a key", a->id);
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(c->apikeys[j].key ? c->apikeys[j].key :
				    "", a->key))
				return refmsg(err, errsz, f, a->line,
					      "apikey %s: same key as "
					      "apikey %s", a->id,
					      c->apikeys[j].id);
		SHA256((const unsigned char *)a->key, strlen(a->key),
		       a->digest);
	}
	for (unsigned i = 0; i < c->napikeys; i++) {
		struct cfg_apikey *a = &c->apikeys[i];

		memset(a->key, 0, strlen(a->key));
		a->key = mem_deref(a->key);
	}
	for (unsigned i = 0; i < c->nagents; i++) {
		struct cfg_agent *ag = &c->agents[i];

		if (!ag->ha1[0] && !ag->password)
			return refmsg(err, errsz, f, ag->line, "agent %s: "
				      "needs a password (or ha1)", ag->id);
		if (ag->password) {
			md5_printf(md, "%s:%s:%s", ag->id, c->realm,
				   ag->password);
			re_snprintf(ag->ha1, sizeof(ag->ha1), "%w", md,
				    sizeof(md));
		}
		for (unsigned j = 0; j < ag->nmembers; j++) {
			if (!config_queue(c, ag->members[j].queue))
				return refmsg(err, errsz, f, ag->line,
					      "agent %s: unknown queue '%s'",
					      ag->id, ag->members[j].queue);
		}
		for (unsigned j = 0; j < ag->nskills; j++) {
			if (!skill_exists(ag->skills[j].skill, c))
				return refmsg(err, errsz, f, ag->line,
					      "agent %s: unknown skill '%s'; "
					      "add [skill %s]", ag->id,
					      ag->skills[j].skill,
					      ag->skills[j].skill);
		}
	}
	for (unsigned i = 0; i < c->nnumbers; i++) {
		struct cfg_number *nu = &c->numbers[i];
		bool ok = false;

		switch (nu->kind) {
		case CFG_TO_FLOW:
			ok = flow_set_has(c->flows, nu->target);
			break;
		case CFG_TO_QUEUE:
			ok = config_queue(c, nu->target) != NULL;
			break;
		}
		if (!nu->target[0])
			return refmsg(err, errsz, f, nu->line, "number %s: "
				      "needs a flow or a queue",
				      nu->number);
		if (!ok)
			return refmsg(err, errsz, f, nu->line, "number %s: "
				      "unknown %s '%s'", nu->number,
				      nu->kind == CFG_TO_FLOW ? "flow" :
				      "queue", nu->target);
		if (config_agent(c, nu->number))
			return refmsg(err, errsz, f, nu->line, "number %s: "
				      "is also an agent id", nu->number);
		if (nu->campaign[0] && !config_campaign(c, nu->campaign))
			return refmsg(err, errsz, f, nu->line, "number %s: "
				      "unknown campaign '%s'", nu->number,
				      nu->campaign);
	}
	for (unsigned i = 0; i < c->ncustomers; i++) {
		struct cfg_customer *cu = &c->customers[i];

		if (!cu->nphones)
			return refmsg(err, errsz, f, cu->line, "customer %s: "
				      "needs a phone", cu->id);
		if (cu->skill[0] && !skill_exists(cu->skill, c))
			return refmsg(err, errsz, f, cu->line, "customer %s: "
				      "unknown skill '%s'", cu->id,
				      cu->skill);
	}
	return 0;
}

static int index_build(struct config *c, char *err, size_t errsz);

int config_load(struct config **cfgp, const char *path, char *err,
		size_t errsz)
{
	struct flow_check chk;
	struct loader l;
	struct config *c;
	int e;

	if (!cfgp || !path || !err || !errsz)
		return EINVAL;
	c = mem_zalloc(sizeof(*c), destructor);
	if (!c)
		return ENOMEM;
	e = str_dup(&c->file, path);
	e |= str_dup(&c->database, "switchboard.db");
	e |= str_dup(&c->realm, "switchboard");
	e |= str_dup(&c->prompts, "prompts");
	e |= str_dup(&c->recordings, "recordings");
	e |= str_dup(&c->web, "web");
	e |= flow_set_alloc(&c->flows);
	if (e) {
		e = ENOMEM;
		goto out;
	}
	sa_set_str(&c->sip_addr, "0.0.0.0", 5060);
	sa_set_str(&c->http_addr, "127.0.0.1", 8080);
	sa_set_str(&c->rtp_addr, "127.0.0.1", 0);
	c->sip_udp = c->sip_tcp = true;
	c->rtp_min = 20000;
	c->rtp_max = 29999;
	c->session_ttl = 8 * 3600;
	c->events_heartbeat = 15;
	c->events_client_max = 4 * 1024 * 1024;
	str_ncpy(c->node, "sb", sizeof(c->node));

	memset(&l, 0, sizeof(l));
	l.cfg = c;
	l.file = path;
	e = ini_parse_file(path, on_section, on_entry, &l, err, errsz);
	if (e)
		goto out;
	e = index_build(c, err, errsz);
	if (e)
		goto out;
	e = check_refs(c, err, errsz);
	if (e)
		goto out;
	chk.prompt = prompt_exists;
	chk.queue = queue_exists;
	chk.skill = skill_exists;
	chk.arg = c;
	e = flow_set_check(c->flows, &chk, err, errsz);
 out:
	if (e)
		mem_deref(c);
	else
		*cfgp = c;
	return e;
}

/* The index: one hash of (kind, key) -> object over queues, agents,
 * numbers and customers' phones, built once the file is read (the arrays
 * no longer move then), so every lookup a call makes is O(1). */
enum idx_kind {
	IDX_QUEUE = 0,
	IDX_AGENT,
	IDX_NUMBER,
	IDX_PHONE
};

struct idx_entry {
	struct le he;
	enum idx_kind kind;
	const char *key;          /* borrowed from the object */
	const void *obj;
};

struct idx_key {
	enum idx_kind kind;
	const char *key;
};

static bool idx_cmp(struct le *le, void *arg)
{
	const struct idx_entry *e = le->data;
	const struct idx_key *k = arg;

	return e->kind == k->kind && !strcmp(e->key, k->key);
}

static uint32_t idx_hash(enum idx_kind kind, const char *key)
{
	return hash_joaat_str(key) ^ (uint32_t)kind;
}

static const void *idx_find(const struct config *c, enum idx_kind kind,
			    const char *key)
{
	struct idx_key k = {kind, key};
	struct le *le;

	if (!c || !key || !c->index)
		return NULL;
	le = hash_lookup(c->index, idx_hash(kind, key), idx_cmp, &k);
	return le ? ((struct idx_entry *)le->data)->obj : NULL;
}

static void idx_entry_destructor(void *arg)
{
	struct idx_entry *e = arg;

	hash_unlink(&e->he);
}

static int idx_add(struct config *c, enum idx_kind kind, const char *key,
		   const void *obj)
{
	struct idx_entry *e = mem_zalloc(sizeof(*e), idx_entry_destructor);

	if (!e)
		return ENOMEM;
	e->kind = kind;
	e->key = key;
	e->obj = obj;
	hash_append(c->index, idx_hash(kind, key), &e->he, e);
	return 0;
}

static int index_build(struct config *c, char *err, size_t errsz)
{
	unsigned n = c->nqueues + c->nagents + c->nnumbers;
	int e;

	for (unsigned i = 0; i < c->ncustomers; i++)
		n += c->customers[i].nphones;
	e = hash_alloc(&c->index, hash_valid_size(n < 16 ? 16 : n));
	for (unsigned i = 0; !e && i < c->nqueues; i++)
		e = idx_add(c, IDX_QUEUE, c->queues[i].id, &c->queues[i]);
	for (unsigned i = 0; !e && i < c->nagents; i++)
		e = idx_add(c, IDX_AGENT, c->agents[i].id, &c->agents[i]);
	for (unsigned i = 0; !e && i < c->nnumbers; i++)
		e = idx_add(c, IDX_NUMBER, c->numbers[i].number,
			    &c->numbers[i]);
	for (unsigned i = 0; !e && i < c->ncustomers; i++) {
		struct cfg_customer *cu = &c->customers[i];

		for (unsigned j = 0; !e && j < cu->nphones; j++) {
			const struct cfg_customer *o =
				idx_find(c, IDX_PHONE, cu->phones[j]);

			if (o && o != cu)
				return refmsg(err, errsz, c->file, cu->line,
					      "customer %s: phone %s is also "
					      "customer %s's", cu->id,
					      cu->phones[j], o->id);
			if (!o)
				e = idx_add(c, IDX_PHONE, cu->phones[j], cu);
		}
	}
	return e;
}

const struct cfg_queue *config_queue(const struct config *c, const char *id)
{
	return idx_find(c, IDX_QUEUE, id);
}

const struct cfg_agent *config_agent(const struct config *c, const char *id)
{
	return idx_find(c, IDX_AGENT, id);
}

const struct cfg_number *config_number(const struct config *c,
				       const char *number)
{
	return idx_find(c, IDX_NUMBER, number);
}

const struct cfg_customer *config_customer_by_phone(const struct config *c,
						    const char *phone)
{
	return idx_find(c, IDX_PHONE, phone);
}

static bool in_net(const struct cfg_source *s, const struct sa *a)
{
	uint32_t mask;

	if (sa_af(a) != AF_INET)
		return false;
	mask = s->bits ? ~0u << (32 - s->bits) : 0;
	return (sa_in(a) & mask) == (sa_in(&s->addr) & mask);
}

const struct cfg_trunk *config_trunk_from(const struct config *c,
					  const struct sa *src)
{
	for (unsigned i = 0; c && src && i < c->ntrunks; i++) {
		for (unsigned j = 0; j < c->trunks[i].nfrom; j++) {
			if (in_net(&c->trunks[i].from[j], src))
				return &c->trunks[i];
		}
	}
	return NULL;
}

const struct cfg_trunk *config_trunk_to(const struct config *c,
					const char *number)
{
	const struct cfg_trunk *best = NULL;
	size_t bestlen = 0;

	for (unsigned i = 0; c && number && i < c->ntrunks; i++) {
		const struct cfg_trunk *t = &c->trunks[i];
		size_t n = strlen(t->prefix);

		if (!t->to || strncmp(number, t->prefix, n))
			continue;
		if (!best || n > bestlen) {
			best = t;
			bestlen = n;
		}
	}
	return best;
}

/**
 * The outbound trunk for a number and the request URI to dial it
 * ("sip:NUMBER@HOST[:PORT]" from the trunk's `to`, checked at load).
 *
 * @return the trunk, or NULL when no trunk's prefix allows the number
 */
const struct cfg_trunk *config_trunk_dial(const struct config *c,
					  const char *number, char *uri,
					  size_t sz)
{
	const struct cfg_trunk *t = config_trunk_to(c, number);
	struct uri u;
	struct pl pl;

	if (!t)
		return NULL;
	pl_set_str(&pl, t->to);
	if (uri_decode(&u, &pl))
		return NULL;
	if (u.port)
		re_snprintf(uri, sz, "sip:%s@%r:%u", number, &u.host, u.port);
	else
		re_snprintf(uri, sz, "sip:%s@%r", number, &u.host);
	return t;
}
