/* fuzz-incoming-act.c: an act's document as ИС МПТ sends it, read into an incoming act
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-fuzz.h"
#include "qoima-ismpt-documents.h"
#include "qoima-json.h"

#include <stdlib.h>

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  qoima_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(QoimaIncomingAct) act = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GBytes) answer = NULL;

  /* The client reads every answer through qoima_json_parse_bytes(), as here. */
  node = qoima_json_parse_bytes (bytes, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return 0;

  (void) qoima_incoming_act_json_has_codes (json_node_get_object (node));
  act = qoima_incoming_act_from_json (json_node_get_object (node), &error);
  if ((act == NULL) == (error == NULL))
    abort ();
  if (act == NULL)
    return 0;
  if (act->codes == NULL || act->n_packs > act->codes->len)
    abort ();

  /* What is read must be answerable: the acceptance document is built from it. */
  now = g_date_time_new_utc (2025, 3, 14, 10, 0, 0);
  answer = qoima_acceptance_document_new (act, QOIMA_ACCEPT_ALL, NULL, "123456789012", "A-1", now);
  if (answer == NULL)
    abort ();
  return 0;
}
