/* core/log.c  Log lines on stderr: "2026-11-23T11:02:03.123Z INFO call:
 * ...".  Formatting uses libre's re_vsnprintf (%r for pl, %j for sa);
 * the line is written with one write(2) so lines from threads do not
 * interleave.  The level is process-wide: set once by main.c.
 */

#include <stdarg.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "libre.h"
#include "core/log.h"

enum log_level log_level_cur = LOG_LVL_INFO;

static const char *names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

void log_set_level(enum log_level lvl)
{
	log_level_cur = lvl;
}

int log_level_parse(const char *s, enum log_level *lvl)
{
	static const char *lower[] = {"error", "warn", "info", "debug"};

	for (unsigned i = 0; i < 4; i++) {
		if (!strcmp(s, lower[i])) {
			*lvl = (enum log_level)i;
			return 0;
		}
	}
	return EINVAL;
}

void log_line(enum log_level lvl, const char *mod, const char *fmt, ...)
{
	char buf[1024];
	struct timeval tv;
	struct tm tm;
	va_list ap;
	int n;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = re_snprintf(buf, sizeof(buf),
			"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s %s: ",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, tm.tm_sec,
			(int)(tv.tv_usec / 1000), names[lvl], mod);
	if (n < 0)
		return;
	va_start(ap, fmt);
	re_vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(buf);
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, (size_t)n) < 0)
		return;         /* nowhere left to report it */
}
