/* log: see log.h. */
#include "api/log.h"
#include "api/config.h"
#include "api/server.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

void log_at(const struct server *srv, int level, const char *fmt, ...)
{
    static const char marks[] = ".-*#";
    const struct config_values *cv = srv ? config_values(srv->cfg) : NULL;
    int min = cv ? cv->loglevel : LOG_NOTICE;
    const char *path = cv ? cv->logfile : "";
    char msg[1024], when[64];
    struct timeval tv;
    struct tm tm;
    va_list ap;
    FILE *fp;
    if (level < min || level >= LOG_NOTHING)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    strftime(when, sizeof(when), "%d %b %Y %H:%M:%S", &tm);
    fp = (path && *path) ? fopen(path, "a") : stdout;
    if (!fp)
        return;
    fprintf(fp, "%d:M %s.%03d %c %s\n", (int)getpid(), when, (int)(tv.tv_usec / 1000), marks[level], msg);
    fflush(fp);
    if (fp != stdout)
        fclose(fp);
}
