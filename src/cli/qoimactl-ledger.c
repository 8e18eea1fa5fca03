/* qoimactl-ledger.c: `qoimactl move`, `use`, `units`, `transfers` and `count`, acting as a named user
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoimactl"

#include "config.h"

#include "qoima-count-export.h"
#include "qoima-store-transfers.h"
#include "qoimactl.h"

#include "qoima-gs1.h"
#include "qoima-json.h"
#include "qoima-store-counts.h"
#include "qoima-store-ledger.h"
#include "qoima-transfer.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

/* A scanned marking code or an identification code → the identification code. */
static char *
code_to_ki (const char  *code,
            GError     **error)
{
  g_autoptr(QoimaMarkingCode) parsed = qoima_gs1_parse (code, NULL, error);

  if (parsed == NULL)
    return NULL;
  if (parsed->kind != QOIMA_CODE_KIND_PACK)
    {
      g_set_error (error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_MISSING_SERIAL,
                   _("“%s” is a box, not a pack."), code);
      return NULL;
    }
  return g_strdup (parsed->ki);
}

/* A scanned code → what a transfer takes: a pack's identification code, or a box's SSCC
 * with AI 00 in front, as the acts keep it. */
static char *
code_to_transfer_code (const char  *code,
                       GError     **error)
{
  g_autoptr(QoimaMarkingCode) parsed = qoima_gs1_parse (code, NULL, error);

  if (parsed == NULL)
    return NULL;
  if (parsed->kind == QOIMA_CODE_KIND_BOX && parsed->sscc != NULL)
    return g_strconcat ("00", parsed->sscc, NULL);
  return g_strdup (parsed->ki);
}

static QoimaUser *
acting_user (QoimactlOptions  *options,
             QoimaStore       *store,
             GError          **error)
{
  QoimaUser *user = qoimactl_authenticate (options, store, error);

  if (user == NULL && (error == NULL || *error == NULL))
    g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                         _("Log in first: give --user NAME and --password-file FILE."));
  return user;
}

int
qoimactl_move (QoimactlOptions  *options,
               int               argc,
               char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GPtrArray) kis = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *number = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  const char *to = NULL;
  gint64 location;
  int moved;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--to") && i + 1 < argc)
        to = argv[++i];
      else if (g_str_equal (argv[i], "--code") && i + 1 < argc)
        g_ptr_array_add (kis, g_strdup (argv[++i]));
      else
        to = NULL, i = argc, g_ptr_array_set_size (kis, 0);
    }
  if (to == NULL || kis->len == 0)
    {
      fprintf (stderr, _("Usage: qoimactl [OPTION…] move --to WARD --code CODE [--code CODE…]\n"));
      return 2;
    }

  if ((store = qoimactl_open_store (options, &error)) == NULL ||
      (user = acting_user (options, store, &error)) == NULL ||
      (location = qoimactl_find_location (store, to, &error)) == 0)
    return qoimactl_fail (error);
  for (guint i = 0; i < kis->len; i++)
    {
      char *ki = code_to_transfer_code (g_ptr_array_index (kis, i), &error);

      if (ki == NULL)
        return qoimactl_fail (error);
      g_free (g_ptr_array_index (kis, i));
      kis->pdata[i] = ki;
    }
  g_ptr_array_add (kis, NULL);

  qoima_store_transfer_packs_async (store, user, (const char * const *) kis->pdata, location, NULL,
                                    qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  moved = qoima_store_transfer_packs_finish (store, result, &number, &error);
  if (moved < 0)
    return qoimactl_fail (error);
  /* The number comes first on its own line, so that scripts can read it. */
  printf ("%s\n", number);
  printf (g_dngettext (GETTEXT_PACKAGE, "%d pack moved to %s.\n", "%d packs moved to %s.\n", moved), moved, to);
  return 0;
}

int
qoimactl_use (QoimactlOptions  *options,
              int               argc,
              char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(QoimaUseResult) use = NULL;
  g_autofree char *ki = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  const char *ward = NULL, *code = NULL, *patient = NULL, *units_text = "1";
  gint64 units = 0;

  for (int i = 1; i + 1 < argc; i += 2)
    {
      if (g_str_equal (argv[i], "--ward"))
        ward = argv[i + 1];
      else if (g_str_equal (argv[i], "--code"))
        code = argv[i + 1];
      else if (g_str_equal (argv[i], "--patient"))
        patient = argv[i + 1];
      else if (g_str_equal (argv[i], "--units"))
        units_text = argv[i + 1];
      else
        code = NULL;
    }
  if (argc % 2 == 0 || code == NULL || patient == NULL ||
      !g_ascii_string_to_signed (units_text, 10, 1, G_MAXINT, &units, NULL))
    {
      fprintf (stderr, _("Usage: qoimactl [OPTION…] use [--ward WARD] --code CODE --patient IIN|RECORD [--units N]\n"));
      return 2;
    }

  if ((store = qoimactl_open_store (options, &error)) == NULL ||
      (user = acting_user (options, store, &error)) == NULL ||
      (ki = code_to_ki (code, &error)) == NULL)
    return qoimactl_fail (error);
  /* A nurse logs use in her own ward: --ward, when given, must be it. */
  if (ward != NULL)
    {
      gint64 ward_id = qoimactl_find_location (store, ward, &error);

      if (ward_id == 0)
        return qoimactl_fail (error);
      if (qoima_user_get_ward_id (user) != 0 && qoima_user_get_ward_id (user) != ward_id)
        {
          g_set_error (&error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                       _("%s logs use only in their own ward, not in “%s”."), qoima_user_get_name (user), ward);
          return qoimactl_fail (error);
        }
    }

  qoima_store_use_units_async (store, user, ki, patient, (int) units, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  use = qoima_store_use_units_finish (store, result, &error);
  if (use == NULL)
    return qoimactl_fail (error);
  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *json = NULL;

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "ki");
    json_builder_add_string_value (builder, ki);
    json_builder_set_member_name (builder, "units_left");
    json_builder_add_int_value (builder, use->units_left);
    json_builder_set_member_name (builder, "used_up");
    json_builder_add_boolean_value (builder, use->used_up);
    json_builder_set_member_name (builder, "withdrawal_owed");
    json_builder_add_boolean_value (builder, use->withdrawal_owed);
    json_builder_end_object (builder);
    root = json_builder_get_root (builder);
    json = qoima_json_to_string (root);
    printf ("%s\n", json);
  }
  return 0;
}

int
qoimactl_units (QoimactlOptions  *options,
                int               argc,
                char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  const char *gtin = NULL, *units_text = NULL;
  gint64 units = 0;

  for (int i = 1; i + 1 < argc; i += 2)
    {
      if (g_str_equal (argv[i], "--gtin"))
        gtin = argv[i + 1];
      else if (g_str_equal (argv[i], "--units"))
        units_text = argv[i + 1];
      else
        gtin = NULL;
    }
  if (argc % 2 == 0 || gtin == NULL || units_text == NULL ||
      !g_ascii_string_to_signed (units_text, 10, 1, G_MAXINT, &units, NULL))
    {
      fprintf (stderr, _("Usage: qoimactl [OPTION…] units --gtin GTIN --units N\n"));
      return 2;
    }

  if ((store = qoimactl_open_store (options, &error)) == NULL ||
      (user = acting_user (options, store, &error)) == NULL)
    return qoimactl_fail (error);
  qoima_store_set_units_per_pack_async (store, user, gtin, (int) units, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if (!qoima_store_set_units_per_pack_finish (store, result, &error))
    return qoimactl_fail (error);
  printf (g_dngettext (GETTEXT_PACKAGE, "A pack of %s holds %d unit.\n", "A pack of %s holds %d units.\n", (int) units),
          gtin, (int) units);
  return 0;
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

int
qoimactl_transfers (QoimactlOptions  *options,
                    int               argc,
                    char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) transfers = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;

  if (argc != 2 || !g_str_equal (argv[1], "--json"))
    {
      fprintf (stderr, _("Usage: qoimactl [OPTION…] transfers --json\n"));
      return 2;
    }
  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);
  qoima_store_list_transfers_async (store, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if ((transfers = qoima_store_list_transfers_finish (store, result, &error)) == NULL)
    return qoimactl_fail (error);

  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (transfers); i++)
    {
      g_autoptr(QoimaTransfer) transfer = g_list_model_get_item (transfers, i);

      json_builder_begin_object (builder);
      add_string_member (builder, "number", qoima_transfer_get_number (transfer));
      add_string_member (builder, "created_at", qoima_transfer_get_created_at (transfer));
      add_string_member (builder, "actor", qoima_transfer_get_actor (transfer));
      add_string_member (builder, "from", qoima_transfer_get_from (transfer));
      add_string_member (builder, "to", qoima_transfer_get_to (transfer));
      json_builder_set_member_name (builder, "packs");
      json_builder_add_int_value (builder, qoima_transfer_get_n_packs (transfer));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json = qoima_json_to_string (root);
  printf ("%s\n", json);
  return 0;
}

/* `qoimactl count`: a stock count, as the window makes it. */

static gint64
parse_count_id (const char *text)
{
  gint64 id = 0;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, &id, NULL))
    return 0;
  return id;
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
print_count_json (QoimaCount *count)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, count->id);
  json_builder_set_member_name (builder, "location_id");
  json_builder_add_int_value (builder, count->location_id);
  add_string_or_null (builder, "location", count->location_name);
  add_string_or_null (builder, "state", qoima_count_state_to_nick (count->state));
  add_string_or_null (builder, "started_by", count->started_by);
  add_string_or_null (builder, "started_at", count->started_at);
  add_string_or_null (builder, "finished_at", count->finished_at);
  add_string_or_null (builder, "signed_off_by", count->signed_off_by);
  add_string_or_null (builder, "signed_off_at", count->signed_off_at);
  json_builder_set_member_name (builder, "found");
  json_builder_add_int_value (builder, count->n_found);
  json_builder_set_member_name (builder, "tally");
  json_builder_begin_array (builder);
  for (guint i = 0; i < count->tally->len; i++)
    {
      QoimaCountTally *tally = g_ptr_array_index (count->tally, i);

      json_builder_begin_object (builder);
      add_string_or_null (builder, "gtin", tally->gtin);
      add_string_or_null (builder, "name", tally->name);
      json_builder_set_member_name (builder, "expected");
      json_builder_add_int_value (builder, tally->expected);
      json_builder_set_member_name (builder, "counted");
      json_builder_add_int_value (builder, tally->counted);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "lines");
  json_builder_begin_array (builder);
  for (guint i = 0; i < count->lines->len; i++)
    {
      QoimaCountLine *line = g_ptr_array_index (count->lines, i);

      json_builder_begin_object (builder);
      add_string_or_null (builder, "ki", line->ki);
      add_string_or_null (builder, "gtin", line->gtin);
      add_string_or_null (builder, "name", line->name);
      add_string_or_null (builder, "batch", line->batch);
      add_string_or_null (builder, "expiry", line->expiry);
      add_string_or_null (builder, "finding", qoima_count_finding_to_nick (line->finding));
      add_string_or_null (builder, "book_location", line->book_location);
      add_string_or_null (builder, "book_status", line->book_status);
      json_builder_set_member_name (builder, "book_units");
      if (line->book_units >= 0)
        json_builder_add_int_value (builder, line->book_units);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "counted_units");
      if (line->counted_units >= 0)
        json_builder_add_int_value (builder, line->counted_units);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = qoima_json_to_string (root);
  printf ("%s\n", json);
}

static void
print_count_text (QoimaCount *count)
{
  printf (_("Stock count %lld of %s: %s\n"), (long long) count->id, count->location_name,
          qoima_count_state_to_label (count->state));
  for (guint i = 0; i < count->tally->len; i++)
    {
      QoimaCountTally *tally = g_ptr_array_index (count->tally, i);

      /* Translators: a product's tally in a stock count: counted of expected packs. */
      printf (_("  %s: %d of %d\n"), tally->name, tally->counted, tally->expected);
    }
  for (guint i = 0; i < count->lines->len; i++)
    {
      QoimaCountLine *line = g_ptr_array_index (count->lines, i);

      printf ("  %s  %s  %s\n", line->ki, qoima_count_finding_to_label (line->finding),
              line->name != NULL ? line->name : "");
    }
}

static int
count_scan_codes (QoimactlOptions *options,
                  QoimaStore      *store,
                  QoimaUser       *user,
                  gint64           count_id,
                  int              argc,
                  char           **argv)
{
  char line[QOIMACTL_LINE_MAX + 1];
  int failed = 0;
  int next = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(QoimaCountScan) scan = NULL;
      g_autofree char *code = NULL;
      QoimactlWait wait = QOIMACTL_WAIT_INIT;
      const char *text;
      gboolean too_long = FALSE;

      if (argc > 0)
        {
          if (next == argc)
            break;
          text = argv[next++];
        }
      else
        {
          gssize length = qoimactl_read_line (stdin, line, sizeof line, &too_long);

          if (length < 0)
            break;
          if (length == 0)
            continue;
          if (too_long || (gsize) length != strlen (line))
            {
              qoimactl_print_error (_("A scanned line is too long or holds a NUL; it was skipped."));
              failed++;
              continue;
            }
          text = line;
        }

      if ((code = code_to_transfer_code (text, &error)) == NULL)
        {
          qoimactl_fail (error);
          failed++;
          continue;
        }
      qoima_store_count_code_async (store, user, count_id, code, NULL, qoimactl_wait_cb, &wait);
      result = qoimactl_wait_for_result (&wait);
      scan = qoima_store_count_code_finish (store, result, &error);
      if (scan == NULL)
        {
          qoimactl_fail (error);
          failed++;
          continue;
        }
      {
        g_autoptr(JsonBuilder) builder = json_builder_new ();
        g_autoptr(JsonNode) root = NULL;
        g_autofree char *json = NULL;

        json_builder_begin_object (builder);
        add_string_or_null (builder, "code", code);
        json_builder_set_member_name (builder, "added");
        json_builder_add_int_value (builder, scan->added);
        json_builder_set_member_name (builder, "already");
        json_builder_add_int_value (builder, scan->already);
        add_string_or_null (builder, "finding", qoima_count_finding_to_nick (scan->finding));
        add_string_or_null (builder, "name", scan->name);
        json_builder_end_object (builder);
        root = json_builder_get_root (builder);
        json = qoima_json_to_string (root);
        printf ("%s\n", json);
        fflush (stdout);
      }
    }
  return failed > 0 ? 1 : 0;
}

int
qoimactl_count (QoimactlOptions  *options,
                int               argc,
                char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  const char *action = argc > 1 ? argv[1] : "";
  gint64 count_id = argc > 2 ? parse_count_id (argv[2]) : 0;
  gboolean usage = FALSE;
  gboolean json = FALSE;
  const char *xlsx = NULL;
  const char *pdf = NULL;

  if (g_str_equal (action, "start"))
    usage = argc != 4 || !g_str_equal (argv[2], "--location");
  else if (g_str_equal (action, "scan"))
    usage = count_id == 0;
  else if (g_str_equal (action, "units"))
    usage = count_id == 0 || argc != 7 || !g_str_equal (argv[3], "--code") || !g_str_equal (argv[5], "--units");
  else if (g_str_equal (action, "show"))
    {
      usage = count_id == 0;
      /* The result printed or exported for the chief and inspections: --xlsx, --pdf. */
      for (int i = 3; i < argc && !usage; i++)
        {
          if (g_str_equal (argv[i], "--json"))
            json = TRUE;
          else if (g_str_equal (argv[i], "--xlsx") && i + 1 < argc)
            xlsx = argv[++i];
          else if (g_str_equal (argv[i], "--pdf") && i + 1 < argc)
            pdf = argv[++i];
          else
            usage = TRUE;
        }
    }
  else if (g_str_equal (action, "finish") || g_str_equal (action, "sign-off"))
    usage = count_id == 0 || argc != 3;
  else
    usage = TRUE;
  if (usage)
    {
      fprintf (stderr, "%s\n", _("Usage: qoimactl [OPTION…] count start --location LOCATION | scan ID [CODE…] | "
                                 "units ID --code CODE --units N | show ID [--json] [--xlsx FILE] [--pdf FILE] | finish ID | sign-off ID"));
      return 2;
    }

  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);
  if (!g_str_equal (action, "show") && (user = acting_user (options, store, &error)) == NULL)
    return qoimactl_fail (error);

  if (g_str_equal (action, "start"))
    {
      gint64 location = qoimactl_find_location (store, argv[3], &error);

      if (location == 0)
        return qoimactl_fail (error);
      qoima_store_start_count_async (store, user, location, NULL, qoimactl_wait_cb, &wait);
      result = qoimactl_wait_for_result (&wait);
      count_id = qoima_store_start_count_finish (store, result, &error);
      if (count_id == 0)
        return qoimactl_fail (error);
      /* The id alone on its line, for scripts. */
      printf ("%" G_GINT64_FORMAT "\n", count_id);
      return 0;
    }
  if (g_str_equal (action, "scan"))
    return count_scan_codes (options, store, user, count_id, argc - 3, argv + 3);
  if (g_str_equal (action, "units"))
    {
      g_autofree char *ki = code_to_ki (argv[4], &error);
      gint64 units = 0;

      if (ki == NULL)
        return qoimactl_fail (error);
      if (!g_ascii_string_to_signed (argv[6], 10, 0, G_MAXINT, &units, &error))
        return qoimactl_fail (error);
      qoima_store_count_units_async (store, user, count_id, ki, (int) units, NULL, qoimactl_wait_cb, &wait);
      result = qoimactl_wait_for_result (&wait);
      if (!qoima_store_count_units_finish (store, result, &error))
        return qoimactl_fail (error);
      return 0;
    }
  if (g_str_equal (action, "show"))
    {
      g_autoptr(QoimaCount) count = NULL;

      qoima_store_load_count_async (store, count_id, NULL, qoimactl_wait_cb, &wait);
      result = qoimactl_wait_for_result (&wait);
      if ((count = qoima_store_load_count_finish (store, result, &error)) == NULL)
        return qoimactl_fail (error);
      if (xlsx != NULL && !qoima_count_write_xlsx (count, xlsx, &error))
        return qoimactl_fail (error);
      if (pdf != NULL && !qoima_count_write_pdf (count, pdf, &error))
        return qoimactl_fail (error);
      if (json)
        print_count_json (count);
      else if (xlsx == NULL && pdf == NULL)
        print_count_text (count);
      return 0;
    }
  if (g_str_equal (action, "finish"))
    {
      qoima_store_finish_count_async (store, user, count_id, NULL, qoimactl_wait_cb, &wait);
      result = qoimactl_wait_for_result (&wait);
      if (!qoima_store_finish_count_finish (store, result, &error))
        return qoimactl_fail (error);
      return 0;
    }
  {
    int corrections;

    qoima_store_sign_off_count_async (store, user, count_id, NULL, qoimactl_wait_cb, &wait);
    result = qoimactl_wait_for_result (&wait);
    corrections = qoima_store_sign_off_count_finish (store, result, &error);
    if (corrections < 0)
      return qoimactl_fail (error);
    printf (g_dngettext (GETTEXT_PACKAGE, "%d correction made.\n", "%d corrections made.\n", corrections),
            corrections);
    return 0;
  }
}
