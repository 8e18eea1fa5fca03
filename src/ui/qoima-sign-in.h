/* qoima-sign-in.h: who is at the PC: pick a user, enter the password or PIN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-user.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_SIGN_IN (qoima_sign_in_get_type ())

G_DECLARE_FINAL_TYPE (QoimaSignIn, qoima_sign_in, QOIMA, SIGN_IN, AdwBin)

/* The role as the interface names it ("Nurse", "Warehouse Clerk", …). */
const char   *qoima_role_to_label             (QoimaRole    role);

QoimaContext *qoima_sign_in_get_context       (QoimaSignIn *self);
/* Set once, by the window. A successful sign-in sets the context's user. */
void          qoima_sign_in_set_context       (QoimaSignIn *self,
                                               QoimaContext *context);

/* Lists the users afresh and shows them to pick from, or, when the warehouse has none,
 * offers to create the first administrator. */
void          qoima_sign_in_reload            (QoimaSignIn *self);

/* The users to pick from (QoimaUser, enabled ones only). */
GListModel   *qoima_sign_in_get_users         (QoimaSignIn *self);
/* Shows the password or PIN entry for @user (what clicking the user's row does). */
void          qoima_sign_in_choose_user       (QoimaSignIn *self,
                                               QoimaUser   *user);
GtkEditable  *qoima_sign_in_get_secret_entry  (QoimaSignIn *self);
/* "users", "secret" or "first-admin": what the screen asks for. */
const char   *qoima_sign_in_get_step          (QoimaSignIn *self);
/* What went wrong last (a wrong PIN), or "". */
const char   *qoima_sign_in_get_message       (QoimaSignIn *self);
/* Listing users or checking a secret on the store's worker. */
gboolean      qoima_sign_in_get_busy          (QoimaSignIn *self);

G_END_DECLS
