/* test-enums.c: the registered enums keep the nicks the database and qoimactl store
 *
 * The nicks below are written out as the database has stored them since their first
 * migration: a nick that changes would make every stored row unreadable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-act.h"
#include "qoima-enums.h"
#include "qoima-ismpt-documents.h"
#include "qoima-location.h"
#include "qoima-pack.h"
#include "qoima-report.h"
#include "qoima-store-counts.h"
#include "qoima-store-outbox.h"
#include "qoima-test-utils.h"
#include "qoima-types.h"
#include "qoima-user.h"

#include <sqlite3.h>
#include <string.h>

typedef struct {
  const char         *name;
  GType             (*get_type) (void);
  const char * const *stored;   /* the nicks, in the enum's order */
  const char *      (*to_nick) (int value);
  gboolean          (*from_nick) (const char *nick, int *value);
} EnumCase;

/* Adapters from each enum's own functions to one signature. */
#define ADAPT(name, Type, to, from)                                      \
  static const char *name##_to (int value) { return to ((Type) value); } \
  static gboolean name##_from (const char *nick, int *value)             \
  {                                                                      \
    Type v;                                                              \
    gboolean ok = from (nick, &v);                                       \
    if (ok)                                                              \
      *value = (int) v;                                                  \
    return ok;                                                           \
  }

ADAPT (pack_status, QoimaPackStatus, qoima_pack_status_to_nick, qoima_pack_status_from_nick)
ADAPT (location_kind, QoimaLocationKind, qoima_location_kind_to_nick, qoima_location_kind_from_nick)
ADAPT (role, QoimaRole, qoima_role_to_nick, qoima_role_from_nick)
ADAPT (report_kind, QoimaReportKind, qoima_report_kind_to_nick, qoima_report_kind_from_nick)
ADAPT (withdrawal_reason, QoimaWithdrawalReason, qoima_withdrawal_reason_to_nick, qoima_withdrawal_reason_from_nick)

static const char *movement_kind_to (int value) { return qoima_movement_kind_to_nick ((QoimaMovementKind) value); }
static const char *act_status_to (int value) { return qoima_act_status_to_nick ((QoimaActStatus) value); }
static const char *outbox_state_to (int value) { return qoima_outbox_state_to_nick ((QoimaOutboxState) value); }
static const char *document_state_to (int value) { return qoima_document_state_to_nick ((QoimaDocumentState) value); }
static const char *count_state_to (int value) { return qoima_count_state_to_nick ((QoimaCountState) value); }
static const char *count_finding_to (int value) { return qoima_count_finding_to_nick ((QoimaCountFinding) value); }

static const char * const pack_statuses[] = { "in_stock", "opened", "used_up", "withdrawn", "written_off", NULL };
static const char * const location_kinds[] = { "warehouse", "ward", NULL };
static const char * const movement_kinds[] = { "receipt", "transfer", "use", "withdrawal", "write_off", "correction", NULL };
static const char * const act_statuses[] = { "waiting", "sending", "accepted", "partially_accepted", "rejected", NULL };
static const char * const outbox_states[] = { "ready", "sending", "sent", "done", "failed", NULL };
static const char * const document_states[] = { "waiting", "checking", "not_recorded", "accepted", "refused", NULL };
static const char * const roles[] = { "clerk", "nurse", "chief", "admin", NULL };
static const char * const report_kinds[] = { "patients", "wards", "medicines", "opened", "withdrawals", NULL };
static const char * const withdrawal_reasons[] = { "MEDICAL_USE", "DISPENSED", "EXPIRED", "DAMAGED", "LOST", "RECALLED", NULL };
static const char * const count_states[] = { "open", "finished", "signed_off", NULL };
static const char * const count_findings[] = { "found", "missing", "elsewhere", "out_of_circulation", "unknown", NULL };

static const EnumCase cases[] = {
  { "pack-status", qoima_pack_status_get_type, pack_statuses, pack_status_to, pack_status_from },
  { "location-kind", qoima_location_kind_get_type, location_kinds, location_kind_to, location_kind_from },
  { "movement-kind", qoima_movement_kind_get_type, movement_kinds, movement_kind_to, NULL },
  { "act-status", qoima_act_status_get_type, act_statuses, act_status_to, NULL },
  { "outbox-state", qoima_outbox_state_get_type, outbox_states, outbox_state_to, NULL },
  { "document-state", qoima_document_state_get_type, document_states, document_state_to, NULL },
  { "role", qoima_role_get_type, roles, role_to, role_from },
  { "report-kind", qoima_report_kind_get_type, report_kinds, report_kind_to, report_kind_from },
  { "withdrawal-reason", qoima_withdrawal_reason_get_type, withdrawal_reasons, withdrawal_reason_to, withdrawal_reason_from },
  { "count-state", qoima_count_state_get_type, count_states, count_state_to, NULL },
  { "count-finding", qoima_count_finding_get_type, count_findings, count_finding_to, NULL },
};

/* Each value's nick is the stored word, byte for byte, and goes there and back. */
static void
test_round_trip (gconstpointer data)
{
  const EnumCase *c = data;
  GType type = c->get_type ();
  GEnumClass *klass = g_type_class_ref (type);
  guint n_stored = g_strv_length ((GStrv) c->stored);

  g_assert_cmpuint (klass->n_values, ==, n_stored);
  for (guint i = 0; i < n_stored; i++)
    {
      GEnumValue *value = g_enum_get_value (klass, (int) i);
      int back = -1;

      g_assert_nonnull (value);
      g_assert_cmpstr (value->value_nick, ==, c->stored[i]);
      g_assert_cmpmem (value->value_nick, strlen (value->value_nick), c->stored[i], strlen (c->stored[i]));
      g_assert_cmpstr (c->to_nick ((int) i), ==, c->stored[i]);
      g_assert_cmpstr (qoima_enum_to_nick (type, (int) i), ==, c->stored[i]);

      g_assert_true (qoima_enum_from_nick (type, c->stored[i], FALSE, &back));
      g_assert_cmpint (back, ==, (int) i);
      if (c->from_nick != NULL)
        {
          back = -1;
          g_assert_true (c->from_nick (c->stored[i], &back));
          g_assert_cmpint (back, ==, (int) i);
        }
    }

  /* No word outside the list is taken for one of them. */
  g_assert_false (qoima_enum_from_nick (type, "nonsense", TRUE, NULL));
  g_assert_false (qoima_enum_from_nick (type, NULL, FALSE, NULL));
  g_assert_false (qoima_enum_from_nick (type, "", FALSE, NULL));
  if (c->from_nick != NULL)
    {
      int back = -1;

      g_assert_false (c->from_nick ("nonsense", &back));
      g_assert_cmpint (back, ==, -1);
    }

  g_type_class_unref (klass);
}

/* qoimactl takes a reason in either case ("expired"); it stores it upper-case. */
static void
test_withdrawal_reason_case (void)
{
  QoimaWithdrawalReason reason = QOIMA_WITHDRAWAL_MEDICAL_USE;

  g_assert_true (qoima_withdrawal_reason_from_nick ("expired", &reason));
  g_assert_cmpint (reason, ==, QOIMA_WITHDRAWAL_EXPIRED);
  g_assert_cmpstr (qoima_withdrawal_reason_to_nick (reason), ==, "EXPIRED");
  /* The stored statuses are compared exactly: "In_Stock" was never written. */
  g_assert_false (qoima_enum_from_nick (QOIMA_TYPE_PACK_STATUS, "In_Stock", FALSE, NULL));
}

/* The model's properties are enums of these types, not ints. */
static void
test_properties (void)
{
  struct {
    GType       owner;
    const char *property;
    GType       enum_type;
  } props[] = {
    { QOIMA_TYPE_ACT, "status", QOIMA_TYPE_ACT_STATUS },
    { QOIMA_TYPE_PACK, "status", QOIMA_TYPE_PACK_STATUS },
    { QOIMA_TYPE_LOCATION, "kind", QOIMA_TYPE_LOCATION_KIND },
  };

  for (guint i = 0; i < G_N_ELEMENTS (props); i++)
    {
      GObjectClass *klass = g_type_class_ref (props[i].owner);
      GParamSpec *pspec = g_object_class_find_property (klass, props[i].property);

      g_assert_nonnull (pspec);
      g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
      g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == props[i].enum_type);
      g_type_class_unref (klass);
    }

  {
    g_autoptr(QoimaLocation) ward = g_object_new (QOIMA_TYPE_LOCATION, "kind", QOIMA_LOCATION_KIND_WARD, NULL);
    QoimaLocationKind kind = QOIMA_LOCATION_KIND_WAREHOUSE;

    g_assert_cmpint (qoima_location_get_kind (ward), ==, QOIMA_LOCATION_KIND_WARD);
    g_object_get (ward, "kind", &kind, NULL);
    g_assert_cmpint (kind, ==, QOIMA_LOCATION_KIND_WARD);
  }
}

/* The words a CHECK of the schema allows in @column of @table: "col IN ('a', 'b')". */
static GStrv
checked_words (sqlite3    *db,
               const char *table,
               const char *column)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GRegex) list_regex = NULL;
  g_autoptr(GRegex) word_regex = g_regex_new ("'([^']*)'", 0, 0, NULL);
  g_autoptr(GMatchInfo) list = NULL;
  g_autoptr(GMatchInfo) word = NULL;
  g_autofree char *pattern = g_strdup_printf ("CHECK\\s*\\(\\s*%s\\s+IN\\s*\\(([^)]*)\\)", column);
  g_autofree char *words = NULL;
  sqlite3_stmt *stmt = NULL;
  const char *sql;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  sql = (const char *) sqlite3_column_text (stmt, 0);

  list_regex = g_regex_new (pattern, G_REGEX_CASELESS, 0, NULL);
  g_assert_true (g_regex_match (list_regex, sql, 0, &list));
  words = g_match_info_fetch (list, 1);
  sqlite3_finalize (stmt);

  g_regex_match (word_regex, words, 0, &word);
  while (g_match_info_matches (word))
    {
      g_autofree char *one = g_match_info_fetch (word, 1);

      g_strv_builder_add (builder, one);
      g_match_info_next (word, NULL);
    }
  return g_strv_builder_end (builder);
}

/* The nicks are the very words the schema's CHECKs allow, in the same order: a nick the
 * database refuses could never be stored, one it allows but the enum lacks never read. */
static void
test_schema (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "enums.db", NULL);
  g_autoptr(QoimaStore) store = NULL;
  sqlite3 *db = NULL;
  struct {
    const char *table;
    const char *column;
    GType     (*get_type) (void);
  } checks[] = {
    { "packs", "status", qoima_pack_status_get_type },
    { "movements", "kind", qoima_movement_kind_get_type },
    { "movements", "status_after", qoima_pack_status_get_type },
    { "locations", "kind", qoima_location_kind_get_type },
    { "outbox", "state", qoima_outbox_state_get_type },
    { "users", "role", qoima_role_get_type },
    { "counts", "state", qoima_count_state_get_type },
    { "count_findings", "finding", qoima_count_finding_get_type },
  };

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  store = qoima_test_open_store (path);
  qoima_store_close (store);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      g_auto(GStrv) words = checked_words (db, checks[i].table, checks[i].column);
      GEnumClass *klass = g_type_class_ref (checks[i].get_type ());
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) nicks = NULL;

      for (guint v = 0; v < klass->n_values; v++)
        g_strv_builder_add (builder, klass->values[v].value_nick);
      nicks = g_strv_builder_end (builder);
      g_type_class_unref (klass);

      g_test_message ("%s.%s", checks[i].table, checks[i].column);
      g_assert_cmpstrv (nicks, words);
    }
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/enums/round-trip/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_round_trip);
    }
  g_test_add_func ("/enums/withdrawal-reason-case", test_withdrawal_reason_case);
  g_test_add_func ("/enums/properties", test_properties);
  g_test_add_func ("/enums/schema", test_schema);

  return g_test_run ();
}
