/* api/recordings.c  Call recordings (docs/api.md):
 *
 *   GET /api/v1/recordings?agent=&queue=&from=&to=&before=&limit=
 *                                 the index, newest first, a page
 *   GET /api/v1/recordings/ID     one recording's metadata
 *   GET /api/v1/recordings/ID/audio   its WAV file (audio/wav)
 *
 * An agent sees only the recordings of the calls it answered (their
 * "agent" member): the list is narrowed to them, another's is 403.  A
 * supervisor and above see all.  Server paths are never shown.
 *
 * Metadata come from the store's reader thread (store_read_*), so every
 * handler is O(1) on the loop plus decoding the store's answer.
 *
 * The audio.  Files run to many MB (8 kHz stereo: 115 MB an hour), so
 * neither the read nor the send may hold the loop.  After the metadata
 * say who may have it, a detached thread per download resolves the path
 * with realpath(), refuses it unless it lies under the configured
 * recordings directory (404: a row naming any other file is never
 * served), reads the regular file (at most AUDIO_MAX bytes; over it 500)
 * into a malloc'd buffer and hands the job back through a libre mqueue
 * (the "hub"), which made on the loop thread runs its handler there.
 * The loop then streams the buffer: the headers, then one AUDIO_CHUNK
 * each time the connection's TCP send handler says the socket takes
 * more (libre's send queue holds at most 512 KiB, so one reply of the
 * whole file would fail).  Per loop turn: O(AUDIO_CHUNK).
 *
 * Lifetimes.  A download (struct audio_dl, loop thread) holds a
 * reference to its connection and to the hub; the hub lives while a
 * download does (made at first use, freed with the last).  The job a
 * thread works on is plain malloc'd memory, never a libre object, and
 * returns whole through the mqueue; the download it names holds an
 * extra reference while it is out, so the pointer stays valid.  At most
 * AUDIO_DL_MAX downloads run at once (503 past it): it bounds threads,
 * pipe messages and memory (each holds its file).  A connection that
 * closes mid-way is noticed by a one-second watch timer.  The
 * connection must not carry another request while the file streams
 * (HTTP pipelining): its reply would land inside the file.
 */

#define _XOPEN_SOURCE 700       /* realpath */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "libre.h"
#include "store/store.h"
#include "api/api_int.h"

enum {
	AUDIO_MAX = 256 * 1024 * 1024,  /* bytes of a file served */
	AUDIO_CHUNK = 256 * 1024,       /* bytes sent per loop turn */
	AUDIO_DL_MAX = 8,               /* downloads at once */
	AUDIO_WATCH_MS = 1000,
	ID_DIGITS_MAX = 18,
	META_DEPTH_MAX = 4,
};

/* GET /api/v1/recordings */
static void recordings_list(struct api_req *r)
{
	char agent[CFG_ID_MAX + 1], queue[CFG_ID_MAX + 1];
	struct store_call_query q;
	void *arg;
	int err;

	memset(&q, 0, sizeof(q));
	if (api_query_id(r->msg, "agent", agent, sizeof(agent), &q.agent) ==
	    EINVAL ||
	    api_query_id(r->msg, "queue", queue, sizeof(queue), &q.queue) ==
	    EINVAL) {
		(void)api_error(r->conn, 400, "agent and queue take a value "
				"of 1 to 63 bytes");
		return;
	}
	if (!api_page_params(r, &q, "an agent sees only the recordings of "
			     "its own calls"))
		return;
	arg = api_read_arg(r);
	err = store_read_recordings(r->cc->store, &q, api_read_reply, arg);
	api_read_fail(r, arg, err);
}

/* ---- one recording ---- */

/* What the answer's handler needs; a libre object on the loop thread. */
struct rec_ctx {
	struct http_conn *conn;       /* a reference */
	enum cfg_role role;
	char user[CFG_ID_MAX + 1];    /* who asks */
	char *root;                   /* audio: the recordings directory */
	int64_t id;
};

static void ctx_destructor(void *arg)
{
	struct rec_ctx *x = arg;

	mem_deref(x->conn);
	mem_deref(x->root);
}

/* The recording id of the path, or a 404 replied and false. */
static bool rec_id_arg(struct api_req *r, int64_t *id)
{
	const struct pl *a = &r->arg[0];

	if (!a->l || a->l > ID_DIGITS_MAX)
		goto bad;
	for (size_t i = 0; i < a->l; i++)
		if (a->p[i] < '0' || a->p[i] > '9')
			goto bad;
	*id = (int64_t)pl_u64(a);
	return true;
 bad:
	(void)api_error(r->conn, 404, "no such recording");
	return false;
}

static struct rec_ctx *ctx_alloc(struct api_req *r, int64_t id)
{
	struct rec_ctx *x = mem_zalloc(sizeof(*x), ctx_destructor);

	if (!x)
		return NULL;
	x->conn = mem_ref(r->conn);
	x->role = r->who.role;
	x->id = id;
	str_ncpy(x->user, r->who.user, sizeof(x->user));
	return x;
}

/* Decode the store's answer and check that x's principal may have it.
 * @return 0 (*odp set), EPERM (403 replied) or EBADMSG (500 replied) */
static int meta_check(struct rec_ctx *x, const char *json, size_t len,
		      struct odict **odp)
{
	struct odict *od = NULL;
	const char *agent;

	if (json_decode_odict(&od, 16, json, len, META_DEPTH_MAX)) {
		LOG_WARN("http", "recording %lld: the store's answer is not "
			 "JSON this server reads", (long long)x->id);
		(void)api_error(x->conn, 500, "the recording's record could "
				"not be read");
		return EBADMSG;
	}
	agent = odict_string(od, "agent");
	if (x->role == CFG_ROLE_AGENT && (!agent || strcmp(agent, x->user))) {
		mem_deref(od);
		(void)api_error(x->conn, 403, "an agent has only the "
				"recordings of its own calls");
		return EPERM;
	}
	*odp = od;
	return 0;
}

static void meta_reply(int err, const char *json, size_t len, void *arg)
{
	struct rec_ctx *x = arg;
	struct odict *od = NULL;

	if (err)
		api_read_reply(err, json, len, mem_ref(x->conn));
	else if (!meta_check(x, json, len, &od)) {
		odict_entry_del(od, "path");    /* never a server path */
		(void)api_json(x->conn, od);
	}
	mem_deref(od);
	mem_deref(x);
}

/* GET /api/v1/recordings/ID */
static void recording_one(struct api_req *r)
{
	struct rec_ctx *x;
	int64_t id;
	int err;

	if (!rec_id_arg(r, &id))
		return;
	x = ctx_alloc(r, id);
	if (!x) {
		(void)api_error(r->conn, 500, "out of memory");
		return;
	}
	err = store_read_recording(r->cc->store, id, meta_reply, x);
	if (err) {
		mem_deref(x);
		api_read_fail(r, NULL, err);
	}
}

/* ---- the audio ---- */

struct audio_hub {
	struct mqueue *mq;            /* jobs coming back from threads */
	struct list dls;              /* struct audio_dl: owner references */
};

static struct audio_hub *hub;         /* borrowed: its downloads own it */

struct audio_dl {
	struct le le;                 /* hub->dls */
	struct audio_hub *hub;        /* a reference */
	struct http_conn *conn;       /* a reference */
	struct tmr tmr;               /* sending: is the connection there? */
	int64_t id;
	uint8_t *buf;                 /* the file, malloc'd by the thread */
	size_t len, off;
	bool sending;
};

/* A thread's work: malloc'd, crosses threads whole. */
struct audio_job {
	struct audio_dl *dl;          /* a reference; never touched off the
				       * loop */
	struct mqueue *mq;            /* borrowed: dl holds the hub */
	char path[PATH_MAX];
	char root[PATH_MAX];
	uint8_t *buf;                 /* out: the file */
	size_t len;
	int err;                      /* out: 0, ENOENT, EFBIG, ENOMEM, EIO */
};

static void hub_destructor(void *arg)
{
	struct audio_hub *h = arg;

	mem_deref(h->mq);
	if (hub == h)
		hub = NULL;
}

static void dl_destructor(void *arg)
{
	struct audio_dl *dl = arg;
	struct tcp_conn *tc = http_conn_tcp(dl->conn);

	tmr_cancel(&dl->tmr);
	if (dl->sending && tc)
		(void)tcp_set_send(tc, NULL);  /* cannot fail with a tc */
	list_unlink(&dl->le);
	free(dl->buf);
	mem_deref(dl->conn);
	mem_deref(dl->hub);
}

/* The download is over (sent, failed or its connection gone). */
static void dl_end(struct audio_dl *dl)
{
	list_unlink(&dl->le);
	mem_deref(dl);
}

static struct audio_dl *dl_find(const struct http_conn *conn)
{
	struct le *le;

	if (!hub)
		return NULL;
	LIST_FOREACH(&hub->dls, le) {
		struct audio_dl *dl = le->data;

		if (dl->sending && dl->conn == conn)
			return dl;
	}
	return NULL;
}

/* The next chunk, queued on the connection; the end when all is. */
static void dl_send(struct audio_dl *dl)
{
	struct tcp_conn *tc = http_conn_tcp(dl->conn);
	struct mbuf mb;
	size_t n;
	int err;

	if (!tc) {
		dl_end(dl);
		return;
	}
	n = dl->len - dl->off;
	if (n > AUDIO_CHUNK)
		n = AUDIO_CHUNK;
	if (n) {
		mb.buf = dl->buf + dl->off;     /* borrowed, not freed */
		mb.size = n;
		mb.pos = 0;
		mb.end = n;
		err = tcp_send(tc, &mb);
		if (err) {
			LOG_WARN("http", "recording %lld: sending failed at "
				 "byte %zu: %m", (long long)dl->id, dl->off,
				 err);
			http_conn_close(dl->conn);
			dl_end(dl);
			return;
		}
		dl->off += n;
	}
	if (dl->off >= dl->len)
		dl_end(dl);       /* the rest is in libre's send queue */
}

/* The connection's socket takes more (arg: the http_conn, the TCP
 * connection's handler argument). */
static void dl_send_handler(void *arg)
{
	struct audio_dl *dl = dl_find(arg);

	if (dl)
		dl_send(dl);
	else if (http_conn_tcp(arg))
		(void)tcp_set_send(http_conn_tcp(arg), NULL);
}

static void dl_watch(void *arg)
{
	struct audio_dl *dl = arg;

	if (!http_conn_tcp(dl->conn)) {
		dl_end(dl);
		return;
	}
	tmr_start(&dl->tmr, AUDIO_WATCH_MS, dl_watch, dl);
}

/* The headers, then the chunks as the socket takes them. */
static void dl_start_send(struct audio_dl *dl)
{
	struct tcp_conn *tc = http_conn_tcp(dl->conn);
	struct mbuf *mb;
	int err;

	if (!tc) {
		dl_end(dl);
		return;
	}
	mb = mbuf_alloc(256);
	if (!mb) {
		(void)api_error(dl->conn, 500, "out of memory");
		dl_end(dl);
		return;
	}
	err = mbuf_printf(mb, "HTTP/1.1 200 OK\r\n"
			  "Content-Type: audio/wav\r\n"
			  "Content-Length: %zu\r\n"
			  "Content-Disposition: attachment; "
			  "filename=\"recording-%lld.wav\"\r\n"
			  "Cache-Control: private, no-store\r\n"
			  "\r\n", dl->len, (long long)dl->id);
	mb->pos = 0;
	err = err ? err : tcp_send(tc, mb);
	mem_deref(mb);
	if (err) {
		LOG_WARN("http", "recording %lld: cannot send: %m",
			 (long long)dl->id, err);
		http_conn_close(dl->conn);
		dl_end(dl);
		return;
	}
	dl->sending = true;
	err = tcp_set_send(tc, dl_send_handler);
	if (err) {
		LOG_WARN("http", "recording %lld: cannot send: %m",
			 (long long)dl->id, err);
		http_conn_close(dl->conn);
		dl_end(dl);
		return;
	}
	tmr_start(&dl->tmr, AUDIO_WATCH_MS, dl_watch, dl);
}

/* A job is back from its thread, on the loop. */
static void hub_handler(int id, void *data, void *arg)
{
	struct audio_job *j = data;
	struct audio_hub *h = mem_ref(arg);   /* outlives this handler */
	struct audio_dl *dl = j->dl;

	(void)id;
	dl->buf = j->buf;
	dl->len = j->len;
	if (!http_conn_tcp(dl->conn))
		dl_end(dl);               /* the client left */
	else if (j->err == ENOENT) {
		(void)api_error(dl->conn, 404, "no recording file for this "
				"id");
		dl_end(dl);
	}
	else if (j->err == EFBIG) {
		(void)api_error(dl->conn, 500, "the recording is over 256 "
				"MiB: too large to serve here; copy it from "
				"the server's recordings directory");
		dl_end(dl);
	}
	else if (j->err) {
		LOG_WARN("http", "recording %lld: cannot read its file: %m",
			 (long long)dl->id, j->err);
		(void)api_error(dl->conn, 500, "the recording's file could "
				"not be read");
		dl_end(dl);
	}
	else
		dl_start_send(dl);
	mem_deref(dl);                    /* the job's reference */
	free(j);
	mem_deref(h);
}

/* Thread: the file of j, if it lies under j->root, into j->buf. */
static int audio_file_read(struct audio_job *j)
{
	char root[PATH_MAX], path[PATH_MAX];
	struct stat sb;
	size_t n, got = 0;
	int fd, err = 0;

	if (!realpath(j->root, root) || !realpath(j->path, path))
		return ENOENT;
	n = strlen(root);
	if (strncmp(path, root, n) || (n > 1 && path[n] != '/') ||
	    !path[n])
		return ENOENT;                /* not under the directory */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOMEM ? ENOMEM : ENOENT;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		err = ENOENT;
		goto out;
	}
	if (sb.st_size > AUDIO_MAX) {
		err = EFBIG;
		goto out;
	}
	j->buf = malloc(sb.st_size ? (size_t)sb.st_size : 1);
	if (!j->buf) {
		err = ENOMEM;
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t k = read(fd, j->buf + got, (size_t)sb.st_size - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			err = errno;
			goto out;
		}
		if (!k)
			break;            /* shrank meanwhile: send what is */
		got += (size_t)k;
	}
	j->len = got;
 out:
	(void)close(fd);                  /* read-only: nothing to lose */
	if (err) {
		free(j->buf);
		j->buf = NULL;
	}
	return err;
}

static void *audio_thread(void *arg)
{
	struct audio_job *j = arg;
	const struct timespec pause = {0, 1000000};
	int e;

	j->err = audio_file_read(j);
	/* AUDIO_DL_MAX messages never fill the pipe; EAGAIN is retried */
	while ((e = mqueue_push(j->mq, 0, j)) == EAGAIN)
		(void)nanosleep(&pause, NULL);
	if (e)
		LOG_ERR("http", "recording: cannot hand a file back to the "
			"loop: %m; one download stays unanswered", e);
	return NULL;
}

/* A download of x's recording at path: a thread reads it. */
static int dl_start(struct rec_ctx *x, const char *path)
{
	struct audio_job *j = NULL;
	struct audio_dl *dl = NULL;
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	int err;

	if (hub && list_count(&hub->dls) >= AUDIO_DL_MAX)
		return EBUSY;
	if (strlen(path) >= PATH_MAX || strlen(x->root) >= PATH_MAX)
		return ENOENT;
	if (!hub) {
		struct audio_hub *h = mem_zalloc(sizeof(*h), hub_destructor);

		if (!h)
			return ENOMEM;
		err = mqueue_alloc(&h->mq, hub_handler, h);
		if (err) {
			mem_deref(h);
			return err;
		}
		hub = h;
	}
	else
		mem_ref(hub);
	dl = mem_zalloc(sizeof(*dl), dl_destructor);
	if (!dl) {
		mem_deref(hub);
		return ENOMEM;
	}
	dl->hub = hub;                    /* the reference taken above */
	dl->conn = mem_ref(x->conn);
	dl->id = x->id;
	tmr_init(&dl->tmr);
	list_append(&hub->dls, &dl->le, dl);
	j = malloc(sizeof(*j));
	if (!j) {
		err = ENOMEM;
		goto out;
	}
	memset(j, 0, sizeof(*j));
	j->dl = mem_ref(dl);
	j->mq = hub->mq;
	str_ncpy(j->path, path, sizeof(j->path));
	str_ncpy(j->root, x->root, sizeof(j->root));
	err = pthread_attr_init(&attr);
	if (err)
		goto out;
	err = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	if (!err)
		err = pthread_sigmask(SIG_BLOCK, &all, &old);
	if (!err) {
		err = pthread_create(&t, &attr, audio_thread, j);
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL); /* cannot
								 * fail */
	}
	(void)pthread_attr_destroy(&attr);      /* cannot fail */
 out:
	if (err) {
		if (j) {
			mem_deref(j->dl);
			free(j);
		}
		dl_end(dl);
	}
	return err;
}

static void audio_meta_reply(int err, const char *json, size_t len,
			     void *arg)
{
	struct rec_ctx *x = arg;
	struct odict *od = NULL;
	const char *path;

	if (err) {
		api_read_reply(err, json, len, mem_ref(x->conn));
		goto out;
	}
	if (meta_check(x, json, len, &od))
		goto out;
	path = odict_string(od, "path");
	if (!path || !x->root) {
		(void)api_error(x->conn, 404, "no recording file for this "
				"id");
		goto out;
	}
	err = dl_start(x, path);
	if (err == EBUSY)
		(void)api_error(x->conn, 503, "too many recordings being "
				"downloaded; try again");
	else if (err == ENOENT)
		(void)api_error(x->conn, 404, "no recording file for this "
				"id");
	else if (err) {
		LOG_WARN("http", "recording %lld: cannot start reading it: "
			 "%m", (long long)x->id, err);
		(void)api_error(x->conn, 500, "cannot read the recording "
				"now");
	}
 out:
	mem_deref(od);
	mem_deref(x);
}

/* GET /api/v1/recordings/ID/audio */
static void recording_audio(struct api_req *r)
{
	struct rec_ctx *x;
	int64_t id;
	int err;

	if (!rec_id_arg(r, &id))
		return;
	if (hub && list_count(&hub->dls) >= AUDIO_DL_MAX) {
		(void)api_error(r->conn, 503, "too many recordings being "
				"downloaded; try again");
		return;
	}
	x = ctx_alloc(r, id);
	if (!x || (r->cc->cfg->recordings &&
		   str_dup(&x->root, r->cc->cfg->recordings))) {
		mem_deref(x);
		(void)api_error(r->conn, 500, "out of memory");
		return;
	}
	err = store_read_recording(r->cc->store, id, audio_meta_reply, x);
	if (err) {
		mem_deref(x);
		api_read_fail(r, NULL, err);
	}
}

const struct api_route api_routes_recordings[] = {
	{"GET", "/api/v1/recordings",         recordings_list, CFG_ROLE_AGENT,
	 0},
	{"GET", "/api/v1/recordings/*",       recording_one,   CFG_ROLE_AGENT,
	 0},
	{"GET", "/api/v1/recordings/*/audio", recording_audio, CFG_ROLE_AGENT,
	 0},
	{NULL, NULL, NULL, 0, 0}
};
