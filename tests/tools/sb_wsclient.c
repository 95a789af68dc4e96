/* tests/tools/sb_wsclient.c  A WebSocket client for the tests: connects
 * to ws://IP:PORT/PATH, prints every text message on its own line on
 * stdout (flushed), and exits
 *   0 after COUNT messages,
 *   1 when the connection closes or TIMEOUT seconds pass first,
 *   2 on bad usage or when the connection cannot be made.
 *
 *   sb_wsclient URL COUNT TIMEOUT [HEADER]
 *
 * HEADER is one extra request header line, e.g.
 * "Authorization: Bearer TOKEN".  Messages containing the text in the
 * environment variable SB_WS_UNCOUNTED (for example "heartbeat") are
 * printed but not counted; with SB_WS_UNTIL set, the client also stops
 * (exit 0) after the first message containing that text.
 *
 * A slow client: with SB_WS_STALL=FILE the client shrinks its receive
 * buffer, reads nothing after the handshake until FILE exists, then
 * reads everything; it exits 3 when the server closed the connection
 * (what the server does to a client too far behind).  Not installed;
 * tests only.
 *
 * Written on plain sockets (RFC 6455 client side, text frames only), not
 * on libre's websock client: in libre 1.1.0 that client drops frames
 * that arrive in the same read as the 101 response, which made a resume
 * test fail at random.
 */

#define _GNU_SOURCE           /* memmem */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

enum { BUF = 1 << 20 };

static uint8_t buf[BUF];
static size_t have;
static bool eof;              /* the server closed the connection */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read more into buf before the deadline; -1 on close, error or time. */
static int more(int fd, long long deadline)
{
	struct pollfd p = {fd, POLLIN, 0};
	long long left = deadline - now_ms();
	ssize_t n;

	if (left <= 0 || poll(&p, 1, (int)left) <= 0 || have == BUF)
		return -1;
	n = read(fd, buf + have, BUF - have);
	if (n <= 0) {
		eof = true;
		return -1;
	}
	have += (size_t)n;
	return 0;
}

static void consume(size_t n)
{
	memmove(buf, buf + n, have - n);
	have -= n;
}

int main(int argc, char *argv[])
{
	char host[64], path[2048], req[4096];
	unsigned port, want, got = 0;
	const char *skip = getenv("SB_WS_UNCOUNTED");
	const char *until = getenv("SB_WS_UNTIL");
	const char *stall = getenv("SB_WS_STALL");
	bool closed = false;
	struct sockaddr_in sin;
	long long deadline;
	char *end;
	int fd, n;

	if (argc < 4 || argc > 5 ||
	    sscanf(argv[1], "ws://%63[0-9.]:%u%2047s", host, &port, path) != 3) {
		fprintf(stderr, "usage: sb_wsclient ws://IP:PORT/PATH COUNT "
			"TIMEOUT [HEADER]\n");
		return 2;
	}
	want = (unsigned)strtoul(argv[2], NULL, 10);
	deadline = now_ms() + 1000 * strtoll(argv[3], NULL, 10);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0 && stall && *stall) {
		int small = 4096;

		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small,
				 sizeof(small));
	}
	if (fd < 0 || inet_pton(AF_INET, host, &sin.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		fprintf(stderr, "sb_wsclient: cannot connect to %s:%u: %s\n",
			host, port, strerror(errno));
		return 2;
	}
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: %s:%u\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\n"
		     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		     "Sec-WebSocket-Version: 13\r\n%s%s\r\n",
		     path, host, port, argc == 5 ? argv[4] : "",
		     argc == 5 ? "\r\n" : "");
	if (n <= 0 || (size_t)n >= sizeof(req) ||
	    write(fd, req, (size_t)n) != n) {
		fprintf(stderr, "sb_wsclient: cannot send the request\n");
		return 2;
	}

	/* the response head, up to the blank line; what follows is frames */
	for (;;) {
		buf[have < BUF ? have : BUF - 1] = '\0';
		end = strstr((char *)buf, "\r\n\r\n");
		if (end)
			break;
		if (more(fd, deadline)) {
			fprintf(stderr, "sb_wsclient: no response\n");
			return 2;
		}
	}
	if (strncmp((char *)buf, "HTTP/1.1 101", 12)) {
		fprintf(stderr, "sb_wsclient: refused: %.*s\n",
			(int)(end - (char *)buf), buf);
		return 2;
	}
	consume((size_t)(end + 4 - (char *)buf));
	fprintf(stderr, "sb_wsclient: connected\n");
	while (stall && *stall && access(stall, F_OK)) {
		if (now_ms() > deadline) {
			fprintf(stderr, "sb_wsclient: %s never came\n", stall);
			return 1;
		}
		(void)poll(NULL, 0, 20);
	}

	while (got < want) {
		uint64_t len;
		size_t hl = 2;
		unsigned op;

		while (have < 2 || (buf[1] & 0x7f) >= 126) {
			size_t need = have < 2 ? 2 :
				(buf[1] & 0x7f) == 126 ? 4 : 10;

			if (have >= need)
				break;
			if (more(fd, deadline)) {
				closed = eof;
				goto stop;
			}
		}
		op = buf[0] & 0x0f;
		len = buf[1] & 0x7f;
		if (len == 126) {
			len = (uint64_t)buf[2] << 8 | buf[3];
			hl = 4;
		}
		else if (len == 127) {
			len = 0;
			for (int i = 0; i < 8; i++)
				len = len << 8 | buf[2 + i];
			hl = 10;
		}
		if (buf[1] & 0x80 || len > BUF - hl) {
			fprintf(stderr, "sb_wsclient: bad frame\n");
			return 1;
		}
		while (have < hl + len)
			if (more(fd, deadline)) {
				closed = eof;
				goto stop;
			}
		if (op == 0x1) {               /* text */
			fwrite(buf + hl, 1, (size_t)len, stdout);
			fputc('\n', stdout);
			fflush(stdout);
			if (!skip || !*skip || !memmem(buf + hl, (size_t)len,
						      skip, strlen(skip)))
				got++;
			if (until && *until && memmem(buf + hl, (size_t)len,
						      until, strlen(until)))
				got = want;
		}
		else if (op == 0x8) {          /* close */
			consume(hl + (size_t)len);
			closed = true;
			break;
		}
		/* ping (0x9): the server's keep-alive; a missing pong does not
		 * close the stream in the time a test runs */
		consume(hl + (size_t)len);
	}
 stop:
	close(fd);
	if (got >= want)
		return 0;
	if (stall && *stall && closed) {
		fprintf(stderr, "sb_wsclient: closed by the server after %u "
			"messages\n", got);
		return 3;
	}
	fprintf(stderr, "sb_wsclient: closed or timed out after %u of %u "
		"messages\n", got, want);
	return 1;
}
