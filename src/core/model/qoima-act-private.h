/* qoima-act-private.h: the act's fields, for the store that reads acts from the database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "qoima-act.h"

G_BEGIN_DECLS

struct _QoimaAct
{
  GObject parent_instance;

  gint64 id;
  char *ismpt_id;
  char *number;
  char *sender_bin;
  char *sender_name;
  char *doc_date;
  char *transfer_date;
  char *deadline;
  QoimaActStatus status;
  int packs;
  int scanned;
  int accepted;
  char *errors;
  int answer_state;     /* QoimaDocumentState of the answer in the outbox, or -1 */
  char *answer_reason;
};

/* A stored status nick; an act stored before its status was known ("new") is waiting. */
QoimaActStatus qoima_act_status_from_nick (const char *nick);

G_END_DECLS
