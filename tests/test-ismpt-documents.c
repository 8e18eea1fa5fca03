/* test-ismpt-documents.c: reading acts and writing acceptance and withdrawal documents
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-error.h"
#include "qoima-ismpt-documents.h"
#include "qoima-json.h"

#include <string.h>

/* An act as doc/{id}/info returns it: one loose pack, one box of two packs. A serial holds
 * the characters that break naive JSON and SQL handling. */
static const char act_json[] =
  "{\"number\":\"act-7\",\"docDate\":\"2026-11-22T10:00:00.000Z\",\"type\":\"LP_SHIP_GOODS\","
  "\"status\":\"WAIT_ACCEPTANCE\",\"senderInn\":\"080140005672\",\"senderName\":\"ТОО \\\"СК-Фармация\\\"\","
  "\"receiverInn\":\"990340001230\",\"body\":{\"document_number\":\"ТН-1042\","
  "\"transfer_date\":\"2026-11-22T08:00:00.000Z\",\"products\":["
  "{\"uit_code\":\"0104870001234560215AbCdEfGh1234\",\"gtin\":\"04870001234560\",\"batch\":\"B1\",\"expiration_date\":\"2027-05-31\"},"
  "{\"uitu_code\":\"00048700000000000012\",\"children\":["
  "{\"uit_code\":\"0104607000000014215\\\"b%c<d&e'fg\"},"
  "{\"uit_code\":\"0104607000000014215XYZXYZXYZXYZ\"}]}]}}";

static JsonObject *
parse_object (const char *text,
              JsonNode  **keep)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;

  *keep = qoima_json_parse_bytes (bytes, &error);
  g_assert_no_error (error);
  return json_node_get_object (*keep);
}

static void
test_read_act (void)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaIncomingAct) act = NULL;
  QoimaActCode *code;

  act = qoima_incoming_act_from_json (parse_object (act_json, &node), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (act->ismpt_id, ==, "act-7");
  g_assert_cmpstr (act->number, ==, "ТН-1042");
  g_assert_cmpstr (act->transfer_date, ==, "2026-11-22");
  g_assert_cmpstr (act->sender_name, ==, "ТОО \"СК-Фармация\"");
  g_assert_cmpuint (act->n_packs, ==, 3);
  g_assert_cmpuint (act->codes->len, ==, 4);

  code = g_ptr_array_index (act->codes, 0);
  g_assert_cmpstr (code->gtin, ==, "04870001234560");
  g_assert_cmpstr (code->expiry, ==, "2027-05-31");
  g_assert_false (code->is_box);
  code = g_ptr_array_index (act->codes, 1);
  g_assert_true (code->is_box);
  g_assert_cmpstr (code->code, ==, "00048700000000000012");
  code = g_ptr_array_index (act->codes, 2);
  g_assert_cmpstr (code->parent_sscc, ==, "00048700000000000012");
  g_assert_cmpstr (code->code, ==, "0104607000000014215\"b%c<d&e'fg");
}

static void
assert_broken (const char *text)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaIncomingAct) act = NULL;

  act = qoima_incoming_act_from_json (parse_object (text, &node), &error);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER);
  g_assert_null (act);
}

static void
test_broken_acts (void)
{
  g_autofree char *bad_digit = NULL;
  g_autofree char *bad_sscc = NULL;
  g_autofree char *twice = NULL;
  GString *s;

  /* A GTIN with a wrong check digit anywhere rejects the whole act. */
  bad_digit = g_strdup (act_json);
  s = g_string_new (bad_digit);
  g_string_replace (s, "0104607000000014215XYZ", "0104607000000015215XYZ", 1);
  assert_broken (s->str);
  g_string_free (s, TRUE);

  bad_sscc = g_strdup (act_json);
  s = g_string_new (bad_sscc);
  g_string_replace (s, "00048700000000000012", "00048700000000000013", 0);
  assert_broken (s->str);
  g_string_free (s, TRUE);

  twice = g_strdup (act_json);
  s = g_string_new (twice);
  g_string_replace (s, "215XYZXYZXYZXYZ", "215AbCdEfGh1234", 1);
  g_string_replace (s, "0104607000000014215AbCdEfGh1234", "0104870001234560215AbCdEfGh1234", 1);
  assert_broken (s->str);
  g_string_free (s, TRUE);

  assert_broken ("{\"number\":\"x\"}");
  assert_broken ("{\"number\":\"x\",\"senderInn\":\"1\",\"receiverInn\":\"990340001230\",\"status\":\"WAIT_ACCEPTANCE\",\"body\":{\"document_number\":\"1\",\"transfer_date\":\"2026-11-22\",\"products\":[]}}");
}

static void
test_deadline_is_day_after_receipt (void)
{
  g_autoptr(GDate) arrived = g_date_new_dmy (30, G_DATE_NOVEMBER, 2026);
  g_autoptr(GDate) deadline = qoima_act_deadline (arrived);
  g_autoptr(GDate) new_year = g_date_new_dmy (31, G_DATE_DECEMBER, 2026);
  g_autoptr(GDate) next = qoima_act_deadline (new_year);

  g_assert_cmpint (g_date_get_day (deadline), ==, 1);
  g_assert_cmpint (g_date_get_month (deadline), ==, G_DATE_DECEMBER);
  g_assert_cmpint (g_date_get_year (next), ==, 2027);
  g_assert_cmpint (g_date_get_day (next), ==, 1);
}

static JsonObject *
parse_document (GBytes    *bytes,
                JsonNode **keep)
{
  g_autoptr(GError) error = NULL;

  *keep = qoima_json_parse_bytes (bytes, &error);
  g_assert_no_error (error);
  return json_node_get_object (*keep);
}

static void
test_acceptance_documents (void)
{
  g_autoptr(JsonNode) act_node = NULL;
  g_autoptr(JsonNode) all_node = NULL;
  g_autoptr(JsonNode) some_node = NULL;
  g_autoptr(JsonNode) none_node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaIncomingAct) act = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 23, 9, 30, 0);
  g_autoptr(GHashTable) accepted = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GBytes) all = NULL;
  g_autoptr(GBytes) some = NULL;
  g_autoptr(GBytes) none = NULL;
  JsonObject *doc;
  JsonArray *products;

  act = qoima_incoming_act_from_json (parse_object (act_json, &act_node), &error);
  g_assert_no_error (error);

  all = qoima_acceptance_document_new (act, QOIMA_ACCEPT_ALL, NULL, "990340001230", "QA-1", now);
  doc = parse_document (all, &all_node);
  g_assert_cmpstr (qoima_json_get_string (doc, "release_order_number"), ==, "act-7");
  g_assert_cmpstr (qoima_json_get_string (doc, "trade_sender_inn"), ==, "080140005672");
  g_assert_cmpstr (qoima_json_get_string (doc, "trade_recipient_inn"), ==, "990340001230");
  g_assert_cmpstr (qoima_json_get_string (doc, "document_number"), ==, "QA-1");
  g_assert_cmpstr (qoima_json_get_string (doc, "acceptance_date"), ==, "2026-11-23T09:30:00.000Z");
  g_assert_cmpstr (qoima_json_get_string (doc, "transfer_date"), ==, "2026-11-22T00:00:00.000Z");
  g_assert_true (qoima_json_get_boolean (doc, "accept_all", FALSE));
  g_assert_false (qoima_json_get_boolean (doc, "reject_all", TRUE));
  g_assert_null (qoima_json_get_array (doc, "products"));

  /* Partial: the loose pack refused, the box accepted; every top-level code listed once. */
  g_hash_table_add (accepted, (gpointer) "00048700000000000012");
  some = qoima_acceptance_document_new (act, QOIMA_ACCEPT_SOME, accepted, "990340001230", "QA-2", now);
  doc = parse_document (some, &some_node);
  g_assert_false (qoima_json_get_boolean (doc, "accept_all", TRUE));
  g_assert_false (qoima_json_get_boolean (doc, "reject_all", TRUE));
  products = qoima_json_get_array (doc, "products");
  g_assert_cmpuint (json_array_get_length (products), ==, 2);
  g_assert_cmpstr (qoima_json_get_string (qoima_json_array_get_object (products, 0), "uit_code"), ==,
                   "0104870001234560215AbCdEfGh1234");
  g_assert_false (qoima_json_get_boolean (qoima_json_array_get_object (products, 0), "accepted", TRUE));
  g_assert_cmpstr (qoima_json_get_string (qoima_json_array_get_object (products, 1), "uitu_code"), ==,
                   "00048700000000000012");
  g_assert_true (qoima_json_get_boolean (qoima_json_array_get_object (products, 1), "accepted", FALSE));

  none = qoima_acceptance_document_new (act, QOIMA_REJECT_ALL, NULL, "990340001230", "QA-3", now);
  doc = parse_document (none, &none_node);
  g_assert_true (qoima_json_get_boolean (doc, "reject_all", FALSE));
  g_assert_false (qoima_json_get_boolean (doc, "accept_all", TRUE));
}

static void
test_withdrawal_document (void)
{
  const char *codes[] = { "0104607000000014215\"b%c<d&e'fg", "0104870001234560215AbCdEfGh1234", NULL };
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 23, 14, 0, 0);
  g_autoptr(GBytes) bytes = qoima_withdrawal_document_new ("990340001230", "MEDICAL_USE",
                                                           "Лист назначений", codes, "QW-9", now);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *doc = parse_document (bytes, &node);
  JsonArray *products = qoima_json_get_array (doc, "products");

  g_assert_cmpstr (qoima_json_get_string (doc, "action"), ==, "MEDICAL_USE");
  g_assert_cmpstr (qoima_json_get_string (doc, "document_type"), ==, "OTHER");
  g_assert_cmpstr (qoima_json_get_string (doc, "primary_document_custom_name"), ==, "Лист назначений");
  g_assert_cmpstr (qoima_json_get_string (doc, "action_date"), ==, "2026-11-23");
  g_assert_cmpuint (json_array_get_length (products), ==, 2);
  g_assert_cmpstr (qoima_json_get_string (qoima_json_array_get_object (products, 0), "cis"), ==, codes[0]);
}

static QoimaIncomingAct *
read_act (const char  *text,
          GError     **error)
{
  g_autoptr(JsonNode) node = NULL;

  return qoima_incoming_act_from_json (parse_object (text, &node), error);
}

#define ACT_HEADER "\"number\":\"act-9\",\"docDate\":\"2026-11-22T10:00:00.000Z\",\"status\":\"WAIT_ACCEPTANCE\"," \
                   "\"senderInn\":\"080140005672\",\"receiverInn\":\"990340001230\""

/* The shapes ismpt-api.md §5.3 lists for an act's codes, and where its number may be. */
static void
test_act_shapes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaIncomingAct) cis = NULL;
  g_autoptr(QoimaIncomingAct) flat = NULL;
  g_autoptr(QoimaIncomingAct) unnumbered = NULL;
  g_autoptr(QoimaIncomingAct) invoiced = NULL;
  QoimaActCode *code;

  /* Every code under cis: a box is known by its SSCC, its packs by theirs. */
  cis = read_act ("{" ACT_HEADER ",\"body\":{\"document_number\":\"ТН-7\",\"products\":["
                  "{\"cis\":\"0104870001234560215AbCdEfGh1234\"},"
                  "{\"cis\":\"00048700000000000012\",\"children\":[{\"cis\":\"0104607000000014215XYZXYZXYZXYZ\"}]}]}}",
                  &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cis->number, ==, "ТН-7");
  g_assert_cmpuint (cis->n_packs, ==, 2);
  g_assert_cmpuint (cis->codes->len, ==, 3);
  code = g_ptr_array_index (cis->codes, 1);
  g_assert_true (code->is_box);
  code = g_ptr_array_index (cis->codes, 2);
  g_assert_cmpstr (code->parent_sscc, ==, "00048700000000000012");
  g_assert_cmpstr (code->gtin, ==, "04607000000014");

  /* No products in the body: the flat cisList (doc/cises) gives the codes. No number in the
   * body nor the header: the act goes by its ИС МПТ id. */
  unnumbered = read_act ("{" ACT_HEADER ",\"body\":{\"transfer_date\":\"2026-11-21\"},"
                         "\"cisList\":[\"0104870001234560215AbCdEfGh1234\",\"0104607000000014215XYZXYZXYZXYZ\"]}",
                         &error);
  g_assert_no_error (error);
  g_assert_cmpstr (unnumbered->number, ==, "act-9");
  g_assert_cmpstr (unnumbered->transfer_date, ==, "2026-11-21");
  g_assert_cmpuint (unnumbered->n_packs, ==, 2);

  /* Products without any code key fall back to the cisList too; the invoice names the act. */
  flat = read_act ("{" ACT_HEADER ",\"invoiceNumber\":\"СФ-1\",\"body\":{\"products\":[{\"gtin\":\"04870001234560\"}]},"
                   "\"cisList\":[\"0104870001234560215AbCdEfGh1234\"]}",
                   &error);
  g_assert_no_error (error);
  g_assert_cmpstr (flat->number, ==, "СФ-1");
  g_assert_cmpuint (flat->n_packs, ==, 1);

  /* Only a body and the header's documentNumber: that number. */
  invoiced = read_act ("{" ACT_HEADER ",\"documentNumber\":\"ТН-8\",\"body\":{\"products\":["
                       "{\"uit_code\":\"0104870001234560215AbCdEfGh1234\"}]}}",
                       &error);
  g_assert_no_error (error);
  g_assert_cmpstr (invoiced->number, ==, "ТН-8");
}

/* When no shape gives the codes, or a required field is missing, the message says which. */
static void
assert_refused_saying (const char *text,
                       const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaIncomingAct) act = read_act (text, &error);

  g_assert_null (act);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, words));
}

static void
test_act_missing_fields (void)
{
  assert_refused_saying ("{" ACT_HEADER ",\"body\":{\"document_number\":\"ТН-7\"}}",
                         "without its codes: it has no body.products, and doc/cises gave no cisList");
  assert_refused_saying ("{" ACT_HEADER ",\"body\":{\"products\":[{\"gtin\":\"04870001234560\"}]},\"cisList\":[]}",
                         "body.products holds no uit_code, uitu_code or cis, and the cisList of doc/cises is empty");
  assert_refused_saying ("{" ACT_HEADER ",\"body\":{\"products\":[{\"cis\":\"0104870001234560215AbCdEfGh1234\"},{\"gtin\":\"1\"}]}}",
                         "Item 2 of the act act-9 has no code");
  assert_refused_saying ("{\"number\":\"act-9\",\"docDate\":\"2026-11-22\",\"status\":\"WAIT_ACCEPTANCE\","
                         "\"receiverInn\":\"990340001230\",\"cisList\":[\"0104870001234560215AbCdEfGh1234\"]}",
                         "“senderInn”");
  assert_refused_saying ("{\"docDate\":\"2026-11-22\"}", "“number”");
}

/* Issue 9: unitsPerPack was cast without a range check: 1e300 is undefined behaviour, and
 * 5000000000 units were cut by an (int) cast. Such a card is a broken answer. */
static void
test_catalog_card_units (void)
{
  const struct {
    const char *units;
    int expected; /* -1: refused */
  } cases[] = {
    { "10", 10 },
    { "1.0e1", 10 },
    { "0", 0 },
    { "null", 0 },
    { "2147483647", G_MAXINT },
    { "1e300", -1 },
    { "-1e300", -1 },
    { "5000000000", -1 },
    { "2147483648", -1 },
    { "-3", -1 },
    { "2.5", -1 },
    { "\"10\"", -1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"gtin\":\"04870101000041\",\"nameRu\":\"Ципрофлоксацин\","
                                               "\"unitsPerPack\":%s}", cases[i].units);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(QoimaProduct) product = NULL;

      g_test_message ("unitsPerPack %s", cases[i].units);
      product = qoima_product_from_catalog_card ("04870101000041", parse_object (text, &node), &error);
      if (cases[i].expected < 0)
        {
          g_assert_null (product);
          g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER);
          g_assert_nonnull (strstr (error->message, "unitsPerPack"));
          g_assert_nonnull (strstr (error->message, "04870101000041"));
        }
      else
        {
          g_assert_no_error (error);
          g_assert_nonnull (product);
          g_assert_cmpstr (qoima_product_get_name (product), ==, "Ципрофлоксацин");
          g_assert_cmpint (qoima_product_get_units_per_pack (product), ==, cases[i].expected);
        }
    }

  /* Without a Russian name a card names nothing: no product, and no error either. */
  {
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(QoimaProduct) product = NULL;

    product = qoima_product_from_catalog_card ("04870101000041", parse_object ("{\"unitsPerPack\":1e300}", &node),
                                               &error);
    g_assert_null (product);
    g_assert_no_error (error);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ismpt-documents/read-act", test_read_act);
  g_test_add_func ("/ismpt-documents/broken-acts", test_broken_acts);
  g_test_add_func ("/ismpt-documents/act-shapes", test_act_shapes);
  g_test_add_func ("/ismpt-documents/act-missing-fields", test_act_missing_fields);
  g_test_add_func ("/rules/R000-6/deadline-is-day-after-receipt", test_deadline_is_day_after_receipt);
  g_test_add_func ("/ismpt-documents/acceptance", test_acceptance_documents);
  g_test_add_func ("/ismpt-documents/withdrawal", test_withdrawal_document);
  g_test_add_func ("/ismpt-documents/catalog-card-units-out-of-range", test_catalog_card_units);

  return g_test_run ();
}
