/* sim/scenario.c  Scenario files: the INI-like text that describes a run.
 *
 *   [sim]            hours, warmup, seed, batches
 *   [skill NAME]     declares a skill (no keys)
 *   [queue NAME]     calls, aht, handle, patience, sl, strategy, wrapup,
 *                    max-wait, max-waiting, overflow, join, leave,
 *                    empty-action, offer-timeout, missed-delay,
 *                    skill-match, aging, type (repeatable), relax (rep.)
 *   [agents PREFIX]  count, first, queues, skills, shift, ring,
 *                    max-missed
 * This file reads files, lines, comments and sections; scenario_keys.c
 * handles each section's keys; docs/simulator.md describes them all.
 *
 * The input is untrusted, so the parser is strict and bounded: at most
 * 1 MiB, lines of at most 1024 bytes, no NUL bytes, names of 1..63 safe
 * characters, at most 40 values on a line, numbers of at most 12 integer
 * and 9 fraction digits, every number checked against its range before it
 * is stored.  The first error stops the parse and comes back as
 * "FILE:LINE: what: message", with any echoed input cut short and its
 * unprintable bytes replaced by '?'.  Cross-references (a group's queues,
 * a type's skills) may point forward; sim_conf_check() resolves them at
 * the end with the line of the reference.
 *
 * One pass, O(file size) plus the O(1) amortised cost of each addition.
 */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "libre.h"
#include "sim/sim.h"
#include "sim/scenario.h"

/* libc's vsnprintf, not libre's: the compiler checks these formats, and
 * libre prints no %g.  Bounded; a long message is cut short. */
int scenario_err(struct scenario_parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err && p->errsz) {
		if (p->what)
			(void)re_snprintf(p->err, p->errsz, "%s:%u: %s: %s",
					  p->fname, p->line, p->what, msg);
		else
			(void)re_snprintf(p->err, p->errsz, "%s:%u: %s",
					  p->fname, p->line, msg);
	}
	return EINVAL;
}

/* Input echoed in a message: at most SCENARIO_ECHO_MAX printable bytes. */
const char *scenario_echo(char buf[SCENARIO_ECHO_MAX + 4],
			  const struct scenario_tok *t)
{
	size_t n = t->l > SCENARIO_ECHO_MAX ? SCENARIO_ECHO_MAX : t->l, i;

	for (i = 0; i < n; i++) {
		char ch = t->p[i];

		buf[i] = (ch >= 0x20 && ch < 0x7f && ch != '"') ? ch : '?';
	}
	if (t->l > SCENARIO_ECHO_MAX) {
		memcpy(&buf[i], "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

bool scenario_tok_is(const struct scenario_tok *t, const char *s)
{
	size_t n = strlen(s);

	return t->l == n && !memcmp(t->p, s, n);
}

/* A name token into a NUL-terminated buffer, checked. */
int scenario_name(struct scenario_parser *p, const struct scenario_tok *t,
		  char *dst, const char *kind)
{
	char e[SCENARIO_ECHO_MAX + 4];

	if (t->l && t->l <= SIM_NAME_MAX) {
		memcpy(dst, t->p, t->l);
		dst[t->l] = '\0';
		if (sim_name_valid(dst))
			return 0;
	}
	return scenario_err(p, "bad %s name \"%s\"; use 1 to %d of A-Z a-z "
			    "0-9 _ . -", kind, scenario_echo(e, t),
			    SIM_NAME_MAX);
}

/* Unsigned decimal: 1..12 digits, optional fraction of 1..9 digits. */
static int num_scan(const struct scenario_tok *t, double *vp)
{
	size_t i = 0, nint = 0, nfrac = 0;
	uint64_t ip = 0, fp = 0, scale = 1;

	while (i < t->l && t->p[i] >= '0' && t->p[i] <= '9') {
		if (++nint > 12)
			return EBADMSG;
		ip = ip * 10 + (uint64_t)(t->p[i++] - '0');
	}
	if (!nint)
		return EBADMSG;
	if (i < t->l && t->p[i] == '.') {
		i++;
		while (i < t->l && t->p[i] >= '0' && t->p[i] <= '9') {
			if (++nfrac > 9)
				return EBADMSG;
			fp = fp * 10 + (uint64_t)(t->p[i++] - '0');
			scale *= 10;
		}
		if (!nfrac)
			return EBADMSG;
	}
	if (i != t->l)
		return EBADMSG;
	*vp = (double)ip + (double)fp / (double)scale;
	return 0;
}

int scenario_num(struct scenario_parser *p, const struct scenario_tok *t,
		 double lo, double hi, const char *key, double *vp)
{
	char e[SCENARIO_ECHO_MAX + 4];
	double v;

	if (num_scan(t, &v) || v < lo || v > hi)
		return scenario_err(p, "%s: bad number \"%s\"; expected %g .. "
				    "%g", key, scenario_echo(e, t), lo, hi);
	*vp = v;
	return 0;
}

int scenario_uint(struct scenario_parser *p, const struct scenario_tok *t,
		  uint32_t lo, uint32_t hi, const char *key, uint32_t *vp)
{
	char e[SCENARIO_ECHO_MAX + 4];
	uint64_t v = 0;

	if (!t->l || t->l > 10)
		goto bad;
	for (size_t i = 0; i < t->l; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			goto bad;
		v = v * 10 + (uint64_t)(t->p[i] - '0');
	}
	if (v < lo || v > hi)
		goto bad;
	*vp = (uint32_t)v;
	return 0;
 bad:
	return scenario_err(p, "%s: bad integer \"%s\"; expected %u .. %u",
			    key, scenario_echo(e, t), lo, hi);
}

/* Duration: a number with an optional unit s, m or h (default `unit`,
 * in seconds: 1 or 3600). */
int scenario_dur(struct scenario_parser *p, const struct scenario_tok *t,
		 double unit, double hi, const char *key, double *sp)
{
	char e[SCENARIO_ECHO_MAX + 4];
	struct scenario_tok n = *t;
	double v;

	if (n.l > 1) {
		switch (n.p[n.l - 1]) {
		case 's': unit = 1.0;    n.l--; break;
		case 'm': unit = 60.0;   n.l--; break;
		case 'h': unit = 3600.0; n.l--; break;
		default:  break;
		}
	}
	if (num_scan(&n, &v) || v * unit > hi)
		return scenario_err(p, "%s: bad duration \"%s\"; expected a "
				    "number of seconds (or with s, m, h) up "
				    "to %g s", key, scenario_echo(e, t), hi);
	*sp = v * unit;
	return 0;
}

uint32_t scenario_ms(double s)
{
	return (uint32_t)llround(s * 1000.0);
}

/* Split "NAME:NUM" (NUM optional when `def` >= 0). */
int scenario_pair(struct scenario_parser *p, const struct scenario_tok *t,
		  const char *kind, char *name, long lo, long hi, long def,
		  long *vp)
{
	char e[SCENARIO_ECHO_MAX + 4];
	struct scenario_tok a = *t, b = {NULL, 0};
	uint32_t v = 0;

	for (size_t i = 0; i < t->l; i++) {
		if (t->p[i] == ':') {
			a.l = i;
			b.p = t->p + i + 1;
			b.l = t->l - i - 1;
			break;
		}
	}
	if (scenario_name(p, &a, name, kind))
		return EINVAL;
	if (!b.p) {
		if (def < 0)
			return scenario_err(p, "%s \"%s\": missing \":LEVEL\"",
					    kind, name);
		*vp = def;
		return 0;
	}
	if (scenario_uint(p, &b, (uint32_t)lo, (uint32_t)hi, kind, &v)) {
		(void)scenario_err(p, "%s \"%s\": bad value \"%s\"; expected "
				   "%ld .. %ld", kind, name,
				   scenario_echo(e, &b), lo, hi);
		return EINVAL;
	}
	*vp = v;
	return 0;
}

static int words(struct scenario_parser *p, const char *s, size_t l,
		 struct scenario_tok *tv, unsigned *np)
{
	unsigned n = 0;
	size_t i = 0;

	while (i < l) {
		size_t j;

		while (i < l && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= l)
			break;
		j = i;
		while (j < l && s[j] != ' ' && s[j] != '\t')
			j++;
		if (n >= SCENARIO_TOK_MAX)
			return scenario_err(p, "more than %d values on one "
					    "line", SCENARIO_TOK_MAX);
		tv[n].p = s + i;
		tv[n].l = j - i;
		n++;
		i = j;
	}
	*np = n;
	return 0;
}

int scenario_want(struct scenario_parser *p, const char *key, unsigned n,
		unsigned lo, unsigned hi)
{
	if (n >= lo && n <= hi)
		return 0;
	if (lo == hi)
		return scenario_err(p, "%s: expected %u value%s, got %u", key,
				    lo, lo == 1 ? "" : "s", n);
	return scenario_err(p, "%s: expected %u to %u values, got %u", key, lo,
			    hi, n);
}

/* One bit per non-repeatable key, so a second setting is an error. */
int scenario_once(struct scenario_parser *p, unsigned bit, const char *key)
{
	if (p->seen & (1ULL << bit))
		return scenario_err(p, "%s set twice", key);
	p->seen |= 1ULL << bit;
	return 0;
}

/* Keys a section must have, checked when it ends. */
static int section_end(struct scenario_parser *p)
{
	unsigned line = p->line;
	int err = 0;

	if (p->sec == SCENARIO_SEC_AGENTS && !(p->seen & (1ULL << 2))) {
		p->line = p->sec_line;
		err = scenario_err(p, "missing count = N");
		p->line = line;
	}
	return err;
}

static int section(struct scenario_parser *p, const char *s, size_t l)
{
	struct scenario_tok tv[SCENARIO_TOK_MAX];
	char e[SCENARIO_ECHO_MAX + 4], name[SIM_NAME_MAX + 1];
	unsigned n;
	int err;

	if (section_end(p))
		return EINVAL;
	p->sec_line = p->line;
	p->what = NULL;
	p->q = NULL;
	p->g = NULL;
	p->seen = 0;
	if (l < 2 || s[l - 1] != ']')
		return scenario_err(p, "section header must end with ']'");
	if (words(p, s + 1, l - 2, tv, &n))
		return EINVAL;
	if (n == 1 && scenario_tok_is(&tv[0], "sim")) {
		if (p->sim_seen)
			return scenario_err(p, "[sim] given twice");
		p->sim_seen = true;
		p->sec = SCENARIO_SEC_SIM;
		p->what = "[sim]";
		return 0;
	}
	if (n == 1 && scenario_tok_is(&tv[0], "agents")) {
		name[0] = '\0';
	}
	else if (n == 2 && (scenario_tok_is(&tv[0], "skill") ||
			    scenario_tok_is(&tv[0], "queue") ||
			    scenario_tok_is(&tv[0], "agents"))) {
		bool agents = scenario_tok_is(&tv[0], "agents");

		if (scenario_name(p, &tv[1], name, agents ? "agent prefix" :
				  "section"))
			return EINVAL;
	}
	else {
		struct scenario_tok all = {s, l};

		return scenario_err(p, "unknown section \"%s\"; expected "
				    "[sim], [skill NAME], [queue NAME] or "
				    "[agents PREFIX]", scenario_echo(e, &all));
	}
	if (scenario_tok_is(&tv[0], "skill")) {
		p->sec = SCENARIO_SEC_SKILL;
		err = sim_skill_add(p->conf, name);
		if (err == EEXIST)
			return scenario_err(p, "skill \"%s\" declared twice",
					    name);
		if (err == ENOSPC)
			return scenario_err(p, "more than %d skills",
					    ACD_SKILL_MAX);
		(void)re_snprintf(p->whatbuf, sizeof(p->whatbuf),
				  "skill \"%s\"", name);
	}
	else if (scenario_tok_is(&tv[0], "queue")) {
		p->sec = SCENARIO_SEC_QUEUE;
		err = sim_queue_add(&p->q, p->conf, name);
		if (err == EEXIST)
			return scenario_err(p, "queue \"%s\" defined twice",
					    name);
		if (err == ENOSPC)
			return scenario_err(p, "more than %d queues",
					    SIM_QUEUE_MAX);
		if (!err)
			p->q->line = p->line;
		(void)re_snprintf(p->whatbuf, sizeof(p->whatbuf),
				  "queue \"%s\"", name);
	}
	else {
		p->sec = SCENARIO_SEC_AGENTS;
		err = sim_agents_add(&p->g, p->conf, name, 1, 1);
		if (err == ENOSPC)
			return scenario_err(p, "more than %d agent groups",
					    SIM_GROUP_MAX);
		if (!err)
			p->g->line = p->line;
		if (name[0])
			(void)re_snprintf(p->whatbuf, sizeof(p->whatbuf),
					  "agents \"%s\"", name);
		else
			str_ncpy(p->whatbuf, "[agents]", sizeof(p->whatbuf));
	}
	if (err)
		return scenario_err(p, "cannot add (error %d)", err);
	p->what = p->whatbuf;
	return 0;
}

static int keyline(struct scenario_parser *p, const char *s, size_t l)
{
	struct scenario_tok tv[SCENARIO_TOK_MAX];
	char key[32], e[SCENARIO_ECHO_MAX + 4];
	size_t eq, k;
	unsigned n;

	for (eq = 0; eq < l && s[eq] != '='; eq++)
		;
	if (eq == l) {
		struct scenario_tok all = {s, l};

		return scenario_err(p, "expected KEY = VALUE or [SECTION], "
				    "not \"%s\"", scenario_echo(e, &all));
	}
	k = eq;
	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	if (!k || k >= sizeof(key))
		goto badkey;
	for (size_t i = 0; i < k; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-'))
			goto badkey;
		key[i] = s[i];
	}
	key[k] = '\0';
	if (words(p, s + eq + 1, l - eq - 1, tv, &n))
		return EINVAL;
	if (!n)
		return scenario_err(p, "%s: missing value", key);
	switch (p->sec) {
	case SCENARIO_SEC_SIM:    return scenario_key_sim(p, key, tv, n);
	case SCENARIO_SEC_QUEUE:  return scenario_key_queue(p, key, tv, n);
	case SCENARIO_SEC_AGENTS: return scenario_key_agents(p, key, tv, n);
	case SCENARIO_SEC_SKILL:
		return scenario_err(p, "unknown key \"%s\"; a skill has no "
				    "settings", key);
	case SCENARIO_SEC_NONE:
	default:
		return scenario_err(p, "\"%s\" outside a section; start with "
				    "[sim], [skill NAME], [queue NAME] or "
				    "[agents PREFIX]", key);
	}
 badkey:
	{
		struct scenario_tok kt = {s, k};

		return scenario_err(p, "bad key \"%s\"; keys are lower-case "
				    "letters and '-'", scenario_echo(e, &kt));
	}
}

static int line(struct scenario_parser *p, const char *s, size_t l)
{
	size_t i;

	/* comments: '#' or ';' at the start or after a blank */
	for (i = 0; i < l; i++) {
		if ((s[i] == '#' || s[i] == ';') &&
		    (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
			l = i;
			break;
		}
	}
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r'))
		l--;
	while (l && (*s == ' ' || *s == '\t')) {
		s++;
		l--;
	}
	if (!l)
		return 0;
	if (*s == '[')
		return section(p, s, l);
	return keyline(p, s, l);
}

/**
 * Parse a scenario from memory; fname names it in messages.
 *
 * @return 0 and *confp; EINVAL with "FILE:LINE: message" in err; ENOMEM
 */
int sim_scenario_parse(struct sim_conf **confp, const char *buf, size_t len,
		       const char *fname, char *err, size_t errsz)
{
	struct scenario_parser p;
	size_t off = 0;
	int e;

	if (!confp || (!buf && len))
		return EINVAL;
	memset(&p, 0, sizeof(p));
	p.fname = fname ? fname : "scenario";
	p.err = err;
	p.errsz = errsz;
	if (err && errsz)
		err[0] = '\0';
	if (len > SCENARIO_FILE_MAX) {
		(void)re_snprintf(err, errsz, "%s: larger than %d bytes",
				  p.fname, SCENARIO_FILE_MAX);
		return EINVAL;
	}
	e = sim_conf_alloc(&p.conf);
	if (e)
		return e;
	while (off < len) {
		size_t end = off;

		p.line++;
		while (end < len && buf[end] != '\n') {
			if (!buf[end]) {
				e = scenario_err(&p, "NUL byte in the file");
				goto out;
			}
			end++;
		}
		if (end - off > SCENARIO_LINE_MAX) {
			p.what = NULL;
			e = scenario_err(&p, "line longer than %d bytes",
					 SCENARIO_LINE_MAX);
			goto out;
		}
		e = line(&p, buf + off, end - off);
		if (e)
			goto out;   /* EINVAL with a message, or ENOMEM */
		off = end + 1;
	}
	e = section_end(&p);
	if (!e)
		e = sim_conf_check(p.conf, p.fname, err, errsz);
 out:
	if (e)
		mem_deref(p.conf);
	else
		*confp = p.conf;
	return e;
}

/**
 * Read and parse a scenario file.
 *
 * @return 0 and *confp; EINVAL with a message in err (file unreadable or
 *         too large, or a parse error); ENOMEM
 */
int sim_scenario_load(struct sim_conf **confp, const char *path, char *err,
		      size_t errsz)
{
	FILE *f;
	char *buf;
	size_t n;
	int e;

	if (!confp || !path)
		return EINVAL;
	f = fopen(path, "rb");
	if (!f) {
		e = errno;
		(void)re_snprintf(err, errsz, "%s: cannot open: %m", path, e);
		return EINVAL;
	}
	buf = mem_alloc(SCENARIO_FILE_MAX + 1, NULL);
	if (!buf) {
		fclose(f);
		return ENOMEM;
	}
	n = fread(buf, 1, SCENARIO_FILE_MAX + 1, f);
	e = ferror(f) ? EIO : 0;
	fclose(f);
	if (e) {
		(void)re_snprintf(err, errsz, "%s: cannot read: %m", path, e);
		e = EINVAL;
	}
	else if (n > SCENARIO_FILE_MAX) {
		(void)re_snprintf(err, errsz, "%s: larger than %d bytes",
				  path, SCENARIO_FILE_MAX);
		e = EINVAL;
	}
	else {
		e = sim_scenario_parse(confp, buf, n, path, err, errsz);
	}
	mem_deref(buf);
	return e;
}
