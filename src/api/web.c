/* api/web.c  The browser pages (agent desktop, later the wallboard),
 * served as plain files from the `[server] web` directory (docs/web.md).
 *
 *   GET /               ROOT/index.html
 *   GET /web/NAME       ROOT/NAME, NAME may hold subdirectories
 *
 * HEAD is answered too (the same headers, no body); other methods get
 * 405.  The pages are public: the API they call is what needs credentials
 * (http.c, auth.c).
 *
 * The URL path is checked before any file is touched, as it comes from
 * the network: at most WEB_PATH_MAX bytes of [A-Za-z0-9._/-] only, so a
 * backslash, a NUL, a percent escape (never decoded here) or a space is
 * refused (400), and so are "//" and ".." anywhere.  A name segment that
 * starts with a dot (".git", ".env") is hidden: 404, like a missing file
 * or an extension not in the table below.  Only regular files are sent.
 * Symbolic links inside ROOT are followed: ROOT is the operator's
 * directory, what it links to is the operator's choice.
 *
 * Costs.  A file is read whole with blocking open/read on the loop
 * thread, against STYLE.md 6.  That is acceptable only because these are
 * a few small files (under 1 MiB, refused above), read from the page
 * cache in microseconds, once per page load; a cache filled at start-up
 * (or a reader thread) replaces this when the pages grow.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libre.h"
#include "api/api_int.h"

enum {
	WEB_PATH_MAX = 256,               /* bytes of URL path */
	WEB_FILE_MAX = 1024 * 1024,       /* bytes of one file */
};

static const struct {
	const char *ext;
	const char *ctype;
} web_types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js",   "text/javascript; charset=utf-8"},
	{".mjs",  "text/javascript; charset=utf-8"},
	{".css",  "text/css; charset=utf-8"},
	{".svg",  "image/svg+xml"},
	{".png",  "image/png"},
	{".json", "application/json"},
};

static bool web_has_prefix(const struct pl *pl, const char *prefix)
{
	const size_t n = strlen(prefix);

	return pl->l >= n && !memcmp(pl->p, prefix, n);
}

static bool web_has_suffix(const struct pl *pl, const char *suffix)
{
	const size_t n = strlen(suffix);

	return pl->l >= n && !memcmp(pl->p + pl->l - n, suffix, n);
}

bool web_path(const struct pl *path)
{
	return path && (!pl_strcmp(path, "/")
			|| web_has_prefix(path, "/web/"));
}

int web_resolve(const struct pl *path, struct pl *rel, const char **ctype)
{
	static const char index_html[] = "index.html";

	if (!path || !rel || !ctype)
		return EINVAL;
	if (!pl_strcmp(path, "/")) {
		pl_set_str(rel, index_html);
		*ctype = web_types[0].ctype;
		return 0;
	}
	if (!web_has_prefix(path, "/web/") || path->l > WEB_PATH_MAX)
		return EINVAL;
	for (size_t i = 0; i < path->l; i++) {
		const char ch = path->p[i];
		const char next = i + 1 < path->l ? path->p[i + 1] : '\0';

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
		      || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_'
		      || ch == '/' || ch == '-'))
			return EINVAL;
		if ((ch == '/' || ch == '.') && next == ch)
			return EINVAL;           /* "//" or ".." */
	}
	rel->p = path->p + 5;             /* after "/web/" */
	rel->l = path->l - 5;
	/* hidden segments, and empty ones (a trailing slash: a directory) */
	for (size_t i = 0; i <= rel->l; i++) {
		if (i == rel->l || rel->p[i] == '/') {
			if (!i || rel->p[i - 1] == '/')
				return ENOENT;
		}
		else if (rel->p[i] == '.' && (!i || rel->p[i - 1] == '/'))
			return ENOENT;
	}
	for (size_t i = 0; i < ARRAY_SIZE(web_types); i++) {
		if (web_has_suffix(rel, web_types[i].ext)) {
			*ctype = web_types[i].ctype;
			return 0;
		}
	}
	return ENOENT;
}

/* One reply, with the body left out for HEAD (RFC 9110 9.3.2). */
static int web_reply(struct http_conn *conn, bool head, uint16_t scode,
		     const char *reason, const char *ctype, const char *extra,
		     const uint8_t *body, size_t len)
{
	return http_reply(conn, scode, reason,
			  "Content-Type: %s\r\n"
			  "Content-Length: %zu\r\n"
			  "Cache-Control: no-cache\r\n"
			  "X-Content-Type-Options: nosniff\r\n"
			  "%s"
			  "\r\n"
			  "%b",
			  ctype, len, extra ? extra : "",
			  body, head ? (size_t)0 : len);
}

/* msg is a constant without quotes or backslashes: no JSON escaping. */
static int web_error(struct http_conn *conn, bool head, uint16_t scode,
		     const char *reason, const char *extra, const char *msg)
{
	char body[160];
	int n;

	n = re_snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", msg);
	if (n < 0)
		return ENOMEM;
	return web_reply(conn, head, scode, reason, "application/json", extra,
			 (const uint8_t *)body, (size_t)n);
}

/* Read the whole regular file at path into *bufp (*lenp bytes).
 * @return 0, ENOENT (missing, not a regular file, no access), EFBIG
 *         (over WEB_FILE_MAX) or another errno of open/read */
static int web_file_read(const char *path, uint8_t **bufp, size_t *lenp)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return (errno == ENOTDIR || errno == EACCES || errno == ELOOP
			|| errno == ENAMETOOLONG) ? ENOENT : errno;
	if (fstat(fd, &st)) {
		err = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = ENOENT;
		goto out;
	}
	if (st.st_size > WEB_FILE_MAX) {
		err = EFBIG;
		goto out;
	}
	buf = mem_alloc((size_t)st.st_size + 1, NULL);
	if (!buf) {
		err = ENOMEM;
		goto out;
	}
	/* the file may change meanwhile: send what is there, up to size */
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
 out:
	(void)close(fd);          /* read-only: close cannot lose data */
	if (err)
		mem_deref(buf);
	else {
		*bufp = buf;
		*lenp = len;
	}
	return err;
}

int web_static(struct http_conn *conn, const struct http_msg *msg,
	       const char *root)
{
	const char *ctype = NULL;
	char *file = NULL;
	uint8_t *buf = NULL;
	struct pl rel;
	size_t len = 0;
	bool head;
	int err;

	if (!conn || !msg || !root)
		return EINVAL;
	head = !pl_strcmp(&msg->met, "HEAD");
	if (!head && pl_strcmp(&msg->met, "GET"))
		return web_error(conn, false, 405, "Method Not Allowed",
				 "Allow: GET, HEAD\r\n", "pages are read "
				 "with GET or HEAD");
	err = web_resolve(&msg->path, &rel, &ctype);
	if (err == EINVAL)
		return web_error(conn, head, 400, "Bad Request", NULL,
				 "bad page path: letters, digits and . _ / - "
				 "only, no .. or //");
	if (err)
		return web_error(conn, head, 404, "Not Found", NULL,
				 "no such page");
	err = re_sdprintf(&file, "%s/%r", root, &rel);
	if (err)
		return web_error(conn, head, 500, "Internal Server Error",
				 NULL, "out of memory");
	err = web_file_read(file, &buf, &len);
	if (err == ENOENT)
		err = web_error(conn, head, 404, "Not Found", NULL,
				"no such page");
	else if (err == EFBIG) {
		LOG_WARN("web", "%s: over %d bytes, not served; pages are "
			 "small files", file, WEB_FILE_MAX);
		err = web_error(conn, head, 500, "Internal Server Error",
				NULL, "page file too large");
	}
	else if (err) {
		LOG_WARN("web", "%s: %m", file, err);
		err = web_error(conn, head, 500, "Internal Server Error",
				NULL, "cannot read the page");
	}
	else
		err = web_reply(conn, head, 200, "OK", ctype, NULL, buf, len);
	mem_deref(buf);
	mem_deref(file);
	return err;
}
