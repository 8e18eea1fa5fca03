/* qoima-stand-rules.h: what ИС МПТ checks when it processes a document
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "qoima-stand-db.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* At most this many errors are listed for one document; the last one counts the rest. */
#define QOIMA_STAND_MAX_ERRORS 100

/* The string member @name of @object, or %NULL when it is missing or not a string; never
 * emits a critical, since the stand reads whatever a client sends. */
const char *qoima_stand_json_string (JsonObject *object,
                                     const char *name);

/**
 * qoima_stand_code_to_ki:
 * @code: an identification code, or a full marking code
 *
 * Returns: (transfer full): the identification code (01 + GTIN + 21 + 13-character serial),
 *   or a copy of @code when it is not a pack's code (an SSCC, say)
 */
char     *qoima_stand_code_to_ki (const char *code);

/**
 * qoima_stand_rules_process:
 * @db: the stand's database
 * @doc_id: a document in IN_PROGRESS (LP_ACCEPT_GOODS or LK_RECEIPT)
 *
 * Applies the rules in ONE transaction: either every change the document asks for and
 * CHECKED_OK, or no change and CHECKED_NOT_OK with its errors. A document that is no longer
 * IN_PROGRESS is left alone. Fails only on a database error.
 */
gboolean  qoima_stand_rules_process (QoimaStandDb  *db,
                                     const char    *doc_id,
                                     GError       **error);

G_END_DECLS
