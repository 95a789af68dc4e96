/* bench/bench_media.c  CPU per bridged call in src/media (skeleton).
 *
 * Never run by `make check`.  Usage: bench_media [CALLS [SECONDS]]
 * (defaults 200 and 10); needs `ulimit -n` above 8 x CALLS + 64.
 *
 * Model, one process, one libre loop, 127.0.0.1.  A call is four
 * streams: phone X plays a 1 kHz tone to our leg B, phone Y plays 400 Hz
 * to our leg C (X-B and Y-C negotiated by SDP offer/answer, PCMU on one
 * call leg and PCMA on the other every second call, so half the calls
 * transcode).  Phase 1 (baseline): B and C only receive.  Phase 2: B and
 * C are bridged, so each relays 50 packets/s to the other's phone.  For
 * each phase: CPU time of the process (getrusage user + sys) over wall
 * time, and packets; (CPU2 - CPU1) / CALLS is the cost of bridging one
 * call, which is what this measures.  The phones' pacing and receiving
 * is the same in both phases and cancels out.
 *
 * Prints machine, commit and parameters first (STYLE §12); results go to
 * docs/PERFORMANCE.md.  Build Release (bench/README.md).
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include "libre.h"
#include "media/media.h"

struct call {
	struct media_stream *x, *b, *c, *y;
};

static int tone_wav(const char *path, double hz)
{
	static const uint8_t hdr[44] = {
		'R', 'I', 'F', 'F', 0x24, 0x7d, 0, 0, 'W', 'A', 'V', 'E',
		'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 1, 0,
		0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0,
		'd', 'a', 't', 'a', 0, 0x7d, 0, 0};    /* 32000 bytes */
	FILE *f = fopen(path, "wb");

	if (!f)
		return errno;
	fwrite(hdr, 1, sizeof(hdr), f);
	for (int i = 0; i < 16000; i++) {
		int16_t s = (int16_t)(8000 * sin(2 * 3.14159265358979 * hz *
						 i / 8000));
		uint8_t b[2] = {(uint8_t)s, (uint8_t)((uint16_t)s >> 8)};

		fwrite(b, 1, 2, f);
	}
	return fclose(f) ? errno : 0;
}

static int pair(struct media_stream *o, struct media_stream *a, bool pcma)
{
	struct mbuf *mb = NULL;
	int err;

	err = media_stream_sdp(o, true, &mb);
	if (err)
		return err;
	if (pcma) {                   /* prefer PCMA: "0 8 101" -> "8 0 101" */
		char *p = (char *)mb->buf;
		char *m = strstr(p, "RTP/AVP 0 8");

		if (m)
			memcpy(m + 8, "8 0", 3);
	}
	mb->pos = 0;
	err = media_stream_offer(a, mb);
	mb = mem_deref(mb);
	if (!err)
		err = media_stream_sdp(a, false, &mb);
	if (!err) {
		mb->pos = 0;
		err = media_stream_answer(o, mb);
	}
	mem_deref(mb);
	return err;
}

static void stop_h(void *arg)
{
	(void)arg;
	re_cancel();
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Run the loop for `secs`; returns CPU seconds used. */
static double phase(unsigned secs)
{
	struct tmr t;
	double c0 = cpu_s();

	tmr_init(&t);
	tmr_start(&t, secs * 1000ULL, stop_h, NULL);
	(void)re_main(NULL);
	return cpu_s() - c0;
}

static uint64_t relayed(const struct call *v, unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++) {
		struct media_stats sb, sc;

		media_stream_stats(v[i].b, &sb);
		media_stream_stats(v[i].c, &sc);
		sum += sb.tx_packets + sc.tx_packets;
	}
	return sum;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 200;
	unsigned secs = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 10;
	const struct media_prompt *t1, *t4;
	char dir[] = "/tmp/bench-media-XXXXXX", path[64], err[256];
	struct media_engine *me = NULL;
	struct call *v;
	struct utsname u;
	struct sa laddr;
	double cpu1, cpu2;
	uint64_t r1, r2;
	FILE *g;

	if (!n || !secs || libre_init() || fd_setsize(65536))
		return 2;
	if (!uname(&u))
		printf("machine: %s %s %s\n", u.sysname, u.release, u.machine);
	g = popen("git rev-parse --short HEAD 2>/dev/null", "r");
	if (g && fgets(path, sizeof(path), g))
		printf("commit:  %s", path);
	if (g)
		pclose(g);
	printf("calls:   %u (4 streams each), %u s per phase\n", n, secs);

	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/t1.wav", dir);
	tone_wav(path, 1000);
	snprintf(path, sizeof(path), "%s/t4.wav", dir);
	tone_wav(path, 400);
	sa_set_str(&laddr, "127.0.0.1", 0);
	if (media_engine_alloc(&me, &laddr, 20000, 60000, 0) ||
	    media_prompts_load(me, dir, err, sizeof(err))) {
		fprintf(stderr, "bench_media: set-up failed: %s\n", err);
		return 2;
	}
	t1 = media_prompt_find(me, "t1");
	t4 = media_prompt_find(me, "t4");

	v = calloc(n, sizeof(*v));
	for (unsigned i = 0; v && i < n; i++) {
		struct call *c = &v[i];

		if (media_stream_alloc(&c->x, me, NULL, NULL) ||
		    media_stream_alloc(&c->b, me, NULL, NULL) ||
		    media_stream_alloc(&c->c, me, NULL, NULL) ||
		    media_stream_alloc(&c->y, me, NULL, NULL) ||
		    pair(c->x, c->b, false) || pair(c->y, c->c, i & 1) ||
		    media_stream_play(c->x, &t1, 1, true, NULL, NULL) ||
		    media_stream_play(c->y, &t4, 1, true, NULL, NULL)) {
			fprintf(stderr, "bench_media: call %u: set-up failed;"
				" raise ulimit -n?\n", i);
			return 2;
		}
	}

	cpu1 = phase(secs);
	r1 = relayed(v, n);
	for (unsigned i = 0; i < n; i++)
		media_stream_bridge(v[i].b, v[i].c);
	cpu2 = phase(secs);
	r2 = relayed(v, n) - r1;

	printf("baseline: cpu %.1f %% (%.3f s)\n", 100 * cpu1 / secs, cpu1);
	printf("bridged:  cpu %.1f %% (%.3f s), %.0f relayed packets/s\n",
	       100 * cpu2 / secs, cpu2, (double)r2 / secs);
	printf("per bridged call: %.1f us CPU per second (%.2f us per "
	       "relayed packet)\n", 1e6 * (cpu2 - cpu1) / secs / n,
	       r2 ? 1e6 * (cpu2 - cpu1) / (double)r2 : 0.0);

	for (unsigned i = 0; i < n; i++) {
		mem_deref(v[i].x);
		mem_deref(v[i].b);
		mem_deref(v[i].c);
		mem_deref(v[i].y);
	}
	free(v);
	mem_deref(me);
	snprintf(path, sizeof(path), "%s/t1.wav", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t4.wav", dir);
	unlink(path);
	rmdir(dir);
	libre_close();
	return 0;
}
