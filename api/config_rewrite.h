/*
 * config_rewrite: CONFIG REWRITE (the rules are in config_rewrite.c).
 */
#ifndef TASKKV_API_CONFIG_REWRITE_H
#define TASKKV_API_CONFIG_REWRITE_H

#include <stdbool.h>

struct config;

/* Rewrites the config file at `path` (the one the server was started with)
 * so that it sets the current configuration, keeping its comments, order and
 * other lines. Returns false with errno set when the file cannot be read or
 * replaced; the old file is then untouched. */
bool config_rewrite(const struct config *cfg, const char *path);

#endif
