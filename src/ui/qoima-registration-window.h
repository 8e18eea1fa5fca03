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

G_END_DECLS
