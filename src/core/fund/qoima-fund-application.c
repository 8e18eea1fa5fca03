/* qoima-fund-application.c: the application for inclusion in the Fund's database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-fund"

#include "config.h"

#include "qoima-fund-application.h"

#include <glib/gi18n.h>

#include "qoima-json.h"
#include "qoima-error.h"
#include "qoima-store.h"

static const char * const status_nicks[] = {
  "draft", "chief_review", "under_review", "agreed_check", "rejected_check",
  "confirmed_approval", "rejected_approval", "included", "rejected", "excluded", "changed",
};

/* The Fund's names, as the seed spells them. */
static const char * const status_labels[] = {
  "Проект", "На согласовании руководителя", "На рассмотрении", "Согласована. На проверке",
  "Отклонена. На проверке", "Подтверждена. На согласовании", "Отклонена. На согласовании",
  "Включен в БД", "Отклонена",
  /* The seed writes «Исключен в БД» once (R004-17) and «Исключен из БД» where the Fund
   * excludes (section 7, R004-27): we show the latter, the status's real meaning, and
   * read both (qoima_fund_status_from_label()). */
  "Исключен из БД",
  "Изменена",
};

G_STATIC_ASSERT (G_N_ELEMENTS (status_nicks) == QOIMA_FUND_CHANGED + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (status_labels) == QOIMA_FUND_CHANGED + 1);

const char *
qoima_fund_status_to_nick (QoimaFundStatus status)
{
  g_return_val_if_fail (status <= QOIMA_FUND_CHANGED, NULL);
  return status_nicks[status];
}

gboolean
qoima_fund_status_from_nick (const char      *nick,
                             QoimaFundStatus *status)
{
  for (guint i = 0; nick != NULL && i < G_N_ELEMENTS (status_nicks); i++)
    if (g_str_equal (nick, status_nicks[i]))
      {
        *status = (QoimaFundStatus) i;
        return TRUE;
      }
  return FALSE;
}

const char *
qoima_fund_status_to_label (QoimaFundStatus status)
{
  g_return_val_if_fail (status <= QOIMA_FUND_CHANGED, NULL);
  return status_labels[status];
}

gboolean
qoima_fund_status_from_label (const char      *label,
                              QoimaFundStatus *status)
{
  if (g_strcmp0 (label, "Исключен в БД") == 0)
    {
      *status = QOIMA_FUND_EXCLUDED;
      return TRUE;
    }
  for (guint i = 0; label != NULL && i < G_N_ELEMENTS (status_labels); i++)
    if (g_str_equal (label, status_labels[i]))
      {
        *status = (QoimaFundStatus) i;
        return TRUE;
      }
  return FALSE;
}

void
qoima_fund_attachment_free (QoimaFundAttachment *attachment)
{
  if (attachment == NULL)
    return;
  g_free (attachment->name);
  g_free (attachment->sha256);
  g_clear_pointer (&attachment->data, g_bytes_unref);
  g_free (attachment);
}

static QoimaFundAttachment *
attachment_copy (const QoimaFundAttachment *attachment)
{
  QoimaFundAttachment *copy;

  if (attachment == NULL)
    return NULL;
  copy = g_new0 (QoimaFundAttachment, 1);
  copy->name = g_strdup (attachment->name);
  copy->size = attachment->size;
  copy->sha256 = g_strdup (attachment->sha256);
  copy->data = attachment->data != NULL ? g_bytes_ref (attachment->data) : NULL;
  return copy;
}

QoimaFundAttachment *
qoima_fund_attachment_new_for_file (GFile         *file,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(QoimaFundAttachment) attachment = NULL;
  g_autoptr(GBytes) data = NULL;
  gint64 size;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                            G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (info == NULL)
    return NULL;
  size = g_file_info_get_size (info);
  /* R004-15: refused on its size, before a 2 GB scan is read into memory. */
  if (size > QOIMA_FUND_ATTACHMENT_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("%s is larger than 20 MB: the Fund accepts attachments of 20 MB at most."),
                   g_file_info_get_display_name (info));
      return NULL;
    }
  data = g_file_load_bytes (file, cancellable, NULL, error);
  if (data == NULL)
    return NULL;
  /* The file may have grown since it was asked. */
  if (g_bytes_get_size (data) > QOIMA_FUND_ATTACHMENT_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("%s is larger than 20 MB: the Fund accepts attachments of 20 MB at most."),
                   g_file_info_get_display_name (info));
      return NULL;
    }
  attachment = g_new0 (QoimaFundAttachment, 1);
  attachment->name = g_strdup (g_file_info_get_display_name (info));
  attachment->size = (gint64) g_bytes_get_size (data);
  attachment->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  attachment->data = g_steal_pointer (&data);
  return g_steal_pointer (&attachment);
}

QoimaFundBase *
qoima_fund_base_new (const char *address,
                     const char *license)
{
  QoimaFundBase *base = g_new0 (QoimaFundBase, 1);

  base->address = g_strdup (address);
  base->license = g_strdup (license);
  base->subtypes = g_new0 (char *, 1);
  return base;
}

void
qoima_fund_base_free (QoimaFundBase *base)
{
  if (base == NULL)
    return;
  g_free (base->address);
  g_free (base->license);
  g_free (base->kato);
  qoima_fund_attachment_free (base->permit);
  g_strfreev (base->subtypes);
  g_free (base);
}

QoimaFundBase *
qoima_fund_base_copy (const QoimaFundBase *base)
{
  QoimaFundBase *copy = g_new0 (QoimaFundBase, 1);

  copy->address = g_strdup (base->address);
  copy->license = g_strdup (base->license);
  copy->has_position = base->has_position;
  copy->latitude = base->latitude;
  copy->longitude = base->longitude;
  copy->kato = g_strdup (base->kato);
  copy->permit = attachment_copy (base->permit);
  copy->subtypes = base->subtypes != NULL ? g_strdupv (base->subtypes) : g_new0 (char *, 1);
  return copy;
}

G_DEFINE_BOXED_TYPE (QoimaFundBase, qoima_fund_base, qoima_fund_base_copy, qoima_fund_base_free)
G_DEFINE_BOXED_TYPE (QoimaFundApplication, qoima_fund_application,
                     qoima_fund_application_copy, qoima_fund_application_free)

QoimaFundApplication *
qoima_fund_application_new (void)
{
  QoimaFundApplication *app = g_new0 (QoimaFundApplication, 1);

  app->version = 1;
  app->care_provider = g_new0 (char *, 1);
  app->care_coexecutor = g_new0 (char *, 1);
  app->more_addresses = g_new0 (char *, 1);
  app->fund_reasons = g_new0 (char *, 1);
  app->bases = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_fund_base_free);
  app->licenses = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_fund_license_free);
  app->registration = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_fund_attachment_free);
  app->power_of_attorney = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_fund_attachment_free);
  return app;
}

void
qoima_fund_application_free (QoimaFundApplication *app)
{
  if (app == NULL)
    return;
  g_free (app->author);
  g_free (app->created_at);
  g_free (app->name_kk);
  g_free (app->name_ru);
  g_free (app->bin);
  g_free (app->ownership);
  g_strfreev (app->care_provider);
  g_strfreev (app->care_coexecutor);
  g_free (app->region);
  g_free (app->legal_kato);
  g_free (app->legal_index);
  g_free (app->legal_street);
  g_free (app->legal_house);
  g_free (app->legal_office);
  g_free (app->phone);
  g_free (app->email);
  g_strfreev (app->more_addresses);
  g_clear_pointer (&app->bases, g_ptr_array_unref);
  g_clear_pointer (&app->licenses, g_ptr_array_unref);
  g_clear_pointer (&app->registration, g_ptr_array_unref);
  g_clear_pointer (&app->power_of_attorney, g_ptr_array_unref);
  g_free (app->consent_signed_by);
  g_free (app->consent_signature);
  g_free (app->consent_document);
  g_free (app->chief_reason);
  g_strfreev (app->fund_reasons);
  g_free (app->fund_note);
  g_free (app->fund_id);
  g_free (app->excluded_at);
  g_free (app);
}

/* JSON */

static JsonArray *
strv_to_json (char **strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  return array;
}

static char **
strv_from_json (JsonArray *array)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      const char *s = qoima_json_array_get_string (array, i);
      if (s != NULL)
        g_strv_builder_add (builder, s);
    }
  return g_strv_builder_end (builder);
}

static JsonObject *
attachment_to_json (const QoimaFundAttachment *attachment)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "name", attachment->name != NULL ? attachment->name : "");
  json_object_set_int_member (object, "size", attachment->size);
  if (attachment->sha256 != NULL)
    json_object_set_string_member (object, "sha256", attachment->sha256);
  return object;
}

static QoimaFundAttachment *
attachment_from_json (JsonObject *object)
{
  QoimaFundAttachment *attachment;

  if (object == NULL)
    return NULL;
  attachment = g_new0 (QoimaFundAttachment, 1);
  attachment->name = g_strdup (qoima_json_get_string (object, "name"));
  attachment->size = qoima_json_get_int (object, "size", 0);
  attachment->sha256 = g_strdup (qoima_json_get_string (object, "sha256"));
  return attachment;
}

static JsonArray *
attachments_to_json (GPtrArray *attachments)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < attachments->len; i++)
    json_array_add_object_element (array, attachment_to_json (g_ptr_array_index (attachments, i)));
  return array;
}

static void
attachments_from_json (GPtrArray *attachments,
                       JsonArray *array)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      QoimaFundAttachment *attachment = attachment_from_json (qoima_json_array_get_object (array, i));
      if (attachment != NULL)
        g_ptr_array_add (attachments, attachment);
    }
}

static void
set_string (JsonObject *object,
            const char *member,
            const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, member, value);
}

static const char * const pharmacy_nicks[] = { "", "yes", "no" };

JsonNode *
qoima_fund_application_to_json (const QoimaFundApplication *app)
{
  JsonObject *object = json_object_new ();
  JsonArray *bases = json_array_new ();
  JsonArray *licenses = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  set_string (object, "name_kk", app->name_kk);
  set_string (object, "name_ru", app->name_ru);
  set_string (object, "bin", app->bin);
  set_string (object, "ownership", app->ownership);
  json_object_set_boolean_member (object, "provider", (app->statuses & QOIMA_FUND_PROVIDER) != 0);
  json_object_set_boolean_member (object, "coexecutor", (app->statuses & QOIMA_FUND_COEXECUTOR) != 0);
  json_object_set_array_member (object, "care_provider", strv_to_json (app->care_provider));
  json_object_set_array_member (object, "care_coexecutor", strv_to_json (app->care_coexecutor));
  set_string (object, "region", app->region);
  json_object_set_string_member (object, "pharmacy", pharmacy_nicks[app->pharmacy]);
  set_string (object, "legal_kato", app->legal_kato);
  set_string (object, "legal_index", app->legal_index);
  set_string (object, "legal_street", app->legal_street);
  set_string (object, "legal_house", app->legal_house);
  set_string (object, "legal_office", app->legal_office);
  set_string (object, "phone", app->phone);
  set_string (object, "email", app->email);
  json_object_set_array_member (object, "more_addresses", strv_to_json (app->more_addresses));
  for (guint i = 0; i < app->bases->len; i++)
    {
      QoimaFundBase *base = g_ptr_array_index (app->bases, i);
      JsonObject *b = json_object_new ();

      set_string (b, "address", base->address);
      set_string (b, "license", base->license);
      if (base->has_position)
        {
          json_object_set_double_member (b, "latitude", base->latitude);
          json_object_set_double_member (b, "longitude", base->longitude);
        }
      set_string (b, "kato", base->kato);
      if (base->permit != NULL)
        json_object_set_object_member (b, "permit", attachment_to_json (base->permit));
      json_object_set_array_member (b, "subtypes", strv_to_json (base->subtypes));
      json_array_add_object_element (bases, b);
    }
  json_object_set_array_member (object, "bases", bases);
  for (guint i = 0; i < app->licenses->len; i++)
    json_array_add_element (licenses, qoima_fund_license_to_json (g_ptr_array_index (app->licenses, i)));
  json_object_set_array_member (object, "licenses", licenses);
  json_object_set_array_member (object, "registration", attachments_to_json (app->registration));
  json_object_set_array_member (object, "power_of_attorney", attachments_to_json (app->power_of_attorney));
  set_string (object, "consent_signed_by", app->consent_signed_by);
  set_string (object, "consent_signature", app->consent_signature);
  set_string (object, "consent_document", app->consent_document);
  json_node_take_object (node, object);
  return node;
}

QoimaFundApplication *
qoima_fund_application_from_json (JsonNode  *node,
                                  GError   **error)
{
  g_autoptr(QoimaFundApplication) app = NULL;
  JsonObject *object;
  JsonArray *array;
  const char *pharmacy;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The application's data is not a JSON object."));
      return NULL;
    }
  object = json_node_get_object (node);
  app = qoima_fund_application_new ();
#define GET(member) app->member = g_strdup (qoima_json_get_string (object, #member))
  GET (name_kk); GET (name_ru); GET (bin); GET (ownership); GET (region);
  GET (legal_kato); GET (legal_index); GET (legal_street); GET (legal_house); GET (legal_office);
  GET (phone); GET (email); GET (consent_signed_by); GET (consent_signature); GET (consent_document);
#undef GET
  if (qoima_json_get_boolean (object, "provider", FALSE))
    app->statuses |= QOIMA_FUND_PROVIDER;
  if (qoima_json_get_boolean (object, "coexecutor", FALSE))
    app->statuses |= QOIMA_FUND_COEXECUTOR;
  g_strfreev (app->care_provider);
  app->care_provider = strv_from_json (qoima_json_get_array (object, "care_provider"));
  g_strfreev (app->care_coexecutor);
  app->care_coexecutor = strv_from_json (qoima_json_get_array (object, "care_coexecutor"));
  g_strfreev (app->more_addresses);
  app->more_addresses = strv_from_json (qoima_json_get_array (object, "more_addresses"));
  pharmacy = qoima_json_get_string (object, "pharmacy");
  app->pharmacy = g_strcmp0 (pharmacy, "yes") == 0 ? QOIMA_FUND_PHARMACY_YES
                  : g_strcmp0 (pharmacy, "no") == 0 ? QOIMA_FUND_PHARMACY_NO
                  : QOIMA_FUND_PHARMACY_UNSET;
  array = qoima_json_get_array (object, "bases");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *b = qoima_json_array_get_object (array, i);
      QoimaFundBase *base;

      if (b == NULL)
        continue;
      base = qoima_fund_base_new (qoima_json_get_string (b, "address"), qoima_json_get_string (b, "license"));
      if (json_object_has_member (b, "latitude") && json_object_has_member (b, "longitude"))
        {
          base->has_position = TRUE;
          base->latitude = json_object_get_double_member (b, "latitude");
          base->longitude = json_object_get_double_member (b, "longitude");
        }
      base->kato = g_strdup (qoima_json_get_string (b, "kato"));
      base->permit = attachment_from_json (qoima_json_get_object (b, "permit"));
      g_strfreev (base->subtypes);
      base->subtypes = strv_from_json (qoima_json_get_array (b, "subtypes"));
      g_ptr_array_add (app->bases, base);
    }
  array = qoima_json_get_array (object, "licenses");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *l = qoima_json_array_get_object (array, i);
      QoimaFundLicense *license = l != NULL ? qoima_fund_license_from_json (l, NULL) : NULL;

      if (license != NULL)
        g_ptr_array_add (app->licenses, license);
    }
  attachments_from_json (app->registration, qoima_json_get_array (object, "registration"));
  attachments_from_json (app->power_of_attorney, qoima_json_get_array (object, "power_of_attorney"));
  return g_steal_pointer (&app);
}

QoimaFundApplication *
qoima_fund_application_copy (const QoimaFundApplication *app)
{
  g_autoptr(JsonNode) node = qoima_fund_application_to_json (app);
  QoimaFundApplication *copy = qoima_fund_application_from_json (node, NULL);

  copy->id = app->id;
  copy->chain_id = app->chain_id;
  copy->version = app->version;
  copy->status = app->status;
  copy->author = g_strdup (app->author);
  copy->created_at = g_strdup (app->created_at);
  copy->chief_reason = g_strdup (app->chief_reason);
  g_strfreev (copy->fund_reasons);
  copy->fund_reasons = g_strdupv (app->fund_reasons);
  copy->fund_note = g_strdup (app->fund_note);
  copy->fund_id = g_strdup (app->fund_id);
  copy->excluded_at = g_strdup (app->excluded_at);
  /* The contents read from files go along (the JSON keeps only their names). */
  for (guint i = 0; i < app->bases->len && i < copy->bases->len; i++)
    {
      QoimaFundBase *from = g_ptr_array_index (app->bases, i);
      QoimaFundBase *to = g_ptr_array_index (copy->bases, i);

      if (from->permit != NULL)
        {
          qoima_fund_attachment_free (to->permit);
          to->permit = attachment_copy (from->permit);
        }
    }
  g_ptr_array_set_size (copy->registration, 0);
  for (guint i = 0; i < app->registration->len; i++)
    g_ptr_array_add (copy->registration, attachment_copy (g_ptr_array_index (app->registration, i)));
  g_ptr_array_set_size (copy->power_of_attorney, 0);
  for (guint i = 0; i < app->power_of_attorney->len; i++)
    g_ptr_array_add (copy->power_of_attorney, attachment_copy (g_ptr_array_index (app->power_of_attorney, i)));
  return copy;
}

void
qoima_fund_application_refresh_licenses (QoimaFundApplication *app,
                                         GPtrArray            *licenses,
                                         GDateTime            *now)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) old_bases = g_steal_pointer (&app->bases);

  g_ptr_array_set_size (app->licenses, 0);
  app->bases = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_fund_base_free);
  for (guint i = 0; licenses != NULL && i < licenses->len; i++)
    {
      QoimaFundLicense *license = g_ptr_array_index (licenses, i);

      if (!qoima_fund_license_attaches (license, now))
        continue;
      g_ptr_array_add (app->licenses, qoima_fund_license_copy (license));
      for (guint j = 0; j < license->annexes->len; j++)
        {
          QoimaFundAnnex *annex = g_ptr_array_index (license->annexes, j);

          for (guint k = 0; annex->bases != NULL && annex->bases[k] != NULL; k++)
            {
              QoimaFundBase *base = NULL;

              if (g_hash_table_contains (seen, annex->bases[k]))
                continue;
              g_hash_table_add (seen, annex->bases[k]);
              /* A base already in the form keeps what was entered for it. */
              for (guint m = 0; m < old_bases->len; m++)
                {
                  QoimaFundBase *old = g_ptr_array_index (old_bases, m);
                  if (g_strcmp0 (old->address, annex->bases[k]) == 0)
                    {
                      base = g_ptr_array_steal_index (old_bases, m);
                      break;
                    }
                }
              if (base == NULL)
                base = qoima_fund_base_new (annex->bases[k], license->number);
              g_ptr_array_add (app->bases, base);
            }
        }
    }
}

void
qoima_fund_problem_free (QoimaFundProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->section);
  g_free (problem->field);
  g_free (problem->rule);
  g_free (problem->message);
  g_free (problem);
}

static void
add_problem (GPtrArray  *problems,
             const char *section,
             const char *field,
             const char *rule,
             const char *message)
{
  QoimaFundProblem *problem = g_new0 (QoimaFundProblem, 1);

  problem->section = g_strdup (section);
  problem->field = g_strdup (field);
  problem->rule = g_strdup (rule);
  problem->message = g_strdup (message);
  g_ptr_array_add (problems, problem);
}

static gboolean
is_blank (const char *s)
{
  if (s == NULL)
    return TRUE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

/* R004-16: each missing field gets the seed's text under it. */
static void
require (GPtrArray  *problems,
         const char *section,
         const char *field,
         const char *value)
{
  if (is_blank (value))
    add_problem (problems, section, field, "R004-16", QOIMA_FUND_TEXT_REQUIRED);
}

/*
 * R004-10: Kazakhstan's bounding box, 40.56…55.44 °N and 46.49…87.32 °E (the extreme
 * points of its border). A box, not the border's polygon: it never refuses a real
 * address of a Kazakh base, and catches what a hand-typed position gets wrong in
 * practice (latitude and longitude swapped, a sign lost, zeros, another country far
 * away); a point just over the border in Russia or Uzbekistan passes.
 */
gboolean
qoima_fund_point_in_kazakhstan (double latitude,
                                double longitude)
{
  return latitude >= 40.56 && latitude <= 55.44 && longitude >= 46.49 && longitude <= 87.32;
}

/* The message of R004-21, which is also the only text the seed gives for a missing
 * license: R004-6…8 use it when they refuse to save. */
static char *
license_message (const char *care_name,
                 const char *subtype)
{
  return g_strdup_printf ("В соответствии с Законом Республики Казахстан от 16 мая 2014 года "
                          "\"О разрешениях и уведомлениях\" для оказания вида/формы медицинской "
                          "помощи %s требуется наличие лицензии на вид деятельности «%s» по "
                          "подвиду деятельности %s",
                          care_name, qoima_fund_activity_name (subtype), qoima_fund_subtype_name (subtype));
}

static gboolean
chosen_for (const QoimaFundApplication *app,
            const char                 *code,
            QoimaFundSubjectStatus      status)
{
  char **care = status == QOIMA_FUND_PROVIDER ? app->care_provider : app->care_coexecutor;

  return (app->statuses & status) != 0 && care != NULL && g_strv_contains ((const char * const *) care, code);
}

static void
check_care (const QoimaFundApplication *app,
            GPtrArray                  *problems,
            QoimaFundSubjectStatus      status)
{
  const char *field = status == QOIMA_FUND_PROVIDER ? "care_provider" : "care_coexecutor";
  char **care = status == QOIMA_FUND_PROVIDER ? app->care_provider : app->care_coexecutor;

  if ((app->statuses & status) == 0)
    return;
  if (care == NULL || care[0] == NULL)
    {
      add_problem (problems, "subject", field, "R004-16", QOIMA_FUND_TEXT_REQUIRED);
      return;
    }
  for (guint i = 0; care[i] != NULL; i++)
    {
      const QoimaFundCare *entry = qoima_fund_care_lookup (care[i]);
      g_autofree char *message = NULL;

      /* R004-5: only what the directory has for the status and the annexes allow. */
      if (entry == NULL || (entry->statuses & status) == 0)
        message = g_strdup_printf (_("“%s” is not a kind of care for this status of the subject."), care[i]);
      else if (!qoima_fund_licenses_have_subtype (app->licenses, entry->annex_subtype))
        message = g_strdup_printf (_("The license annexes do not allow “%s”."), entry->name);
      if (message != NULL)
        {
          add_problem (problems, "subject", field, "R004-5", message);
          continue;
        }
      /* R004-7 (A15B) and R004-8 (L64A): refused on saving. The seed says the system
       * "checks" on saving and, at sending, only informs (R004-21); we refuse to save
       * without the license, since the Fund rejects such an application anyway, and
       * keep R004-21's message at sending as the reminder it is. */
      if (entry->needs_license != NULL && (entry->needs_for & status) != 0 &&
          !qoima_fund_licenses_have_subtype (app->licenses, entry->needs_license))
        {
          g_autofree char *text = license_message (entry->name, entry->needs_license);
          add_problem (problems, "subject", field,
                       g_str_equal (entry->needs_license, "A15B") ? "R004-7" : "R004-8", text);
        }
    }
}

static void
check_attachment (GPtrArray                 *problems,
                  const char                *section,
                  const char                *field,
                  const QoimaFundAttachment *attachment)
{
  if (attachment != NULL && attachment->size > QOIMA_FUND_ATTACHMENT_MAX)
    {
      g_autofree char *message =
        g_strdup_printf (_("%s is larger than 20 MB: the Fund accepts attachments of 20 MB at most."),
                         attachment->name);
      add_problem (problems, section, field, "R004-15", message);
    }
}

GPtrArray *
qoima_fund_application_check (const QoimaFundApplication *app,
                              QoimaFundKato              *kato,
                              GDateTime                  *last_exclusion,
                              GDateTime                  *now)
{
  static const char * const ownerships[] = {
    "Субъекты квазигосударственного сектора", "Частные организации", "Государственные организации", NULL,
  };
  GPtrArray *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_fund_problem_free);
  g_autoptr(GHashTable) covered = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (app != NULL && now != NULL, problems);

  /* Subject */
  require (problems, "subject", "name_kk", app->name_kk);
  require (problems, "subject", "name_ru", app->name_ru);
  require (problems, "subject", "bin", app->bin);
  require (problems, "subject", "ownership", app->ownership);
  if (!is_blank (app->ownership) && !g_strv_contains (ownerships, app->ownership))
    add_problem (problems, "subject", "ownership", "R004-5",
                 _("The ownership form is not one of the Fund's directory."));
  if (app->statuses == 0)
    add_problem (problems, "subject", "statuses", "R004-16", QOIMA_FUND_TEXT_REQUIRED);
  check_care (app, problems, QOIMA_FUND_PROVIDER);
  check_care (app, problems, QOIMA_FUND_COEXECUTOR);
  require (problems, "subject", "region", app->region);

  /* R004-5: the pharmacy field is enabled, and then required, only for primary care by
   * capitation as Поставщик; R004-6 checks its licenses when it says «Да». */
  if (chosen_for (app, "phc-capitation", QOIMA_FUND_PROVIDER))
    {
      if (app->pharmacy == QOIMA_FUND_PHARMACY_UNSET)
        add_problem (problems, "subject", "pharmacy", "R004-16", QOIMA_FUND_TEXT_REQUIRED);
      else if (app->pharmacy == QOIMA_FUND_PHARMACY_YES)
        {
          const QoimaFundCare *phc = qoima_fund_care_lookup ("phc-capitation");
          static const char * const needed[] = { "L61I", "L64A" };

          for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
            if (!qoima_fund_licenses_have_subtype (app->licenses, needed[i]))
              {
                g_autofree char *text = license_message (phc->name, needed[i]);
                add_problem (problems, "subject", "pharmacy", "R004-6", text);
              }
        }
    }

  /* Addresses (R004-9): from registration, but required all the same. */
  require (problems, "addresses", "legal_kato", app->legal_kato);
  require (problems, "addresses", "legal_index", app->legal_index);
  require (problems, "addresses", "legal_street", app->legal_street);
  require (problems, "addresses", "legal_house", app->legal_house);
  require (problems, "addresses", "phone", app->phone);
  require (problems, "addresses", "email", app->email);

  /* Production bases (R004-10…12) */
  if (app->bases->len == 0)
    add_problem (problems, "bases", "bases", "R004-16", QOIMA_FUND_TEXT_REQUIRED);
  for (guint i = 0; i < app->bases->len; i++)
    {
      QoimaFundBase *base = g_ptr_array_index (app->bases, i);
      g_autofree char *lat = g_strdup_printf ("bases[%u].latitude", i);
      g_autofree char *lon = g_strdup_printf ("bases[%u].longitude", i);
      g_autofree char *kato_field = g_strdup_printf ("bases[%u].kato", i);
      g_autofree char *permit = g_strdup_printf ("bases[%u].permit", i);
      g_autofree char *subtypes = g_strdup_printf ("bases[%u].subtypes", i);

      if (!base->has_position)
        {
          add_problem (problems, "bases", lat, "R004-16", QOIMA_FUND_TEXT_REQUIRED);
          add_problem (problems, "bases", lon, "R004-16", QOIMA_FUND_TEXT_REQUIRED);
        }
      else if (!qoima_fund_point_in_kazakhstan (base->latitude, base->longitude))
        add_problem (problems, "bases", lat, "R004-10",
                     _("This position is not in Kazakhstan: check the latitude and the longitude "
                       "(are they swapped?)."));

      if (is_blank (base->kato))
        add_problem (problems, "bases", kato_field, "R004-16", QOIMA_FUND_TEXT_REQUIRED);
      else if (kato != NULL ? !qoima_fund_kato_is_leaf (kato, base->kato)
                            : (strlen (base->kato) != 9 || strspn (base->kato, "0123456789") != 9))
        add_problem (problems, "bases", kato_field, "R004-10",
                     _("Choose the KATO object down to the final level (a settlement, not a district)."));

      if (base->permit == NULL)
        add_problem (problems, "bases", permit, "R004-16", QOIMA_FUND_TEXT_REQUIRED);
      check_attachment (problems, "bases", permit, base->permit);

      if (base->subtypes == NULL || base->subtypes[0] == NULL)
        add_problem (problems, "bases", subtypes, "R004-11", QOIMA_FUND_TEXT_BASE_NO_SUBTYPE);
      for (guint k = 0; base->subtypes != NULL && base->subtypes[k] != NULL; k++)
        g_hash_table_add (covered, base->subtypes[k]);
    }
  /* R004-12: every kind of care of the subject section is on some base. Checked only
   * when there are bases, so that an empty section shows one message, not two. */
  if (app->bases->len > 0)
    {
      gboolean missing = FALSE;

      for (guint i = 0; app->care_provider[i] != NULL && (app->statuses & QOIMA_FUND_PROVIDER); i++)
        missing |= !g_hash_table_contains (covered, app->care_provider[i]);
      for (guint i = 0; app->care_coexecutor[i] != NULL && (app->statuses & QOIMA_FUND_COEXECUTOR); i++)
        missing |= !g_hash_table_contains (covered, app->care_coexecutor[i]);
      if (missing)
        add_problem (problems, "bases", "bases", "R004-12", QOIMA_FUND_TEXT_BASES_MISS_SUBTYPES);
    }

  /* Documents (R004-14, R004-15) */
  if (app->registration->len == 0)
    add_problem (problems, "documents", "registration", "R004-16", QOIMA_FUND_TEXT_REQUIRED);
  for (guint i = 0; i < app->registration->len; i++)
    check_attachment (problems, "documents", "registration", g_ptr_array_index (app->registration, i));
  for (guint i = 0; i < app->power_of_attorney->len; i++)
    check_attachment (problems, "documents", "power_of_attorney", g_ptr_array_index (app->power_of_attorney, i));

  /* R004-17: three years since an exclusion. The seed names no message: ours says when
   * saving becomes possible. */
  if (last_exclusion != NULL)
    {
      g_autoptr(GDateTime) allowed = g_date_time_add_years (last_exclusion, 3);

      if (g_date_time_compare (now, allowed) < 0)
        {
          g_autofree char *excluded = g_date_time_format (last_exclusion, "%d.%m.%Y");
          g_autofree char *from = g_date_time_format (allowed, "%d.%m.%Y");
          g_autofree char *message =
            g_strdup_printf (_("The subject was excluded from the Fund's database on %s: a new "
                               "application can be saved from %s, three years after the exclusion."),
                             excluded, from);
          add_problem (problems, "subject", "bin", "R004-17", message);
        }
    }
  return problems;
}

JsonNode *
qoima_fund_problems_to_json (GPtrArray *problems)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < problems->len; i++)
    {
      QoimaFundProblem *problem = g_ptr_array_index (problems, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "section", problem->section);
      json_object_set_string_member (object, "field", problem->field);
      json_object_set_string_member (object, "rule", problem->rule);
      json_object_set_string_member (object, "message", problem->message);
      json_array_add_object_element (array, object);
    }
  json_node_take_array (node, array);
  return node;
}

GPtrArray *
qoima_fund_application_send_notices (const QoimaFundApplication *app)
{
  GPtrArray *notices = g_ptr_array_new_with_free_func (g_free);

  for (const QoimaFundCare *care = qoima_fund_care_directory (); care->code != NULL; care++)
    {
      gboolean chosen = FALSE;

      if (care->needs_license != NULL)
        chosen = ((care->needs_for & QOIMA_FUND_PROVIDER) && chosen_for (app, care->code, QOIMA_FUND_PROVIDER)) ||
                 ((care->needs_for & QOIMA_FUND_COEXECUTOR) && chosen_for (app, care->code, QOIMA_FUND_COEXECUTOR));
      if (chosen)
        g_ptr_array_add (notices, license_message (care->name, care->needs_license));
      if (care->enables_pharmacy && chosen_for (app, care->code, QOIMA_FUND_PROVIDER) &&
          app->pharmacy == QOIMA_FUND_PHARMACY_YES)
        {
          g_ptr_array_add (notices, license_message (care->name, "L61I"));
          g_ptr_array_add (notices, license_message (care->name, "L64A"));
        }
    }
  return notices;
}

static gboolean
forbid_status (const QoimaFundApplication *app,
               GError                    **error)
{
  g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
               _("The application is “%s”: this cannot be done to it now."),
               qoima_fund_status_to_label (app->status));
  return FALSE;
}

gboolean
qoima_fund_application_may (const QoimaFundApplication *app,
                            QoimaUser                  *user,
                            QoimaFundAction             action,
                            GError                    **error)
{
  /* Roles: the seed's «Поставщик» + «Администратор организации» (and «Поставщик
   * мед.услуг», who deletes) are Qoima's administrator; its «Руководитель» is the chief. */
  switch (action)
    {
    case QOIMA_FUND_ACTION_CREATE:
      return qoima_user_check (user, QOIMA_PERMISSION_PREPARE_FUND_APPLICATION, error);
    case QOIMA_FUND_ACTION_FORM_PDF:
      if (qoima_user_check (user, QOIMA_PERMISSION_PREPARE_FUND_APPLICATION, NULL))
        return TRUE;
      return qoima_user_check (user, QOIMA_PERMISSION_DECIDE_FUND_APPLICATION, error);
    case QOIMA_FUND_ACTION_EDIT:
      if (!qoima_user_check (user, QOIMA_PERMISSION_PREPARE_FUND_APPLICATION, error))
        return FALSE;
      if (app->status != QOIMA_FUND_DRAFT)
        return forbid_status (app, error);
      /* R004-23: by the user who created it. */
      if (g_strcmp0 (app->author, qoima_user_get_name (user)) != 0)
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                       _("Only %s, who created the application, can edit it."), app->author);
          return FALSE;
        }
      return TRUE;
    case QOIMA_FUND_ACTION_DELETE:
    case QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF:
      if (!qoima_user_check (user, QOIMA_PERMISSION_PREPARE_FUND_APPLICATION, error))
        return FALSE;
      return app->status == QOIMA_FUND_DRAFT || forbid_status (app, error);
    case QOIMA_FUND_ACTION_SIGN_CONSENT:
    case QOIMA_FUND_ACTION_CHIEF_REJECT:
    case QOIMA_FUND_ACTION_SEND:
      if (!qoima_user_check (user, QOIMA_PERMISSION_DECIDE_FUND_APPLICATION, error))
        return FALSE;
      if (app->status != QOIMA_FUND_CHIEF_REVIEW)
        return forbid_status (app, error);
      if (action == QOIMA_FUND_ACTION_SEND && is_blank (app->consent_signature))
        {
          g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                               _("Sign the consent to entering the data first (R004-14)."));
          return FALSE;
        }
      return TRUE;
    case QOIMA_FUND_ACTION_NEW_VERSION:
      if (!qoima_user_check (user, QOIMA_PERMISSION_PREPARE_FUND_APPLICATION, error))
        return FALSE;
      return app->status == QOIMA_FUND_INCLUDED || app->status == QOIMA_FUND_REJECTED ||
             forbid_status (app, error);
    default:
      g_return_val_if_reached (FALSE);
    }
}

gboolean
qoima_fund_application_check_edit (const QoimaFundApplication *saved,
                                   const QoimaFundApplication *edited,
                                   gboolean                    new_version,
                                   GError                    **error)
{
  const char *what = NULL;

  if (g_strcmp0 (saved->name_kk, edited->name_kk) != 0)
    what = _("the name in Kazakh");
  else if (g_strcmp0 (saved->name_ru, edited->name_ru) != 0)
    what = _("the name in Russian");
  else if (g_strcmp0 (saved->bin, edited->bin) != 0)
    what = _("the BIN/IIN");
  /* R004-23 keeps the ownership form in an edit; R004-25 lets a new version change it. */
  else if (!new_version && g_strcmp0 (saved->ownership, edited->ownership) != 0)
    what = _("the ownership form");
  if (what != NULL)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The application's %s cannot be changed."), what);
      return FALSE;
    }
  return TRUE;
}

char **
qoima_fund_application_diff (const QoimaFundApplication *saved,
                             const QoimaFundApplication *edited)
{
  g_autoptr(JsonNode) a = qoima_fund_application_to_json (saved);
  g_autoptr(JsonNode) b = qoima_fund_application_to_json (edited);
  g_autoptr(GStrvBuilder) fields = g_strv_builder_new ();
  g_autoptr(GList) members = json_object_get_members (json_node_get_object (b));

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *old = json_object_get_member (json_node_get_object (a), l->data);
      JsonNode *new = json_object_get_member (json_node_get_object (b), l->data);

      if (old == NULL || !json_node_equal (old, new))
        g_strv_builder_add (fields, l->data);
    }
  {
    g_autoptr(GList) old_members = json_object_get_members (json_node_get_object (a));
    for (GList *l = old_members; l != NULL; l = l->next)
      if (!json_object_has_member (json_node_get_object (b), l->data))
        g_strv_builder_add (fields, l->data);
  }
  return g_strv_builder_end (fields);
}

gboolean
qoima_fund_application_check_signer (const QoimaFundApplication *app,
                                     QoimaUser                  *user,
                                     QoimaCertificate           *certificate,
                                     GError                    **error)
{
  const char *key_bin;

  g_return_val_if_fail (app != NULL, FALSE);

  /* Her own key first (the same IIN), whatever the organization. */
  if (!qoima_user_check_signer (user, certificate, NULL, error))
    return FALSE;
  if (certificate == NULL)
    return TRUE;
  key_bin = qoima_certificate_get_bin (certificate);
  if (app->bin == NULL || g_strcmp0 (key_bin, app->bin) != 0)
    {
      g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER,
                   _("The key of %s was issued to the organization with BIN %s, but the application is of BIN %s: "
                     "the consent is signed with a key of the organization applying. Nothing was signed or sent."),
                   qoima_certificate_get_owner (certificate), key_bin != NULL ? key_bin : "—",
                   app->bin != NULL ? app->bin : "—");
      return FALSE;
    }
  return TRUE;
}
