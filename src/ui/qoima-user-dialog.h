/* qoima-user-dialog.h: adding a user (name, role, ward, password or PIN)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_USER_DIALOG (qoima_user_dialog_get_type ())

G_DECLARE_FINAL_TYPE (QoimaUserDialog, qoima_user_dialog, QOIMA, USER_DIALOG, AdwWindow)

/**
 * qoima_user_dialog_new:
 * @context: the window's context; the user is added as its signed-in user
 * @wards: a GListModel of QoimaLocation: the wards a nurse may belong to
 *
 * A modal dialog that adds a user through the core, which checks the acting user's role
 * and the password rules; its errors are shown in the dialog. Emits "user-added" with
 * the new QoimaUser, then closes.
 */
QoimaUserDialog *qoima_user_dialog_new   (QoimaContext *context,
                                          GListModel   *wards);
/* The message shown in the dialog, or NULL. */
const char      *qoima_user_dialog_get_error (QoimaUserDialog *self);

G_END_DECLS
