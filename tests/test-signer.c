/* test-signer.c: the test PKI, QoimaSignerPkcs12, QoimaCertificate and qoima_cms_verify()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Signatures are also checked with tools the project did not write (openssl cms, certtool).
 */

#define G_LOG_DOMAIN "test-signer"

#include "config.h"

#include "qoima-certificate.h"
#include "qoima-cms.h"
#include "qoima-error.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-test-utils.h"

#include <gio/gio.h>
#include <string.h>

#define HOSPITAL_BIN "990340001230"
#define CHIEF_IIN "850715400238"
#define CHIEF_CN "ЖАКСЫБЕКОВА АЙГУЛЬ"
#define HOSPITAL_NAME "ГКП на ПХВ \"Городская больница №1\" акимата города Астаны"
#define DOCUMENT "{\"release_order_number\":\"a1\",\"trade_recipient_inn\":\"990340001230\"," \
                 "\"products\":[{\"uit_code\":\"0104600000000001215\\\"%<&'ZZZZZZZZ\",\"accepted\":true}]," \
                 "\"note\":\"Қабылданды\"}"

static char *pki_dir;
static char *password;
static GBytes *ca_pem;

static char *
pki_path (const char *name)
{
  return g_build_filename (pki_dir, name, NULL);
}

static GAsyncResult *
wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

static QoimaSignerPkcs12 *
load_key (const char  *name,
          const char  *key_password,
          GError     **error)
{
  g_autofree char *path = pki_path (name);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;

  qoima_signer_pkcs12_load_async (file, key_password, NULL, qoima_test_result_cb, &result);
  return qoima_signer_pkcs12_load_finish (wait_for_result (&result), error);
}

static QoimaSignerPkcs12 *
load_key_or_die (const char *name)
{
  g_autoptr(GError) error = NULL;
  QoimaSignerPkcs12 *signer = load_key (name, password, &error);

  g_assert_no_error (error);
  g_assert_nonnull (signer);
  return signer;
}

static GBytes *
sign (QoimaSignerPkcs12  *signer,
      const char         *text,
      QoimaSignMode       mode,
      QoimaKeyPurpose     purpose,
      GError            **error)
{
  g_autoptr(GBytes) data = g_bytes_new (text, strlen (text));
  g_autoptr(GAsyncResult) result = NULL;

  qoima_signer_sign_async (QOIMA_SIGNER (signer), data, mode, purpose, NULL, qoima_test_result_cb, &result);
  return qoima_signer_sign_finish (QOIMA_SIGNER (signer), wait_for_result (&result), error);
}

/* Writes @bytes to a file in the PKI folder and returns its path. */
static char *
write_temp (const char *name,
            const void *data,
            size_t      size)
{
  g_autoptr(GError) error = NULL;
  char *path = pki_path (name);

  g_file_set_contents (path, data, size, &error);
  g_assert_no_error (error);
  return path;
}

static gboolean
have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

/* Runs a tool and returns whether it exited with 0; its output goes to the test log. */
static gboolean
run_tool (const char * const *argv,
          char              **out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = g_strjoinv (" ", (char **) argv);
  g_autofree char *std_out = NULL;
  g_autofree char *std_err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &std_out, &std_err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s → %d\n%s%s", joined, status, std_out, std_err);

  if (out != NULL)
    *out = g_steal_pointer (&std_out);

  return g_spawn_check_wait_status (status, NULL);
}

static gboolean
openssl_verify (const char *cms_path,
                const char *content_path,
                gboolean    any_purpose)
{
  g_autofree char *ca = pki_path ("ca.pem");
  g_autofree char *out = pki_path ("openssl-out.bin");
  GPtrArray *argv = g_ptr_array_new ();
  gboolean ok;

  g_ptr_array_add (argv, (char *) "openssl");
  g_ptr_array_add (argv, (char *) "cms");
  g_ptr_array_add (argv, (char *) "-verify");
  g_ptr_array_add (argv, (char *) "-inform");
  g_ptr_array_add (argv, (char *) "DER");
  g_ptr_array_add (argv, (char *) "-in");
  g_ptr_array_add (argv, (char *) cms_path);
  g_ptr_array_add (argv, (char *) "-CAfile");
  g_ptr_array_add (argv, ca);
  g_ptr_array_add (argv, (char *) "-binary");
  g_ptr_array_add (argv, (char *) "-out");
  g_ptr_array_add (argv, out);
  /* OpenSSL checks S/MIME signing purpose (emailProtection) unless told otherwise: the AUTH
   * key's login signature has clientAuth, as in real life. */
  if (any_purpose)
    {
      g_ptr_array_add (argv, (char *) "-purpose");
      g_ptr_array_add (argv, (char *) "any");
    }
  if (content_path != NULL)
    {
      g_ptr_array_add (argv, (char *) "-content");
      g_ptr_array_add (argv, (char *) content_path);
    }
  g_ptr_array_add (argv, NULL);

  ok = run_tool ((const char * const *) argv->pdata, NULL);
  g_ptr_array_free (argv, TRUE);
  return ok;
}

static gboolean
certtool_verify (const char *cms_path,
                 const char *content_path)
{
  g_autofree char *ca = pki_path ("ca.pem");
  const char *argv[] = {
    "certtool", "--p7-verify", "--inder", "--load-ca-certificate", ca, "--infile", cms_path,
    content_path != NULL ? "--load-data" : NULL, content_path, NULL
  };

  return run_tool (argv, NULL);
}

static void
assert_signing_time (const char *cms_path)
{
  const char *argv[] = { "openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", cms_path, NULL };
  g_autofree char *out = NULL;

  g_assert_true (run_tool (argv, &out));
  g_assert_nonnull (strstr (out, "signingTime"));
  g_assert_nonnull (strstr (out, "sha256"));
}

static void
test_pki_files (void)
{
  const char *names[] = {
    "ca.pem", "auth.p12", "sign.p12", "expired.p12", "foreign.p12", "other-org.p12",
    "no-key.p12", "ncalayer.pem", "ncalayer-key.pem", "password.txt",
  };

  for (unsigned i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = pki_path (names[i]);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  g_assert_cmpstr (password, ==, "Qoima-2026");
}

static void
test_auth_key (void)
{
  g_autoptr(QoimaSignerPkcs12) signer = load_key_or_die ("auth.p12");
  QoimaCertificate *certificate = qoima_signer_get_certificate (QOIMA_SIGNER (signer));
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;

  g_assert_true (QOIMA_IS_CERTIFICATE (certificate));
  g_assert_cmpstr (qoima_certificate_get_owner (certificate), ==, CHIEF_CN);
  g_assert_cmpstr (qoima_certificate_get_surname (certificate), ==, "ЖАКСЫБЕКОВА");
  g_assert_cmpstr (qoima_certificate_get_given_name (certificate), ==, "СЕРИКОВНА");
  g_assert_cmpstr (qoima_certificate_get_iin (certificate), ==, CHIEF_IIN);
  g_assert_cmpstr (qoima_certificate_get_bin (certificate), ==, HOSPITAL_BIN);
  g_assert_cmpstr (qoima_certificate_get_organization (certificate), ==, HOSPITAL_NAME);
  g_assert_cmpstr (qoima_certificate_get_issuer (certificate), ==, "НУЦ РК (ТЕСТ)");
  g_assert_cmpstr (qoima_certificate_get_serial (certificate), ==, "65"); /* 101 */
  g_assert_true (qoima_certificate_has_purpose (certificate, QOIMA_KEY_PURPOSE_AUTH));
  g_assert_false (qoima_certificate_has_purpose (certificate, QOIMA_KEY_PURPOSE_SIGNING));
  g_assert_cmpint (g_date_time_compare (qoima_certificate_get_not_before (certificate), now), <=, 0);
  g_assert_cmpint (g_date_time_compare (qoima_certificate_get_not_after (certificate), now), >, 0);
  g_assert_cmpint (g_date_time_difference (qoima_certificate_get_not_after (certificate),
                                           qoima_certificate_get_not_before (certificate)) / G_TIME_SPAN_DAY,
                   ==, 730);
  g_assert_cmpuint (g_bytes_get_size (qoima_certificate_get_der (certificate)), >, 500);

  g_assert_true (qoima_certificate_check (certificate, QOIMA_KEY_PURPOSE_AUTH, NULL, &error));
  g_assert_no_error (error);
}

static void
test_signing_key (void)
{
  g_autoptr(QoimaSignerPkcs12) signer = load_key_or_die ("sign.p12");
  QoimaCertificate *certificate = qoima_signer_get_certificate (QOIMA_SIGNER (signer));
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (qoima_certificate_get_iin (certificate), ==, CHIEF_IIN);
  g_assert_cmpstr (qoima_certificate_get_bin (certificate), ==, HOSPITAL_BIN);
  g_assert_true (qoima_certificate_has_purpose (certificate, QOIMA_KEY_PURPOSE_SIGNING));
  g_assert_false (qoima_certificate_has_purpose (certificate, QOIMA_KEY_PURPOSE_AUTH));
  g_assert_true (qoima_certificate_check (certificate, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error));
  g_assert_no_error (error);

  /* A signing key offered for logging in is refused with its own message. */
  g_assert_false (qoima_certificate_check (certificate, QOIMA_KEY_PURPOSE_AUTH, NULL, &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_PURPOSE);
  g_assert_nonnull (strstr (error->message, "(AUTH)"));
}

static void
test_other_org_key (void)
{
  g_autoptr(QoimaSignerPkcs12) signer = load_key_or_die ("other-org.p12");
  QoimaCertificate *certificate = qoima_signer_get_certificate (QOIMA_SIGNER (signer));

  g_assert_cmpstr (qoima_certificate_get_bin (certificate), ==, "100340012341");
  g_assert_cmpstr (qoima_certificate_get_iin (certificate), ==, "780302300121");
  g_assert_cmpstr (qoima_certificate_get_organization (certificate), ==, "ТОО \"Медсервис Плюс\"");
  g_assert_true (qoima_certificate_has_purpose (certificate, QOIMA_KEY_PURPOSE_AUTH));
  g_assert_true (qoima_certificate_has_purpose (certificate, QOIMA_KEY_PURPOSE_SIGNING));
}

static void
test_wrong_password (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaSignerPkcs12) signer = NULL;

  /* A Russian layout typed "Qoima-2026" as "Йщшьф-2026". */
  signer = load_key ("sign.p12", "Йщшьф-2026", &error);
  g_assert_null (signer);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_PASSWORD);
  g_assert_cmpstr (error->message, ==,
                   "Wrong password. Check the keyboard layout, that Caps Lock is off and Num Lock is on.");
  g_clear_error (&error);

  /* Caps Lock on. */
  signer = load_key ("auth.p12", "qOIMA-2026", &error);
  g_assert_null (signer);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_PASSWORD);
}

static void
test_no_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaSignerPkcs12) signer = NULL;

  /* A store with only a certificate in it. */
  signer = load_key ("no-key.p12", password, &error);
  g_assert_null (signer);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_NO_KEY);
  g_assert_cmpstr (error->message, ==, "The chosen storage holds no signing keys.");
  g_clear_error (&error);

  /* Not a key store at all: the CA certificate chosen by mistake. */
  signer = load_key ("ca.pem", password, &error);
  g_assert_null (signer);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_NO_KEY);
  g_clear_error (&error);

  /* A missing file is an I/O error, not a key problem. */
  signer = load_key ("missing.p12", password, &error);
  g_assert_null (signer);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_load_cancelled (void)
{
  g_autofree char *path = pki_path ("sign.p12");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaSignerPkcs12) signer = NULL;

  g_cancellable_cancel (cancellable);
  qoima_signer_pkcs12_load_async (file, password, cancellable, qoima_test_result_cb, &result);
  signer = qoima_signer_pkcs12_load_finish (wait_for_result (&result), &error);
  g_assert_null (signer);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_expired (void)
{
  g_autoptr(QoimaSignerPkcs12) signer = load_key_or_die ("expired.p12");
  QoimaCertificate *certificate = qoima_signer_get_certificate (QOIMA_SIGNER (signer));
  g_autoptr(GDateTime) in_2024 = g_date_time_new_utc (2024, 6, 1, 12, 0, 0);
  g_autoptr(GDateTime) in_2023 = g_date_time_new_utc (2023, 6, 1, 12, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  /* The file opens and shows its certificate, so the user sees why it cannot sign. */
  g_assert_cmpstr (qoima_certificate_get_owner (certificate), ==, CHIEF_CN);

  cms = sign (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, &error);
  g_assert_null (cms);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_EXPIRED);
  g_assert_true (g_str_has_prefix (error->message, "The certificate of " CHIEF_CN " expired on "));
  g_assert_nonnull (strstr (error->message, "2025"));
  g_clear_error (&error);

  /* It was good while it lasted, and not before. */
  g_assert_true (qoima_certificate_check (certificate, QOIMA_KEY_PURPOSE_SIGNING, in_2024, &error));
  g_assert_no_error (error);
  g_assert_false (qoima_certificate_check (certificate, QOIMA_KEY_PURPOSE_SIGNING, in_2023, &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_EXPIRED);
  g_assert_nonnull (strstr (error->message, "not valid yet"));
}

static void
test_auth_key_for_document (void)
{
  g_autoptr(QoimaSignerPkcs12) signer = load_key_or_die ("auth.p12");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  cms = sign (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, &error);
  g_assert_null (cms);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_PURPOSE);
  g_assert_cmpstr (error->message, ==,
                   "This is an authentication (AUTH) key; documents must be signed with the signing key (RSA or GOST).");
}

static char *
find_bytes (const char *haystack,
            size_t      size,
            const char *needle)
{
  size_t needle_size = strlen (needle);

  for (size_t i = 0; i + needle_size <= size; i++)
    if (memcmp (haystack + i, needle, needle_size) == 0)
      return (char *) haystack + i;

  return NULL;
}

/* Flips a byte of @needle inside @haystack: a CMS whose content was changed after signing. */
static GBytes *
tamper (GBytes     *haystack,
        const char *needle)
{
  gsize size;
  const char *data = g_bytes_get_data (haystack, &size);
  char *copy = g_memdup2 (data, size);
  char *found = find_bytes (copy, size, needle);

  g_assert_nonnull (found);
  found[0] ^= 0x01;
  return g_bytes_new_take (copy, size);
}

static void
test_attached (void)
{
  const char *challenge = "GNUFBAZBMPIUJQWERTYXCVBNMASDFGHJ";
  g_autoptr(QoimaSignerPkcs12) signer = load_key_or_die ("auth.p12");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(QoimaCertificate) certificate = NULL;
  g_autofree char *cms_path = NULL;
  g_autofree char *tampered_path = NULL;
  g_autofree char *out_path = pki_path ("openssl-out.bin");
  g_autofree char *out = NULL;
  gsize out_size;

  cms = sign (signer, challenge, QOIMA_SIGN_ATTACHED, QOIMA_KEY_PURPOSE_AUTH, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cms);

  /* Ours. */
  g_assert_true (qoima_cms_verify (cms, NULL, ca_pem, &content, &certificate, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content),
                   challenge, strlen (challenge));
  g_assert_cmpstr (qoima_certificate_get_iin (certificate), ==, CHIEF_IIN);
  g_assert_cmpstr (qoima_certificate_get_bin (certificate), ==, HOSPITAL_BIN);
  g_assert_true (qoima_certificate_has_purpose (certificate, QOIMA_KEY_PURPOSE_AUTH));

  /* Theirs. */
  cms_path = write_temp ("attached.p7s", g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  g_assert_true (openssl_verify (cms_path, NULL, TRUE));
  g_file_get_contents (out_path, &out, &out_size, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (out, out_size, challenge, strlen (challenge));
  g_assert_true (certtool_verify (cms_path, NULL));
  assert_signing_time (cms_path);

  /* A changed challenge fails everywhere. */
  tampered = tamper (cms, challenge);
  tampered_path = write_temp ("attached-tampered.p7s", g_bytes_get_data (tampered, NULL),
                              g_bytes_get_size (tampered));
  g_assert_false (qoima_cms_verify (tampered, NULL, ca_pem, NULL, NULL, &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
  g_assert_false (openssl_verify (tampered_path, NULL, TRUE));
  g_assert_false (certtool_verify (tampered_path, NULL));
}

static void
test_detached (void)
{
  g_autoptr(QoimaSignerPkcs12) signer = load_key_or_die ("sign.p12");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) document = g_bytes_new_static (DOCUMENT, strlen (DOCUMENT));
  g_autoptr(GBytes) changed = NULL;
  g_autoptr(QoimaCertificate) certificate = NULL;
  g_autofree char *changed_text = g_strdup (DOCUMENT);
  g_autofree char *cms_path = NULL;
  g_autofree char *document_path = NULL;
  g_autofree char *changed_path = NULL;

  cms = sign (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cms);
  /* Detached: the document is not inside. */
  g_assert_null (find_bytes (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms),
                             "release_order_number"));

  /* Ours. */
  g_assert_true (qoima_cms_verify (cms, document, ca_pem, NULL, &certificate, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (qoima_certificate_get_iin (certificate), ==, CHIEF_IIN);
  g_assert_true (qoima_certificate_has_purpose (certificate, QOIMA_KEY_PURPOSE_SIGNING));

  /* Without the document there is nothing to check. */
  g_assert_false (qoima_cms_verify (cms, NULL, ca_pem, NULL, NULL, &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
  g_clear_error (&error);

  /* One "accepted" turned into "acceptee". */
  *strstr (changed_text, "true") = 'T';
  changed = g_bytes_new (changed_text, strlen (changed_text));
  g_assert_false (qoima_cms_verify (cms, changed, ca_pem, NULL, NULL, &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
  g_clear_error (&error);

  /* Theirs. */
  cms_path = write_temp ("detached.p7s", g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  document_path = write_temp ("document.json", DOCUMENT, strlen (DOCUMENT));
  changed_path = write_temp ("document-changed.json", changed_text, strlen (changed_text));
  g_assert_true (openssl_verify (cms_path, document_path, FALSE));
  g_assert_true (certtool_verify (cms_path, document_path));
  g_assert_false (openssl_verify (cms_path, changed_path, FALSE));
  g_assert_false (certtool_verify (cms_path, changed_path));
  assert_signing_time (cms_path);
}

static void
test_foreign_ca (void)
{
  g_autoptr(QoimaSignerPkcs12) signer = load_key_or_die ("foreign.p12");
  QoimaCertificate *certificate = qoima_signer_get_certificate (QOIMA_SIGNER (signer));
  g_autoptr(GBytes) document = g_bytes_new_static (DOCUMENT, strlen (DOCUMENT));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(QoimaCertificate) signer_certificate = NULL;
  g_autofree char *cms_path = NULL;
  g_autofree char *document_path = NULL;

  /* Same issuer name as the trusted CA, another key. */
  g_assert_cmpstr (qoima_certificate_get_issuer (certificate), ==, "НУЦ РК (ТЕСТ)");

  cms = sign (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, &error);
  g_assert_no_error (error);

  g_assert_false (qoima_cms_verify (cms, document, ca_pem, NULL, &signer_certificate, &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
  g_assert_null (signer_certificate);

  cms_path = write_temp ("foreign.p7s", g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  document_path = write_temp ("document.json", DOCUMENT, strlen (DOCUMENT));
  g_assert_false (openssl_verify (cms_path, document_path, FALSE));
  g_assert_false (certtool_verify (cms_path, document_path));
}

static void
test_cms_garbage (void)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) junk = g_bytes_new_static ("\x30\x82\x01\x00junk", 8);
  g_autoptr(GBytes) bad_ca = g_bytes_new_static ("not a PEM", 9);
  g_autoptr(QoimaSignerPkcs12) signer = load_key_or_die ("sign.p12");
  g_autoptr(GBytes) document = g_bytes_new_static (DOCUMENT, strlen (DOCUMENT));
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (qoima_cms_verify (empty, NULL, ca_pem, NULL, NULL, &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (qoima_cms_verify (junk, NULL, ca_pem, NULL, NULL, &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
  g_clear_error (&error);

  cms = sign (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, &error);
  g_assert_no_error (error);
  g_assert_false (qoima_cms_verify (cms, document, bad_ca, NULL, NULL, &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
}

static void
make_pki (void)
{
  g_autofree char *script = NULL;
  g_autofree char *password_path = NULL;
  g_autofree char *ca_path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize size;
  const char *argv[] = { "sh", NULL, NULL, NULL };

  script = g_test_build_filename (G_TEST_DIST, "pki", "make-pki.sh", NULL);
  pki_dir = g_dir_make_tmp ("qoima-pki-XXXXXX", &error);
  g_assert_no_error (error);

  argv[1] = script;
  argv[2] = pki_dir;
  g_assert_true (run_tool (argv, NULL));

  password_path = pki_path ("password.txt");
  g_file_get_contents (password_path, &password, NULL, &error);
  g_assert_no_error (error);
  g_strchomp (password);

  ca_path = pki_path ("ca.pem");
  g_file_get_contents (ca_path, &contents, &size, &error);
  g_assert_no_error (error);
  ca_pem = g_bytes_new_take (contents, size);
}

static void
remove_pki (void)
{
  const char *argv[] = { "rm", "-rf", pki_dir, NULL };

  run_tool (argv, NULL);
  g_clear_pointer (&pki_dir, g_free);
  g_clear_pointer (&password, g_free);
  g_clear_pointer (&ca_pem, g_bytes_unref);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (!have_program ("certtool") || !have_program ("openssl"))
    {
      g_test_skip ("certtool (gnutls-bin) and openssl are needed");
      return g_test_run ();
    }

  make_pki ();

  g_test_add_func ("/signer/pki/files", test_pki_files);
  g_test_add_func ("/signer/pkcs12/auth-key", test_auth_key);
  g_test_add_func ("/signer/pkcs12/signing-key", test_signing_key);
  g_test_add_func ("/signer/pkcs12/other-org-key", test_other_org_key);
  g_test_add_func ("/rules/R003-7/wrong-password", test_wrong_password);
  g_test_add_func ("/rules/R003-7/no-key", test_no_key);
  g_test_add_func ("/signer/pkcs12/load-cancelled", test_load_cancelled);
  g_test_add_func ("/signer/pkcs12/expired", test_expired);
  g_test_add_func ("/signer/pkcs12/auth-key-for-document", test_auth_key_for_document);
  g_test_add_func ("/signer/cms/attached", test_attached);
  g_test_add_func ("/signer/cms/detached", test_detached);
  g_test_add_func ("/signer/cms/foreign-ca", test_foreign_ca);
  g_test_add_func ("/signer/cms/garbage", test_cms_garbage);

  ret = g_test_run ();
  remove_pki ();
  return ret;
}
