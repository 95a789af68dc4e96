/* core/log.h  Logging: one line per event on stderr, with a level and a
 * module tag; the level is checked before any formatting, so a disabled
 * level costs one comparison.  Log state changes with call, agent and
 * queue ids; nothing per packet; never passwords, HA1s or tokens.
 */

#ifndef SB_CORE_LOG_H
#define SB_CORE_LOG_H

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG
};

extern enum log_level log_level_cur;

void log_set_level(enum log_level lvl);
int  log_level_parse(const char *s, enum log_level *lvl);
void log_line(enum log_level lvl, const char *mod, const char *fmt, ...);

#define LOG(lvl, mod, ...) do {					\
		if ((lvl) <= log_level_cur)				\
			log_line((lvl), (mod), __VA_ARGS__);		\
	} while (0)
#define LOG_ERR(mod, ...)   LOG(LOG_LVL_ERROR, mod, __VA_ARGS__)
#define LOG_WARN(mod, ...)  LOG(LOG_LVL_WARN, mod, __VA_ARGS__)
#define LOG_INFO(mod, ...)  LOG(LOG_LVL_INFO, mod, __VA_ARGS__)
#define LOG_DEBUG(mod, ...) LOG(LOG_LVL_DEBUG, mod, __VA_ARGS__)

#endif
