/* media/prompt.c  Prompts: WAV files loaded once, kept pre-encoded.
 *
 * media_prompts_load() reads every NAME.wav of a directory.  A file is
 * read whole (at most PROMPT_MAX bytes) and parsed as RIFF/WAVE with every
 * chunk checked against the end of the buffer: the "fmt " chunk must say
 * PCM, 1 channel, 8000 Hz, 16 bits; unknown chunks (LIST, fact, cue...)
 * are skipped; the "data" chunk must lie inside the file and hold at
 * least one sample.  Anything else is refused with a message naming the
 * file and saying what to do.  A directory loads all or nothing: the
 * prompts are parsed into a private list first and installed only when
 * every file is good, so a bad file never leaves half a set.
 *
 * Each prompt is encoded to PCMU and PCMA at load time (one allocation,
 * 2 bytes per sample), so playing costs a memcpy per frame and never a
 * conversion.  The engine keeps prompts in a hash by name: find is O(1);
 * loading is O(total samples).  Installing a prompt whose name exists
 * unlinks the old one; a stream playing it holds its own reference.
 *
 * Loading reads files synchronously: call it at start-up or on an
 * explicit reload, not from a call's handler (STYLE §6).
 */

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <dirent.h>
#include <sys/stat.h>
#include "media_int.h"
#include "media_g711.h"

enum {
	PROMPT_MAX      = 64 * 1024 * 1024,  /* 70 min at 16 kB/s */
	PROMPT_NAME_MAX = 128,
};

static void prompt_destructor(void *arg)
{
	struct media_prompt *p = arg;

	hash_unlink(&p->le);
	mem_deref(p->name);
	mem_deref(p->pcmu);               /* pcma points into it */
}

static uint32_t rd_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		(uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Parse a whole WAV file held in buf[0..len). */
static int wav_parse(const uint8_t *buf, size_t len, const char *path,
		     const uint8_t **pcm, size_t *nsamples,
		     char *err, size_t errsz)
{
	const char *fix = "convert it with: sox IN -r 8000 -c 1 -b 16 "
		"-e signed-integer OUT.wav";
	bool have_fmt = false;
	size_t off;

	if (len < 12 || memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WAVE", 4)) {
		re_snprintf(err, errsz, "%s: not a WAV file (no RIFF/WAVE "
			    "header); %s", path, fix);
		return EBADMSG;
	}

	for (off = 12; off + 8 <= len;) {
		const uint8_t *id = buf + off;
		size_t sz = rd_u32(buf + off + 4);
		const uint8_t *body = buf + off + 8;
		size_t left = len - off - 8;

		if (!memcmp(id, "fmt ", 4)) {
			uint16_t fmt, ch, bits;
			uint32_t rate;

			if (sz < 16 || sz > left) {
				re_snprintf(err, errsz, "%s: truncated fmt "
					    "chunk; the file is damaged",
					    path);
				return EBADMSG;
			}
			fmt = rd_u16(body);
			ch = rd_u16(body + 2);
			rate = rd_u32(body + 4);
			bits = rd_u16(body + 14);
			if (fmt != 1 || ch != 1 || rate != MEDIA_SRATE ||
			    bits != 16) {
				re_snprintf(err, errsz, "%s: format %u, %u "
					    "channel(s), %u Hz, %u bit; need "
					    "PCM (1) mono 8000 Hz 16 bit; %s",
					    path, fmt, ch, rate, bits, fix);
				return EBADMSG;
			}
			have_fmt = true;
		}
		else if (!memcmp(id, "data", 4)) {
			if (!have_fmt) {
				re_snprintf(err, errsz, "%s: data chunk before"
					    " fmt chunk; %s", path, fix);
				return EBADMSG;
			}
			if (sz > left) {
				re_snprintf(err, errsz, "%s: truncated: data "
					    "chunk says %zu bytes, %zu left; "
					    "the file is damaged", path, sz,
					    left);
				return EBADMSG;
			}
			if (sz < 2) {
				re_snprintf(err, errsz, "%s: no audio in data "
					    "chunk", path);
				return EBADMSG;
			}
			*pcm = body;
			*nsamples = sz / 2;
			return 0;
		}
		if (sz > left)
			break;
		off += 8 + sz + (sz & 1);     /* chunks are word aligned */
	}

	re_snprintf(err, errsz, "%s: %s; the file is damaged or not 8 kHz "
		    "PCM; %s", path, have_fmt ? "no data chunk" :
		    "no fmt chunk", fix);
	return EBADMSG;
}

static int file_read(const char *path, uint8_t **bufp, size_t *lenp,
		     char *err, size_t errsz)
{
	struct stat stt;
	uint8_t *buf = NULL;
	FILE *f;
	int err2 = 0;

	f = fopen(path, "rb");
	if (!f) {
		err2 = errno;
		re_snprintf(err, errsz, "%s: cannot open: %m", path, err2);
		return err2;
	}
	if (fstat(fileno(f), &stt)) {
		err2 = errno;
		re_snprintf(err, errsz, "%s: cannot stat: %m", path, err2);
		goto out;
	}
	if (stt.st_size > PROMPT_MAX) {
		re_snprintf(err, errsz, "%s: larger than %d MiB; split it",
			    path, PROMPT_MAX >> 20);
		err2 = EFBIG;
		goto out;
	}
	buf = mem_alloc((size_t)stt.st_size + 1, NULL);
	if (!buf) {
		err2 = ENOMEM;
		goto out;
	}
	if (fread(buf, 1, (size_t)stt.st_size, f) != (size_t)stt.st_size) {
		err2 = ferror(f) ? EIO : EBADMSG;
		re_snprintf(err, errsz, "%s: short read", path);
		goto out;
	}
	*bufp = buf;
	*lenp = (size_t)stt.st_size;
	buf = NULL;
 out:
	mem_deref(buf);
	fclose(f);
	return err2;
}

static int prompt_load(struct media_prompt **pp, const char *path,
		       const char *name, size_t namelen,
		       char *err, size_t errsz)
{
	struct media_prompt *p = NULL;
	const uint8_t *pcm = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, n = 0;
	int e;

	e = file_read(path, &buf, &len, err, errsz);
	if (e)
		return e;
	e = wav_parse(buf, len, path, &pcm, &n, err, errsz);
	if (e)
		goto out;

	p = mem_zalloc(sizeof(*p), prompt_destructor);
	if (!p) {
		e = ENOMEM;
		goto out;
	}
	p->nsamples = n;
	p->pcmu = mem_alloc(2 * n, NULL);
	if (!p->pcmu) {
		e = ENOMEM;
		goto out;
	}
	p->pcma = p->pcmu + n;
	for (size_t i = 0; i < n; i++) {
		int16_t s = (int16_t)rd_u16(pcm + 2 * i);

		p->pcmu[i] = linear_to_ulaw(s);
		p->pcma[i] = linear_to_alaw(s);
	}
	e = re_sdprintf(&p->name, "%b", name, namelen);
 out:
	mem_deref(buf);
	if (e)
		mem_deref(p);
	else
		*pp = p;
	return e;
}

static bool name_eq(struct le *le, void *arg)
{
	const struct media_prompt *p = le->data;

	return 0 == strcmp(p->name, arg);
}

/**
 * Load every NAME.wav of a directory (all or nothing).
 *
 * @param me     Engine
 * @param dir    Directory
 * @param err    Receives a message naming the bad file (may be NULL)
 * @param errsz  Size of err
 *
 * @return 0, EINVAL, errno of opendir/open/read, EBADMSG (bad WAV),
 *         EFBIG (file over 64 MiB), ENOMEM
 */
int media_prompts_load(struct media_engine *me, const char *dir,
		       char *err, size_t errsz)
{
	struct list loaded = LIST_INIT;
	char dummy[1];
	struct dirent *de;
	DIR *d;
	int e = 0;

	if (!err || !errsz) {
		err = dummy;
		errsz = sizeof(dummy);
	}
	err[0] = '\0';
	if (!me || !dir)
		return EINVAL;

	d = opendir(dir);
	if (!d) {
		e = errno;
		re_snprintf(err, errsz, "%s: cannot open prompt directory: "
			    "%m", dir, e);
		return e;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		struct media_prompt *p = NULL;
		char path[4096];
		struct stat stt;

		if (l <= 4 || strcmp(de->d_name + l - 4, ".wav") ||
		    de->d_name[0] == '.')
			continue;
		if (l - 4 > PROMPT_NAME_MAX) {
			re_snprintf(err, errsz, "%s/%s: name longer than %d "
				    "characters; rename it", dir, de->d_name,
				    PROMPT_NAME_MAX);
			e = ENAMETOOLONG;
			break;
		}
		if (re_snprintf(path, sizeof(path), "%s/%s", dir,
				de->d_name) < 0) {
			e = ENAMETOOLONG;
			break;
		}
		if (stat(path, &stt) || !S_ISREG(stt.st_mode))
			continue;
		e = prompt_load(&p, path, de->d_name, l - 4, err, errsz);
		if (e)
			break;
		list_append(&loaded, &p->le, p);
	}
	closedir(d);

	if (e) {
		list_flush(&loaded);
		return e;
	}
	while (!list_isempty(&loaded)) {
		struct media_prompt *p = list_head(&loaded)->data;
		uint32_t key = hash_joaat_str(p->name);
		struct le *old;

		list_unlink(&p->le);
		old = hash_lookup(me->prompts, key, name_eq, p->name);
		if (old) {
			/* Playing streams keep their own reference. */
			hash_unlink(old);
			mem_deref(old->data);
		}
		hash_append(me->prompts, key, &p->le, p);
	}
	return 0;
}

const struct media_prompt *media_prompt_find(const struct media_engine *me,
					     const char *name)
{
	struct le *le;

	if (!me || !name)
		return NULL;
	le = hash_lookup(me->prompts, hash_joaat_str(name), name_eq,
			 (void *)name);
	return le ? le->data : NULL;
}

uint32_t media_prompt_duration_ms(const struct media_prompt *p)
{
	return p ? (uint32_t)(p->nsamples * 1000 / MEDIA_SRATE) : 0;
}

/* A counted reference for a playlist (prompts are never const inside). */
struct media_prompt *engine_prompt_get(const struct media_prompt *p)
{
	return mem_ref((void *)p);
}
