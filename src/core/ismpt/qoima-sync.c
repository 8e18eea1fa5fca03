/* qoima-sync.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-sync"

#include "config.h"

#include "qoima-sync.h"

#include "qoima-act.h"
#include "qoima-json.h"
#include "qoima-store-acts.h"
#include "qoima-store-outbox.h"
#include "qoima-product.h"
#include "qoima-store-settings.h"
#include "qoima-store-users.h"

#include <glib/gi18n.h>
#include <string.h>

#define DEFAULT_POLL_INTERVAL_MS 300
#define DEFAULT_POLL_TIMEOUT_MS 30000
#define DEFAULT_LIST_GRACE_SECONDS (15 * 60)

struct _QoimaSync
{
  GObject parent_instance;

  /* Owned references */
  QoimaStore *store;
  QoimaIsmptClient *client;
  QoimaSigner *auto_signer; /* signs owed medical use when the hospital allows it */

  /* State */
  unsigned poll_interval_ms;
  unsigned poll_timeout_ms;
  unsigned list_grace_seconds;
};

G_DEFINE_FINAL_TYPE (QoimaSync, qoima_sync, G_TYPE_OBJECT)

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void
progress (QoimaSync  *self,
          double      fraction,
          const char *format,
          ...) G_GNUC_PRINTF (3, 4);

static void
progress (QoimaSync  *self,
          double      fraction,
          const char *format,
          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_debug ("%s", message);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, message, fraction);
}

/* Pull */

typedef struct {
  JsonNode *headers;   /* array of document headers */
  guint index;
  int n_new;
  QoimaIncomingAct *act;
  GPtrArray *products; /* QoimaProduct cards of the current act */
  GPtrArray *gtins;    /* distinct GTINs of the current act still to look up */
  GString *skipped;    /* acts that could not be read, for the report */
} PullData;

static void
pull_data_free (PullData *data)
{
  g_clear_pointer (&data->headers, json_node_unref);
  g_clear_pointer (&data->act, qoima_incoming_act_free);
  g_clear_pointer (&data->products, g_ptr_array_unref);
  g_clear_pointer (&data->gtins, g_ptr_array_unref);
  if (data->skipped != NULL)
    g_string_free (data->skipped, TRUE);
  g_free (data);
}

static void pull_next (GTask *task);

static void
act_saved_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PullData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (qoima_store_save_act_finish (QOIMA_STORE (source), result, &error) == 0)
    {
      /* The store failing (disk full, read-only) stops the pull: nothing else can be saved. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->n_new++;
  g_clear_pointer (&data->act, qoima_incoming_act_free);
  data->index++;
  pull_next (g_steal_pointer (&task));
}

static void fetch_next_card (GTask *task);

static void
card_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PullData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) cards = NULL;
  JsonObject *card;

  cards = qoima_ismpt_client_catalog_card_finish (QOIMA_ISMPT_CLIENT (source), result, &error);
  card = cards ? qoima_json_array_get_object (json_node_get_array (cards), 0) : NULL;
  if (card != NULL)
    {
      const char *gtin = g_ptr_array_index (data->gtins, data->gtins->len - 1);
      QoimaProduct *product = qoima_product_from_catalog_card (gtin, card, &error);

      if (product != NULL)
        g_ptr_array_add (data->products, product);
    }
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* The catalog is a help, not a condition: without a card (or with a broken one) the
     * GTIN names the product until someone completes it. */
    g_debug ("No catalog card: %s", error->message);

  if (g_task_return_error_if_cancelled (task))
    return;
  g_ptr_array_remove_index (data->gtins, data->gtins->len - 1);
  fetch_next_card (g_steal_pointer (&task));
}

static void
fetch_next_card (GTask *task)
{
  QoimaSync *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);

  if (data->gtins->len > 0)
    {
      qoima_ismpt_client_catalog_card_async (self->client,
                                             g_ptr_array_index (data->gtins, data->gtins->len - 1),
                                             g_task_get_cancellable (task), card_cb, task);
      return;
    }

  qoima_store_save_act_async (self->store, data->act, data->products,
                              g_task_get_cancellable (task), act_saved_cb, task);
}

static void
document_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  QoimaSync *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = NULL;

  data->act = qoima_ismpt_client_get_act_finish (QOIMA_ISMPT_CLIENT (source), result, &error);
  if (data->act != NULL && g_strcmp0 (data->act->receiver_bin, qoima_ismpt_client_get_bin (self->client)) != 0)
    {
      g_set_error (&error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                   _("The act %s is addressed to another organization (BIN %s)."),
                   data->act->number, data->act->receiver_bin);
      g_clear_pointer (&data->act, qoima_incoming_act_free);
    }

  if (data->act == NULL)
    {
      /* A broken act is skipped whole; a lost connection stops the pull. */
      if (!g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_warning ("%s", error->message);
      g_string_append_printf (data->skipped, "%s%s", data->skipped->len ? "\n" : "", error->message);
      data->index++;
      pull_next (g_steal_pointer (&task));
      return;
    }

  g_clear_pointer (&data->products, g_ptr_array_unref);
  data->products = g_ptr_array_new_with_free_func (g_object_unref);
  g_clear_pointer (&data->gtins, g_ptr_array_unref);
  data->gtins = g_ptr_array_new_with_free_func (g_free);
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < data->act->codes->len; i++)
    {
      QoimaActCode *code = g_ptr_array_index (data->act->codes, i);

      if (code->gtin != NULL && g_hash_table_add (seen, code->gtin))
        g_ptr_array_add (data->gtins, g_strdup (code->gtin));
    }
  fetch_next_card (g_steal_pointer (&task));
}

static void
has_act_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  QoimaSync *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  JsonArray *headers = json_node_get_array (data->headers);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  gboolean known;
  const char *id;

  known = qoima_store_has_act_finish (QOIMA_STORE (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (known)
    {
      data->index++;
      pull_next (g_steal_pointer (&task));
      return;
    }

  id = qoima_json_get_string (qoima_json_array_get_object (headers, data->index), "number");
  progress (self, (double) data->index / json_array_get_length (headers),
            _("Loading act %s (%u of %u)…"), id, data->index + 1, json_array_get_length (headers));
  /* The cancellable is read before the task changes hands: argument order is unspecified. */
  cancellable = g_task_get_cancellable (task);
  qoima_ismpt_client_get_act_async (self->client, id, qoima_json_array_get_object (headers, data->index),
                                    cancellable, document_cb, g_steal_pointer (&task));
}

static void
pull_next (GTask *task)
{
  QoimaSync *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  JsonArray *headers = json_node_get_array (data->headers);
  const char *id;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  while (data->index < json_array_get_length (headers))
    {
      id = qoima_json_get_string (qoima_json_array_get_object (headers, data->index), "number");
      if (id != NULL)
        {
          qoima_store_has_act_async (self->store, id, g_task_get_cancellable (task), has_act_cb, task);
          return;
        }
      data->index++;
    }

  if (data->skipped->len > 0)
    g_task_return_new_error (task, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                             _("Some acts could not be loaded:\n%s"), data->skipped->str);
  else
    g_task_return_int (task, data->n_new);
  g_object_unref (task);
}

static void
list_incoming_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PullData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->headers = qoima_ismpt_client_list_documents_finish (QOIMA_ISMPT_CLIENT (source), result, &error);
  if (data->headers == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pull_next (g_steal_pointer (&task));
}

void
qoima_sync_pull_async (QoimaSync           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task;
  PullData *data;

  g_return_if_fail (QOIMA_IS_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_sync_pull_async);
  data = g_new0 (PullData, 1);
  data->skipped = g_string_new (NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) pull_data_free);
  progress (self, -1, _("Asking ИС МПТ for new acts…"));
  qoima_ismpt_client_list_documents_async (self->client, QOIMA_ISMPT_INCOMING, "LP_SHIP_GOODS",
                                           "WAIT_ACCEPTANCE", cancellable, list_incoming_cb, task);
}

int
qoima_sync_pull_finish (QoimaSync     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_sync_pull_async, -1);
  return (int) g_task_propagate_int (G_TASK (result), error);
}

/* Answers and withdrawals end with the outbox entry's id (0: nothing was queued). */
static void
return_id (GTask  *task,
           gint64  id,
           GError *error)
{
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_memdup2 (&id, sizeof id), g_free);
}

static gint64
propagate_id (GAsyncResult  *result,
              GError       **error)
{
  g_autofree gint64 *id = g_task_propagate_pointer (G_TASK (result), error);

  return id != NULL ? *id : -1;
}

/* The key is the signer's: every signature obeys qoima_user_check_signer(), with the user
 * as stored now (a delegation may have been withdrawn since she signed in). */

typedef struct {
  QoimaSigner *signer;
  char *bin;
} SignerCheck;

static void
signer_check_free (SignerCheck *check)
{
  g_clear_object (&check->signer);
  g_free (check->bin);
  g_free (check);
}

static void
signer_user_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignerCheck *check = g_task_get_task_data (task);
  QoimaCertificate *certificate = qoima_signer_get_certificate (check->signer);
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GError) error = NULL;

  user = qoima_store_get_user_finish (QOIMA_STORE (source), result, &error);
  if (user == NULL && g_error_matches (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND) &&
      certificate != NULL)
    {
      g_clear_error (&error);
      g_set_error (&error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER,
                   _("The key belongs to %s (IIN %s), who is none of Qoima’s users: nothing was signed."),
                   qoima_certificate_get_owner (certificate),
                   qoima_certificate_get_iin (certificate) ? qoima_certificate_get_iin (certificate) : "—");
    }
  if (user == NULL || !qoima_user_check_signer (user, certificate, check->bin, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&user), g_object_unref);
}

/* @name: the signing user's, or NULL for the user whose IIN the key carries (the
 * automatic withdrawals, which nobody signs in for). */
static void
signer_check_async (QoimaSync           *self,
                    const char          *name,
                    QoimaSigner         *signer,
                    const char          *bin,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  QoimaCertificate *certificate = qoima_signer_get_certificate (signer);
  SignerCheck *check = g_new0 (SignerCheck, 1);

  check->signer = g_object_ref (signer);
  check->bin = g_strdup (bin);
  g_task_set_task_data (task, check, (GDestroyNotify) signer_check_free);
  if (name == NULL && (certificate == NULL || qoima_certificate_get_iin (certificate) == NULL))
    {
      g_task_return_new_error (task, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER, "%s",
                               _("The key does not tell whose it is: nothing was signed."));
      g_object_unref (task);
      return;
    }
  qoima_store_get_user_async (self->store, name, name == NULL ? qoima_certificate_get_iin (certificate) : NULL,
                              cancellable, signer_user_cb, task);
}

static QoimaUser *
signer_check_finish (QoimaSync     *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* After signing: a key that tells its certificate only when it signs (NCALayer) is checked
 * now, and a signature that is not the signer's is thrown away before anything is queued. */
static gboolean
signed_by_signer (QoimaUser    *user,
                  QoimaSigner  *signer,
                  const char   *bin,
                  GError      **error)
{
  QoimaCertificate *certificate = qoima_signer_get_certificate (signer);

  if (certificate == NULL)
    {
      g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER,
                           _("The key does not tell whose it is: nothing was signed."));
      return FALSE;
    }
  return qoima_user_check_signer (user, certificate, bin, error);
}

/* Answer an act */

typedef struct {
  gint64 act_id;
  QoimaAcceptance acceptance;
  GHashTable *accepted;
  QoimaSigner *signer;
  char *actor;
  QoimaUser *signer_user; /* the actor as stored now, checked to be the key's owner */
  char *bin;              /* the hospital's: the act's receiver */
  GHashTable *decisions;
  char *document_number;
  GBytes *document;
} AnswerData;

static void
answer_data_free (AnswerData *data)
{
  g_clear_pointer (&data->accepted, g_hash_table_unref);
  g_clear_object (&data->signer);
  g_free (data->actor);
  g_clear_object (&data->signer_user);
  g_free (data->bin);
  g_clear_pointer (&data->decisions, g_hash_table_unref);
  g_free (data->document_number);
  g_clear_pointer (&data->document, g_bytes_unref);
  g_free (data);
}

static void
queued_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gint64 id = qoima_store_queue_acceptance_finish (QOIMA_STORE (source), result, &error);

  return_id (task, id, error);
}

static void
answer_signed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  QoimaSync *self = g_task_get_source_object (task);
  AnswerData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) signature = NULL;
  GCancellable *cancellable;

  signature = qoima_signer_sign_finish (QOIMA_SIGNER (source), result, &error);
  if (signature == NULL || !signed_by_signer (data->signer_user, data->signer, data->bin, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  cancellable = g_task_get_cancellable (task);
  qoima_store_queue_acceptance_async (self->store, data->act_id, data->decisions, data->document_number,
                                      data->document, signature, data->actor,
                                      qoima_signer_get_certificate (data->signer),
                                      cancellable, queued_cb, g_steal_pointer (&task));
}

static void
answer_signer_checked_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AnswerData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  data->signer_user = signer_check_finish (QOIMA_SYNC (source), result, &error);
  if (data->signer_user == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  cancellable = g_task_get_cancellable (task);
  qoima_signer_sign_async (data->signer, data->document, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING,
                           cancellable, answer_signed_cb, g_steal_pointer (&task));
}

static void
act_loaded_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AnswerData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaIncomingAct) act = NULL;
  g_autoptr(GHashTable) scanned = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%y%m%d%H%M%S");
  GCancellable *cancellable;
  GHashTable *accepted;
  QoimaSync *self;

  act = qoima_store_load_act_finish (QOIMA_STORE (source), result, &scanned, &error);
  if (act == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  accepted = data->accepted != NULL ? data->accepted : scanned;
  data->decisions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < act->codes->len; i++)
    {
      QoimaActCode *code = g_ptr_array_index (act->codes, i);
      gboolean yes;

      if (code->is_box)
        continue;
      if (data->acceptance == QOIMA_ACCEPT_ALL)
        yes = TRUE;
      else if (data->acceptance == QOIMA_REJECT_ALL)
        yes = FALSE;
      else
        yes = g_hash_table_contains (accepted, code->code) ||
              (code->parent_sscc != NULL && g_hash_table_contains (accepted, code->parent_sscc));
      g_hash_table_insert (data->decisions, g_strdup (code->code), GINT_TO_POINTER (yes));
    }

  /* Boxes scanned whole count as accepted whole; the document is built from the decisions
   * so that it says exactly what the warehouse will record. */
  if (data->acceptance == QOIMA_ACCEPT_SOME)
    {
      g_autoptr(GHashTable) yes_codes = g_hash_table_new (g_str_hash, g_str_equal);
      GHashTableIter iter;
      gpointer code, yes;

      g_hash_table_iter_init (&iter, data->decisions);
      while (g_hash_table_iter_next (&iter, &code, &yes))
        if (GPOINTER_TO_INT (yes))
          g_hash_table_add (yes_codes, code);
      for (guint i = 0; i < act->codes->len; i++)
        {
          QoimaActCode *box = g_ptr_array_index (act->codes, i);
          gboolean whole = TRUE;

          if (!box->is_box)
            continue;
          for (guint j = 0; j < act->codes->len && whole; j++)
            {
              QoimaActCode *pack = g_ptr_array_index (act->codes, j);

              if (g_strcmp0 (pack->parent_sscc, box->code) == 0 && !g_hash_table_contains (yes_codes, pack->code))
                whole = FALSE;
            }
          if (whole)
            g_hash_table_add (yes_codes, box->code);
        }
      data->document_number = g_strdup_printf ("QA-%" G_GINT64_FORMAT "-%s", data->act_id, stamp);
      data->document = qoima_acceptance_document_new (act, QOIMA_ACCEPT_SOME, yes_codes, act->receiver_bin,
                                                      data->document_number, now);
    }
  else
    {
      data->document_number = g_strdup_printf ("QA-%" G_GINT64_FORMAT "-%s", data->act_id, stamp);
      data->document = qoima_acceptance_document_new (act, data->acceptance, NULL, act->receiver_bin,
                                                      data->document_number, now);
    }

  data->bin = g_strdup (act->receiver_bin);
  /* Read before the task changes hands: argument order is unspecified. */
  self = g_task_get_source_object (task);
  cancellable = g_task_get_cancellable (task);
  signer_check_async (self, data->actor, data->signer, data->bin,
                      cancellable, answer_signer_checked_cb, g_steal_pointer (&task));
}

void
qoima_sync_answer_act_async (QoimaSync           *self,
                             gint64               act_id,
                             QoimaAcceptance      acceptance,
                             GHashTable          *accepted,
                             QoimaSigner         *signer,
                             QoimaUser           *user,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  GTask *task;
  AnswerData *data;

  g_return_if_fail (QOIMA_IS_SYNC (self));
  g_return_if_fail (QOIMA_IS_SIGNER (signer));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_sync_answer_act_async);
  data = g_new0 (AnswerData, 1);
  data->act_id = act_id;
  data->acceptance = acceptance;
  data->accepted = accepted ? g_hash_table_ref (accepted) : NULL;
  data->signer = g_object_ref (signer);
  data->actor = g_strdup (user != NULL ? qoima_user_get_name (user) : NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) answer_data_free);
  /* A nurse cannot accept acts (issue 4): checked here, not only in the window. The answer
   * is signed, so its signer must be one who signs (issue 8): the chief, or a clerk an
   * administrator delegated; whether the key is hers is checked once the act is loaded. */
  if (!qoima_user_check (user, QOIMA_PERMISSION_ACCEPT_ACTS, &error) ||
      !qoima_user_check (user, QOIMA_PERMISSION_SIGN, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  qoima_store_load_act_async (self->store, act_id, cancellable, act_loaded_cb, task);
}

gint64
qoima_sync_answer_act_finish (QoimaSync     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  gint64 id;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_sync_answer_act_async, 0);
  id = propagate_id (result, error);
  return id > 0 ? id : 0;
}

/* Withdrawals and write-offs: one LK_RECEIPT document per reason. */

typedef struct {
  QoimaSigner *signer;
  QoimaUser *user;
  QoimaUser *signer_user; /* as stored now, checked to be the key's owner */
  char *actor;
  char **kis;         /* the codes asked for, or NULL for everything owed */
  gboolean automatic; /* medical use only, without the chief */
  GPtrArray *groups[QOIMA_N_WITHDRAWAL_REASONS]; /* identification codes per reason */
  unsigned reason;    /* the group being signed */
  char *document_number;
  GBytes *document;
  int n_documents;
} WithdrawData;

static void
withdraw_data_free (WithdrawData *data)
{
  g_clear_object (&data->signer);
  g_clear_object (&data->user);
  g_clear_object (&data->signer_user);
  g_free (data->actor);
  g_strfreev (data->kis);
  for (unsigned i = 0; i < QOIMA_N_WITHDRAWAL_REASONS; i++)
    g_clear_pointer (&data->groups[i], g_ptr_array_unref);
  g_free (data->document_number);
  g_clear_pointer (&data->document, g_bytes_unref);
  g_free (data);
}

static void withdrawal_sign_next (GTask *task);

static void
withdrawal_queued_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  WithdrawData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (qoima_store_queue_withdrawal_finish (QOIMA_STORE (source), result, &error) <= 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  data->n_documents++;
  data->reason++;
  withdrawal_sign_next (task);
}

static void
withdrawal_signed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  QoimaSync *self = g_task_get_source_object (task);
  WithdrawData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) signature = NULL;
  GPtrArray *kis = data->groups[data->reason];

  signature = qoima_signer_sign_finish (QOIMA_SIGNER (source), result, &error);
  if (signature == NULL ||
      !signed_by_signer (data->signer_user, data->signer, qoima_ismpt_client_get_bin (self->client), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  qoima_store_queue_withdrawal_async (self->store, (const char * const *) kis->pdata, data->document_number,
                                      data->document, signature, data->actor,
                                      qoima_signer_get_certificate (data->signer),
                                      g_task_get_cancellable (task), withdrawal_queued_cb, task);
}

/* Signs the next reason's document; the ones queued before stay queued when one fails. */
static void
withdrawal_sign_next (GTask *task)
{
  QoimaSync *self = g_task_get_source_object (task);
  WithdrawData *data = g_task_get_task_data (task);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%y%m%d%H%M%S");
  GPtrArray *kis;

  while (data->reason < QOIMA_N_WITHDRAWAL_REASONS &&
         (data->groups[data->reason] == NULL || data->groups[data->reason]->len == 0))
    data->reason++;
  if (data->reason == QOIMA_N_WITHDRAWAL_REASONS)
    {
      g_task_return_int (task, data->n_documents);
      g_object_unref (task);
      return;
    }

  kis = data->groups[data->reason];
  g_clear_pointer (&data->document_number, g_free);
  g_clear_pointer (&data->document, g_bytes_unref);
  /* Unique to the microsecond, so the document can be found again after a crash. */
  data->document_number = g_strdup_printf ("QW-%s%06d-%s-%u", stamp, g_date_time_get_microsecond (now),
                                           qoima_withdrawal_reason_to_nick (data->reason), kis->len);
  data->document = qoima_withdrawal_document_new (qoima_ismpt_client_get_bin (self->client),
                                                  qoima_withdrawal_reason_to_action (data->reason),
                                                  qoima_withdrawal_reason_to_primary_document (data->reason),
                                                  (const char * const *) kis->pdata,
                                                  data->document_number, now);
  progress (self, -1, "%s", _("Signing the withdrawals…"));
  qoima_signer_sign_async (data->signer, data->document, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING,
                           g_task_get_cancellable (task), withdrawal_signed_cb, task);
}

static void
withdrawal_signer_checked_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  GTask *task = user_data;
  WithdrawData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->signer_user = signer_check_finish (QOIMA_SYNC (source), result, &error);
  if (data->signer_user == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  withdrawal_sign_next (task);
}

/* Before the first signature: the key must be the signer's and the hospital's (whose BIN
 * comes with the login). */
static void
withdrawal_check_signer (GTask *task)
{
  QoimaSync *self = g_task_get_source_object (task);
  WithdrawData *data = g_task_get_task_data (task);

  signer_check_async (self, data->automatic ? NULL : qoima_user_get_name (data->user), data->signer,
                      qoima_ismpt_client_get_bin (self->client), g_task_get_cancellable (task),
                      withdrawal_signer_checked_cb, task);
}

static void
withdrawal_logged_in_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!qoima_ismpt_client_login_finish (QOIMA_ISMPT_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  withdrawal_check_signer (task);
}

static void
owed_listed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  QoimaSync *self = g_task_get_source_object (task);
  WithdrawData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) owed = NULL;
  g_autoptr(GHashTable) reasons = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean any = FALSE;

  owed = qoima_store_list_owed_finish (QOIMA_STORE (source), result, &error);
  if (owed == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  for (guint i = 0; owed[i] != NULL && owed[i + 1] != NULL; i += 2)
    g_hash_table_insert (reasons, owed[i], owed[i + 1]);

  /* Codes asked for must all be owed; none is sent when one is not. */
  for (guint i = 0; data->kis != NULL && data->kis[i] != NULL; i++)
    if (!g_hash_table_contains (reasons, data->kis[i]))
      {
        g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                                 _("The withdrawal of %s is not owed, or is already being sent."), data->kis[i]);
        g_object_unref (task);
        return;
      }

  for (guint i = 0; owed[i] != NULL && owed[i + 1] != NULL; i += 2)
    {
      QoimaWithdrawalReason reason;

      if (!qoima_withdrawal_reason_from_nick (owed[i + 1], &reason) ||
          (data->automatic && qoima_withdrawal_reason_is_write_off (reason)) ||
          (data->kis != NULL && !g_strv_contains ((const char * const *) data->kis, owed[i])))
        continue;
      if (data->groups[reason] == NULL)
        data->groups[reason] = g_ptr_array_new_null_terminated (0, g_free, TRUE);
      g_ptr_array_add (data->groups[reason], g_strdup (owed[i]));
      any = TRUE;
    }
  if (!any)
    {
      g_task_return_int (task, 0);
      g_object_unref (task);
      return;
    }
  /* The document names the organization: its BIN comes with the login. */
  if (qoima_ismpt_client_get_bin (self->client) == NULL)
    qoima_ismpt_client_login_async (self->client, g_task_get_cancellable (task), withdrawal_logged_in_cb, task);
  else
    withdrawal_check_signer (task);
}

static void
withdraw_start (QoimaSync           *self,
                QoimaSigner         *signer,
                QoimaUser           *user,
                const char * const  *kis,
                gboolean             automatic,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  GTask *task;
  WithdrawData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_sync_withdraw_async);
  data = g_new0 (WithdrawData, 1);
  data->signer = g_object_ref (signer);
  data->user = user ? g_object_ref (user) : NULL;
  data->actor = g_strdup (automatic ? "auto" : qoima_user_get_name (user));
  data->kis = kis != NULL ? g_strdupv ((char **) kis) : NULL;
  data->automatic = automatic;
  g_task_set_task_data (task, data, (GDestroyNotify) withdraw_data_free);

  /* Signing is the chief's (issue 4), or a delegated clerk's (issue 8); only the automatic
   * case runs without one, and its key must still be a signer's (withdrawal_check_signer()). */
  if (!automatic && !qoima_user_check (user, QOIMA_PERMISSION_SIGN, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  qoima_store_list_owed_async (self->store, cancellable, owed_listed_cb, task);
}

void
qoima_sync_withdraw_async (QoimaSync           *self,
                           QoimaSigner         *signer,
                           QoimaUser           *user,
                           const char * const  *kis,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_SYNC (self));
  g_return_if_fail (QOIMA_IS_SIGNER (signer));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));

  withdraw_start (self, signer, user, kis, FALSE, cancellable, callback, user_data);
}

int
qoima_sync_withdraw_finish (QoimaSync     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_sync_withdraw_async, -1);
  return (int) g_task_propagate_int (G_TASK (result), error);
}

void
qoima_sync_set_auto_signer (QoimaSync   *self,
                            QoimaSigner *signer)
{
  g_return_if_fail (QOIMA_IS_SYNC (self));
  g_return_if_fail (signer == NULL || QOIMA_IS_SIGNER (signer));

  g_set_object (&self->auto_signer, signer);
}

/* Push */

typedef struct {
  GPtrArray *entries; /* QoimaOutboxEntry */
  guint index;
  gint64 poll_deadline;
  GError *waiting;    /* why something still waits */
  guint n_waiting;
  GError *problem;    /* the first document refused, or answered but not recorded */
  GString *problems;  /* every such document, a line each, for the user */
} PushData;

static void
push_data_free (PushData *data)
{
  g_clear_pointer (&data->entries, g_ptr_array_unref);
  g_clear_error (&data->waiting);
  g_clear_error (&data->problem);
  if (data->problems != NULL)
    g_string_free (data->problems, TRUE);
  g_free (data);
}

static QoimaOutboxEntry *
current_entry (GTask *task)
{
  PushData *data = g_task_get_task_data (task);

  return g_ptr_array_index (data->entries, data->index);
}

static void push_next (GTask *task);
static void send_entry (GTask *task);
static void poll_entry (GTask *task);

/* Cancellation ends the push (and is never shown); returns whether it did. */
static gboolean
push_cancelled (GTask   *task,
                GError **error)
{
  if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  g_task_return_error (task, g_steal_pointer (error));
  g_object_unref (task);
  return TRUE;
}

static void
store_step_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_async_result_is_tagged (result, qoima_store_hold_outbox_answer_async))
    ok = qoima_store_hold_outbox_answer_finish (QOIMA_STORE (source), result, &error);
  else
    ok = qoima_store_update_outbox_finish (QOIMA_STORE (source), result, &error);

  if (!ok)
    {
      /* The store cannot record what happened: stop here, the outbox keeps the truth. */
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  push_next (task);
}

/* The entry waits for another sync, in @state: remembers why, on the entry too (so that the
 * window and qoimactl say why it waits), and moves on. */
static void
entry_waits (GTask            *task,
             QoimaOutboxState  state,
             const GError     *error)
{
  QoimaSync *self = g_task_get_source_object (task);
  PushData *data = g_task_get_task_data (task);
  QoimaOutboxEntry *entry = current_entry (task);

  data->n_waiting++;
  if (data->waiting == NULL)
    data->waiting = g_error_copy (error);
  data->index++;
  entry->state = state;
  qoima_store_update_outbox_async (self->store, entry->id, state, NULL, error->message, FALSE,
                                   NULL, store_step_cb, task);
}

/* A document refused, or answered but not recorded: said at the end of the push, whatever
 * else happens, since someone has to act on it. */
static void
add_problem (PushData     *data,
             const GError *error,
             const char   *text)
{
  if (data->problem == NULL)
    data->problem = g_error_copy (error);
  if (data->problems == NULL)
    data->problems = g_string_new (NULL);
  g_string_append_printf (data->problems, "%s%s", data->problems->len > 0 ? "\n" : "", text);
}

static void
answer_applied_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  QoimaSync *self = g_task_get_source_object (task);
  PushData *data = g_task_get_task_data (task);
  QoimaOutboxEntry *entry = current_entry (task);
  g_autoptr(GError) error = NULL;

  if (!qoima_store_finish_outbox_finish (QOIMA_STORE (source), result, &error))
    {
      g_autofree char *text = NULL;

      /* ИС МПТ has answered, and the warehouse could not record it (a full disk, a row in
       * the way): the answer is kept, so that the next sync records it without asking, and
       * the entry says why it is not recorded yet. */
      text = g_strdup_printf (_("ИС МПТ has answered the document %s, but the warehouse could not record the answer: "
                                "%s It is recorded at the next sync."),
                              entry->document_number, error->message);
      g_message ("%s", text);
      add_problem (data, error, text);
      data->index++;
      if (entry->ismpt_status != NULL)
        qoima_store_hold_outbox_answer_async (self->store, entry->id, entry->ismpt_status, entry->errors,
                                              error->message, NULL, store_step_cb, task);
      else
        qoima_store_update_outbox_async (self->store, entry->id, entry->state, NULL, error->message, FALSE,
                                         NULL, store_step_cb, task);
      return;
    }

  if (g_strcmp0 (entry->ismpt_status, "CHECKED_OK") != 0)
    {
      g_autoptr(GError) refused = NULL;

      refused = g_error_new (QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_REFUSED, _("ИС МПТ refused the document %s: %s"),
                             entry->document_number,
                             entry->errors != NULL ? entry->errors : _("ИС МПТ refused the document without saying why."));
      add_problem (data, refused, refused->message);
    }
  data->index++;
  push_next (task);
}

/* Records ИС МПТ's final answer (@ismpt_status NULL: the document itself was refused). */
static void
apply_answer (GTask      *task,
              const char *ismpt_status,
              const char *errors)
{
  QoimaSync *self = g_task_get_source_object (task);
  QoimaOutboxEntry *entry = current_entry (task);
  gboolean ok = g_strcmp0 (ismpt_status, "CHECKED_OK") == 0;

  if (ismpt_status != entry->ismpt_status)
    {
      g_free (entry->ismpt_status);
      entry->ismpt_status = g_strdup (ismpt_status);
    }
  if (errors != entry->errors)
    {
      g_free (entry->errors);
      entry->errors = g_strdup (errors);
    }
  qoima_store_finish_outbox_async (self->store, entry->id, ok, entry->ismpt_status, entry->errors, NULL,
                                   NULL, answer_applied_cb, task);
}

static char *
join_errors (JsonObject *info)
{
  JsonArray *errors = qoima_json_get_array (info, "errors");
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; errors != NULL && i < json_array_get_length (errors); i++)
    {
      const char *line = qoima_json_array_get_string (errors, i);
      JsonObject *object = qoima_json_array_get_object (errors, i);

      if (line == NULL && object != NULL)
        line = qoima_json_get_string (object, "errorMessage");
      if (line != NULL)
        g_string_append_printf (text, "%s%s", text->len ? "\n" : "", line);
    }
  if (text->len == 0)
    g_string_append (text, _("ИС МПТ refused the document without saying why."));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
poll_again_cb (gpointer user_data)
{
  poll_entry (user_data);
}

static void
polled_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  QoimaSync *self = g_task_get_source_object (task);
  PushData *data = g_task_get_task_data (task);
  QoimaOutboxEntry *entry = current_entry (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) info = NULL;
  const char *status;

  info = qoima_ismpt_client_get_document_finish (QOIMA_ISMPT_CLIENT (source), result, &error);
  if (info == NULL)
    {
      if (push_cancelled (task, &error))
        return;
      /* The id we hold is not ИС МПТ's (an answer cut short can look like an id): the
       * document's fate is unknown again, and it is looked up by our number next time. */
      if (g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_NOT_FOUND))
        entry_waits (task, QOIMA_OUTBOX_SENDING, error);
      else
        entry_waits (task, QOIMA_OUTBOX_SENT, error);
      return;
    }

  status = qoima_json_get_string (json_node_get_object (info), "status");
  if (g_strcmp0 (status, "CHECKED_OK") == 0)
    {
      progress (self, -1, _("ИС МПТ accepted the document %s."), entry->document_number);
      apply_answer (task, status, NULL);
      return;
    }
  if (g_strcmp0 (status, "CHECKED_NOT_OK") == 0 || g_strcmp0 (status, "PARSE_ERROR") == 0 ||
      g_strcmp0 (status, "PROCESSING_ERROR") == 0)
    {
      g_autofree char *errors = join_errors (json_node_get_object (info));

      progress (self, -1, _("ИС МПТ refused the document %s: %s"), entry->document_number, errors);
      apply_answer (task, status, errors);
      return;
    }

  /* Still being checked (IN_PROGRESS): ask again shortly, within the poll timeout. */
  if (g_get_monotonic_time () < data->poll_deadline)
    {
      g_timeout_add_once (self->poll_interval_ms, poll_again_cb, task);
      return;
    }
  /* Asked for at the next sync; a failure to ask, from an earlier sync, is over. */
  data->index++;
  if (entry->last_error != NULL)
    {
      g_clear_pointer (&entry->last_error, g_free);
      qoima_store_update_outbox_async (self->store, entry->id, QOIMA_OUTBOX_SENT, NULL, NULL, FALSE,
                                       NULL, store_step_cb, task);
      return;
    }
  push_next (task);
}

static void
poll_entry (GTask *task)
{
  QoimaSync *self = g_task_get_source_object (task);
  QoimaOutboxEntry *entry = current_entry (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  qoima_ismpt_client_get_document_async (self->client, entry->ismpt_id, g_task_get_cancellable (task),
                                         polled_cb, task);
}

static void
marked_sent_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!qoima_store_update_outbox_finish (QOIMA_STORE (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  poll_entry (task);
}

static void
mark_sent (GTask      *task,
           const char *ismpt_id)
{
  QoimaSync *self = g_task_get_source_object (task);
  QoimaOutboxEntry *entry = current_entry (task);

  g_free (entry->ismpt_id);
  entry->ismpt_id = g_strdup (ismpt_id);
  entry->state = QOIMA_OUTBOX_SENT;
  qoima_store_update_outbox_async (self->store, entry->id, QOIMA_OUTBOX_SENT, ismpt_id, NULL, FALSE,
                                   NULL, marked_sent_cb, task);
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  id = qoima_ismpt_client_create_document_finish (QOIMA_ISMPT_CLIENT (source), result, &error);
  if (id != NULL)
    {
      mark_sent (task, id);
      return;
    }

  if (g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_REFUSED))
    {
      /* ИС МПТ said no to the document itself (e.g. a refused signature): sending it again
       * cannot help; the act waits for a new answer, with the stand's reason shown. */
      apply_answer (task, NULL, error->message);
      return;
    }
  if (push_cancelled (task, &error))
    return;

  /* No AUTH key, or the login refused: the document never left, and waits as it was. */
  if (g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED))
    {
      entry_waits (task, QOIMA_OUTBOX_READY, error);
      return;
    }
  /* No connection was made: the document never left either, and waits to be sent, said as
   * any unreachable ИС МПТ is. */
  if (g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_NOT_SENT))
    {
      g_autoptr(GError) offline = g_error_new_literal (QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_NO_NETWORK,
                                                       error->message);

      entry_waits (task, QOIMA_OUTBOX_READY, offline);
      return;
    }

  /* No answer, or a broken or empty one (QOIMA_SYNC_ERROR_UNKNOWN_OUTCOME): ИС МПТ may or
   * may not have the document. The entry stays "sending", so the next sync asks before
   * sending again, as after a crash. */
  entry_waits (task, QOIMA_OUTBOX_SENDING, error);
}

static void
sending_marked_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  QoimaSync *self = g_task_get_source_object (task);
  QoimaOutboxEntry *entry = current_entry (task);
  g_autoptr(GError) error = NULL;

  if (!qoima_store_update_outbox_finish (QOIMA_STORE (source), result, &error))
    {
      /* Another workstation is sending it: it is that one's to finish, not a failure. */
      if (g_error_matches (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_BUSY))
        {
          PushData *data = g_task_get_task_data (task);

          g_debug ("%s", error->message);
          data->index++;
          push_next (task);
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  progress (self, -1, _("Sending the document %s to ИС МПТ…"), entry->document_number);
  qoima_ismpt_client_create_document_async (self->client, entry->doc_type, entry->document, entry->signature,
                                            g_task_get_cancellable (task), created_cb, task);
}

static void
send_entry (GTask *task)
{
  QoimaSync *self = g_task_get_source_object (task);
  QoimaOutboxEntry *entry = current_entry (task);

  /* "sending" is committed before the request leaves: after a crash, the entry says that
   * ИС МПТ may have it. */
  entry->state = QOIMA_OUTBOX_SENDING;
  qoima_store_update_outbox_async (self->store, entry->id, QOIMA_OUTBOX_SENDING, NULL, NULL, TRUE,
                                   NULL, sending_marked_cb, task);
}

/* Whether the entry's latest send started less than the list's grace ago: ИС МПТ may have
 * the document and not list it yet. An entry sent before Qoima kept the time is not. */
static gboolean
sent_lately (QoimaSync        *self,
             QoimaOutboxEntry *entry)
{
  g_autoptr(GDateTime) sent = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (entry->sent_at == NULL)
    return FALSE;
  sent = g_date_time_new_from_iso8601 (entry->sent_at, NULL);
  if (sent == NULL)
    return FALSE;
  return g_date_time_difference (now, sent) < (GTimeSpan) self->list_grace_seconds * G_TIME_SPAN_SECOND;
}

static void
outgoing_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  QoimaSync *self = g_task_get_source_object (task);
  QoimaOutboxEntry *entry = current_entry (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) header = NULL;
  gboolean found = FALSE;

  header = qoima_ismpt_client_find_document_finish (QOIMA_ISMPT_CLIENT (source), result, &found, &error);
  if (error != NULL)
    {
      if (push_cancelled (task, &error))
        return;
      entry_waits (task, QOIMA_OUTBOX_SENDING, error);
      return;
    }
  if (found)
    {
      progress (self, -1, _("ИС МПТ already has the document %s; it is not sent again."),
                entry->document_number);
      mark_sent (task, qoima_json_get_string (json_node_get_object (header), "number"));
      return;
    }
  if (sent_lately (self, entry))
    {
      g_autoptr(GError) late = g_error_new (QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_UNKNOWN_OUTCOME,
                                            _("ИС МПТ does not list the document %s yet, though it may have it: "
                                              "its list can be late. It is asked for again at the next sync, "
                                              "not sent twice."),
                                            entry->document_number);

      entry_waits (task, QOIMA_OUTBOX_SENDING, late);
      return;
    }
  send_entry (task);
}

#if QOIMA_TEST_HOOKS
/* A test-only break (QOIMA_TEST_BROKEN_OUTBOX=resend-blindly, in builds with test hooks):
 * the outbox re-sends a "sending" entry without asking ИС МПТ, as a naive one would, so
 * that the fault test can show it catches a second send. */
static gboolean
outbox_resends_blindly (void)
{
  return g_strcmp0 (g_getenv ("QOIMA_TEST_BROKEN_OUTBOX"), "resend-blindly") == 0;
}
#endif

static void
push_next (GTask *task)
{
  QoimaSync *self = g_task_get_source_object (task);
  PushData *data = g_task_get_task_data (task);
  QoimaOutboxEntry *entry;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (data->index >= data->entries->len)
    {
      g_autoptr(GString) text = g_string_new (data->problems != NULL ? data->problems->str : NULL);

      /* What someone must act on first (refused, not recorded), then what waits, and why. */
      if (data->waiting != NULL)
        {
          g_string_append_printf (text, "%s", text->len > 0 ? "\n" : "");
          g_string_append_printf (text,
                                  g_dngettext (GETTEXT_PACKAGE,
                                               "%u document waits in the outbox and will be sent at the next sync. %s",
                                               "%u documents wait in the outbox and will be sent at the next sync. %s",
                                               data->n_waiting),
                                  data->n_waiting, data->waiting->message);
        }
      if (data->problem != NULL)
        g_task_return_new_error (task, data->problem->domain, data->problem->code, "%s", text->str);
      else if (data->waiting != NULL)
        g_task_return_new_error (task, data->waiting->domain, data->waiting->code, "%s", text->str);
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  entry = current_entry (task);
  data->poll_deadline = g_get_monotonic_time () + (gint64) self->poll_timeout_ms * 1000;
  switch (entry->state)
    {
    case QOIMA_OUTBOX_READY:
      send_entry (task);
      break;
    case QOIMA_OUTBOX_SENDING:
#if QOIMA_TEST_HOOKS
      if (outbox_resends_blindly ())
        {
          send_entry (task);
          break;
        }
#endif
      /* Its fate is unknown: ask ИС МПТ for our document number first, through every page
       * of the list. */
      qoima_ismpt_client_find_document_async (self->client, QOIMA_ISMPT_OUTGOING, entry->doc_type,
                                              entry->document_number, g_task_get_cancellable (task),
                                              outgoing_found_cb, task);
      break;
    case QOIMA_OUTBOX_SENT:
      /* ИС МПТ's answer is known, the warehouse could not record it last time: again. */
      if (qoima_document_state_get (qoima_outbox_state_to_nick (entry->state), entry->ismpt_status) ==
          QOIMA_DOCUMENT_NOT_RECORDED)
        apply_answer (task, entry->ismpt_status, entry->errors);
      else
        poll_entry (task);
      break;
    case QOIMA_OUTBOX_DONE:
    case QOIMA_OUTBOX_FAILED:
    default:
      data->index++;
      push_next (task);
      break;
    }
}

static void
outbox_listed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  PushData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->entries = qoima_store_list_outbox_finish (QOIMA_STORE (source), result, &error);
  if (data->entries == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  push_next (task);
}

void
qoima_sync_push_async (QoimaSync           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_sync_push_async);
  g_task_set_task_data (task, g_new0 (PushData, 1), (GDestroyNotify) push_data_free);
  qoima_store_list_outbox_async (self->store, FALSE, cancellable, outbox_listed_cb, task);
}

gboolean
qoima_sync_push_finish (QoimaSync     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_sync_push_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Run: pull, then push; the push runs even when the pull failed. The push's error comes
 * first (what was refused or not recorded, what waits and why), the pull's after it when it
 * says something else. */

static void
run_pushed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *earlier_error = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!qoima_sync_push_finish (QOIMA_SYNC (source), result, &error))
    {
      if (earlier_error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          strstr (error->message, earlier_error->message) == NULL)
        {
          g_autofree char *message = g_strdup_printf ("%s\n%s", error->message, earlier_error->message);

          g_free (error->message);
          error->message = g_steal_pointer (&message);
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (earlier_error != NULL)
    g_task_return_error (task, g_error_copy (earlier_error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
run_push (GTask *task)
{
  QoimaSync *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  qoima_sync_push_async (self, cancellable, run_pushed_cb, task);
}

/* A failure to sign automatically is reported like a failed pull: what waits is sent anyway. */
static gboolean
run_keep_error (GTask  *task,
                GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return FALSE;
    }
  if (g_task_get_task_data (task) == NULL)
    g_task_set_task_data (task, error, (GDestroyNotify) g_error_free);
  else
    g_error_free (error);
  return TRUE;
}

static void
run_withdrawn_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (qoima_sync_withdraw_finish (QOIMA_SYNC (source), result, &error) < 0 && !run_keep_error (task, error))
    return;
  run_push (task);
}

static void
run_setting_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  QoimaSync *self = g_task_get_source_object (task);
  g_autofree char *value = NULL;
  GError *error = NULL;

  value = qoima_store_get_setting_finish (QOIMA_STORE (source), result, &error);
  if (error != NULL && !run_keep_error (task, error))
    return;
  /* An administrator allows automatic sending; the key may have gone since. */
  if (g_strcmp0 (value, "true") == 0 && self->auto_signer != NULL)
    withdraw_start (self, self->auto_signer, NULL, NULL, TRUE, g_task_get_cancellable (task),
                    run_withdrawn_cb, task);
  else
    run_push (task);
}

static void
run_pulled_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  QoimaSync *self = QOIMA_SYNC (source);
  GError *error = NULL;

  if (qoima_sync_pull_finish (self, result, &error) < 0 && !run_keep_error (task, error))
    return;
  if (self->auto_signer != NULL)
    qoima_store_get_setting_async (self->store, QOIMA_SETTING_AUTO_WITHDRAW, g_task_get_cancellable (task),
                                   run_setting_cb, task);
  else
    run_push (task);
}

void
qoima_sync_run_async (QoimaSync           *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_sync_run_async);
  qoima_sync_pull_async (self, cancellable, run_pulled_cb, task);
}

gboolean
qoima_sync_run_finish (QoimaSync     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
qoima_sync_dispose (GObject *object)
{
  QoimaSync *self = (QoimaSync *) object;

  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->auto_signer);

  G_OBJECT_CLASS (qoima_sync_parent_class)->dispose (object);
}

static void
qoima_sync_class_init (QoimaSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = qoima_sync_dispose;

  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                           G_TYPE_STRING, G_TYPE_DOUBLE);
}

static void
qoima_sync_init (QoimaSync *self)
{
  self->poll_interval_ms = DEFAULT_POLL_INTERVAL_MS;
  self->poll_timeout_ms = DEFAULT_POLL_TIMEOUT_MS;
  self->list_grace_seconds = DEFAULT_LIST_GRACE_SECONDS;
}

QoimaSync *
qoima_sync_new (QoimaStore       *store,
                QoimaIsmptClient *client)
{
  QoimaSync *self;

  g_return_val_if_fail (QOIMA_IS_STORE (store), NULL);
  g_return_val_if_fail (QOIMA_IS_ISMPT_CLIENT (client), NULL);

  self = g_object_new (QOIMA_TYPE_SYNC, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  return self;
}

void
qoima_sync_set_poll (QoimaSync *self,
                     unsigned   interval_ms,
                     unsigned   timeout_ms)
{
  g_return_if_fail (QOIMA_IS_SYNC (self));

  self->poll_interval_ms = MAX (interval_ms, 10);
  self->poll_timeout_ms = timeout_ms;
}

void
qoima_sync_set_list_grace (QoimaSync *self,
                           unsigned   seconds)
{
  g_return_if_fail (QOIMA_IS_SYNC (self));

  self->list_grace_seconds = seconds;
}
