/* qoima-registration-window.h: the registration wizard (issue 12), the HIG's assistant pattern
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-registration.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_REGISTRATION_WINDOW (qoima_registration_window_get_type ())

G_DECLARE_FINAL_TYPE (QoimaRegistrationWindow, qoima_registration_window, QOIMA, REGISTRATION_WINDOW, AdwWindow)

/* Opens on the draft kept in the context's store (resumed at its step), or a new one. Every
 * step's change is saved as the context's user, an administrator. */
QoimaRegistrationWindow *qoima_registration_window_new         (QoimaContext            *context);

QoimaRegistration       *qoima_registration_window_get_draft   (QoimaRegistrationWindow *self);
QoimaRegistrationStep    qoima_registration_window_get_step    (QoimaRegistrationWindow *self);
/* The text under @field, or NULL when it is fine (for tests). */
const char              *qoima_registration_window_get_message (QoimaRegistrationWindow *self,
                                                                const char              *field);
/* Sets a text field as typing would (for tests). */
void                     qoima_registration_window_set_field   (QoimaRegistrationWindow *self,
                                                                const char              *field,
                                                                const char              *value);
/* Whether the draft was saved since the last change (for tests). */
gboolean                 qoima_registration_window_get_saved   (QoimaRegistrationWindow *self);

/* A picker's suggestions for what was typed (codes, in order), and choosing one as a click
 * would; the choice shown under it (KATO's path), or NULL (for tests). */
GStrv                    qoima_registration_window_get_suggestions (QoimaRegistrationWindow *self,
                                                                    const char              *field);
void                     qoima_registration_window_choose      (QoimaRegistrationWindow *self,
                                                                const char              *field,
                                                                const char              *code);
const char              *qoima_registration_window_get_choice  (QoimaRegistrationWindow *self,
                                                                const char              *field);
/* A requirement's state, "ncalayer", "key" or "clock": 1 passed, 0 failed (@text says the
 * fix), -1 not known yet (for tests). */
int                      qoima_registration_window_get_check   (QoimaRegistrationWindow *self,
                                                                const char              *name,
                                                                const char             **text);
/* The summary signed, one "title: value" line each (for tests and screen readers). */
char                    *qoima_registration_window_get_summary (QoimaRegistrationWindow *self);
/* The request's status as last known: RECEIVED, CHECKED, PROCESSING, CONFIRMED, REFUSED or NULL. */
const char              *qoima_registration_window_get_request_status (QoimaRegistrationWindow *self);
/* Whether the page after registration shows (for tests). */
gboolean                 qoima_registration_window_get_done    (QoimaRegistrationWindow *self);
void                     qoima_registration_window_set_api_key (QoimaRegistrationWindow *self,
                                                                const char              *key);
gboolean                 qoima_registration_window_get_api_key_ok (QoimaRegistrationWindow *self);
const char              *qoima_registration_window_get_api_key_status (QoimaRegistrationWindow *self);
gboolean                 qoima_registration_window_get_synced  (QoimaRegistrationWindow *self);
const char              *qoima_registration_window_get_sync_status (QoimaRegistrationWindow *self);

/* Step 7 (R001-8): the IINs of Qoima's users offered and not yet in the request, in order;
 * adding one as its button would; a user's field typed as in its entry (for tests). */
GStrv                    qoima_registration_window_get_user_offers (QoimaRegistrationWindow *self);
void                     qoima_registration_window_add_user_offer  (QoimaRegistrationWindow *self,
                                                                    const char              *iin);
void                     qoima_registration_window_set_user_field  (QoimaRegistrationWindow *self,
                                                                    guint                    index,
                                                                    const char              *field,
                                                                    const char              *value);

/* R000-2: what the page after registration says of the connection contract (for tests); the
 * draft's "contract-signed-at" says it is signed. */
const char              *qoima_registration_window_get_contract_status (QoimaRegistrationWindow *self);

/* R000-2: signs the connection contract as the button on the page after registration does
 * (the head's key asked unless this session has it, then the sign dialog with the contract's
 * text), once the registration is read; nothing when it is not confirmed or already signed.
 * The window emits "saved" whenever the registration was saved. */
void                     qoima_registration_window_sign_contract (QoimaRegistrationWindow *self);

/* Where NCALayer answers, instead of its own address (for tests: a peer that answers as it does). */
void                     qoima_registration_window_set_ncalayer_url (QoimaRegistrationWindow *self,
                                                                     const char              *url);

G_END_DECLS
