/* qoima-fund-application.h: the application for inclusion in the Fund's database of
 * healthcare subjects (ФСМС, seed 004): its sections, the checks on «Сохранить», the
 * hospital's own workflow and who may do what
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "qoima-fund-kato.h"
#include "qoima-certificate.h"
#include "qoima-fund-license.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/* The seed's texts, exactly (the Fund's wording, in Russian whatever the UI's language). */
#define QOIMA_FUND_TEXT_REQUIRED "Это обязательное поле"
#define QOIMA_FUND_TEXT_BASE_NO_SUBTYPE \
  "Ошибка: Не выбрано ни одного подвида для адреса производственной базы"
#define QOIMA_FUND_TEXT_BASES_MISS_SUBTYPES \
  "Вы не выбрали все подвиды, соответствующие данным из раздела «Субъект здравоохранения». " \
  "Пожалуйста, укажите их в разделе «Адрес производственной базы»."

/* R004-15: each attachment at most 20 MB (taken as MiB, as portals count). */
#define QOIMA_FUND_ATTACHMENT_MAX (20 * 1024 * 1024)

typedef enum {
  QOIMA_FUND_DRAFT,                /* «Проект» */
  QOIMA_FUND_CHIEF_REVIEW,         /* «На согласовании руководителя» */
  QOIMA_FUND_UNDER_REVIEW,         /* «На рассмотрении» */
  QOIMA_FUND_AGREED_CHECK,         /* «Согласована. На проверке» */
  QOIMA_FUND_REJECTED_CHECK,       /* «Отклонена. На проверке» */
  QOIMA_FUND_CONFIRMED_APPROVAL,   /* «Подтверждена. На согласовании» */
  QOIMA_FUND_REJECTED_APPROVAL,    /* «Отклонена. На согласовании» */
  QOIMA_FUND_INCLUDED,             /* «Включен в БД» */
  QOIMA_FUND_REJECTED,             /* «Отклонена» */
  QOIMA_FUND_EXCLUDED,             /* «Исключен из БД» */
  QOIMA_FUND_CHANGED,              /* «Изменена» */
} QoimaFundStatus;

const char *qoima_fund_status_to_nick   (QoimaFundStatus status);
gboolean    qoima_fund_status_from_nick (const char *nick, QoimaFundStatus *status);
/* The Fund's name of the status, in Russian. */
const char *qoima_fund_status_to_label  (QoimaFundStatus status);
/* From the Fund's name; «Исключен в БД», the seed's other spelling, is read too. */
gboolean    qoima_fund_status_from_label (const char *label, QoimaFundStatus *status);

typedef enum {
  QOIMA_FUND_PHARMACY_UNSET,
  QOIMA_FUND_PHARMACY_YES,
  QOIMA_FUND_PHARMACY_NO,
} QoimaFundPharmacy;

typedef struct {
  char   *name;
  gint64  size;
  char   *sha256;
  GBytes *data;   /* the content, when read (not in the JSON) */
} QoimaFundAttachment;

void                 qoima_fund_attachment_free (QoimaFundAttachment *attachment);
/* R004-15: the size is asked first and a file over 20 MB refused without being read. */
QoimaFundAttachment *qoima_fund_attachment_new_for_file (GFile         *file,
                                                         GCancellable  *cancellable,
                                                         GError       **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaFundAttachment, qoima_fund_attachment_free)

typedef struct {
  char                *address;      /* from the license annex */
  char                *license;      /* the license number it came from */
  gboolean             has_position;
  double               latitude;
  double               longitude;
  char                *kato;         /* a final KATO object */
  QoimaFundAttachment *permit;       /* the sanitary-epidemiological permit */
  char               **subtypes;     /* codes of kinds of care (QoimaFundCare) */
} QoimaFundBase;

typedef struct {
  gint64   id;
  gint64   chain_id;     /* the first version's id: all versions share it */
  int      version;
  QoimaFundStatus status;
  char    *author;
  char    *created_at;

  /* Subject (R004-5) */
  char    *name_kk;
  char    *name_ru;
  char    *bin;
  char    *ownership;
  guint    statuses;               /* QoimaFundSubjectStatus */
  char   **care_provider;
  char   **care_coexecutor;
  char    *region;                 /* top-level KATO code */
  QoimaFundPharmacy pharmacy;

  /* Addresses (R004-9) */
  char    *legal_kato;
  char    *legal_index;
  char    *legal_street;
  char    *legal_house;
  char    *legal_office;
  char    *phone;
  char    *email;
  char   **more_addresses;

  GPtrArray *bases;                /* QoimaFundBase (R004-10) */
  GPtrArray *licenses;             /* QoimaFundLicense attached (R004-13) */

  /* Documents (R004-14) */
  GPtrArray *registration;         /* QoimaFundAttachment, one or more */
  GPtrArray *power_of_attorney;    /* QoimaFundAttachment, optional */
  char    *consent_signed_by;      /* the chief who signed the consent */
  char    *consent_signature;      /* base64 CMS, detached, over consent_document */
  char    *consent_document;       /* base64 of the document signed: the application's PDF (R004-14) */

  /* The workflow's notes */
  char    *chief_reason;           /* the chief's last rejection (R004-20) */
  char   **fund_reasons;           /* the Fund's reasons (R004-26/27) */
  char    *fund_note;
  char    *fund_id;                /* the Fund's number of the application */
  char    *excluded_at;            /* when the Fund excluded it (R004-17) */
} QoimaFundApplication;

QoimaFundApplication *qoima_fund_application_new       (void);
void                  qoima_fund_application_free      (QoimaFundApplication *app);
QoimaFundApplication *qoima_fund_application_copy      (const QoimaFundApplication *app);
/* The form's content (not id, status, author: the store's columns). */
JsonNode             *qoima_fund_application_to_json   (const QoimaFundApplication *app);
QoimaFundApplication *qoima_fund_application_from_json (JsonNode   *node,
                                                        GError    **error);
QoimaFundBase        *qoima_fund_base_new              (const char *address,
                                                        const char *license);
void                  qoima_fund_base_free             (QoimaFundBase *base);
QoimaFundBase        *qoima_fund_base_copy             (const QoimaFundBase *base);

/* Boxed, so that the window's rows carry them as their item. */
#define QOIMA_TYPE_FUND_APPLICATION (qoima_fund_application_get_type ())
#define QOIMA_TYPE_FUND_BASE        (qoima_fund_base_get_type ())
GType                 qoima_fund_application_get_type  (void) G_GNUC_CONST;
GType                 qoima_fund_base_get_type         (void) G_GNUC_CONST;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaFundApplication, qoima_fund_application_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaFundBase, qoima_fund_base_free)

/* Fills the production bases from the licenses' annexes (R004-10; repeated addresses
 * kept once, since one address may appear in every license) and attaches the
 * licenses that attach at @now (R004-13). Bases already there keep what was entered. */
void qoima_fund_application_refresh_licenses (QoimaFundApplication *app,
                                              GPtrArray            *licenses,
                                              GDateTime            *now);

/* One problem found by the checks: where, which rule, what to say. */
typedef struct {
  char *section;   /* "subject", "addresses", "bases", "documents" */
  char *field;     /* e.g. "name_ru", "bases[1].permit" */
  char *rule;      /* e.g. "R004-16" */
  char *message;
} QoimaFundProblem;

void qoima_fund_problem_free (QoimaFundProblem *problem);

/**
 * qoima_fund_application_check:
 * @kato: (nullable): the classifier; without it a KATO code is only checked for its form
 * @last_exclusion: (nullable): when an earlier application of the subject was excluded
 * @now: the time of saving
 *
 * The checks on «Сохранить» (R004-5…R004-17).
 * Returns: (transfer full): QoimaFundProblem, empty when the application may be saved.
 */
GPtrArray *qoima_fund_application_check (const QoimaFundApplication *app,
                                         QoimaFundKato              *kato,
                                         GDateTime                  *last_exclusion,
                                         GDateTime                  *now);

/* The check's problems as a JSON array of {section, field, rule, message}. */
JsonNode  *qoima_fund_problems_to_json  (GPtrArray *problems);

/* R004-10: whether the point lies in Kazakhstan (see the .c for the outline). */
gboolean   qoima_fund_point_in_kazakhstan (double latitude,
                                           double longitude);

/* R004-21: the informational messages shown on sending, one per subtype of care that
 * needs another license. Returns: (transfer full): strings. */
GPtrArray *qoima_fund_application_send_notices (const QoimaFundApplication *app);

/* What a user does to an application on the hospital's side. */
typedef enum {
  QOIMA_FUND_ACTION_CREATE,
  QOIMA_FUND_ACTION_EDIT,
  QOIMA_FUND_ACTION_DELETE,
  QOIMA_FUND_ACTION_FORM_PDF,        /* «Сформировать заявку о включении» */
  QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, /* «Отправить на подписание» */
  QOIMA_FUND_ACTION_SIGN_CONSENT,
  QOIMA_FUND_ACTION_CHIEF_REJECT,
  QOIMA_FUND_ACTION_SEND,            /* «Отправить» to the Fund */
  QOIMA_FUND_ACTION_NEW_VERSION,     /* «Внести изменение» */
} QoimaFundAction;

/* Whether @user may do @action to @app (NULL for CREATE) now: her role (R004-3,
 * R004-20, R004-24, R004-25), the status, and for editing the author (R004-23).
 * Fails with QOIMA_STORE_ERROR_FORBIDDEN or _CONSTRAINT and a message for the user. */
gboolean qoima_fund_application_may (const QoimaFundApplication *app,
                                     QoimaUser                  *user,
                                     QoimaFundAction             action,
                                     GError                    **error);

/**
 * qoima_fund_application_check_signer:
 * @certificate: (nullable): the key's certificate; NULL when the key tells it only once it
 *   has signed (then only @user is checked, and the caller checks again after signing)
 *
 * R004-22: the consent is signed by @user with her own key (qoima_user_check_signer()),
 * issued to the organization applying: the certificate's BIN is the application's.
 * Checked before anything is signed or sent; a key of another organization fails with
 * %QOIMA_SIGNER_ERROR_WRONG_OWNER naming both BINs.
 */
gboolean qoima_fund_application_check_signer (const QoimaFundApplication *app,
                                              QoimaUser                  *user,
                                              QoimaCertificate           *certificate,
                                              GError                    **error);

/* R004-23 / R004-25: @edited may change @saved only where the rules allow (names and
 * BIN/IIN never; the ownership form only in a new version). */
gboolean qoima_fund_application_check_edit (const QoimaFundApplication *saved,
                                            const QoimaFundApplication *edited,
                                            gboolean                    new_version,
                                            GError                    **error);

/* R004-18: the names of the fields @edited changed from @saved, NULL-terminated. */
char   **qoima_fund_application_diff (const QoimaFundApplication *saved,
                                      const QoimaFundApplication *edited);

G_END_DECLS
