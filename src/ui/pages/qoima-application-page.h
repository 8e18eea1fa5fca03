/* qoima-application-page.h: the application to the Fund's database (seed 004): the list of
 * applications and their versions, the form in sections, the hospital's own round, and
 * the Fund's decision followed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-fund-application.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_APPLICATION_PAGE (qoima_application_page_get_type ())

G_DECLARE_FINAL_TYPE (QoimaApplicationPage, qoima_application_page, QOIMA, APPLICATION_PAGE, AdwBin)

/* Properties: context (construct-only), busy (read-only). */

/* Lists the applications, reads the registration's data and starts following the Fund
 * (again whenever another user signs in). */
void        qoima_application_page_start          (QoimaApplicationPage *self);
gboolean    qoima_application_page_get_busy       (QoimaApplicationPage *self);
/* The root of the license service and the Fund's portal; by default the fund-urls
 * setting's for the stand worked with, else the local stand's root, which serves all
 * three (qoima_fund_client_url_for_stand()). */
void        qoima_application_page_set_fund_url   (QoimaApplicationPage *self,
                                                   const char           *url);
/* R004-1: types @bin into the related organizations' entry and applies it, as the
 * administrator does; removes it with its row's button. */
void        qoima_application_page_add_related    (QoimaApplicationPage *self,
                                                   const char           *bin);
void        qoima_application_page_remove_related (QoimaApplicationPage *self,
                                                   const char           *bin);
/* The related organizations' BINs as the store has them (comma-separated), or NULL. */
const char *qoima_application_page_get_related    (QoimaApplicationPage *self);
/* Whether the related organizations can be changed here (the administrator only). */
gboolean    qoima_application_page_get_related_editable (QoimaApplicationPage *self);
/* The state of the last license request for @bin, in elicense.kz's words, or NULL. */
const char *qoima_application_page_get_request_state (QoimaApplicationPage *self,
                                                      const char           *bin);
/* How often the Fund is asked about applications sent (default 60 s). */
void        qoima_application_page_set_poll_seconds (QoimaApplicationPage *self,
                                                     guint                 seconds);
/* Whether the application's PDF is opened in the desktop's viewer (tests say no). */
void        qoima_application_page_set_open_files (QoimaApplicationPage *self,
                                                   gboolean              open_files);

/* For the tests, which drive the page as a user would. */
guint       qoima_application_page_get_n_applications (QoimaApplicationPage *self);
/* (transfer none) (nullable): the application shown in the list at @index. */
const QoimaFundApplication *qoima_application_page_get_application (QoimaApplicationPage *self,
                                                                    guint                 index);
/* (transfer none) (nullable): the application open in the form, as last loaded. */
const QoimaFundApplication *qoima_application_page_get_form (QoimaApplicationPage *self);
void        qoima_application_page_open           (QoimaApplicationPage *self,
                                                   gint64                id);
/* Types @text into the form's field (name_kk, name_ru, region, legal_index, phone …;
 * ownership and pharmacy take the directory's words). */
void        qoima_application_page_set_text       (QoimaApplicationPage *self,
                                                   const char           *field,
                                                   const char           *text);
/* Ticks a status (QoimaFundSubjectStatus) or a kind of care for a status. */
void        qoima_application_page_set_status     (QoimaApplicationPage *self,
                                                   guint                 status,
                                                   gboolean              chosen);
void        qoima_application_page_set_care       (QoimaApplicationPage *self,
                                                   guint                 status,
                                                   const char           *code,
                                                   gboolean              chosen);
guint       qoima_application_page_get_n_bases    (QoimaApplicationPage *self);
GtkWidget  *qoima_application_page_get_base_row   (QoimaApplicationPage *self,
                                                   guint                 index);
/* Attaches @file as the base's permit, or (@index -1) as the registration certificate,
 * (-2) as the power of attorney, as the file chooser does: its size asked first (R004-15). */
void        qoima_application_page_attach         (QoimaApplicationPage *self,
                                                   int                   index,
                                                   GFile                *file);
/* The problem shown under @field ("name_ru", "bases[1].permit", "bases" …), or NULL. */
const char *qoima_application_page_get_problem    (QoimaApplicationPage *self,
                                                   const char           *field);
/* The chief's rejection with @reason (R004-20), without its dialog. */
void        qoima_application_page_reject         (QoimaApplicationPage *self,
                                                   const char           *reason);
/* Asks the Fund now about every application sent. */
void        qoima_application_page_poll           (QoimaApplicationPage *self);
/* The last error or notice shown above the form, or NULL. */
const char *qoima_application_page_get_message    (QoimaApplicationPage *self);
/* The PDF last formed (R004-19), or NULL. */
const char *qoima_application_page_get_pdf_path   (QoimaApplicationPage *self);

G_END_DECLS
