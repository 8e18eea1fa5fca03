/* qoima-test-utils.h: helpers shared by the tests, GTK-free (the core tests use them alone)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/* A GAsyncReadyCallback that keeps the result in the GAsyncResult ** given as user data,
 * which must still be NULL (a result delivered twice fails the test). */
void          qoima_test_result_cb          (GObject       *source,
                                             GAsyncResult  *result,
                                             gpointer       user_data);
/* Iterates the default main context until *@slot is set, and returns it (transfer none:
 * the slot keeps its reference). */
GAsyncResult *qoima_test_wait_for           (GAsyncResult **slot);

typedef gboolean (*QoimaTestCheck) (gpointer data);

/* Iterates the default main context until @check says TRUE; fails the test after
 * @timeout_s seconds. Nothing sleeps: a short timer only wakes the loop to re-check. */
void          qoima_test_wait_until         (QoimaTestCheck  check,
                                             gpointer        data,
                                             unsigned        timeout_s);
/* A QoimaTestCheck: whether the GAsyncResult ** @data is set (by qoima_test_result_cb()). */
gboolean      qoima_test_result_is_set      (gpointer       data);
/* A signal handler (of a signal with no arguments) that sets the gboolean * @flag. */
void          qoima_test_flag_cb            (gpointer       instance,
                                             gboolean      *flag);
/* A QoimaTestCheck: whether the gboolean * @data is set. */
gboolean      qoima_test_flag_is_set        (gpointer       data);

/* A new temporary folder; free the result with qoima_test_remove_tree(). */
char         *qoima_test_make_tmp_dir       (void);
void          qoima_test_remove_tree        (const char    *path);

/* Opens (creating) the store at @path, or ":memory:"; fails the test on an error.
 * (transfer full) */
QoimaStore   *qoima_test_open_store         (const char    *path);
/* Where a test's new store lives: qoima.db in @dir; or, when the environment says
 * QOIMA_TEST_DATABASE=postgresql (the `-pg` variants of the store tests), a new empty
 * database on a throwaway PostgreSQL server this process starts at its first call and
 * stops at exit. */
char         *qoima_test_new_store_location (const char    *dir);
/* Whether the tests run on PostgreSQL (a case that reads the SQLite file skips there). */
gboolean      qoima_test_on_postgresql      (void);
/* A new temporary folder (into @dir, for qoima_test_remove_tree()) with a new store in
 * it, at qoima_test_new_store_location() (which goes into @path when not NULL).
 * (transfer full) */
QoimaStore   *qoima_test_open_tmp_store     (char         **dir,
                                             char         **path);
/* Adds @products (QoimaProduct) to the catalog; fails the test on an error. */
void          qoima_test_add_catalog        (QoimaStore    *store,
                                             GPtrArray     *products);
/* Adds a user with @secret (a password or PIN) as @acting; fails the test on an error.
 * (transfer full) */
QoimaUser    *qoima_test_add_user           (QoimaStore    *store,
                                             QoimaUser     *acting,
                                             const char    *name,
                                             QoimaRole      role,
                                             gint64         ward_id,
                                             const char    *secret);

/* The pack of @ki; fails the test on an error (the store not having it is one).
 * (transfer full) */
QoimaPack    *qoima_test_find_pack          (QoimaStore    *store,
                                             const char    *ki);

G_END_DECLS
