/* qoima-stand-rules.c: what ИС МПТ checks when it processes a document
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-stand-rules"

#include "config.h"

#include "qoima-stand-rules.h"

#include "qoima-json.h"
#include "qoima-stand-world.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* The decision on one code of an act, while an acceptance is checked. */
typedef struct {
  char *status;
  char *owner;
  char *sscc;
  int decision; /* -1: not named yet, 0: rejected, 1: accepted */
} ActCode;

typedef struct {
  GPtrArray *errors;
  guint dropped;
} Errors;

/* The LK_RECEIPT actions the stand accepts: the reasons the hospital withdraws for (RETAIL:
 * a pack dispensed on an e-prescription, the spelling qoima-ismpt-documents.c designed). */
static const char *withdraw_actions[] = { "MEDICAL_USE", "RETAIL", "EXPIRATION", "DAMAGE_LOSS", "PRODUCT_RECALL" };

static void
act_code_free (gpointer data)
{
  ActCode *code = data;

  g_free (code->status);
  g_free (code->owner);
  g_free (code->sscc);
  g_free (code);
}

static void
add_error (Errors     *errors,
           int         number,
           const char *object,
           const char *text)
{
  if (errors->errors->len >= QOIMA_STAND_MAX_ERRORS)
    {
      errors->dropped++;
      return;
    }
  g_ptr_array_add (errors->errors, g_strdup_printf ("%02d: %s: %s", number, object, text));
}

static char *
errors_to_json (Errors *errors)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < errors->errors->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (errors->errors, i));
  if (errors->dropped > 0)
    {
      g_autofree char *more = g_strdup_printf ("99: …: ещё %u ошибок", errors->dropped);
      json_builder_add_string_value (builder, more);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static gboolean
bool_member (JsonObject *object,
             const char *name,
             gboolean   *present)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      if (present != NULL)
        *present = FALSE;
      return FALSE;
    }
  if (present != NULL)
    *present = TRUE;
  return json_node_get_boolean (node);
}

static JsonArray *
array_member (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

static char *
normalize_sscc (const char *code)
{
  gsize len = strlen (code);

  if (len == 18)
    return g_strconcat ("00", code, NULL);
  return g_strdup (code);
}

static void
name_code (Errors     *errors,
           GHashTable *codes,
           const char *ki,
           gboolean    accepted)
{
  ActCode *code = g_hash_table_lookup (codes, ki);

  if (code == NULL)
    add_error (errors, 30, ki, "КИ не входит в акт");
  else if (code->decision >= 0)
    add_error (errors, 31, ki, "КИ указан в документе повторно");
  else
    code->decision = accepted ? 1 : 0;
}

static gboolean
check_acceptance (QoimaStandDb  *db,
                  const char    *inn,
                  JsonObject    *doc,
                  Errors        *errors,
                  char         **act_id_out,
                  char         **act_sender_out,
                  GHashTable   **codes_out,
                  GError       **error)
{
  g_autoptr(sqlite3_stmt) find_act = NULL;
  g_autoptr(sqlite3_stmt) find_codes = NULL;
  g_autoptr(GHashTable) codes = NULL;
  g_autoptr(GHashTable) boxes = NULL;
  g_autofree char *act_sender = NULL;
  const char *act_id = qoima_stand_json_string (doc, "release_order_number");
  const char *trade_sender = qoima_stand_json_string (doc, "trade_sender_inn");
  const char *trade_recipient = qoima_stand_json_string (doc, "trade_recipient_inn");
  gboolean accept_all = bool_member (doc, "accept_all", NULL);
  gboolean reject_all = bool_member (doc, "reject_all", NULL);
  JsonArray *products = array_member (doc, "products");

  if (act_id == NULL || *act_id == '\0')
    {
      add_error (errors, 20, "release_order_number", "Отсутствует обязательное поле");
      return TRUE;
    }
  find_act = qoima_stand_db_prepare (db, "SELECT type, sender, receiver, status FROM documents WHERE id = ?", error);
  if (find_act == NULL)
    return FALSE;
  sqlite3_bind_text (find_act, 1, act_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (find_act) != SQLITE_ROW ||
      g_strcmp0 (qoima_stand_db_column_text (find_act, 0), "LP_SHIP_GOODS") != 0)
    {
      add_error (errors, 21, act_id, "Документ не найден");
      return TRUE;
    }
  if (g_strcmp0 (qoima_stand_db_column_text (find_act, 2), inn) != 0)
    {
      add_error (errors, 22, act_id, "Документ адресован другому участнику");
      return TRUE;
    }
  if (g_strcmp0 (qoima_stand_db_column_text (find_act, 3), "WAIT_ACCEPTANCE") != 0)
    {
      add_error (errors, 23, act_id, "Документ уже обработан");
      return TRUE;
    }
  act_sender = g_strdup (qoima_stand_db_column_text (find_act, 1));

  if (g_strcmp0 (trade_recipient, inn) != 0)
    add_error (errors, 24, "trade_recipient_inn", "Не совпадает с получателем акта");
  if (g_strcmp0 (trade_sender, act_sender) != 0)
    add_error (errors, 25, "trade_sender_inn", "Не совпадает с отправителем акта");
  if (accept_all && reject_all)
    add_error (errors, 26, "accept_all", "Нельзя одновременно принять и отклонить все товары");

  codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, act_code_free);
  boxes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  find_codes = qoima_stand_db_prepare (db, "SELECT ki, status, owner_bin, parent_sscc FROM codes WHERE act_id = ?", error);
  if (find_codes == NULL)
    return FALSE;
  sqlite3_bind_text (find_codes, 1, act_id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (find_codes) == SQLITE_ROW)
    {
      ActCode *code = g_new0 (ActCode, 1);
      const char *ki = qoima_stand_db_column_text (find_codes, 0);

      code->status = g_strdup (qoima_stand_db_column_text (find_codes, 1));
      code->owner = g_strdup (qoima_stand_db_column_text (find_codes, 2));
      code->sscc = g_strdup (qoima_stand_db_column_text (find_codes, 3));
      code->decision = -1;
      g_hash_table_insert (codes, g_strdup (ki), code);
      if (code->sscc != NULL)
        {
          GPtrArray *children = g_hash_table_lookup (boxes, code->sscc);

          if (children == NULL)
            {
              children = g_ptr_array_new_with_free_func (g_free);
              g_hash_table_insert (boxes, g_strdup (code->sscc), children);
            }
          g_ptr_array_add (children, g_strdup (ki));
        }
    }

  if (accept_all || reject_all)
    {
      GHashTableIter iter;
      ActCode *code;

      g_hash_table_iter_init (&iter, codes);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &code))
        code->decision = accept_all ? 1 : 0;
    }
  else if (products == NULL || json_array_get_length (products) == 0)
    add_error (errors, 27, "products", "Перечень товаров обязателен при частичной приемке");
  else
    {
      guint n = json_array_get_length (products);
      GHashTableIter iter;
      const char *ki;
      ActCode *code;

      for (guint i = 0; i < n; i++)
        {
          JsonNode *node = json_array_get_element (products, i);
          JsonObject *item = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          const char *uit = item != NULL ? qoima_stand_json_string (item, "uit_code") : NULL;
          const char *uitu = item != NULL ? qoima_stand_json_string (item, "uitu_code") : NULL;
          gboolean has_accepted = FALSE;
          gboolean accepted = item != NULL ? bool_member (item, "accepted", &has_accepted) : FALSE;
          g_autofree char *where = g_strdup_printf ("products[%u]", i);

          if ((uit == NULL) == (uitu == NULL) || !has_accepted)
            {
              add_error (errors, 28, where, "Нужны uit_code или uitu_code и accepted");
              continue;
            }
          if (uit != NULL)
            {
              g_autofree char *normalized = qoima_stand_code_to_ki (uit);

              name_code (errors, codes, normalized, accepted);
            }
          else
            {
              g_autofree char *sscc = normalize_sscc (uitu);
              GPtrArray *children = g_hash_table_lookup (boxes, sscc);

              if (children == NULL)
                {
                  add_error (errors, 32, uitu, "Короб не входит в акт");
                  continue;
                }
              for (guint c = 0; c < children->len; c++)
                name_code (errors, codes, g_ptr_array_index (children, c), accepted);
            }
        }

      g_hash_table_iter_init (&iter, codes);
      while (g_hash_table_iter_next (&iter, (gpointer *) &ki, (gpointer *) &code))
        if (code->decision < 0)
          add_error (errors, 33, ki, "КИ акта не указан в документе");
    }

  if (errors->errors->len == 0)
    {
      GHashTableIter iter;
      const char *ki;
      ActCode *code;

      g_hash_table_iter_init (&iter, codes);
      while (g_hash_table_iter_next (&iter, (gpointer *) &ki, (gpointer *) &code))
        {
          if (g_strcmp0 (code->owner, act_sender) != 0)
            add_error (errors, 34, ki, "КИ не принадлежит отправителю");
          else if (g_strcmp0 (code->status, "WAIT_SHIPMENT") != 0)
            {
              g_autofree char *text = g_strdup_printf ("КИ в статусе %s, ожидался WAIT_SHIPMENT", code->status);

              add_error (errors, 35, ki, text);
            }
        }
    }

  *act_id_out = g_strdup (act_id);
  *act_sender_out = g_steal_pointer (&act_sender);
  *codes_out = g_steal_pointer (&codes);
  return TRUE;
}

static gboolean
apply_acceptance (QoimaStandDb  *db,
                  const char    *inn,
                  const char    *act_id,
                  const char    *act_sender,
                  GHashTable    *codes,
                  const char    *now,
                  GError       **error)
{
  g_autoptr(sqlite3_stmt) update_code = NULL;
  g_autoptr(sqlite3_stmt) update_act = NULL;
  GHashTableIter iter;
  const char *ki;
  ActCode *code;
  gboolean any_accepted = FALSE;

  update_code = qoima_stand_db_prepare (db, "UPDATE codes SET status = 'INTRODUCED', owner_bin = ? WHERE ki = ?", error);
  if (update_code == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, codes);
  while (g_hash_table_iter_next (&iter, (gpointer *) &ki, (gpointer *) &code))
    {
      any_accepted |= code->decision == 1;
      sqlite3_bind_text (update_code, 1, code->decision == 1 ? inn : act_sender, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (update_code, 2, ki, -1, SQLITE_TRANSIENT);
      if (!qoima_stand_db_step_done (db, update_code, error))
        return FALSE;
    }

  update_act = qoima_stand_db_prepare (db, "UPDATE documents SET status = ?, processed_at = ? WHERE id = ?", error);
  if (update_act == NULL)
    return FALSE;
  sqlite3_bind_text (update_act, 1, any_accepted ? "ACCEPTED" : "CANCELLED", -1, SQLITE_STATIC);
  sqlite3_bind_text (update_act, 2, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (update_act, 3, act_id, -1, SQLITE_TRANSIENT);
  return qoima_stand_db_step_done (db, update_act, error);
}

static gboolean
check_receipt (QoimaStandDb  *db,
               const char    *inn,
               JsonObject    *doc,
               Errors        *errors,
               GPtrArray    **kis_out,
               GError       **error)
{
  g_autoptr(sqlite3_stmt) find_code = NULL;
  g_autoptr(GPtrArray) kis = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *doc_inn = qoima_stand_json_string (doc, "inn");
  const char *action = qoima_stand_json_string (doc, "action");
  JsonArray *products = array_member (doc, "products");
  gboolean action_known = FALSE;

  if (g_strcmp0 (doc_inn, inn) != 0)
    add_error (errors, 40, "inn", "Не совпадает с участником, подписавшим документ");
  for (gsize i = 0; action != NULL && i < G_N_ELEMENTS (withdraw_actions); i++)
    action_known |= g_str_equal (action, withdraw_actions[i]);
  if (!action_known)
    add_error (errors, 41, "action", "Недопустимая причина вывода из оборота");
  if (qoima_stand_json_string (doc, "document_number") == NULL)
    add_error (errors, 42, "document_number", "Отсутствует обязательное поле");
  if (products == NULL || json_array_get_length (products) == 0)
    {
      add_error (errors, 43, "products", "Перечень товаров пуст");
      *kis_out = g_steal_pointer (&kis);
      return TRUE;
    }

  find_code = qoima_stand_db_prepare (db, "SELECT status, owner_bin FROM codes WHERE ki = ?", error);
  if (find_code == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (products); i++)
    {
      JsonNode *node = json_array_get_element (products, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *cis = item != NULL ? qoima_stand_json_string (item, "cis") : NULL;
      g_autofree char *ki = NULL;

      if (cis == NULL)
        {
          g_autofree char *where = g_strdup_printf ("products[%u]", i);

          add_error (errors, 44, where, "Отсутствует обязательное поле cis");
          continue;
        }
      ki = qoima_stand_code_to_ki (cis);
      if (g_hash_table_contains (seen, ki))
        {
          add_error (errors, 45, ki, "КИ указан в документе повторно");
          continue;
        }
      sqlite3_bind_text (find_code, 1, ki, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (find_code) != SQLITE_ROW)
        add_error (errors, 46, ki, "КИ не найден");
      else if (g_strcmp0 (qoima_stand_db_column_text (find_code, 1), inn) != 0)
        add_error (errors, 47, ki, "КИ не принадлежит участнику");
      else if (g_strcmp0 (qoima_stand_db_column_text (find_code, 0), "INTRODUCED") != 0)
        {
          g_autofree char *text = g_strdup_printf ("КИ в статусе %s, ожидался INTRODUCED",
                                                   qoima_stand_db_column_text (find_code, 0));

          add_error (errors, 48, ki, text);
        }
      sqlite3_reset (find_code);
      g_hash_table_add (seen, ki);
      g_ptr_array_add (kis, g_steal_pointer (&ki));
    }
  *kis_out = g_steal_pointer (&kis);
  return TRUE;
}

static gboolean
apply_receipt (QoimaStandDb  *db,
               JsonObject    *doc,
               GPtrArray     *kis,
               GError       **error)
{
  g_autoptr(sqlite3_stmt) update = NULL;
  const char *action = qoima_stand_json_string (doc, "action");

  update = qoima_stand_db_prepare (db, "UPDATE codes SET status = 'RETIRED', withdraw_reason = ? WHERE ki = ?", error);
  if (update == NULL)
    return FALSE;
  for (guint i = 0; i < kis->len; i++)
    {
      sqlite3_bind_text (update, 1, action, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (update, 2, g_ptr_array_index (kis, i), -1, SQLITE_TRANSIENT);
      if (!qoima_stand_db_step_done (db, update, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
process_locked (QoimaStandDb  *db,
                const char    *doc_id,
                GError       **error)
{
  g_autoptr(sqlite3_stmt) find_doc = NULL;
  g_autoptr(sqlite3_stmt) update_doc = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) error_list = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now_time = g_date_time_new_now_utc ();
  g_autofree char *now = qoima_stand_format_time (now_time);
  g_autofree char *type = NULL;
  g_autofree char *inn = NULL;
  g_autofree char *errors_json = NULL;
  Errors errors = { error_list, 0 };
  JsonObject *doc = NULL;

  find_doc = qoima_stand_db_prepare (db, "SELECT type, sender, status, body FROM documents WHERE id = ?", error);
  if (find_doc == NULL)
    return FALSE;
  sqlite3_bind_text (find_doc, 1, doc_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (find_doc) != SQLITE_ROW ||
      g_strcmp0 (qoima_stand_db_column_text (find_doc, 2), "IN_PROGRESS") != 0)
    return TRUE;
  type = g_strdup (qoima_stand_db_column_text (find_doc, 0));
  inn = g_strdup (qoima_stand_db_column_text (find_doc, 1));

  root = qoima_json_parse_bounded (qoima_stand_db_column_text (find_doc, 3), -1, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    add_error (&errors, 10, "product_document", "JSON parse error");
  else
    doc = json_node_get_object (root);

  if (doc != NULL && g_str_equal (type, "LP_ACCEPT_GOODS"))
    {
      g_autofree char *act_id = NULL;
      g_autofree char *act_sender = NULL;
      g_autoptr(GHashTable) codes = NULL;

      if (!check_acceptance (db, inn, doc, &errors, &act_id, &act_sender, &codes, error))
        return FALSE;
      if (errors.errors->len == 0 &&
          !apply_acceptance (db, inn, act_id, act_sender, codes, now, error))
        return FALSE;
    }
  else if (doc != NULL && g_str_equal (type, "LK_RECEIPT"))
    {
      g_autoptr(GPtrArray) kis = NULL;

      if (!check_receipt (db, inn, doc, &errors, &kis, error))
        return FALSE;
      if (errors.errors->len == 0 && !apply_receipt (db, doc, kis, error))
        return FALSE;
    }
  else if (doc != NULL)
    add_error (&errors, 11, type, "Неподдерживаемый тип документа");

  errors_json = errors_to_json (&errors);
  update_doc = qoima_stand_db_prepare (db, "UPDATE documents SET status = ?, errors = ?, processed_at = ? WHERE id = ?", error);
  if (update_doc == NULL)
    return FALSE;
  sqlite3_bind_text (update_doc, 1, errors.errors->len == 0 ? "CHECKED_OK" : "CHECKED_NOT_OK", -1, SQLITE_STATIC);
  sqlite3_bind_text (update_doc, 2, errors_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (update_doc, 3, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (update_doc, 4, doc_id, -1, SQLITE_TRANSIENT);
  return qoima_stand_db_step_done (db, update_doc, error);
}

const char *
qoima_stand_json_string (JsonObject *object,
                         const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

char *
qoima_stand_code_to_ki (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  /* A marking code starts with its identification code: 01 + 14 digits + 21 + 13 characters. */
  if (g_str_has_prefix (code, "01") && strlen (code) > 31 && strncmp (code + 16, "21", 2) == 0)
    return g_strndup (code, 31);
  return g_strdup (code);
}

gboolean
qoima_stand_rules_process (QoimaStandDb  *db,
                           const char    *doc_id,
                           GError       **error)
{
  g_return_val_if_fail (QOIMA_IS_STAND_DB (db), FALSE);
  g_return_val_if_fail (doc_id != NULL, FALSE);

  if (!qoima_stand_db_begin (db, error))
    return FALSE;
  if (!process_locked (db, doc_id, error) || !qoima_stand_db_commit (db, error))
    {
      qoima_stand_db_rollback (db);
      return FALSE;
    }
  return TRUE;
}
