/* tests/unit/test_media_prompt.c  Prompt loading (src/media/prompt.c):
 * WAV files written by the test into a fresh mkdtemp directory; good ones
 * load with the right duration, bad ones (stereo, 16 kHz, 8-bit,
 * truncated, garbage, empty) are refused with a message naming the file,
 * and a directory loads all or nothing. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <math.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include "libre.h"
#include "media/media.h"

struct fix {
	char dir[256];
	struct media_engine *me;
};

static void put32(FILE *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};

	assert_int_equal(4, fwrite(b, 1, 4, f));
}

static void put16(FILE *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	assert_int_equal(2, fwrite(b, 1, 2, f));
}

struct wavspec {
	uint16_t fmt, ch, bits;
	uint32_t rate;
	uint32_t nsamples;            /* per channel */
	bool list_chunk;              /* odd-sized LIST chunk before data */
	int32_t data_lie;             /* added to the data chunk's size */
};

/* Write dir/name: a 1 kHz tone in the given format. */
static void wav_write(const char *dir, const char *name,
		     const struct wavspec *w)
{
	uint32_t bps = w->bits / 8, datasz = w->nsamples * w->ch * bps;
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite("RIFF", 1, 4, f);
	put32(f, 36 + datasz + (w->list_chunk ? 8 + 5 + 1 : 0));
	fwrite("WAVEfmt ", 1, 8, f);
	put32(f, 16);
	put16(f, w->fmt);
	put16(f, w->ch);
	put32(f, w->rate);
	put32(f, w->rate * w->ch * bps);
	put16(f, (uint16_t)(w->ch * bps));
	put16(f, w->bits);
	if (w->list_chunk) {
		fwrite("LIST", 1, 4, f);
		put32(f, 5);
		fwrite("INFOx\0", 1, 6, f);   /* 5 bytes + pad byte */
	}
	fwrite("data", 1, 4, f);
	put32(f, (uint32_t)((int32_t)datasz + w->data_lie));
	for (uint32_t i = 0; i < w->nsamples; i++) {
		double v = 8000 * sin(2 * 3.14159265358979 * 1000 * i /
				      w->rate);

		for (unsigned c = 0; c < w->ch; c++) {
			if (bps == 2)
				put16(f, (uint16_t)(int16_t)v);
			else
				fputc(128 + (int)(v / 256), f);
		}
	}
	assert_int_equal(0, fclose(f));
}

static const struct wavspec good = {1, 1, 16, 8000, 8000, false, 0};

static void write_raw(const char *dir, const char *name, const void *p,
		      size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(n, fwrite(p, 1, n, f));
	assert_int_equal(0, fclose(f));
}

static void mksub(struct fix *fx, const char *sub, char *out, size_t sz)
{
	snprintf(out, sz, "%s/%s", fx->dir, sub);
	assert_int_equal(0, mkdir(out, 0700));
}

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[512];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!stat(path, &st) && S_ISDIR(st.st_mode))
			rm_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	struct fix *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");
	struct sa laddr;

	if (!fx || libre_init())
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/sb-prompt-XXXXXX",
		 tmp ? tmp : "/tmp");
	if (!mkdtemp(fx->dir))
		return -1;
	sa_set_str(&laddr, "127.0.0.1", 0);
	if (media_engine_alloc(&fx->me, &laddr, 30000, 30100, 1))
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fix *fx = *state;

	mem_deref(fx->me);
	rm_tree(fx->dir);
	free(fx);
	libre_close();
	return 0;
}

static void test_prompt_load_good(void **state)
{
	struct fix *fx = *state;
	struct wavspec w = good;
	const struct media_prompt *p;
	char d[300], err[256];

	mksub(fx, "good", d, sizeof(d));
	wav_write(d, "hello.wav", &w);
	w.nsamples = 4000;
	w.list_chunk = true;
	wav_write(d, "bye.wav", &w);
	write_raw(d, "README.txt", "not a prompt", 12);

	assert_int_equal(0, media_prompts_load(fx->me, d, err, sizeof(err)));
	assert_string_equal("", err);
	p = media_prompt_find(fx->me, "hello");
	assert_non_null(p);
	assert_int_equal(1000, media_prompt_duration_ms(p));
	p = media_prompt_find(fx->me, "bye");
	assert_non_null(p);
	assert_int_equal(500, media_prompt_duration_ms(p));
	assert_null(media_prompt_find(fx->me, "README"));
	assert_null(media_prompt_find(fx->me, "nope"));
	assert_int_equal(0, media_prompt_duration_ms(NULL));
}

static void test_prompt_later_dir_overrides(void **state)
{
	struct fix *fx = *state;
	struct wavspec w = good;
	char d1[300], d2[300], err[256];

	mksub(fx, "one", d1, sizeof(d1));
	mksub(fx, "two", d2, sizeof(d2));
	wav_write(d1, "x.wav", &w);
	wav_write(d1, "y.wav", &w);
	w.nsamples = 800;
	wav_write(d2, "x.wav", &w);

	assert_int_equal(0, media_prompts_load(fx->me, d1, err, sizeof(err)));
	assert_int_equal(0, media_prompts_load(fx->me, d2, err, sizeof(err)));
	assert_int_equal(100, media_prompt_duration_ms(
				 media_prompt_find(fx->me, "x")));
	assert_int_equal(1000, media_prompt_duration_ms(
				 media_prompt_find(fx->me, "y")));
}

/* One bad file in a directory with a good one: refused, nothing loaded,
 * and the message names the file and contains `what`. */
static void refuse(struct fix *fx, const char *sub, const char *what,
		   void (*make)(const char *dir))
{
	char d[300], err[512];
	struct wavspec w = good;
	int e;

	mksub(fx, sub, d, sizeof(d));
	wav_write(d, "fine.wav", &w);
	make(d);
	e = media_prompts_load(fx->me, d, err, sizeof(err));
	assert_int_equal(EBADMSG, e);
	if (!strstr(err, "bad.wav") || !strstr(err, what))
		fail_msg("message \"%s\" lacks bad.wav or \"%s\"", err, what);
	assert_null(media_prompt_find(fx->me, "fine"));
	assert_null(media_prompt_find(fx->me, "bad"));
}

static void mk_stereo(const char *d)
{
	struct wavspec w = good;

	w.ch = 2;
	wav_write(d, "bad.wav", &w);
}

static void mk_16k(const char *d)
{
	struct wavspec w = good;

	w.rate = 16000;
	wav_write(d, "bad.wav", &w);
}

static void mk_8bit(const char *d)
{
	struct wavspec w = good;

	w.bits = 8;
	wav_write(d, "bad.wav", &w);
}

static void mk_float(const char *d)
{
	struct wavspec w = good;

	w.fmt = 3;
	wav_write(d, "bad.wav", &w);
}

static void mk_truncated(const char *d)
{
	struct wavspec w = good;

	w.data_lie = 1000;            /* says more than the file holds */
	wav_write(d, "bad.wav", &w);
}

static void mk_garbage(const char *d)
{
	char junk[300];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	write_raw(d, "bad.wav", junk, sizeof(junk));
}

static void mk_empty_data(const char *d)
{
	struct wavspec w = good;

	w.nsamples = 0;
	wav_write(d, "bad.wav", &w);
}

static void mk_no_data(const char *d)
{
	/* RIFF header and fmt, then the file ends. */
	static const uint8_t h[] = {
		'R', 'I', 'F', 'F', 36, 0, 0, 0, 'W', 'A', 'V', 'E',
		'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 1, 0,
		0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0};

	write_raw(d, "bad.wav", h, sizeof(h));
}

static void mk_short_fmt(const char *d)
{
	static const uint8_t h[] = {
		'R', 'I', 'F', 'F', 20, 0, 0, 0, 'W', 'A', 'V', 'E',
		'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 1, 0};

	write_raw(d, "bad.wav", h, sizeof(h));
}

static void test_prompt_refuse_stereo(void **state)
{
	refuse(*state, "stereo", "2 channel", mk_stereo);
}

static void test_prompt_refuse_16k(void **state)
{
	refuse(*state, "16k", "16000 Hz", mk_16k);
}

static void test_prompt_refuse_8bit(void **state)
{
	refuse(*state, "8bit", "8 bit", mk_8bit);
}

static void test_prompt_refuse_float(void **state)
{
	refuse(*state, "float", "format 3", mk_float);
}

static void test_prompt_refuse_truncated(void **state)
{
	refuse(*state, "trunc", "truncated", mk_truncated);
}

static void test_prompt_refuse_garbage(void **state)
{
	refuse(*state, "garbage", "not a WAV", mk_garbage);
}

static void test_prompt_refuse_empty(void **state)
{
	refuse(*state, "empty", "no audio", mk_empty_data);
}

static void test_prompt_refuse_no_data(void **state)
{
	refuse(*state, "nodata", "no data chunk", mk_no_data);
}

static void test_prompt_refuse_short_fmt(void **state)
{
	refuse(*state, "shortfmt", "truncated fmt", mk_short_fmt);
}

static void test_prompt_missing_dir(void **state)
{
	struct fix *fx = *state;
	char d[300], err[256];

	snprintf(d, sizeof(d), "%s/absent", fx->dir);
	assert_int_equal(ENOENT, media_prompts_load(fx->me, d, err,
						    sizeof(err)));
	assert_non_null(strstr(err, "absent"));
	assert_int_equal(EINVAL, media_prompts_load(NULL, d, err,
						    sizeof(err)));
	/* No message buffer is fine too. */
	assert_int_equal(ENOENT, media_prompts_load(fx->me, d, NULL, 0));
}

static void test_prompt_engine_args(void **state)
{
	struct media_engine *me = NULL;
	struct sa laddr;
	(void)state;

	sa_set_str(&laddr, "127.0.0.1", 0);
	assert_int_equal(EINVAL, media_engine_alloc(&me, &laddr, 100, 100, 1));
	assert_int_equal(EINVAL, media_engine_alloc(&me, &laddr, 101, 102, 1));
	assert_int_equal(EINVAL, media_engine_alloc(&me, NULL, 100, 200, 1));
	assert_null(me);
	assert_int_equal(EINVAL, media_engine_alloc(&me, &laddr, 100, 200, 65));
	assert_int_equal(0, media_engine_alloc(&me, &laddr, 101, 104, 0));
	assert_true(media_engine_threads(me) >= 1);
	assert_int_equal(0, media_engine_streams(me));
	mem_deref(me);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_prompt_load_good,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_prompt_later_dir_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_refuse_stereo,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_refuse_16k,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_refuse_8bit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_refuse_float,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_refuse_truncated,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_refuse_garbage,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_refuse_empty,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_refuse_no_data,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_refuse_short_fmt,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_missing_dir,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_engine_args,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
