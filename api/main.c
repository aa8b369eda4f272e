/*
 * main: `taskkv-server [config-file] [--name value ...]`, started like
 * redis-server: load the configuration, enter `dir`, optionally daemonize,
 * open the listeners and run the loop until SHUTDOWN or SIGTERM/SIGINT.
 */
#include "api/config.h"
#include "api/log.h"
#include "api/persist.h"
#include "api/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <locale.h>
#include <unistd.h>

static bool enter_dir(const char *dir)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "Can't create directory '%s': %s\n", dir, strerror(errno));
        return false;
    }
    if (chdir(dir) < 0) {
        fprintf(stderr, "Can't chdir to '%s': %s\n", dir, strerror(errno));
        return false;
    }
    return true;
}

static void daemonize(void)
{
    int fd;
    if (fork() != 0)
        exit(0);
    setsid();
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO)
            close(fd);
    }
}

static void write_pidfile(const char *path)
{
    FILE *fp = fopen(path, "w");
    if (fp) {
        fprintf(fp, "%d\n", (int)getpid());
        fclose(fp);
    }
}

static void log_not_acted_on(void *ctx, const char *name, const char *value)
{
    log_at(ctx, LOG_NOTICE, "Config '%s' = '%s' is accepted but not acted on by this taskkv version", name, value);
}

static void usage(void)
{
    fprintf(stderr,
            "Usage: ./taskkv-server [/path/to/redis.conf] [options] [-]\n"
            "       ./taskkv-server -v or --version\n"
            "       ./taskkv-server -h or --help\n\n"
            "Examples:\n"
            "       ./taskkv-server (run the server with default config)\n"
            "       ./taskkv-server /etc/redis/6379.conf\n"
            "       ./taskkv-server --port 7777\n"
            "       ./taskkv-server /etc/myredis.conf --loglevel verbose\n");
}

/* disable-thp yes (the default), as Redis: no transparent huge pages for
 * this process, whose copy-on-write after fork and first writes to huge
 * pages cause latency spikes (LATENCY DOCTOR advises about them). */
static void disable_thp(void)
{
#ifdef PR_SET_THP_DISABLE
    prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
#endif
}

int main(int argc, char **argv)
{
    struct config *cfg;
    struct server *srv;
    const struct config_values *cv;
    char err[CONFIG_ERR_LEN] = "";
    int rc;

    setlocale(LC_COLLATE, "");   /* SORT ... ALPHA collates as Redis does; LC_NUMERIC stays "C" */

    if (argc >= 2 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version"))) {
        printf("taskkv server v=%s (redis protocol, compatible with Redis %s)\n", TASKKV_VERSION,
               TASKKV_REDIS_COMPAT_VERSION);
        return 0;
    }
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage();
        return 0;
    }
    cfg = config_create();
    if (config_load_argv(cfg, argc - 1, argv + 1, err, sizeof(err)) != CONFIG_LOAD_OK) {
        fprintf(stderr, "%s\n", err);
        config_destroy(cfg);
        return 1;
    }
    cv = config_values(cfg);
    if (cv->daemonize)
        daemonize();
    if (!enter_dir(cv->dir)) {
        config_destroy(cfg);
        return 1;
    }
    if (!strcmp(config_value(cfg, "disable-thp"), "yes"))
        disable_thp();
    srv = server_create(cfg);
    srv->executable = realpath(argv[0], NULL);
    if (config_file_path(cfg))
        srv->config_file = strdup(config_file_path(cfg));
    log_at(srv, LOG_NOTICE, "oO0OoO0OoO0Oo taskkv is starting oO0OoO0OoO0Oo");
    log_at(srv, LOG_NOTICE, "taskkv version=%s, redis_version=%s, pid=%d, just started", TASKKV_VERSION,
           TASKKV_REDIS_COMPAT_VERSION, (int)getpid());
    config_not_acted_on(cfg, log_not_acted_on, srv);
    if (!persist_load_at_start(srv)) {
        server_destroy(srv);
        return 1;
    }
    if (!server_listen(srv)) {
        server_destroy(srv);
        return 1;
    }
    if (cv->pidfile && *cv->pidfile)
        write_pidfile(cv->pidfile);
    log_at(srv, LOG_NOTICE, "Server initialized");
    log_at(srv, LOG_NOTICE, "Ready to accept connections tcp");
    rc = server_run(srv);
    if (cv->pidfile && *cv->pidfile)
        unlink(cv->pidfile);
    server_destroy(srv);
    return rc;
}
