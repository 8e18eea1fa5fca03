/* qoima-admin-page.h: the Administration page: users, wards and the hospital's settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-user-dialog.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_ADMIN_PAGE (qoima_admin_page_get_type ())

G_DECLARE_FINAL_TYPE (QoimaAdminPage, qoima_admin_page, QOIMA, ADMIN_PAGE, AdwBin)

QoimaContext    *qoima_admin_page_get_context     (QoimaAdminPage *self);
/* The context is a construct-only property: every change is made as the context's
 * signed-in user, and the core decides whether she may. Starting loads the users and
 * wards, and again whenever another user signs in. */
void             qoima_admin_page_start           (QoimaAdminPage *self);
/* Loads users, wards and the setting again (the `admin.reload` action). */
void             qoima_admin_page_reload          (QoimaAdminPage *self);
gboolean         qoima_admin_page_get_loading     (QoimaAdminPage *self);
/* What the page shows. (transfer none) */
GListModel      *qoima_admin_page_get_users       (QoimaAdminPage *self);
GListModel      *qoima_admin_page_get_wards       (QoimaAdminPage *self);
/* The error shown at the top of the page, or NULL. */
const char      *qoima_admin_page_get_error       (QoimaAdminPage *self);
/* Whether the page offers the registration wizard: an administrator, no registration
 * confirmed (first start, issue 12). */
gboolean         qoima_admin_page_get_registration_offered (QoimaAdminPage *self);
/* R000-2: whether the page offers to sign the connection contract of a confirmed registration
 * (an administrator, not signed yet), and what it says of the contract ("Signed on …"), or
 * NULL while no registration is confirmed. */
gboolean         qoima_admin_page_get_contract_offered (QoimaAdminPage *self);
const char      *qoima_admin_page_get_contract_status  (QoimaAdminPage *self);
/* The Add User dialog the `admin.add-user` action opened, while it is open. (transfer none) */
QoimaUserDialog *qoima_admin_page_get_user_dialog (QoimaAdminPage *self);

G_END_DECLS
