/* qoima-registration.h: a draft of the hospital's registration in ИС МПТ, checked field by field
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "qoima-certificate.h"
#include "qoima-reference.h"

G_BEGIN_DECLS

/* The wizard's steps, in order (issue 12). */
typedef enum {
  QOIMA_REGISTRATION_STEP_STAND,
  QOIMA_REGISTRATION_STEP_REQUIREMENTS,
  QOIMA_REGISTRATION_STEP_KEY,
  QOIMA_REGISTRATION_STEP_CONTACTS,
  QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS,
  QOIMA_REGISTRATION_STEP_PARTICIPANT,
  QOIMA_REGISTRATION_STEP_USERS,
  QOIMA_REGISTRATION_STEP_BANK,
  QOIMA_REGISTRATION_STEP_SIGN,
  QOIMA_REGISTRATION_N_STEPS,
  QOIMA_REGISTRATION_ALL_STEPS = -1,
} QoimaRegistrationStep;

/* The directories a draft is checked against; borrowed, any may be NULL (then not checked). */
typedef struct {
  QoimaReference *kato;
  QoimaReference *tax_offices;
  QoimaReference *banks;
  QoimaReference *product_groups;
} QoimaRegistrationReferences;

/* One thing wrong: the field (as in the draft's JSON), the seed rule it breaks, a message. */
typedef struct {
  char *field;
  char *rule;
  char *message;
} QoimaRegistrationProblem;

void qoima_registration_problem_free (QoimaRegistrationProblem *problem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaRegistrationProblem, qoima_registration_problem_free)

#define QOIMA_TYPE_REGISTRATION (qoima_registration_get_type ())
G_DECLARE_FINAL_TYPE (QoimaRegistration, qoima_registration, QOIMA, REGISTRATION, GObject)

/*
 * The draft's fields (strings unless said), named as in its JSON:
 *  stand: "stand" (test | industrial | custom), "stand-url" (custom only)
 *  key (from the AUTH certificate, R001-3/4): "signer-iin", "company", "head-name",
 *    "head-position", "certificate-serial", "certificate-issuer", "certificate-valid-from",
 *    "certificate-valid-to" (ISO 8601 dates)
 *  contacts: "email", "org-phone", "head-mobile", "consent" ("true")
 *  product groups: "producer-or-importer" (yes | no), "product-groups" (list of codes),
 *    "product-groups-confirmed" ("true" once the irrevocability warning was accepted)
 *  participant: "full-name", "bin", "tax-office" (КГД code), "head", "kato" (KATO code of a
 *    leaf), "address" (street and house), "participant-email", "participant-phone",
 *    "participant-types" (list of wholesale | importer | retail | producer)
 *  users: a list of objects {surname, name, patronymic, iin, email, phone, role (administrator | user)}
 *  bank: "bic", "correspondent-account", "iban", "advance-invoice" ("true" / "false")
 *  after confirmation (R000-2): "contract-signed-at" (ISO 8601, as the stand recorded it) once
 *    the head signed the standard connection contract
 * Passwords are never part of a draft.
 */
QoimaRegistration *qoima_registration_new            (void);
QoimaRegistration *qoima_registration_new_from_json  (const char         *json,
                                                      GError            **error);
char              *qoima_registration_to_json        (QoimaRegistration  *self);

const char        *qoima_registration_get            (QoimaRegistration  *self,
                                                      const char         *field);
void               qoima_registration_set            (QoimaRegistration  *self,
                                                      const char         *field,
                                                      const char         *value);
/* Returns: (transfer full): the list field's values, never NULL. */
GStrv              qoima_registration_get_list       (QoimaRegistration  *self,
                                                      const char         *field);
void               qoima_registration_set_list       (QoimaRegistration  *self,
                                                      const char         *field,
                                                      const char * const *values);

guint              qoima_registration_get_n_users    (QoimaRegistration  *self);
const char        *qoima_registration_get_user_field (QoimaRegistration  *self,
                                                      guint               index,
                                                      const char         *field);
void               qoima_registration_add_user       (QoimaRegistration  *self,
                                                      const char         *surname,
                                                      const char         *name,
                                                      const char         *iin,
                                                      const char         *email,
                                                      const char         *phone,
                                                      const char         *role);
void               qoima_registration_clear_users    (QoimaRegistration  *self);
void               qoima_registration_set_user_field (QoimaRegistration  *self,
                                                      guint               index,
                                                      const char         *field,
                                                      const char         *value);
void               qoima_registration_remove_user    (QoimaRegistration  *self,
                                                      guint               index);
/* The index of the user with @iin in the request, or -1. */
int                qoima_registration_find_user      (QoimaRegistration  *self,
                                                      const char         *iin);
/* Splits a person's full name into (transfer full) surname and given name (either may be
 * NULL): «Фамилия Имя Отчество» as documents write it, or «Имя Фамилия» when only the
 * second word looks like a surname. */
void               qoima_registration_split_full_name (const char        *full_name,
                                                       char             **surname,
                                                       char             **name);
/*
 * R001-8: adds one of Qoima's own users to the request as a start: surname and name from
 * @full_name, @iin, the role mapped from Qoima's role nick @qoima_role ("admin" becomes the
 * Administrator, any other a user); e-mail and phone left to fill in. Returns FALSE (and
 * adds nothing) when a user with @iin is already in the request.
 */
gboolean           qoima_registration_add_qoima_user (QoimaRegistration  *self,
                                                      const char         *full_name,
                                                      const char         *iin,
                                                      const char         *qoima_role);

/* The step the wizard was on, so a resumed draft opens there. */
QoimaRegistrationStep qoima_registration_get_step   (QoimaRegistration  *self);
void               qoima_registration_set_step      (QoimaRegistration  *self,
                                                     QoimaRegistrationStep step);

/* Whether the participant is a legal entity (a BIN), not an individual entrepreneur (an IIN). */
gboolean           qoima_registration_is_legal_entity (QoimaRegistration *self);
/* R001-10: "GOST" for a legal entity, "RSA" for an individual. */
const char        *qoima_registration_get_signing_key_type (QoimaRegistration *self);

/* The stands' True API bases (R001-1). */
#define QOIMA_REGISTRATION_TEST_STAND_URL       "https://stage.ismet.kz/api/v3/true-api"
#define QOIMA_REGISTRATION_INDUSTRIAL_STAND_URL "https://elk.prod.markirovka.ismet.kz/api/v3/true-api"

/* The True API base of the draft's stand ("stand-url" for a custom one), or NULL when none
 * is chosen. */
const char        *qoima_registration_get_stand_url  (QoimaRegistration *self);

/* R000-2: the standard connection contract's edition the head signs (designed: the operator's
 * own numbering is not in the reference). */
#define QOIMA_REGISTRATION_CONTRACT_VERSION "2022-1"

/* R000-2: the contract's text as the head reads and signs it (transfer full): the parties
 * from the draft, the stand, the product groups, the terms in brief (in Russian, as ИС МПТ
 * keeps it); the groups named from @references (nullable: their codes). */
char              *qoima_registration_contract_text  (QoimaRegistration                 *self,
                                                      const QoimaRegistrationReferences *references);
/* The JSON document signed (transfer full): {"contract": version, "request-id", "bin",
 * "head-iin", "text"}, for the confirmed request @request_id. */
char              *qoima_registration_contract_document (QoimaRegistration                 *self,
                                                         const char                        *request_id,
                                                         const QoimaRegistrationReferences *references);

/* R001-10: "RSA" for an RSA key, "GOST" for any other (НУЦ РК's GOST 34.310 keys are not
 * RSA), NULL when the certificate cannot be read. */
const char        *qoima_registration_key_type_of    (QoimaCertificate  *certificate);

/*
 * R001-10: whether @certificate's key is the type the draft is signed with. On the
 * industrial stand a wrong type is a problem; the test stand and a custom one accept any
 * key, since the test keys of НУЦ РК (and Qoima's demo keys) are RSA. Returns: (transfer
 * full) (nullable): the problem, or NULL when the key may sign.
 */
QoimaRegistrationProblem *qoima_registration_check_signing_key (QoimaRegistration *self,
                                                                QoimaCertificate  *certificate);

/*
 * Checks @step's fields (or every step's, QOIMA_REGISTRATION_ALL_STEPS) against the seed rules
 * and @references. Returns: (transfer container) (element-type QoimaRegistrationProblem): the
 * problems in field order; empty when the step may be left.
 */
GPtrArray         *qoima_registration_validate       (QoimaRegistration                 *self,
                                                      QoimaRegistrationStep              step,
                                                      const QoimaRegistrationReferences *references);

G_END_DECLS
