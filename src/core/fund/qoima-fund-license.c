/* qoima-fund-license.c: electronic licenses and the Fund's kinds of care
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-fund"

#include "config.h"

#include "qoima-fund-license.h"

#include <glib/gi18n.h>

#include "qoima-identifiers.h"
#include "qoima-json.h"

static const char * const request_labels[] = { "В обработке", "Обработан", "Ошибка обработки" };

const char *
qoima_fund_request_state_to_label (QoimaFundRequestState state)
{
  g_return_val_if_fail (state <= QOIMA_FUND_REQUEST_FAILED, NULL);
  return request_labels[state];
}

gboolean
qoima_fund_request_state_from_label (const char            *label,
                                     QoimaFundRequestState *state)
{
  for (guint i = 0; label != NULL && i < G_N_ELEMENTS (request_labels); i++)
    if (g_str_equal (label, request_labels[i]))
      {
        *state = (QoimaFundRequestState) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
qoima_fund_request_bin_allowed (const char          *own_bin,
                                const char * const  *related_bins,
                                const char          *bin)
{
  if (bin == NULL || *bin == '\0')
    return FALSE;
  if (g_strcmp0 (own_bin, bin) == 0)
    return TRUE;
  return related_bins != NULL && g_strv_contains (related_bins, bin);
}

char **
qoima_fund_related_bins_parse (const char *value)
{
  g_auto(GStrv) parts = g_strsplit (value != NULL ? value : "", ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

char *
qoima_fund_related_bins_add (const char  *value,
                             const char  *own_bin,
                             const char  *bin,
                             GError     **error)
{
  g_auto(GStrv) bins = qoima_fund_related_bins_parse (value);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) joined = NULL;

  g_return_val_if_fail (bin != NULL, NULL);

  /* A related organization is a legal entity (a branch, a reorganized one): a BIN, never
   * an IIN, so that elicense.kz is asked only for numbers it can know. */
  if (!qoima_iin_or_bin_is_valid (bin) || !qoima_number_is_bin (bin))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s is not a BIN: 12 digits, a legal entity’s, whose last digit checks the others."), bin);
      return NULL;
    }
  if (g_strcmp0 (own_bin, bin) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s is the organization’s own BIN: its licenses are asked for anyway."), bin);
      return NULL;
    }
  if (g_strv_contains ((const char * const *) bins, bin))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("%s is listed already."), bin);
      return NULL;
    }
  g_strv_builder_addv (builder, (const char **) bins);
  g_strv_builder_add (builder, bin);
  joined = g_strv_builder_end (builder);
  return g_strjoinv (",", joined);
}

char *
qoima_fund_related_bins_remove (const char *value,
                                const char *bin)
{
  g_auto(GStrv) bins = qoima_fund_related_bins_parse (value);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) kept = NULL;

  for (guint i = 0; bins[i] != NULL; i++)
    if (g_strcmp0 (bins[i], bin) != 0)
      g_strv_builder_add (builder, bins[i]);
  kept = g_strv_builder_end (builder);
  return g_strjoinv (",", kept);
}

static void
annex_free (QoimaFundAnnex *annex)
{
  g_free (annex->number);
  g_strfreev (annex->subtypes);
  g_strfreev (annex->bases);
  g_free (annex);
}

void
qoima_fund_license_free (QoimaFundLicense *license)
{
  if (license == NULL)
    return;
  g_free (license->number);
  g_free (license->bin);
  g_free (license->activity);
  g_free (license->activity_name);
  g_free (license->category);
  g_free (license->type);
  g_free (license->status);
  g_free (license->issued);
  g_free (license->fetched_at);
  g_clear_pointer (&license->annexes, g_ptr_array_unref);
  g_free (license);
}

QoimaFundLicense *
qoima_fund_license_copy (const QoimaFundLicense *license)
{
  g_autoptr(JsonNode) node = qoima_fund_license_to_json (license);

  return qoima_fund_license_from_json (json_node_get_object (node), NULL);
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

static JsonArray *
strv_to_json (char **strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  return array;
}

QoimaFundLicense *
qoima_fund_license_from_json (JsonObject  *object,
                              GError     **error)
{
  g_autoptr(QoimaFundLicense) license = g_new0 (QoimaFundLicense, 1);
  JsonArray *annexes;

  license->number = g_strdup (qoima_json_get_string (object, "number"));
  license->activity = g_strdup (qoima_json_get_string (object, "activity"));
  if (license->number == NULL || license->activity == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("A license from the license service has no number or no kind of activity."));
      return NULL;
    }
  license->bin = g_strdup (qoima_json_get_string (object, "bin"));
  license->activity_name = g_strdup (qoima_json_get_string (object, "activity_name"));
  license->category = g_strdup (qoima_json_get_string (object, "category"));
  license->type = g_strdup (qoima_json_get_string (object, "type"));
  license->status = g_strdup (qoima_json_get_string (object, "status"));
  license->issued = g_strdup (qoima_json_get_string (object, "issued"));
  license->fetched_at = g_strdup (qoima_json_get_string (object, "fetched_at"));
  license->annexes = g_ptr_array_new_with_free_func ((GDestroyNotify) annex_free);
  annexes = qoima_json_get_array (object, "annexes");
  for (guint i = 0; annexes != NULL && i < json_array_get_length (annexes); i++)
    {
      JsonObject *a = qoima_json_array_get_object (annexes, i);
      QoimaFundAnnex *annex;

      if (a == NULL)
        continue;
      annex = g_new0 (QoimaFundAnnex, 1);
      annex->number = g_strdup (qoima_json_get_string (a, "number"));
      annex->subtypes = strv_from_json (qoima_json_get_array (a, "subtypes"));
      annex->bases = strv_from_json (qoima_json_get_array (a, "bases"));
      g_ptr_array_add (license->annexes, annex);
    }
  return g_steal_pointer (&license);
}

JsonNode *
qoima_fund_license_to_json (const QoimaFundLicense *license)
{
  JsonObject *object = json_object_new ();
  JsonArray *annexes = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

#define SET(member) if (license->member != NULL) json_object_set_string_member (object, #member, license->member)
  SET (number); SET (bin); SET (activity); SET (activity_name); SET (category);
  SET (type); SET (status); SET (issued); SET (fetched_at);
#undef SET
  for (guint i = 0; license->annexes != NULL && i < license->annexes->len; i++)
    {
      QoimaFundAnnex *annex = g_ptr_array_index (license->annexes, i);
      JsonObject *a = json_object_new ();

      if (annex->number != NULL)
        json_object_set_string_member (a, "number", annex->number);
      json_object_set_array_member (a, "subtypes", strv_to_json (annex->subtypes));
      json_object_set_array_member (a, "bases", strv_to_json (annex->bases));
      json_array_add_object_element (annexes, a);
    }
  json_object_set_array_member (object, "annexes", annexes);
  json_node_take_object (node, object);
  return node;
}

/* R004-2 */
gboolean
qoima_fund_license_is_listed (const QoimaFundLicense *license)
{
  static const char * const activities[] = { "A15", "L60", "L61", "L64", NULL };

  g_return_val_if_fail (license != NULL, FALSE);
  return g_strv_contains (activities, license->activity) &&
         g_strcmp0 (license->category, QOIMA_FUND_CATEGORY_ACTIVITY) == 0 &&
         g_strcmp0 (license->type, QOIMA_FUND_TYPE_GENERAL) == 0 &&
         g_strcmp0 (license->status, QOIMA_FUND_STATUS_VALID) == 0;
}

GPtrArray *
qoima_fund_licenses_filter (GPtrArray                    *licenses,
                            const QoimaFundLicenseFilter *filter)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; licenses != NULL && i < licenses->len; i++)
    {
      QoimaFundLicense *license = g_ptr_array_index (licenses, i);

      if (!qoima_fund_license_is_listed (license))
        continue;
      if (filter != NULL &&
          ((filter->activity != NULL && g_strcmp0 (filter->activity, license->activity) != 0) ||
           (filter->category != NULL && g_strcmp0 (filter->category, license->category) != 0) ||
           (filter->type != NULL && g_strcmp0 (filter->type, license->type) != 0) ||
           (filter->status != NULL && g_strcmp0 (filter->status, license->status) != 0)))
        continue;
      g_ptr_array_add (out, license);
    }
  return out;
}

/* R004-13 says «выпущенные не ранее чем за 24 часа». A license issued in the last day
 * only would attach almost nothing, so we read it as the license *data* obtained from
 * elicense.kz in the last 24 hours: the application carries fresh licenses, and an
 * older import must be requested again. (The choice of wizards-and-copay.md §4.2.) */
gboolean
qoima_fund_license_attaches (const QoimaFundLicense *license,
                             GDateTime              *now)
{
  g_autoptr(GDateTime) fetched = NULL;
  GTimeSpan age;

  g_return_val_if_fail (license != NULL && now != NULL, FALSE);
  if (!qoima_fund_license_is_listed (license) || license->fetched_at == NULL)
    return FALSE;
  fetched = g_date_time_new_from_iso8601 (license->fetched_at, NULL);
  if (fetched == NULL)
    return FALSE;
  age = g_date_time_difference (now, fetched);
  return age >= 0 && age <= 24 * G_TIME_SPAN_HOUR;
}

gboolean
qoima_fund_licenses_have_subtype (GPtrArray  *licenses,
                                  const char *subtype)
{
  for (guint i = 0; licenses != NULL && i < licenses->len; i++)
    {
      QoimaFundLicense *license = g_ptr_array_index (licenses, i);

      for (guint j = 0; license->annexes != NULL && j < license->annexes->len; j++)
        {
          QoimaFundAnnex *annex = g_ptr_array_index (license->annexes, j);

          if (annex->subtypes != NULL && g_strv_contains ((const char * const *) annex->subtypes, subtype))
            return TRUE;
        }
    }
  return FALSE;
}

#define BOTH (QOIMA_FUND_PROVIDER | QOIMA_FUND_COEXECUTOR)
#define PROV QOIMA_FUND_PROVIDER

/*
 * The Fund's directory (ЕКМУ) is not public: these are the eleven kinds the seed names,
 * with the statuses and licenses it gives (R004-6…8), and three general kinds so that a
 * hospital without those licenses can still apply. Which annex subtype of the medical
 * license (L60) allows each kind is NOT FOUND in public sources: the "L60-…" codes are
 * ours, and the license stand uses the same ones. Kept as data, to be replaced by the
 * Fund's list.
 */
static const QoimaFundCare care_directory[] = {
  { "phc-capitation", "Первичная медико-санитарная помощь по комплексному подушевому нормативу",
    PROV, "L60-PHC", NULL, 0, TRUE },
  { "ct-mri-suspected-cancer", "Дорогостоящие виды диагностических исследований для пациентов с подозрением на онкологические заболевания по направлению специалиста (КТ, МРТ)",
    BOTH, "L60-DIAG", "A15B", BOTH, FALSE },
  { "radiation-source-replacement", "Оказание услуги по замене источников ионизирующих излучение",
    PROV, "L60-DIAG", "A15B", PROV, FALSE },
  { "pet-cancer", "Дорогостоящие виды диагностических исследований для пациентов с онкологическими заболеваниями по направлению специалиста (ПЭТ)",
    PROV, "L60-DIAG", "A15B", PROV, FALSE },
  { "ambulance-capitation", "Скорая медицинская помощь и медицинская помощь, связанная с транспортировкой квалифицированных специалистов и (или) больного санитарным транспортом по подушевому нормативу",
    PROV, "L60-EMERG", "L64A", PROV, FALSE },
  { "palliative", "Паллиативная медицинская помощь",
    PROV, "L60-INPAT", "L64A", PROV, FALSE },
  { "tb-medico-social", "Медико-социальная помощь лицам, больным туберкулезом по комплексному тарифу, включая реабилитацию",
    PROV, "L60-TB", "L64A", PROV, FALSE },
  { "tb-inpatient-republican", "Специализированная медицинская помощь в стационарных условиях лицам, больным туберкулезом на республиканском уровне",
    PROV, "L60-TB", "L64A", PROV, FALSE },
  { "mental-complex", "Медицинская помощь больным в области психического здоровья лицам с психическими, поведенческими расстройствами (заболеваниями) по комплексному тарифу",
    PROV, "L60-PSY", "L64A", PROV, FALSE },
  { "mental-inpatient-republican", "Специализированная медицинская помощь в стационарных условиях лицам с психическими, поведенческими расстройствами (заболеваниями) на республиканском уровне",
    PROV, "L60-PSY", "L64A", PROV, FALSE },
  { "oncology-outpatient", "Специализированная медицинская помощь в амбулаторных условиях при диагностике новообразований, динамическом наблюдении онкологических больных на вторичном и третичном уровнях оказания онкологической помощи",
    PROV, "L60-ONCO", "L64A", PROV, FALSE },
  { "inpatient", "Специализированная медицинская помощь в стационарных условиях",
    BOTH, "L60-INPAT", NULL, 0, FALSE },
  { "outpatient", "Специализированная медицинская помощь в амбулаторных условиях",
    BOTH, "L60-OUTPAT", NULL, 0, FALSE },
  { "day-hospital", "Специализированная медицинская помощь в стационарозамещающих условиях",
    BOTH, "L60-INPAT", NULL, 0, FALSE },
  { NULL, NULL, 0, NULL, NULL, 0, FALSE },
};

#undef BOTH
#undef PROV

const QoimaFundCare *
qoima_fund_care_directory (void)
{
  return care_directory;
}

const QoimaFundCare *
qoima_fund_care_lookup (const char *code)
{
  for (const QoimaFundCare *care = care_directory; code != NULL && care->code != NULL; care++)
    if (g_str_equal (care->code, code))
      return care;
  return NULL;
}

/* The directory's names run to thirty words; a collapsed row's summary has room for a few.
 * Kept apart from the directory so that it stays the Fund's list as given. */
static const struct {
  const char *code;
  const char *short_name;
} care_short_names[] = {
  { "phc-capitation", "ПМСП по подушевому нормативу" },
  { "ct-mri-suspected-cancer", "КТ/МРТ при подозрении на онкологию" },
  { "radiation-source-replacement", "Замена источников излучения" },
  { "pet-cancer", "ПЭТ при онкологии" },
  { "ambulance-capitation", "Скорая помощь" },
  { "palliative", "Паллиативная помощь" },
  { "tb-medico-social", "Туберкулез: медико-социальная помощь" },
  { "tb-inpatient-republican", "Туберкулез: стационар республиканского уровня" },
  { "mental-complex", "Психическое здоровье по комплексному тарифу" },
  { "mental-inpatient-republican", "Психиатрия: стационар республиканского уровня" },
  { "oncology-outpatient", "Онкология амбулаторно" },
  { "inpatient", "Стационар" },
  { "outpatient", "Амбулаторно" },
  { "day-hospital", "Стационарозамещающая помощь" },
};
G_STATIC_ASSERT (G_N_ELEMENTS (care_short_names) == G_N_ELEMENTS (care_directory) - 1);

const char *
qoima_fund_care_short_name (const char *code)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (care_short_names); i++)
    if (g_str_equal (care_short_names[i].code, code))
      return care_short_names[i].short_name;
  return code;
}

char *
qoima_fund_care_join_short_names (const char * const *codes,
                                  guint               max_chars)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    {
      if (text->len > 0 && g_utf8_strlen (text->str, -1) >= (glong) max_chars)
        {
          g_string_append (text, "…");
          break;
        }
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, qoima_fund_care_short_name (codes[i]));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* R004-5: only the kinds the license annexes allow, for the status asked. */
GPtrArray *
qoima_fund_care_allowed (GPtrArray              *licenses,
                         QoimaFundSubjectStatus  status)
{
  GPtrArray *out = g_ptr_array_new ();

  for (const QoimaFundCare *care = care_directory; care->code != NULL; care++)
    if ((care->statuses & status) != 0 && qoima_fund_licenses_have_subtype (licenses, care->annex_subtype))
      g_ptr_array_add (out, (gpointer) care);
  return out;
}

const char *
qoima_fund_subtype_name (const char *subtype)
{
  if (g_strcmp0 (subtype, "A15B") == 0)
    return "Использование приборов и установок, генерирующих ионизирующее излучение";
  if (g_strcmp0 (subtype, "L61I") == 0)
    return "Розничная реализация лекарственных средств";
  if (g_strcmp0 (subtype, "L64A") == 0)
    return "Деятельность в сфере оборота наркотических средств (в системе здравоохранения)";
  return subtype;
}

const char *
qoima_fund_activity_name (const char *activity)
{
  if (activity == NULL)
    return NULL;
  if (g_str_has_prefix (activity, "A15"))
    return "Обращение с приборами и установками, генерирующими ионизирующее излучение";
  if (g_str_has_prefix (activity, "L60"))
    return "Медицинская деятельность";
  if (g_str_has_prefix (activity, "L61"))
    return "Фармацевтическая деятельность";
  if (g_str_has_prefix (activity, "L64"))
    return "Деятельность в сфере оборота наркотических средств, психотропных веществ и прекурсоров в области здравоохранения";
  return activity;
}
