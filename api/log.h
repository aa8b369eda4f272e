/*
 * log: Redis-style log lines ("1234:M 21 Nov 2026 10:00:00.123 * Ready to
 * accept connections"), filtered by `loglevel`, written to `logfile` (stdout
 * when empty). The file is opened per line, as Redis does, so log rotation
 * needs no signal.
 */
#ifndef TASKKV_API_LOG_H
#define TASKKV_API_LOG_H

struct server;

enum log_level { LOG_DEBUG, LOG_VERBOSE, LOG_NOTICE, LOG_WARNING, LOG_NOTHING };

/* srv may be NULL before the server exists (level notice, stdout). */
void log_at(const struct server *srv, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
