/* qoimactl.h: the subcommands of qoimactl
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "qoima-store.h"

G_BEGIN_DECLS

/* Global options, parsed before the subcommand. */
typedef struct {
  char *db_path; /* --db PATH; NULL = the user's data directory */
} QoimactlOptions;

/* Each returns the process exit status. argv[0] is the subcommand name. */
int         qoimactl_parse (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_demo  (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_stock (QoimactlOptions *options, int argc, char **argv);

/* Opens the store named by the options, running a main loop until it is open. */
QoimaStore *qoimactl_open_store (QoimactlOptions *options, GError **error);
/* Runs the default main context until *done is TRUE. */
void        qoimactl_wait (gboolean *done);
/* The default database path: $XDG_DATA_HOME/qoima/qoima.db */
char       *qoimactl_default_db_path (void);

G_END_DECLS
