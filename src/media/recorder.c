/* media/recorder.c  Stereo call recording: a 16-bit 8 kHz WAV file whose
 * left channel (0) and right channel (1) are fed by streams' received
 * audio (stream.c decodes each voice packet and calls recorder_feed).
 *
 * Alignment.  Each channel has a FIFO of samples (a 4096-sample ring).
 * Whenever both hold at least 160 samples, 160 interleaved frames are
 * written.  When one side falls silent (hold, packet loss, a peer that
 * suppresses silence), the other's FIFO grows; once it passes 1600
 * samples (200 ms) the silent side is padded with zeros up to a whole
 * frame and written, so the channels stay aligned to within one frame per
 * gap, and a FIFO never holds more than 1600 + MEDIA_RX_MAX samples.
 * Cost O(samples) per packet, no allocation after creation.
 *
 * File.  The 44-byte header is written at creation with zero sizes (a
 * crash leaves a file that players open as empty; its audio can be
 * recovered).  Freeing the recorder flushes both FIFOs, padding the
 * shorter, then rewrites the RIFF and data sizes and closes the file.
 * The data size is 32-bit: past 4 GiB (37 h) samples are dropped with a
 * warning.  Streams feeding a recorder hold a borrowed pointer; the
 * destructor detaches them, so freeing a recorder mid-call is safe.
 *
 * Threads.  The feeders' worker (they share one: worker.c) feeds the
 * recorder under its lock; main attaches and detaches feeders under the
 * same lock, and finishes the file after the last feeder is gone.
 *
 * I/O.  Writes go through stdio with an 8 KiB buffer (setvbuf), i.e. one
 * write(2) per 256 ms of a call, into the page cache, from the worker
 * thread, never from the control loop.  (64 KiB made a recorded call cost over 100 KiB of memory; the
 * goal is 64 KiB per call.)
 * That does not block unless the kernel throttles dirty pages; if a
 * benchmark shows the loop waiting on I/O, the next step is a writer
 * thread fed by a bounded queue (STYLE §6).  No fsync: the close at the
 * end of the call is the only durability point.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "media_int.h"

enum {
	REC_CAP   = 2048,             /* ring size, samples (power of 2),
				       * above REC_LAG + a frame */
	REC_LAG   = 1600,             /* 200 ms: pad the silent side */
	REC_IOBUF = 8 * 1024,
	REC_HDR   = 44,
};

struct rec_fifo {
	int16_t v[REC_CAP];
	uint32_t rd, n;
};

struct media_recorder {
	FILE *f;
	char *path;
	char *iobuf;                  /* stdio buffer; freed after fclose */
	struct list feeders;          /* struct media_stream.le_rec */
	struct media_worker *w;       /* the feeders' worker, NULL: none */
	struct rec_fifo fifo[2];
	uint64_t frames;              /* stereo frames written */
	bool failed, full;
};

static void wr_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void wr_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void wav_header(uint8_t *h, uint32_t datasz)
{
	memcpy(h, "RIFF", 4);
	wr_u32(h + 4, 36 + datasz);
	memcpy(h + 8, "WAVEfmt ", 8);
	wr_u32(h + 16, 16);
	wr_u16(h + 20, 1);                     /* PCM */
	wr_u16(h + 22, 2);                     /* channels */
	wr_u32(h + 24, MEDIA_SRATE);
	wr_u32(h + 28, MEDIA_SRATE * 4);       /* bytes per second */
	wr_u16(h + 32, 4);                     /* block align */
	wr_u16(h + 34, 16);                    /* bits */
	memcpy(h + 36, "data", 4);
	wr_u32(h + 40, datasz);
}

static void rec_fail(struct media_recorder *mr, const char *what, int err)
{
	if (mr->failed)
		return;
	mr->failed = true;
	MEDIA_WARN("recording %s: %s failed: %m; the file is incomplete, "
		   "check the disk\n", mr->path, what, err);
}

static void fifo_push(struct rec_fifo *f, const int16_t *pcm, size_t n)
{
	for (size_t i = 0; i < n; i++)
		f->v[(f->rd + f->n + i) & (REC_CAP - 1)] = pcm[i];
	f->n += (uint32_t)n;
}

static void fifo_pad(struct rec_fifo *f, size_t upto)
{
	while (f->n < upto) {
		f->v[(f->rd + f->n) & (REC_CAP - 1)] = 0;
		f->n++;
	}
}

/* Write k <= MEDIA_FRAME frames; both FIFOs hold at least k. */
static void rec_write(struct media_recorder *mr, size_t k)
{
	uint8_t out[MEDIA_FRAME * 4];
	struct rec_fifo *l = &mr->fifo[0], *r = &mr->fifo[1];

	for (size_t i = 0; i < k; i++) {
		wr_u16(out + 4 * i, (uint16_t)l->v[l->rd]);
		wr_u16(out + 4 * i + 2, (uint16_t)r->v[r->rd]);
		l->rd = (l->rd + 1) & (REC_CAP - 1);
		r->rd = (r->rd + 1) & (REC_CAP - 1);
	}
	l->n -= (uint32_t)k;
	r->n -= (uint32_t)k;

	if ((mr->frames + k) * 4 > UINT32_MAX - 36 - REC_HDR) {
		if (!mr->full)
			MEDIA_WARN("recording %s: 4 GiB WAV limit reached; "
				   "the rest of the call is not recorded\n",
				   mr->path);
		mr->full = true;
		return;
	}
	if (!mr->failed && fwrite(out, 4, k, mr->f) != k)
		rec_fail(mr, "write", errno);
	mr->frames += k;
}

static void rec_balance(struct media_recorder *mr)
{
	struct rec_fifo *f = mr->fifo;

	for (;;) {
		unsigned big = f[0].n >= f[1].n ? 0 : 1;

		if (f[0].n >= MEDIA_FRAME && f[1].n >= MEDIA_FRAME)
			rec_write(mr, MEDIA_FRAME);
		else if (f[big].n > REC_LAG) {
			fifo_pad(&f[!big], MEDIA_FRAME);
			rec_write(mr, MEDIA_FRAME);
		}
		else
			break;
	}
}

void recorder_feed(struct media_recorder *mr, unsigned ch,
		   const int16_t *pcm, size_t n)
{
	struct rec_fifo *f = &mr->fifo[ch];

	while (n) {
		size_t take = REC_CAP - f->n;

		if (take > n)
			take = n;
		fifo_push(f, pcm, take);
		pcm += take;
		n -= take;
		rec_balance(mr);
	}
}

/* Under the feeders' worker lock. */
void recorder_detach(struct media_stream *ms)
{
	struct media_recorder *mr = ms->rec;

	list_unlink(&ms->le_rec);
	ms->rec = NULL;
	if (mr && list_isempty(&mr->feeders))
		mr->w = NULL;
}

struct list *recorder_feeders(struct media_recorder *mr)
{
	return &mr->feeders;
}

void recorder_set_worker(struct media_recorder *mr, struct media_worker *w)
{
	mr->w = w;
}

static void destructor(void *arg)
{
	struct media_recorder *mr = arg;
	struct rec_fifo *f = mr->fifo;
	uint8_t h[REC_HDR];
	struct media_worker *w = mr->w;
	struct le *le;

	if (w) {
		worker_lock(w);
		while ((le = list_head(&mr->feeders)) != NULL)
			recorder_detach(le->data);
		worker_unlock(w);
	}
	/* no thread feeds it now */

	while (f[0].n || f[1].n) {
		size_t k = f[0].n > f[1].n ? f[0].n : f[1].n;

		if (k > MEDIA_FRAME)
			k = MEDIA_FRAME;
		fifo_pad(&f[0], k);
		fifo_pad(&f[1], k);
		rec_write(mr, k);
	}

	wav_header(h, (uint32_t)(mr->frames * 4));
	if (fflush(mr->f))
		rec_fail(mr, "write", errno);
	else if (fseek(mr->f, 0, SEEK_SET) ||
		 fwrite(h, 1, sizeof(h), mr->f) != sizeof(h) ||
		 fflush(mr->f))
		rec_fail(mr, "header rewrite", errno);
	if (fclose(mr->f))
		rec_fail(mr, "close", errno);
	mem_deref(mr->iobuf);
	mem_deref(mr->path);
}

/**
 * Create a recorder writing a stereo WAV file at path (truncated).
 *
 * @return 0, EINVAL, ENOMEM, or fopen's errno (EACCES, ENOENT...)
 */
int media_recorder_alloc(struct media_recorder **mrp, const char *path)
{
	struct media_recorder *mr;
	uint8_t h[REC_HDR];
	char *p = NULL, *iobuf;
	FILE *f;
	int err;

	if (!mrp || !path || !*path)
		return EINVAL;
	err = str_dup(&p, path);
	if (err)
		return err;
	iobuf = mem_alloc(REC_IOBUF, NULL);
	if (!iobuf) {
		mem_deref(p);
		return ENOMEM;
	}
	f = fopen(path, "wb");
	if (!f) {
		err = errno;
		mem_deref(iobuf);
		mem_deref(p);
		return err;
	}
	(void)setvbuf(f, iobuf, _IOFBF, REC_IOBUF);  /* cannot fail here */
	wav_header(h, 0);
	if (fwrite(h, 1, sizeof(h), f) != sizeof(h)) {
		err = errno ? errno : EIO;
		fclose(f);
		mem_deref(iobuf);
		mem_deref(p);
		return err;
	}

	mr = mem_zalloc(sizeof(*mr), destructor);
	if (!mr) {
		fclose(f);
		mem_deref(iobuf);
		mem_deref(p);
		return ENOMEM;
	}
	mr->f = f;
	mr->path = p;
	mr->iobuf = iobuf;
	list_init(&mr->feeders);
	*mrp = mr;
	return 0;
}

/**
 * Feed ms's received audio into channel 0 (left) or 1 (right) of mr, or
 * stop feeding (mr NULL).
 *
 * @return 0, EINVAL (channel > 1), EBUSY (another stream feeds it)
 */
int media_stream_record(struct media_stream *ms, struct media_recorder *mr,
			unsigned channel)
{
	struct le *le;
	int err = 0;

	if (!ms || (mr && channel > 1))
		return EINVAL;
	/* a recorder is fed by one worker: join its feeders' */
	if (mr && (le = list_head(&mr->feeders)) != NULL)
		err = worker_group_join(le->data, ms);
	if (err)
		return err;

	worker_lock(ms->w);
	if (mr) {
		for (le = list_head(&mr->feeders); le; le = le->next) {
			const struct media_stream *o = le->data;

			if (o != ms && o->rec_ch == channel) {
				worker_unlock(ms->w);
				return EBUSY;
			}
		}
	}
	recorder_detach(ms);
	if (mr) {
		ms->rec = mr;
		ms->rec_ch = channel;
		list_append(&mr->feeders, &ms->le_rec, ms);
		mr->w = ms->w;
	}
	worker_unlock(ms->w);
	return 0;
}

uint64_t media_recorder_duration_ms(const struct media_recorder *mr)
{
	uint64_t frames;

	if (!mr)
		return 0;
	if (!mr->w)
		return mr->frames * 1000 / MEDIA_SRATE;
	worker_lock(mr->w);
	frames = mr->frames;
	worker_unlock(mr->w);
	return frames * 1000 / MEDIA_SRATE;
}
