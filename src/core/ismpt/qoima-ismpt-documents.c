/* qoima-ismpt-documents.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-ismpt-documents"

#include "config.h"

#include "qoima-ismpt-documents.h"

#include "qoima-enums.h"
#include "qoima-error.h"
#include "qoima-gs1.h"
#include "qoima-json.h"
#include "qoima-types.h"

#include <glib/gi18n.h>
#include <string.h>

static void
act_code_free (QoimaActCode *code)
{
  g_free (code->code);
  g_free (code->gtin);
  g_free (code->batch);
  g_free (code->expiry);
  g_free (code->parent_sscc);
  g_free (code);
}

void
qoima_incoming_act_free (QoimaIncomingAct *act)
{
  if (act == NULL)
    return;
  g_free (act->ismpt_id);
  g_free (act->number);
  g_free (act->doc_date);
  g_free (act->transfer_date);
  g_free (act->sender_bin);
  g_free (act->sender_name);
  g_free (act->receiver_bin);
  g_free (act->status);
  g_clear_pointer (&act->codes, g_ptr_array_unref);
  g_free (act);
}

static gboolean
all_digits (const char *text,
            gsize       len)
{
  if (text == NULL || strlen (text) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

/* "01" + GTIN(14) + "21" + serial (1–20 CSET 82 characters), as acts carry them. */
static gboolean
is_identification_code (const char *code)
{
  g_autofree char *gtin = NULL;
  gsize len;

  if (code == NULL || !g_str_has_prefix (code, "01"))
    return FALSE;
  len = strlen (code);
  if (len < 19 || len > 38 || code[16] != '2' || code[17] != '1')
    return FALSE;
  gtin = g_strndup (code + 2, 14);
  if (!qoima_gs1_gtin_is_valid (gtin))
    return FALSE;
  for (const char *p = code + 18; *p != '\0'; p++)
    if (!qoima_gs1_is_cset82 ((guchar) *p))
      return FALSE;
  return TRUE;
}

static gboolean
is_sscc_code (const char *code)
{
  if (code == NULL || !g_str_has_prefix (code, "00") || !all_digits (code + 2, 18))
    return FALSE;
  return qoima_gs1_check_digit (code + 2, 17) == code[19] - '0';
}

static char *
date_part (const char *iso)
{
  if (iso == NULL || strlen (iso) < 10)
    return NULL;
  return g_strndup (iso, 10);
}

/* The keys a product item may carry its code under: ИС МПТ's own acceptance spells packs
 * uit_code and boxes uitu_code, withdrawals and some readings spell any code cis
 * (ismpt-api.md §5.3–5.5). */
static const char *const code_keys[] = { "uit_code", "uitu_code", "cis" };

static const char *
item_code (JsonObject *item,
           gboolean   *is_box)
{
  for (gsize i = 0; i < G_N_ELEMENTS (code_keys); i++)
    {
      const char *code = qoima_json_get_string (item, code_keys[i]);

      if (code != NULL && *code != '\0')
        {
          /* uitu_code names a box; under cis a box is known by its SSCC's shape. */
          *is_box = g_str_equal (code_keys[i], "uitu_code") ||
                    (g_str_has_prefix (code, "00") && all_digits (code + 2, 18));
          return code;
        }
    }
  return NULL;
}

static gboolean
add_pack (QoimaIncomingAct  *act,
          GHashTable        *seen,
          const char        *code,
          JsonObject        *item,
          const char        *parent_sscc,
          GError           **error)
{
  const char *gtin = qoima_json_get_string (item, "gtin");
  QoimaActCode *entry;

  if (!is_identification_code (code) || (gtin != NULL && strncmp (code + 2, gtin, 14) != 0))
    {
      g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                   _("The act %s holds a code that is not a valid identification code: “%s”. The act was not loaded."),
                   act->number, code ? code : "");
      return FALSE;
    }
  if (!g_hash_table_add (seen, g_strdup (code)))
    {
      g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                   _("The act %s lists the code “%s” twice. The act was not loaded."), act->number, code);
      return FALSE;
    }

  entry = g_new0 (QoimaActCode, 1);
  entry->code = g_strdup (code);
  entry->gtin = g_strndup (code + 2, 14);
  entry->batch = g_strdup (qoima_json_get_string (item, "batch"));
  entry->expiry = date_part (qoima_json_get_string (item, "expiration_date"));
  entry->parent_sscc = g_strdup (parent_sscc);
  g_ptr_array_add (act->codes, entry);
  act->n_packs++;
  return TRUE;
}

static gboolean
add_box (QoimaIncomingAct  *act,
         GHashTable        *seen,
         const char        *sscc,
         JsonArray         *children,
         GError           **error)
{
  QoimaActCode *box;

  if (!is_sscc_code (sscc) || !g_hash_table_add (seen, g_strdup (sscc)))
    {
      g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                   _("The act %s holds a box that is not a valid SSCC: “%s”. The act was not loaded."),
                   act->number, sscc);
      return FALSE;
    }
  box = g_new0 (QoimaActCode, 1);
  box->code = g_strdup (sscc);
  box->is_box = TRUE;
  g_ptr_array_add (act->codes, box);

  for (guint j = 0; children != NULL && j < json_array_get_length (children); j++)
    {
      JsonObject *child = qoima_json_array_get_object (children, j);
      gboolean child_is_box = FALSE;
      const char *code = item_code (child, &child_is_box);

      if (code == NULL || child_is_box)
        {
          g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                       _("The box %s of the act %s holds an item without a pack’s code (uit_code or cis). The act was not loaded."),
                       sscc, act->number);
          return FALSE;
        }
      if (!add_pack (act, seen, code, child, sscc, error))
        return FALSE;
    }
  return TRUE;
}

/* Whether any item of @products carries a code under one of the known keys. */
static gboolean
products_have_codes (JsonArray *products)
{
  for (guint i = 0; products != NULL && i < json_array_get_length (products); i++)
    {
      gboolean is_box;

      if (item_code (qoima_json_array_get_object (products, i), &is_box) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The act's codes from body.products: loose packs, and boxes (uitu_code) with their packs. */
static gboolean
read_products (QoimaIncomingAct  *act,
               GHashTable        *seen,
               JsonArray         *products,
               GError           **error)
{
  for (guint i = 0; i < json_array_get_length (products); i++)
    {
      JsonObject *item = qoima_json_array_get_object (products, i);
      gboolean is_box = FALSE;
      const char *code = item_code (item, &is_box);

      if (code == NULL)
        {
          g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                       _("Item %u of the act %s has no code (none of uit_code, uitu_code, cis). The act was not loaded."),
                       i + 1, act->number);
          return FALSE;
        }
      if (is_box)
        {
          JsonArray *children = qoima_json_get_array (item, "children");

          if (children == NULL)
            {
              g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                           _("The box %s of the act %s does not list its packs (children). The act was not loaded."),
                           code, act->number);
              return FALSE;
            }
          if (!add_box (act, seen, code, children, error))
            return FALSE;
        }
      else if (!add_pack (act, seen, code, item, NULL, error))
        return FALSE;
    }
  return TRUE;
}

/* The act's codes from the flat list of doc/cises: strings, or objects with a code key. A box
 * there is known by its SSCC alone. */
static gboolean
read_cis_list (QoimaIncomingAct  *act,
               GHashTable        *seen,
               JsonArray         *list,
               GError           **error)
{
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *item = qoima_json_array_get_object (list, i);
      const char *code = qoima_json_array_get_string (list, i);
      gboolean is_box = FALSE;

      if (item != NULL)
        code = item_code (item, &is_box);
      else if (code != NULL)
        is_box = g_str_has_prefix (code, "00") && all_digits (code + 2, 18);
      if (code == NULL)
        {
          g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                       _("Entry %u of the codes of the act %s (cisList) is not a code. The act was not loaded."),
                       i + 1, act->number);
          return FALSE;
        }
      if (is_box ? !add_box (act, seen, code, NULL, error)
                 : !add_pack (act, seen, code, item, NULL, error))
        return FALSE;
    }
  return TRUE;
}

QoimaProduct *
qoima_product_from_catalog_card (const char  *gtin,
                                 JsonObject  *card,
                                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 units = 0;

  g_return_val_if_fail (gtin != NULL, NULL);

  if (qoima_json_get_string (card, "nameRu") == NULL)
    return NULL;
  if (!qoima_json_get_int_checked (card, "unitsPerPack", 0, G_MAXINT, &units, &local_error))
    {
      g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                   _("The НКТ catalog sent a broken card for the GTIN %s (%s)."), gtin, local_error->message);
      return NULL;
    }
  return qoima_product_new (gtin,
                            qoima_json_get_string (card, "nameRu"),
                            qoima_json_get_string (card, "nameKk"),
                            qoima_json_get_string (card, "inn"),
                            qoima_json_get_string (card, "dosageForm"),
                            qoima_json_get_string (card, "dosage"),
                            qoima_json_get_string (card, "manufacturer"),
                            (int) units);
}

static const char *
first_string (JsonObject *first,
              const char *first_member,
              JsonObject *second,
              const char *second_member)
{
  const char *value = qoima_json_get_string (first, first_member);

  if (value == NULL || *value == '\0')
    value = qoima_json_get_string (second, second_member);
  return value != NULL && *value != '\0' ? value : NULL;
}

static void
missing_field (GError    **error,
               const char *field)
{
  g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
               _("ИС МПТ sent an act Qoima cannot read: the field “%s” is missing or wrong. The act was not loaded."),
               field);
}

gboolean
qoima_incoming_act_json_has_codes (JsonObject *info)
{
  JsonObject *body = qoima_json_get_object (info, "body");
  JsonArray *list = qoima_json_get_array (info, "cisList");

  return products_have_codes (qoima_json_get_array (body, "products")) ||
         (list != NULL && json_array_get_length (list) > 0);
}

QoimaIncomingAct *
qoima_incoming_act_from_json (JsonObject  *info,
                              GError     **error)
{
  g_autoptr(QoimaIncomingAct) act = g_new0 (QoimaIncomingAct, 1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonObject *body = qoima_json_get_object (info, "body");
  JsonArray *products = qoima_json_get_array (body, "products");
  JsonArray *cis_list = qoima_json_get_array (info, "cisList");
  const char *missing = NULL;
  const char *number;

  act->codes = g_ptr_array_new_with_free_func ((GDestroyNotify) act_code_free);
  act->ismpt_id = g_strdup (qoima_json_get_string (info, "number"));
  if (act->ismpt_id == NULL)
    {
      missing_field (error, "number");
      return NULL;
    }

  /* The sender's number, wherever this reading of the act keeps it; at worst the act is
   * known by its ИС МПТ id, which names it just as well. */
  number = first_string (body, "document_number", info, "documentNumber");
  if (number == NULL)
    number = first_string (info, "invoiceNumber", body, "documentNumber");
  act->number = g_strdup (number != NULL ? number : act->ismpt_id);

  act->doc_date = g_strdup (first_string (info, "docDate", body, "document_date"));
  act->transfer_date = date_part (qoima_json_get_string (body, "transfer_date"));
  if (act->transfer_date == NULL)
    act->transfer_date = date_part (act->doc_date);
  if (act->transfer_date == NULL)
    act->transfer_date = date_part (qoima_json_get_string (info, "receivedAt"));
  act->sender_bin = g_strdup (first_string (info, "senderInn", body, "trade_sender_inn"));
  act->sender_name = g_strdup (qoima_json_get_string (info, "senderName"));
  act->receiver_bin = g_strdup (first_string (info, "receiverInn", body, "trade_recipient_inn"));
  act->status = g_strdup (qoima_json_get_string (info, "status"));

  if (act->transfer_date == NULL)
    missing = "docDate";
  else if (!all_digits (act->sender_bin, 12))
    missing = "senderInn";
  else if (!all_digits (act->receiver_bin, 12))
    missing = "receiverInn";
  else if (act->status == NULL)
    missing = "status";
  if (missing != NULL)
    {
      missing_field (error, missing);
      return NULL;
    }

  /* The codes: from the body when it carries them, else from the flat list of doc/cises. */
  if (products_have_codes (products))
    {
      if (!read_products (act, seen, products, error))
        return NULL;
    }
  else if (cis_list != NULL && json_array_get_length (cis_list) > 0)
    {
      if (!read_cis_list (act, seen, cis_list, error))
        return NULL;
    }
  else
    {
      const char *where;

      if (products == NULL)
        where = cis_list == NULL ? _("it has no body.products, and doc/cises gave no cisList")
                                 : _("it has no body.products, and the cisList of doc/cises is empty");
      else
        where = cis_list == NULL ? _("body.products holds no uit_code, uitu_code or cis, and doc/cises gave no cisList")
                                 : _("body.products holds no uit_code, uitu_code or cis, and the cisList of doc/cises is empty");
      g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                   _("ИС МПТ sent the act %s without its codes: %s. The act was not loaded."),
                   act->number, where);
      return NULL;
    }

  return g_steal_pointer (&act);
}

GDate *
qoima_act_deadline (const GDate *transfer_date)
{
  GDate *deadline;

  g_return_val_if_fail (transfer_date != NULL && g_date_valid (transfer_date), NULL);

  deadline = g_date_copy (transfer_date);
  g_date_add_days (deadline, 1);
  return deadline;
}

static char *
format_time (GDateTime *now)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (now);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.000Z");
}

static GBytes *
builder_to_bytes (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  char *json = qoima_json_to_string (root);

  return g_bytes_new_take (json, strlen (json));
}

static void
add_member (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

GBytes *
qoima_acceptance_document_new (const QoimaIncomingAct *act,
                               QoimaAcceptance         acceptance,
                               GHashTable             *accepted,
                               const char             *bin,
                               const char             *document_number,
                               GDateTime              *now)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *when = format_time (now);
  g_autofree char *transfer = g_strdup_printf ("%sT00:00:00.000Z", act->transfer_date);

  g_return_val_if_fail (acceptance != QOIMA_ACCEPT_SOME || accepted != NULL, NULL);

  json_builder_begin_object (builder);
  add_member (builder, "release_order_number", act->ismpt_id);
  add_member (builder, "trade_sender_inn", act->sender_bin);
  add_member (builder, "trade_recipient_inn", bin);
  add_member (builder, "document_number", document_number);
  add_member (builder, "document_date", when);
  add_member (builder, "transfer_date", transfer);
  add_member (builder, "acceptance_date", when);
  add_member (builder, "turnover_type", "SELLING");
  json_builder_set_member_name (builder, "accept_all");
  json_builder_add_boolean_value (builder, acceptance == QOIMA_ACCEPT_ALL);
  json_builder_set_member_name (builder, "reject_all");
  json_builder_add_boolean_value (builder, acceptance == QOIMA_REJECT_ALL);

  if (acceptance == QOIMA_ACCEPT_SOME)
    {
      /* A partial answer names every code of the act exactly once: a box by its SSCC when
       * it is accepted or refused whole, else its packs one by one. */
      g_autoptr(GHashTable) split = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < act->codes->len; i++)
        {
          const QoimaActCode *code = g_ptr_array_index (act->codes, i);

          if (code->parent_sscc != NULL && g_hash_table_contains (accepted, code->code) &&
              !g_hash_table_contains (accepted, code->parent_sscc))
            g_hash_table_add (split, code->parent_sscc);
        }

      json_builder_set_member_name (builder, "products");
      json_builder_begin_array (builder);
      for (guint i = 0; i < act->codes->len; i++)
        {
          const QoimaActCode *code = g_ptr_array_index (act->codes, i);
          gboolean listed;

          if (code->is_box)
            listed = !g_hash_table_contains (split, code->code);
          else
            listed = code->parent_sscc == NULL || g_hash_table_contains (split, code->parent_sscc);
          if (!listed)
            continue;
          json_builder_begin_object (builder);
          add_member (builder, code->is_box ? "uitu_code" : "uit_code", code->code);
          json_builder_set_member_name (builder, "accepted");
          json_builder_add_boolean_value (builder, g_hash_table_contains (accepted, code->code));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  return builder_to_bytes (builder);
}

/* One table for every reason (its name in the database is its nick, in the header): its
 * LK_RECEIPT action (RU True API names; KZ spellings are unknown, see ismpt-api.md §5.5) and
 * the primary document named in the document. Damage and loss share one action in the RU
 * list.
 *
 * A pack dispensed on an e-prescription (co-payment, R002-4) is sold to the patient, not
 * used in the hospital: the KZ cabinet's list of reasons shows «Розничная продажа», whose
 * RU True API spelling is RETAIL. Neither the KZ spelling nor a KZ reason for dispensing by
 * prescription was found: RETAIL is this project's design, to be confirmed with the
 * operator. The fiscal receipt is the sale's primary document. The database's CHECK on
 * withdrawals_owed.reason and the stand's list of actions follow this table. */
static const struct {
  const char *action;
  const char *primary_document;
  const char *label;
  gboolean    write_off;
} withdrawal_reasons[QOIMA_N_WITHDRAWAL_REASONS] = {
  [QOIMA_WITHDRAWAL_MEDICAL_USE] = { "MEDICAL_USE", "Лист назначений", N_("Medical use"), FALSE },
  [QOIMA_WITHDRAWAL_DISPENSED] = { "RETAIL", "Фискальный чек", N_("Dispensed on prescription"), FALSE },
  [QOIMA_WITHDRAWAL_EXPIRED] = { "EXPIRATION", "Акт списания", N_("Expired"), TRUE },
  [QOIMA_WITHDRAWAL_DAMAGED] = { "DAMAGE_LOSS", "Акт списания", N_("Damaged"), TRUE },
  [QOIMA_WITHDRAWAL_LOST] = { "DAMAGE_LOSS", "Акт об утрате", N_("Lost"), TRUE },
  [QOIMA_WITHDRAWAL_RECALLED] = { "PRODUCT_RECALL", "Решение об отзыве", N_("Recalled"), TRUE },
};

const char *
qoima_withdrawal_reason_to_nick (QoimaWithdrawalReason reason)
{
  return qoima_enum_to_nick (QOIMA_TYPE_WITHDRAWAL_REASON, reason);
}

/* Case ignored: qoimactl takes "expired" as well as the stored "EXPIRED". */
gboolean
qoima_withdrawal_reason_from_nick (const char            *nick,
                                   QoimaWithdrawalReason *reason)
{
  int value;

  if (!qoima_enum_from_nick (QOIMA_TYPE_WITHDRAWAL_REASON, nick, TRUE, &value))
    return FALSE;
  *reason = (QoimaWithdrawalReason) value;
  return TRUE;
}

const char *
qoima_withdrawal_reason_to_action (QoimaWithdrawalReason reason)
{
  g_return_val_if_fail ((unsigned) reason < QOIMA_N_WITHDRAWAL_REASONS, NULL);
  return withdrawal_reasons[reason].action;
}

gboolean
qoima_withdrawal_reason_is_write_off (QoimaWithdrawalReason reason)
{
  g_return_val_if_fail ((unsigned) reason < QOIMA_N_WITHDRAWAL_REASONS, FALSE);
  return withdrawal_reasons[reason].write_off;
}

const char *
qoima_withdrawal_reason_to_primary_document (QoimaWithdrawalReason reason)
{
  g_return_val_if_fail ((unsigned) reason < QOIMA_N_WITHDRAWAL_REASONS, NULL);
  return withdrawal_reasons[reason].primary_document;
}

const char *
qoima_withdrawal_reason_to_label (QoimaWithdrawalReason reason)
{
  g_return_val_if_fail ((unsigned) reason < QOIMA_N_WITHDRAWAL_REASONS, NULL);
  return _(withdrawal_reasons[reason].label);
}

GBytes *
qoima_withdrawal_document_new (const char         *bin,
                               const char         *action,
                               const char         *primary_document,
                               const char * const *codes,
                               const char         *document_number,
                               GDateTime          *now)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GDateTime) local = g_date_time_to_local (now);
  g_autofree char *day = g_date_time_format (local, "%Y-%m-%d");

  json_builder_begin_object (builder);
  add_member (builder, "inn", bin);
  add_member (builder, "action", action);
  add_member (builder, "action_date", day);
  add_member (builder, "document_type", "OTHER");
  add_member (builder, "document_number", document_number);
  add_member (builder, "document_date", day);
  add_member (builder, "primary_document_custom_name", primary_document);
  json_builder_set_member_name (builder, "products");
  json_builder_begin_array (builder);
  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      add_member (builder, "cis", codes[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return builder_to_bytes (builder);
}
