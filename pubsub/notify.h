/*
 * notify: keyspace-notification settings - the `notify-keyspace-events`
 * flag string (K E g $ l s h z x e t m n d A) as a class bitmask (the NOTIFY_*
 * classes of engine/event.h), and the channel names events go to
 * (`__keyspace@<db>__:<key>`, `__keyevent@<db>__:<event>`).
 */
#ifndef TASKKV_PUBSUB_NOTIFY_H
#define TASKKV_PUBSUB_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

/* Parses a flag string; returns false on an unknown character. */
bool ps_notify_parse(const char *s, size_t len, int *flags);
/* Writes the canonical flag string (Redis' order, 'A' for the whole set)
 * into buf (at least 32 bytes); returns its length. */
size_t ps_notify_format(int flags, char *buf);
/* The string CONFIG GET shows, as Redis 7.0 prints it: "A" for the whole
 * 'A' set (and then no 'n', a quirk of Redis' printer), else the class
 * letters in the order g$lshzxetdn; then K, E, m. buf: at least 32 bytes;
 * returns the length. */
size_t ps_notify_display(int flags, char *buf);
/* Whether an event of class `cls` is published at all under `flags`. */
bool ps_notify_wanted(int flags, int cls);
/* Builds "__keyspace@<db>__:" + key or "__keyevent@<db>__:" + event into buf
 * (cap bytes); returns the length, or 0 when it does not fit. */
size_t ps_notify_channel(char *buf, size_t cap, bool keyspace, int db, const char *name, size_t len);

#endif
