/*
 * pause: CLIENT PAUSE / CLIENT UNPAUSE, as Redis 7.0 has them.
 *
 * While a pause runs, a client's command is held, not refused: in ALL mode
 * every command, in WRITE mode the writes and the commands that may
 * propagate (EVAL, EVALSHA, PUBLISH, SPUBLISH, and EXEC of a transaction
 * holding one). The check comes after every rejection the dispatcher makes
 * (unknown command, arity, NOAUTH, MULTI refusals, LOADING, BUSY...), so
 * errors still come back at once. A held client is parked with its command
 * left unconsumed in its input buffer (CF_PAUSED; CLIENT LIST shows it
 * blocked, INFO counts it in blocked_clients); when the pause ends the held
 * clients, oldest first, parse and run it again in the before-sleep step,
 * and may be held again by a newer pause. Replies and commands of other
 * connections keep their order.
 *
 * A pause keeps the dataset constant (Redis does the same): keys past their
 * TTL read as missing but are neither deleted nor reported until it ends
 * (engine kv_hold_expiry), and eviction must not run (pause_active()).
 *
 * A second CLIENT PAUSE never shortens or weakens the running one: the end
 * is the later of the two and ALL wins over WRITE. The end is a deadline in
 * the server's time index (TI_CLIENT_PAUSE), so the pause ends on time
 * rather than at the next cron tick.
 */
#ifndef TASKKV_API_PAUSE_H
#define TASKKV_API_PAUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct server;
struct client;
struct cmd_def;
struct pause_state;

struct pause_state *pause_create(struct server *srv);
void pause_destroy(struct pause_state *p);   /* NULL is a no-op; clients are freed first */

/* CLIENT PAUSE: pauses until end_ms (absolute Unix ms; a time already past
 * pauses nothing, unless a pause is running), `all` for ALL, else WRITE. */
void pause_start(struct server *srv, int64_t end_ms, bool all);
/* CLIENT UNPAUSE (and the pause's deadline): releases every held client. */
void pause_stop(struct server *srv);

/* The dispatcher's check, after every rejection: true when c's command d
 * (a subcommand of `parent`, or NULL) must wait; c is then parked. */
bool pause_holds(struct client *c, const struct cmd_def *d, const struct cmd_def *parent);
/* Forgets a parked client (client_free). */
void pause_cancel(struct client *c);
/* The before-sleep step: runs again the commands of the clients released
 * since the last call, oldest first. */
void pause_resume_clients(struct server *srv);

/* A pause is running (either mode): the dataset must stay constant. */
bool pause_active(const struct server *srv);
/* Clients waiting for a pause to end (INFO blocked_clients counts them). */
size_t pause_held_clients(const struct server *srv);

#endif
