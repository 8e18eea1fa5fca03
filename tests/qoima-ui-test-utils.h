/* qoima-ui-test-utils.h: helpers shared by the window tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include <json-glib/json-glib.h>

#include "qoima-scan-reader.h"
#include "qoima-signer.h"
#include "qoima-store.h"
#include "qoima-test-utils.h"
#include "qoima-user.h"
#include "qoima-window-private.h"

G_BEGIN_DECLS

/* The demo chief's IIN, which sign.p12's certificate carries. */
#define CHIEF_IIN "850715400238"

/* Turns animations off, so that screenshots show end states, and loads the application's
 * style sheet, which AdwApplication would load in the real program. */
void        qoima_test_prepare_display    (void);

/* Runs the shortcut of @widget bound to @accelerator ("Escape", "<Control><Shift>o"), as the
 * key would; FALSE when none is bound or it did nothing. */
gboolean    qoima_test_activate_shortcut  (GtkWidget      *widget,
                                           const char     *accelerator);

/* Opens a store at @path and fills it with @n_packs demo packs (seed fixed). */
QoimaStore *qoima_test_open_demo_store    (const char     *path,
                                           int             n_packs);
/* The warehouse as the application fills it, whose packs the demo world's stand knows. */
QoimaStore  *qoima_test_open_demo_world_store (const char *path);
/* Adds the demo users (qoima_demo_users(): admin, clerk, chief, nurse, nurse2). */
void        qoima_test_add_demo_users     (QoimaStore     *store);
/* The user named @name; fails the test when there is none. (transfer full) */
QoimaUser  *qoima_test_find_user          (QoimaStore     *store,
                                           const char     *name);
/* Gives @name her IIN and (a clerk) the delegation to sign, as @admin; returns the user as
 * stored now. (transfer full) */
QoimaUser  *qoima_test_set_signing        (QoimaStore     *store,
                                           QoimaUser      *admin,
                                           const char     *name,
                                           const char     *iin,
                                           gboolean        may_sign);
/* The visible top-level window of @type, or NULL (a dialog the page opened). */
GtkWindow  *qoima_test_find_window        (GType           type);
GListModel *qoima_test_list_packs         (QoimaStore     *store);
GListModel *qoima_test_list_stock         (QoimaStore     *store);
/* The first pack that is in stock (in_stock or opened). (transfer full) */
QoimaPack  *qoima_test_first_pack_in_stock (QoimaStore    *store);
/* Rows in the scan log, read with a separate SQLite connection. */
gint64      qoima_test_count_scans        (const char     *db_path);

/* Types @text into @reader the way a US-layout scanner would, from key positions: GS
 * (0x1D) as Ctrl + the `]` key, then Return. @time_ms advances by @step_ms per key. */
void        qoima_test_type_into_reader   (QoimaScanReader *reader,
                                           const char      *text,
                                           gboolean         gs_as_f8,
                                           guint32         *time_ms,
                                           unsigned         step_ms);

/* Types @text into @window's reader as a USB scanner does, after a pause that starts a new
 * burst, and waits until the window has handled the scan. */
void        qoima_test_scan               (QoimaWindow     *window,
                                           const char      *text);
/* A QoimaTestCheck: whether the QoimaUsePage @data is idle. */
gboolean    qoima_test_use_page_is_idle   (gpointer         data);
/* The nurse types @patient and @units and presses Enter; waits until the page is done and
 * checks whether it was @refused. */
void        qoima_test_log_use            (QoimaUsePage    *page,
                                           const char      *patient,
                                           int              units,
                                           gboolean         refused);
/* Waits until @page is idle and shows @status ("owed", "done" …) for the pack @ki. */
void        qoima_test_wait_for_withdrawal_status (QoimaWithdrawalsPage *page,
                                                   const char           *ki,
                                                   const char           *status,
                                                   unsigned              timeout_s);
/* A QoimaTestCheck: whether a sign dialog is shown (@data is unused). */
gboolean    qoima_test_sign_dialog_shown  (gpointer         data);

/* What a window did with a code read from an image or a camera: its "image-read" (found or
 * not) and "scan-handled" signals, recorded by the two callbacks below. */
typedef struct {
  gboolean read;
  gboolean found;
  gboolean handled;
} QoimaTestImageSeen;

void        qoima_test_image_read_cb      (QoimaWindow        *window,
                                           gboolean            found,
                                           QoimaTestImageSeen *seen);
void        qoima_test_scan_handled_cb    (QoimaWindow        *window,
                                           QoimaTestImageSeen *seen);

/* Renders @widget with its own renderer and saves a PNG in G_TEST_BUILDDIR. */
void        qoima_test_save_screenshot    (GtkWidget      *widget,
                                           const char     *name);

/* The project's ИС МПТ stand, run as a child for a window test ($QOIMA_STAND, with the
 * demo PKI of $QOIMA_PKI_DIR), with no demo world: the test posts its own acts. */
typedef struct {
  GPid   pid;
  char  *base_url;  /* the True API base */
  char  *host_url;  /* scheme, host and port */
  char  *admin_token; /* the admin interface's secret, from the stand's DB.admin-token */
} QoimaTestStand;

void         qoima_test_stand_start      (QoimaTestStand *stand,
                                          const char     *db_path);
/* The stand with the application's demo world: it knows the demo warehouse's packs as the
 * hospital's (those of qoima_demo_fill_async() with QOIMA_DEMO_SEED). */
void         qoima_test_stand_start_demo_world (QoimaTestStand *stand,
                                                const char     *db_path);
void         qoima_test_stand_stop       (QoimaTestStand *stand);
/* A call to the stand's admin interface under /stand/; fails the test unless 200. */
JsonNode    *qoima_test_stand_admin      (QoimaTestStand *stand,
                                          const char     *method,
                                          const char     *path,
                                          const char     *body);
/* Whether a visible label under @root (a row's title or subtitle, say) shows @needle. */
gboolean     qoima_test_find_text        (GtkWidget      *root,
                                          const char     *needle);

/* The button under @root labelled @label, or NULL. */
GtkWidget   *qoima_test_find_button      (GtkWidget      *root,
                                          const char     *label);

/* A key of the demo PKI (auth.p12, sign.p12 …) opened with its password. (transfer full) */
QoimaSigner *qoima_test_load_key         (const char     *name);

G_END_DECLS
