/* core/ini.h  Reading the configuration file's lines.
 *
 * The format is the one of the simulator's scenarios: `[type name]` or
 * `[type]` section headers, `key = value` lines, comments from `;` or
 * `#` (at the start of a line or after whitespace) to the end of the
 * line.  A line starting with whitespace continues the previous value
 * (joined with one space), so long flow steps can wrap.  Keys and
 * values are trimmed.  Lines are at most INI_LINE_MAX bytes; NUL bytes
 * and control characters other than tab are refused.
 *
 * The reader calls the handler once per key = value with its section and
 * line number; the handler returns 0 or an errno and writes its own
 * message.  O(file size), one line buffer.
 */

#ifndef SB_CORE_INI_H
#define SB_CORE_INI_H

#include <stddef.h>

enum { INI_LINE_MAX = 4096 };

struct ini_entry {
	const char *file;
	unsigned line;            /* of the key */
	const char *section;      /* "queue", "server", ... */
	const char *name;         /* "sales", or "" */
	unsigned section_line;
	const char *key;
	const char *value;
};

/* A key = value line.  Return 0, or an errno after writing err. */
typedef int (ini_entry_h)(const struct ini_entry *e, char *err,
			  size_t errsz, void *arg);
/* A section header (optional; for sections with no keys). */
typedef int (ini_section_h)(const char *file, unsigned line,
			    const char *section, const char *name,
			    char *err, size_t errsz, void *arg);

int ini_parse_file(const char *path, ini_section_h *sech, ini_entry_h *h,
		   void *arg, char *err, size_t errsz);

#endif
