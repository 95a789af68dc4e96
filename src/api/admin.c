/* api/admin.c  Changing the configuration through the API (admins):
 *
 *   GET    /api/v1/config/file        the configuration file, secrets
 *                                     masked as "********"
 *   POST   /api/v1/config/check       is this text a valid configuration?
 *   PUT    /api/v1/config/file        check it, write it, apply it live
 *                                     (If-Match: the GET's ETag, else
 *                                     412 when the file changed since)
 *   POST   /api/v1/agents             add an agent  } edits of the file's
 *   PUT    /api/v1/agents/ID          change one    } [agent] sections,
 *   DELETE /api/v1/agents/ID          remove one    } applied the same way
 *
 * The file stays the one source of truth: a change is written to it
 * (a temporary file, fsync, rename) and then applied to the running
 * server by center_reconfigure(), which changes queues, agents and the
 * rest without dropping a call, or refuses (409) what needs a restart or
 * would cut a call.  "********" in a submitted text stands for the secret
 * the same [section] key has in the current file, so an admin edits the
 * file without ever seeing a password or key.
 *
 * Checking a text means loading it as a configuration (config_load),
 * which hashes users' passwords (PBKDF2, ~10 ms each): that runs on a
 * thread of its own; the answer comes back to the loop through an
 * mqueue.  The threads are joined when the API is freed.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libre.h"
#include "api/api_int.h"

enum {
	CONFIG_BODY_MAX = 448 * 1024,
	FILE_MAX = 448 * 1024,
	SECRETS_MAX = 4096,
};

static const char MASK[] = "********";
static const char *const secret_keys[] = {"password", "key", "ha1"};

struct admin {
	struct api *api;              /* borrowed */
	struct mqueue *mq;
	struct list jobs;             /* running or done, not yet joined */
};

enum job_kind {
	JOB_CHECK,                    /* POST /config/check: say */
	JOB_APPLY,                    /* write and apply */
};

struct job {
	struct le le;                 /* admin->jobs */
	struct admin *ad;
	enum job_kind kind;
	pthread_t tid;
	bool started;
	struct http_conn *conn;       /* referenced */
	char *text;                   /* malloc'd: crosses threads */
	size_t len;
	struct config *cfg;           /* the thread's result */
	int err;
	char msg[512];
	uint16_t ok_code;             /* 200 or 201 */
	char what[96];                /* for the reply: "agent 1001" */
};

/* ---- text ---- */

/* One line of buf: [*p, eol) and the next line's start. */
static bool next_line(const char **p, const char *end, const char **eol)
{
	const char *nl;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*eol = nl ? nl : end;
	return true;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* A section header "[type name]" normalized to "type name" in buf; false
 * when the line is not a header. */
static bool header(const char *p, const char *eol, char *buf, size_t sz)
{
	const char *close;
	size_t n = 0;
	bool space = false;

	p = skip_ws(p, eol);
	if (p >= eol || *p != '[')
		return false;
	close = memchr(p, ']', (size_t)(eol - p));
	if (!close)
		return false;
	for (p++; p < close && n + 1 < sz; p++) {
		if (*p == ' ' || *p == '\t') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < sz)
			buf[n++] = ' ';
		space = false;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	return true;
}

/* A "key = value" line whose key is a secret's: the key, and the value
 * (trimmed, without a trailing comment) as [*v, *ve). */
static const char *secret_line(const char *p, const char *eol,
			       const char **v, const char **ve)
{
	p = skip_ws(p, eol);
	for (size_t i = 0; i < ARRAY_SIZE(secret_keys); i++) {
		size_t k = strlen(secret_keys[i]);
		const char *q;

		if ((size_t)(eol - p) <= k || memcmp(p, secret_keys[i], k))
			continue;
		q = skip_ws(p + k, eol);
		if (q >= eol || *q != '=')
			continue;
		*v = skip_ws(q + 1, eol);
		*ve = eol;
		for (const char *c = *v; c < eol; c++) {
			if ((*c == '#' || *c == ';') && c > *v &&
			    (c[-1] == ' ' || c[-1] == '\t')) {
				*ve = c;
				break;
			}
		}
		while (*ve > *v && ((*ve)[-1] == ' ' || (*ve)[-1] == '\t' ||
				    (*ve)[-1] == '\r'))
			(*ve)--;
		return secret_keys[i];
	}
	return NULL;
}

/* The key of a "key = value" line into buf; false for other lines. */
static bool line_key(const char *p, const char *eol, char *buf, size_t sz)
{
	size_t n = 0;

	p = skip_ws(p, eol);
	while (p < eol && n + 1 < sz && ((*p >= 'a' && *p <= 'z') ||
					  *p == '_'))
		buf[n++] = *p++;
	buf[n] = '\0';
	p = skip_ws(p, eol);
	return n && p < eol && *p == '=';
}

/* The file as it is, secrets replaced by MASK. */
static int mask(struct mbuf *out, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *eol, *v, *ve;
	int err = 0;

	while (!err && next_line(&p, end, &eol)) {
		const char *key = secret_line(p, eol, &v, &ve);

		if (key)          /* a comment after the value stays */
			err = mbuf_printf(out, "%s = %s%b", key, MASK, ve,
					  (size_t)(eol - ve));
		else
			err = mbuf_write_mem(out, (const uint8_t *)p,
					     (size_t)(eol - p));
		if (!err && eol < end)
			err = mbuf_write_u8(out, '\n');
		p = eol + 1;
	}
	return err;
}

/* MASK values of text, taken back from the same [section] key of cur. */
static int unmask(struct mbuf *out, const char *text, size_t len,
		  const char *cur, size_t curlen, char *why, size_t sz)
{
	const char *p = text, *end = text + len, *eol, *v, *ve;
	char sec[128] = "";
	unsigned line = 0;
	int err = 0;

	while (!err && next_line(&p, end, &eol)) {
		const char *key = secret_line(p, eol, &v, &ve);
		char h[128];

		line++;
		if (header(p, eol, h, sizeof(h)))
			str_ncpy(sec, h, sizeof(sec));
		if (!key || (size_t)(ve - v) != sizeof(MASK) - 1 ||
		    memcmp(v, MASK, sizeof(MASK) - 1)) {
			err = mbuf_write_mem(out, (const uint8_t *)p,
					     (size_t)(eol - p));
		}
		else {
			/* the current file's value for sec/key */
			const char *q = cur, *cend = cur + curlen, *ceol;
			const char *cv = NULL, *cve = NULL;
			char csec[128] = "";

			while (next_line(&q, cend, &ceol)) {
				const char *k2, *x, *xe;

				if (header(q, ceol, h, sizeof(h)))
					str_ncpy(csec, h, sizeof(csec));
				k2 = secret_line(q, ceol, &x, &xe);
				if (k2 && !strcmp(k2, key) &&
				    !strcmp(csec, sec)) {
					cv = x;
					cve = xe;
				}
				q = ceol + 1;
			}
			if (!cv || (cve - cv == sizeof(MASK) - 1 &&
				    !memcmp(cv, MASK, sizeof(MASK) - 1))) {
				re_snprintf(why, sz, "line %u: %s stands for "
					    "the current %s of [%s], which "
					    "has none: type it", line, MASK,
					    key, sec);
				return EINVAL;
			}
			/* and the submitted line's comment, if any */
			err = mbuf_printf(out, "%s = %b%b", key, cv,
					  (size_t)(cve - cv), ve,
					  (size_t)(eol - ve));
		}
		if (!err && eol < end)
			err = mbuf_write_u8(out, '\n');
		p = eol + 1;
	}
	return err;
}

/* The current file, whole (small: read on the loop). */
static int file_read(const char *path, char **textp, size_t *lenp)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return errno;
	buf = mem_alloc(FILE_MAX + 1, NULL);
	if (!buf) {
		fclose(f);
		return ENOMEM;
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	fclose(f);
	if (n > FILE_MAX) {
		mem_deref(buf);
		return EFBIG;
	}
	buf[n] = '\0';
	*textp = buf;
	*lenp = n;
	return 0;
}

/* Write text to path: a temporary file beside it, fsync, rename. */
static int file_write(const char *path, const char *text, size_t len)
{
	char tmp[1024];
	int fd, err = 0;

	if (re_snprintf(tmp, sizeof(tmp), "%s.new", path) < 0)
		return ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return errno;
	while (len) {
		ssize_t w = write(fd, text, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		text += w;
		len -= (size_t)w;
	}
	if (!err && fsync(fd))
		err = errno;
	if (close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err)
		(void)unlink(tmp);
	return err;
}

/* The malloc'd, NUL-terminated copy of mb's bytes (they cross to the
 * check's thread); NULL when out of memory. */
static char *text_of(const struct mbuf *mb, size_t *lenp)
{
	char *t = malloc(mb->end + 1);

	if (!t)
		return NULL;
	memcpy(t, mb->buf, mb->end);
	t[mb->end] = '\0';
	*lenp = mb->end;
	return t;
}

/* ---- the check, on a thread ---- */

static void *job_thread(void *arg)
{
	struct job *j = arg;
	char path[] = "/tmp/switchboard-config-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0) {
		j->err = errno;
		re_snprintf(j->msg, sizeof(j->msg), "cannot check: %m",
			    j->err);
		goto out;
	}
	if (write(fd, j->text, j->len) != (ssize_t)j->len) {
		j->err = EIO;
		re_snprintf(j->msg, sizeof(j->msg), "cannot check: a "
			    "temporary file could not be written");
	}
	(void)close(fd);
	if (!j->err) {
		char err[512] = "";
		size_t pl = strlen(path);

		j->err = config_load(&j->cfg, path, err, sizeof(err));
		/* "PATH:LINE: message": the temporary path means nothing */
		if (j->err)
			re_snprintf(j->msg, sizeof(j->msg), "%s%s",
				    strncmp(err, path, pl) ? "" : "line ",
				    strncmp(err, path, pl) ? err
				    : err + pl + (err[pl] == ':'));
	}
	(void)unlink(path);
 out:
	while (mqueue_push(j->ad->mq, 0, j) == EAGAIN)
		(void)poll(NULL, 0, 1);
	return NULL;
}

static void job_destructor(void *arg)
{
	struct job *j = arg;

	list_unlink(&j->le);
	mem_deref(j->conn);
	free(j->text);
	mem_deref(j->cfg);
}

static void reply_ok(struct job *j, const struct config *cfg)
{
	(void)http_creply(j->conn, j->ok_code, j->ok_code == 201 ? "Created"
			  : "OK", "application/json", "{\"ok\":true,%s%s%s"
			  "\"queues\":%u,\"agents\":%u,\"numbers\":%u,"
			  "\"users\":%u}\n", j->what[0] ? "\"changed\":\"" : "",
			  j->what, j->what[0] ? "\"," : "", cfg->nqueues,
			  cfg->nagents, cfg->nnumbers, cfg->nusers);
}

/* On the loop: the thread's verdict, then (to apply) the write and the
 * change. */
static void job_done(struct job *j)
{
	struct center *cc = j->ad->api->cc;
	char why[256];
	int err;

	if (j->err) {
		const char *m = j->msg;

		/* an agent's form has no line numbers: "line N: " goes */
		if (!strncmp(j->what, "agent ", 6) && !strncmp(m, "line ", 5) &&
		    strstr(m, ": "))
			m = strstr(m, ": ") + 2;
		(void)api_error(j->conn, j->cfg || j->err == EIO ? 500 : 400,
				m);
		return;
	}
	err = center_reconfigure_check(cc, j->cfg, why, sizeof(why));
	if (err) {
		(void)api_error(j->conn, 409, why);
		return;
	}
	if (j->kind == JOB_CHECK) {
		reply_ok(j, j->cfg);
		return;
	}
	/* the new configuration names the real file, not the checked copy */
	j->cfg->file = mem_deref(j->cfg->file);
	err = str_dup(&j->cfg->file, cc->cfg->file);
	err = err ? err : file_write(cc->cfg->file, j->text, j->len);
	if (err) {
		LOG_ERR("config", "cannot write %s: %m", cc->cfg->file, err);
		(void)api_error(j->conn, 500, "the configuration file could "
				"not be written; nothing changed");
		return;
	}
	err = center_reconfigure(cc, j->cfg, why, sizeof(why));
	if (err) {
		(void)api_error(j->conn, err == EBUSY || err == EPERM ? 409
				: 500, why);
		return;
	}
	reply_ok(j, cc->cfg);
}

static void mq_handler(int id, void *data, void *arg)
{
	struct job *j = data;
	(void)id;
	(void)arg;

	(void)pthread_join(j->tid, NULL);
	j->started = false;
	job_done(j);
	mem_deref(j);
}

/* Check (and for JOB_APPLY write and apply) text, replying on conn;
 * takes text (malloc'd). */
static void job_start(struct api_req *r, enum job_kind kind, char *text,
		      size_t len, uint16_t ok_code, const char *what)
{
	struct admin *ad = r->api->admin;
	struct job *j;
	sigset_t all, old;
	int err;

	j = mem_zalloc(sizeof(*j), job_destructor);
	if (!j) {
		free(text);
		(void)api_error(r->conn, 500, "out of memory");
		return;
	}
	j->ad = ad;
	j->kind = kind;
	j->conn = mem_ref(r->conn);
	j->text = text;
	j->len = len;
	j->ok_code = ok_code;
	str_ncpy(j->what, what ? what : "", sizeof(j->what));
	list_append(&ad->jobs, &j->le, j);
	/* signals stay with the loop's thread */
	sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&j->tid, NULL, job_thread, j);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		(void)api_error(r->conn, 500, "cannot start the check");
		mem_deref(j);
		return;
	}
	j->started = true;
}

/* The submitted text with its masked secrets filled in (malloc'd). */
static char *unmasked(struct api_req *r, size_t *len)
{
	struct mbuf *out = NULL;
	char *cur = NULL, *text = NULL, why[200];
	size_t curlen = 0;
	int err;

	if (!r->msg->mb || !mbuf_get_left(r->msg->mb)) {
		(void)api_error(r->conn, 400, "expected the configuration "
				"text");
		return NULL;
	}
	if (memchr(mbuf_buf(r->msg->mb), '\0', mbuf_get_left(r->msg->mb))) {
		(void)api_error(r->conn, 400, "a NUL byte in the text");
		return NULL;
	}
	err = file_read(r->cc->cfg->file, &cur, &curlen);
	out = mbuf_alloc(mbuf_get_left(r->msg->mb) + 1024);
	if (err || !out) {
		(void)api_error(r->conn, 500, "the current configuration "
				"file cannot be read");
		goto out;
	}
	err = unmask(out, (const char *)mbuf_buf(r->msg->mb),
		     mbuf_get_left(r->msg->mb), cur, curlen, why, sizeof(why));
	if (err) {
		(void)api_error(r->conn, err == EINVAL ? 400 : 500,
				err == EINVAL ? why : "out of memory");
		goto out;
	}
	text = text_of(out, len);
	if (!text)
		(void)api_error(r->conn, 500, "out of memory");
 out:
	mem_deref(out);
	mem_deref(cur);
	return text;
}

/* The file's version, for ETag and If-Match: "MD5-HEX". */
static void etag_of(const char *text, size_t len, char tag[35])
{
	uint8_t md[16];

	md5((const uint8_t *)text, len, md);
	re_snprintf(tag, 35, "\"%w\"", md, sizeof(md));
}

/* With If-Match, the text was edited from the file as it is now: else
 * someone changed it meanwhile (412 sent, false). */
static bool if_match(struct api_req *r)
{
	const struct http_hdr *h = http_msg_hdr(r->msg, HTTP_HDR_IF_MATCH);
	char *cur = NULL, tag[35];
	size_t len = 0;
	bool ok;

	if (!h || !pl_strcmp(&h->val, "*"))
		return true;
	if (file_read(r->cc->cfg->file, &cur, &len)) {
		(void)api_error(r->conn, 500, "the configuration file cannot "
				"be read");
		return false;
	}
	etag_of(cur, len, tag);
	mem_deref(cur);
	ok = !pl_strcmp(&h->val, tag);
	if (!ok)
		(void)api_error(r->conn, 412, "the configuration file changed "
				"since you read it: read it again (GET "
				"/api/v1/config/file)");
	return ok;
}

/* GET /api/v1/config/file */
static void file_get(struct api_req *r)
{
	struct mbuf *out = mbuf_alloc(4096);
	char *cur = NULL;
	size_t len = 0;
	int err;

	char tag[35];

	err = out ? file_read(r->cc->cfg->file, &cur, &len) : ENOMEM;
	err = err ? err : mask(out, cur, len);
	if (err) {
		(void)api_error(r->conn, 500, "the configuration file cannot "
				"be read");
	}
	else {
		etag_of(cur, len, tag);
		(void)http_reply(r->conn, 200, "OK",
				 "Content-Type: text/plain; charset=utf-8\r\n"
				 "ETag: %s\r\n"
				 "Content-Length: %zu\r\n"
				 "\r\n"
				 "%b", tag, out->end, out->buf, out->end);
	}
	mem_deref(cur);
	mem_deref(out);
}

/* POST /api/v1/config/check */
static void check(struct api_req *r)
{
	size_t len;
	char *text = unmasked(r, &len);

	if (text)
		job_start(r, JOB_CHECK, text, len, 200, NULL);
}

/* PUT /api/v1/config/file (If-Match: the ETag of the GET it edits) */
static void file_put(struct api_req *r)
{
	size_t len;
	char *text;

	if (!if_match(r))
		return;
	text = unmasked(r, &len);

	if (text) {
		LOG_INFO("config", "%s submits a new configuration",
			 r->who.user);
		job_start(r, JOB_APPLY, text, len, 200, "file");
	}
}

/* ---- agents: edits of [agent ID] sections ---- */

/* [agent id] in [cur, end): its header line (*hdr), the line after it
 * (*body), and where the next section starts (*stop, else end); *hdr and
 * *body NULL when there is none.  hdr or body may be NULL. */
static void agent_section(const char *cur, const char *end, const char *id,
			  const char **hdr, const char **body,
			  const char **stop)
{
	const char *p = cur, *eol, *h0 = NULL, *b0 = NULL;
	char want[CFG_ID_MAX + 16], h[128];

	*stop = end;
	re_snprintf(want, sizeof(want), "agent %s", id);
	while (next_line(&p, end, &eol)) {
		if (header(p, eol, h, sizeof(h))) {
			if (h0) {
				*stop = p;
				break;
			}
			if (!strcmp(h, want)) {
				h0 = p;
				b0 = eol < end ? eol + 1 : end;
			}
		}
		p = eol + 1;
	}
	if (hdr)
		*hdr = h0;
	if (body)
		*body = b0;
}

/* The current file with [agent id] replaced by section (NULL: removed;
 * appended when absent).  found tells whether it was there. */
static char *section_edit(const char *cur, size_t curlen, const char *id,
			  const char *section, size_t *lenp, bool *found)
{
	const char *end = cur + curlen, *start, *stop;
	struct mbuf *mb;
	char *out = NULL;

	agent_section(cur, end, id, &start, NULL, &stop);
	*found = start != NULL;
	mb = mbuf_alloc(curlen + 1024);
	if (!mb)
		return NULL;
	if (start) {
		(void)mbuf_write_mem(mb, (const uint8_t *)cur,
				     (size_t)(start - cur));
		if (section)
			(void)mbuf_write_str(mb, section);
		(void)mbuf_write_mem(mb, (const uint8_t *)stop,
				     (size_t)(end - stop));
	}
	else {
		(void)mbuf_write_mem(mb, (const uint8_t *)cur, curlen);
		if (curlen && cur[curlen - 1] != '\n')
			(void)mbuf_write_u8(mb, '\n');
		if (section) {
			(void)mbuf_write_u8(mb, '\n');
			(void)mbuf_write_str(mb, section);
		}
	}
	out = text_of(mb, lenp);
	mem_deref(mb);
	return out;
}

/* [agent id] of cur with the keys of set[] (key, line text; line NULL:
 * drop the key) replaced in place or added at its end; every other line
 * (comments, other keys) kept.  NULL when there is no such section. */
struct kv {
	const char *key;
	const char *line;             /* "key = value\n", or NULL */
	bool done;
};

static char *section_update(const char *cur, size_t curlen, const char *id,
			    struct kv *set, size_t nset, size_t *lenp)
{
	const char *p, *end = cur + curlen, *eol, *start, *stop, *tail;
	char k[32];
	struct mbuf *mb;
	char *out = NULL;

	agent_section(cur, end, id, NULL, &start, &stop);
	if (!start)
		return NULL;
	/* new keys go after the section's last non-blank line */
	tail = stop;
	while (tail > start) {
		const char *b = tail - 1;

		while (b > start && b[-1] != '\n')
			b--;
		if (skip_ws(b, tail) < tail - 1 ||
		    (tail - b > 1 && *skip_ws(b, tail) != '\n'))
			break;
		tail = b;
	}
	mb = mbuf_alloc(curlen + 1024);
	if (!mb)
		return NULL;
	(void)mbuf_write_mem(mb, (const uint8_t *)cur, (size_t)(start - cur));
	for (p = start; p < tail && next_line(&p, tail, &eol); p = eol + 1) {
		size_t i;

		if (line_key(p, eol, k, sizeof(k))) {
			for (i = 0; i < nset && strcmp(set[i].key, k); i++)
				;
			if (i < nset) {
				if (set[i].line && !set[i].done)
					(void)mbuf_write_str(mb, set[i].line);
				set[i].done = true;
				continue;
			}
		}
		(void)mbuf_write_mem(mb, (const uint8_t *)p,
				     (size_t)(eol - p));
		(void)mbuf_write_u8(mb, '\n');
	}
	for (size_t i = 0; i < nset; i++) {
		if (set[i].line && !set[i].done)
			(void)mbuf_write_str(mb, set[i].line);
	}
	(void)mbuf_write_mem(mb, (const uint8_t *)tail, (size_t)(end - tail));
	out = text_of(mb, lenp);
	mem_deref(mb);
	return out;
}

/* A value safe on one ini line: printable, no comment start. */
static bool line_ok(const char *v, size_t max)
{
	size_t n = strlen(v);

	if (n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c == 0x7f || c == '#' || c == ';' ||
		    c == '[' || c == ']')
			return false;
	}
	return true;
}

/* "sales support:2" from ["sales", "support:2"]; false when a member
 * is not a string of [A-Za-z0-9._:-]. */
static bool words_of(const struct odict *in, const char *key, char *buf,
		     size_t sz)
{
	const struct odict_entry *e = odict_lookup(in, key);
	struct le *le;
	size_t n = 0;

	buf[0] = '\0';
	if (!e || e->type == ODICT_NULL)
		return true;
	if (e->type != ODICT_ARRAY)
		return false;
	LIST_FOREACH(&e->u.odict->lst, le) {
		const struct odict_entry *w = le->data;
		size_t l;

		if (w->type != ODICT_STRING)
			return false;
		l = strlen(w->u.str);
		if (!l || strspn(w->u.str, "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-")
		    != l || n + l + 2 > sz)
			return false;
		n += (size_t)re_snprintf(buf + n, sz - n, "%s%s", n ? " " : "",
					 w->u.str);
	}
	return true;
}

/* POST /api/v1/agents and PUT /api/v1/agents/ID:
 * {"id" (POST), "name", "password" (POST; PUT keeps it when absent),
 *  "queues": ["sales", "support:2"], "skills": ["english:5"],
 *  "autologin": bool} */
static void agent_write(struct api_req *r, bool create)
{
	struct odict *in = NULL;
	char id[CFG_ID_MAX + 1], queues[1024], skills[1024];
	char *cur = NULL, *text = NULL, what[96];
	const char *name, *password;
	const struct odict_entry *al;
	size_t curlen = 0, len = 0;
	struct mbuf *sec = NULL;
	bool found;
	int err;

	if (!create && !api_arg(r, 0, id, sizeof(id), "no such agent"))
		return;
	if (api_body(r, &in))
		return;
	if (create) {
		const char *bid = odict_string(in, "id");

		if (!bid || !customer_id_ok(bid)) {
			(void)api_error(r->conn, 400, "\"id\" must be 1 to 63 "
					"of A-Z a-z 0-9 . _ - (the SIP user "
					"name)");
			goto out;
		}
		str_ncpy(id, bid, sizeof(id));
		if (center_agent(r->cc, id)) {
			(void)api_error(r->conn, 409, "an agent with this id "
					"exists: PUT /api/v1/agents/ID changes "
					"it");
			goto out;
		}
	}
	else if (!center_agent(r->cc, id)) {
		(void)api_error(r->conn, 404, "no such agent");
		goto out;
	}
	name = odict_string(in, "name");
	password = odict_string(in, "password");
	al = odict_get_type(in, ODICT_BOOL, "autologin");
	if ((odict_lookup(in, "name") && (!name || !line_ok(name, 63))) ||
	    (odict_lookup(in, "password") && (!password ||
					      strlen(password) < 4 ||
					      !strcmp(password, MASK) ||
					      !line_ok(password, 128) ||
					      strchr(password, '"'))) ||
	    (odict_lookup(in, "autologin") && !al) ||
	    !words_of(in, "queues", queues, sizeof(queues)) ||
	    !words_of(in, "skills", skills, sizeof(skills))) {
		(void)api_error(r->conn, 400, "expected \"name\" (text), "
				"\"password\" (4 to 128 characters, no # ; \" "
				"[ ], not ********), \"queues\" and \"skills\" (arrays of "
				"NAME or NAME:NUMBER), \"autologin\" (bool)");
		goto out;
	}
	err = file_read(r->cc->cfg->file, &cur, &curlen);
	if (err) {
		(void)api_error(r->conn, 500, "the configuration file cannot "
				"be read");
		goto out;
	}
	if (create && !password) {
		(void)api_error(r->conn, 400, "\"password\" is needed (the "
				"agent's SIP and desktop password)");
		goto out;
	}
	if (create) {
		sec = mbuf_alloc(512);
		err = sec ? 0 : ENOMEM;
		err = err ? err : mbuf_printf(sec, "[agent %s]\n", id);
		if (!err && name && *name)
			err = mbuf_printf(sec, "name = %s\n", name);
		err = err ? err : mbuf_printf(sec, "password = %s\n",
					      password);
		if (!err && queues[0])
			err = mbuf_printf(sec, "queues = %s\n", queues);
		if (!err && skills[0])
			err = mbuf_printf(sec, "skills = %s\n", skills);
		if (!err && al)
			err = mbuf_printf(sec, "autologin = %s\n",
					  al->u.boolean ? "yes" : "no");
		err = err ? err : mbuf_write_u8(sec, '\n');
		err = err ? err : mbuf_write_u8(sec, '\0');
		text = err ? NULL : section_edit(cur, curlen, id,
						 (char *)sec->buf, &len,
						 &found);
	}
	else {
		/* only the keys given change; the rest of the section (other
		 * keys, comments) stays; a new password replaces an ha1 */
		struct kv set[6];
		char l_name[96], l_pw[160], l_q[1100], l_s[1100], l_al[32];
		size_t n = 0;

		if (name) {
			re_snprintf(l_name, sizeof(l_name), "name = %s\n",
				    name);
			set[n++] = (struct kv){"name", *name ? l_name : NULL,
					       false};
		}
		if (password) {
			re_snprintf(l_pw, sizeof(l_pw), "password = %s\n",
				    password);
			set[n++] = (struct kv){"password", l_pw, false};
			set[n++] = (struct kv){"ha1", NULL, false};
		}
		if (odict_lookup(in, "queues")) {
			re_snprintf(l_q, sizeof(l_q), "queues = %s\n", queues);
			set[n++] = (struct kv){"queues", queues[0] ? l_q
					       : NULL, false};
		}
		if (odict_lookup(in, "skills")) {
			re_snprintf(l_s, sizeof(l_s), "skills = %s\n", skills);
			set[n++] = (struct kv){"skills", skills[0] ? l_s
					       : NULL, false};
		}
		if (al) {
			re_snprintf(l_al, sizeof(l_al), "autologin = %s\n",
				    al->u.boolean ? "yes" : "no");
			set[n++] = (struct kv){"autologin", l_al, false};
		}
		text = section_update(cur, curlen, id, set, n, &len);
		memset(l_pw, 0, sizeof(l_pw));
		if (!text) {
			(void)api_error(r->conn, 404, "the agent is not in "
					"the configuration file");
			goto out;
		}
	}
	if (!text) {
		(void)api_error(r->conn, 500, "out of memory");
		goto out;
	}
	re_snprintf(what, sizeof(what), "agent %s", id);
	LOG_INFO("config", "%s %s agent %s", r->who.user, create ? "adds"
		 : "changes", id);
	job_start(r, JOB_APPLY, text, len, create ? 201 : 200, what);
 out:
	mem_deref(sec);
	mem_deref(cur);
	mem_deref(in);
}

static void agent_create(struct api_req *r)
{
	agent_write(r, true);
}

static void agent_change(struct api_req *r)
{
	agent_write(r, false);
}

static void agent_delete(struct api_req *r)
{
	char id[CFG_ID_MAX + 1], *cur = NULL, *text, what[96];
	size_t curlen = 0, len = 0;
	bool found;

	if (!api_arg(r, 0, id, sizeof(id), "no such agent"))
		return;
	if (!center_agent(r->cc, id)) {
		(void)api_error(r->conn, 404, "no such agent");
		return;
	}
	if (file_read(r->cc->cfg->file, &cur, &curlen)) {
		(void)api_error(r->conn, 500, "the configuration file cannot "
				"be read");
		return;
	}
	text = section_edit(cur, curlen, id, NULL, &len, &found);
	mem_deref(cur);
	if (!text || !found) {
		free(text);
		(void)api_error(r->conn, found ? 500 : 404, found ?
				"out of memory" : "the agent is not in the "
				"configuration file");
		return;
	}
	re_snprintf(what, sizeof(what), "agent %s", id);
	LOG_INFO("config", "%s removes agent %s", r->who.user, id);
	job_start(r, JOB_APPLY, text, len, 200, what);
}

const struct api_route api_routes_admin[] = {
	{"GET",    "/api/v1/config/file",  file_get, CFG_ROLE_ADMIN, 0},
	{"PUT",    "/api/v1/config/file",  file_put, CFG_ROLE_ADMIN,
	 CONFIG_BODY_MAX},
	{"POST",   "/api/v1/config/check", check,    CFG_ROLE_ADMIN,
	 CONFIG_BODY_MAX},
	{"POST",   "/api/v1/agents",       agent_create, CFG_ROLE_ADMIN, 0},
	{"PUT",    "/api/v1/agents/*",     agent_change, CFG_ROLE_ADMIN, 0},
	{"DELETE", "/api/v1/agents/*",     agent_delete, CFG_ROLE_ADMIN, 0},
	{NULL, NULL, NULL, 0, 0}
};

static void admin_destructor(void *arg)
{
	struct admin *ad = arg;
	struct le *le;

	/* a check still running finishes first (it takes milliseconds) */
	for (le = ad->jobs.head; le; le = le->next) {
		struct job *j = le->data;

		if (j->started)
			(void)pthread_join(j->tid, NULL);
		j->started = false;
	}
	list_flush(&ad->jobs);
	mem_deref(ad->mq);
}

int admin_alloc(struct admin **adp, struct api *api)
{
	struct admin *ad = mem_zalloc(sizeof(*ad), admin_destructor);
	int err;

	if (!ad)
		return ENOMEM;
	ad->api = api;
	list_init(&ad->jobs);
	err = mqueue_alloc(&ad->mq, mq_handler, ad);
	if (err)
		mem_deref(ad);
	else
		*adp = ad;
	return err;
}
