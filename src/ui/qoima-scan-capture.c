/* qoima-scan-capture.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-scan-capture"

#include "config.h"

#include "qoima-scan-capture.h"

struct _QoimaScanCapture
{
  GObject parent_instance;

  /* Owned references */
  QoimaScanReader    *reader;
  GSettings          *settings;
  GtkEventController *controller;

  /* Borrowed references, cleared by weak pointers */
  GtkWidget          *widget;
  GtkEditable        *snapshot_editable;

  /* State */
  char               *snapshot_text;
  int                 snapshot_start;   /* the cursor, or the start of the selection */
  int                 snapshot_end;     /* the end of the selection, or the cursor */
  guint               flush_source;
  guint               calibrating : 1;
};

G_DEFINE_FINAL_TYPE (QoimaScanCapture, qoima_scan_capture, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CALIBRATING,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
apply_settings (QoimaScanCapture *self)
{
  g_autofree char *prefix = NULL;
  g_autofree char *suffix = NULL;
  g_autofree char *substitute = NULL;

  if (self->settings == NULL)
    return;

  qoima_scan_reader_set_max_gap_ms (self->reader, g_settings_get_uint (self->settings, "scan-max-gap-ms"));
  qoima_scan_reader_set_min_length (self->reader, g_settings_get_uint (self->settings, "scan-min-length"));

  if (self->calibrating)
    {
      qoima_scan_reader_set_prefix (self->reader, "");
      qoima_scan_reader_set_suffix (self->reader, "");
      qoima_scan_reader_set_gs_substitute (self->reader, "");
      qoima_scan_reader_set_caps_lock_inverts (self->reader, FALSE);
      return;
    }

  prefix = g_settings_get_string (self->settings, "scan-prefix");
  suffix = g_settings_get_string (self->settings, "scan-suffix");
  substitute = g_settings_get_string (self->settings, "gs-substitute");

  qoima_scan_reader_set_prefix (self->reader, prefix);
  qoima_scan_reader_set_suffix (self->reader, suffix);
  qoima_scan_reader_set_gs_substitute (self->reader, substitute);
  qoima_scan_reader_set_caps_lock_inverts (self->reader,
                                           g_settings_get_boolean (self->settings, "caps-lock-inverts"));
}

static void
forget_snapshot (QoimaScanCapture *self)
{
  if (self->snapshot_editable != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->snapshot_editable),
                                  (gpointer *) &self->snapshot_editable);
  self->snapshot_editable = NULL;
  g_clear_pointer (&self->snapshot_text, g_free);
}

static QoimaKeyMods
translate_modifiers (GdkModifierType state)
{
  QoimaKeyMods mods = QOIMA_KEY_MOD_NONE;

  if (state & GDK_SHIFT_MASK)
    mods |= QOIMA_KEY_MOD_SHIFT;
  if (state & GDK_CONTROL_MASK)
    mods |= QOIMA_KEY_MOD_CONTROL;
  if (state & GDK_LOCK_MASK)
    mods |= QOIMA_KEY_MOD_LOCK;
  if (state & GDK_ALT_MASK)
    mods |= QOIMA_KEY_MOD_ALT;

  return mods;
}

/* The focused widget, when it is a text field one can type in. */
static GtkEditable *
focused_text_field (QoimaScanCapture *self)
{
  GtkRoot *root;
  GtkWidget *focus;

  if (self->widget == NULL || (root = gtk_widget_get_root (self->widget)) == NULL)
    return NULL;

  focus = gtk_root_get_focus (root);
  if (focus == NULL || !GTK_IS_EDITABLE (focus) || !gtk_editable_get_editable (GTK_EDITABLE (focus)))
    return NULL;

  return GTK_EDITABLE (focus);
}

static gboolean
flush_timeout_cb (gpointer user_data)
{
  QoimaScanCapture *self = user_data;

  self->flush_source = 0;

  /* No key for max-gap-ms: a burst without a terminator (a scanner with no suffix)
   * ends here. */
  if (qoima_scan_reader_is_busy (self->reader))
    qoima_scan_reader_flush (self->reader);

  return G_SOURCE_REMOVE;
}

static void
arm_flush_timeout (QoimaScanCapture *self)
{
  unsigned gap;

  g_clear_handle_id (&self->flush_source, g_source_remove);

  if (!qoima_scan_reader_is_busy (self->reader))
    return;

  gap = qoima_scan_reader_get_max_gap_ms (self->reader);
  self->flush_source = g_timeout_add (MAX (gap, 1), flush_timeout_cb, self);
  g_source_set_name_by_id (self->flush_source, "[qoima] scan flush");
}

static gboolean
key_pressed_cb (QoimaScanCapture      *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  GdkEvent *event;
  QoimaKeyVerdict verdict;
  guint32 time_ms;

  g_assert (QOIMA_IS_SCAN_CAPTURE (self));

  /* Shift, Control and friends are not characters: the reader sees them as the state of
   * the next key, and a bare modifier must not break a burst in two. */
  event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));
  if (event != NULL && gdk_key_event_is_modifier (event))
    return GDK_EVENT_PROPAGATE;

  /* The event's own time, not the clock now: events can arrive in batches. */
  time_ms = gtk_event_controller_get_current_event_time (GTK_EVENT_CONTROLLER (controller));

  /* While calibrating every burst is the scanner's, whatever has the focus. */
  qoima_scan_reader_set_text_input (self->reader,
                                    !self->calibrating && focused_text_field (self) != NULL);
  verdict = qoima_scan_reader_key_pressed_typed (self->reader, keycode, translate_modifiers (state),
                                                 gdk_keyval_to_unicode (keyval), time_ms);

  arm_flush_timeout (self);

  return verdict == QOIMA_KEY_CONSUMED ? GDK_EVENT_STOP : GDK_EVENT_PROPAGATE;
}

static void
burst_started_cb (QoimaScanCapture *self,
                  QoimaScanReader  *reader)
{
  GtkEditable *editable;

  g_assert (QOIMA_IS_SCAN_CAPTURE (self));

  forget_snapshot (self);

  /* The first keys of a burst reach the focused field before the reader knows what the
   * burst is; remember the text so that they can be taken back. */
  editable = focused_text_field (self);
  if (editable == NULL)
    return;

  self->snapshot_editable = editable;
  g_object_add_weak_pointer (G_OBJECT (editable), (gpointer *) &self->snapshot_editable);
  self->snapshot_text = g_strdup (gtk_editable_get_text (editable));
  if (!gtk_editable_get_selection_bounds (editable, &self->snapshot_start, &self->snapshot_end))
    self->snapshot_start = self->snapshot_end = gtk_editable_get_position (editable);
}

/* Puts the field back as it was when the burst began. */
static void
restore_snapshot (QoimaScanCapture *self)
{
  GtkEditable *editable = self->snapshot_editable;

  if (g_strcmp0 (gtk_editable_get_text (editable), self->snapshot_text) == 0)
    return;

  gtk_editable_set_text (editable, self->snapshot_text);
  gtk_editable_set_position (editable, self->snapshot_start);
  if (self->snapshot_end != self->snapshot_start)
    gtk_editable_select_region (editable, self->snapshot_start, self->snapshot_end);
}

static void
scanned_cb (QoimaScanCapture *self,
            const char       *text,
            int               gs_via,
            gboolean          caps_lock,
            const char       *prefix_seen,
            const char       *terminator,
            QoimaScanReader  *reader)
{
  g_assert (QOIMA_IS_SCAN_CAPTURE (self));

  g_clear_handle_id (&self->flush_source, g_source_remove);

  if (self->snapshot_editable != NULL)
    restore_snapshot (self);

  forget_snapshot (self);
}

static void
typed_cb (QoimaScanCapture *self,
          const char       *text,
          QoimaScanReader  *reader)
{
  GtkEditable *editable = self->snapshot_editable;
  int position;

  g_assert (QOIMA_IS_SCAN_CAPTURE (self));

  g_clear_handle_id (&self->flush_source, g_source_remove);

  /* Some keys reached the field and the rest were held back: put the field back as it
   * was and type the whole burst in one go, in order, as the keys made it. */
  if (editable != NULL)
    {
      restore_snapshot (self);
      if (self->snapshot_end != self->snapshot_start)
        gtk_editable_delete_text (editable, self->snapshot_start, self->snapshot_end);
      position = self->snapshot_start;
      gtk_editable_insert_text (editable, text, -1, &position);
      gtk_editable_set_position (editable, position);
    }

  forget_snapshot (self);
}

static void
burst_dropped_cb (QoimaScanCapture *self,
                  const char       *text,
                  QoimaScanReader  *reader)
{
  g_assert (QOIMA_IS_SCAN_CAPTURE (self));

  /* A person typing fast: what they typed stays where it went. */
  forget_snapshot (self);
}

static void
settings_changed_cb (QoimaScanCapture *self,
                     const char       *key,
                     GSettings        *settings)
{
  apply_settings (self);
}

static void
qoima_scan_capture_dispose (GObject *object)
{
  QoimaScanCapture *self = QOIMA_SCAN_CAPTURE (object);

  g_clear_handle_id (&self->flush_source, g_source_remove);
  forget_snapshot (self);

  if (self->widget != NULL)
    {
      if (self->controller != NULL &&
          gtk_event_controller_get_widget (self->controller) == self->widget)
        gtk_widget_remove_controller (self->widget, self->controller);
      g_object_remove_weak_pointer (G_OBJECT (self->widget), (gpointer *) &self->widget);
      self->widget = NULL;
    }

  g_clear_object (&self->controller);
  g_clear_object (&self->settings);
  g_clear_object (&self->reader);

  G_OBJECT_CLASS (qoima_scan_capture_parent_class)->dispose (object);
}

static void
qoima_scan_capture_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  QoimaScanCapture *self = QOIMA_SCAN_CAPTURE (object);

  switch (prop_id)
    {
    case PROP_CALIBRATING:
      g_value_set_boolean (value, qoima_scan_capture_get_calibrating (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_scan_capture_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  QoimaScanCapture *self = QOIMA_SCAN_CAPTURE (object);

  switch (prop_id)
    {
    case PROP_CALIBRATING:
      qoima_scan_capture_set_calibrating (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_scan_capture_class_init (QoimaScanCaptureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = qoima_scan_capture_dispose;
  object_class->get_property = qoima_scan_capture_get_property;
  object_class->set_property = qoima_scan_capture_set_property;

  properties[PROP_CALIBRATING] =
    g_param_spec_boolean ("calibrating", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
qoima_scan_capture_init (QoimaScanCapture *self)
{
  self->reader = qoima_scan_reader_new ();

  /* Connected before anyone else, so that the entry is restored before the scan is
   * handled. */
  g_signal_connect_object (self->reader, "burst-started",
                           G_CALLBACK (burst_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->reader, "scanned",
                           G_CALLBACK (scanned_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->reader, "burst-dropped",
                           G_CALLBACK (burst_dropped_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->reader, "typed",
                           G_CALLBACK (typed_cb), self, G_CONNECT_SWAPPED);
}

QoimaScanCapture *
qoima_scan_capture_new (GtkWidget *widget,
                        GSettings *settings)
{
  QoimaScanCapture *self;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (QOIMA_TYPE_SCAN_CAPTURE, NULL);

  self->widget = widget;
  g_object_add_weak_pointer (G_OBJECT (widget), (gpointer *) &self->widget);

  self->controller = g_object_ref (gtk_event_controller_key_new ());
  gtk_event_controller_set_name (self->controller, "qoima-scan-capture");
  gtk_event_controller_set_propagation_phase (self->controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (self->controller, "key-pressed",
                           G_CALLBACK (key_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (widget, self->controller);

  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_signal_connect_object (settings, "changed",
                               G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
      apply_settings (self);
    }

  return self;
}

/**
 * qoima_scan_capture_get_reader:
 *
 * Returns: (transfer none): the reader; connect to its ::scanned signal
 */
QoimaScanReader *
qoima_scan_capture_get_reader (QoimaScanCapture *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_CAPTURE (self), NULL);

  return self->reader;
}

gboolean
qoima_scan_capture_get_calibrating (QoimaScanCapture *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_CAPTURE (self), FALSE);

  return self->calibrating;
}

void
qoima_scan_capture_set_calibrating (QoimaScanCapture *self,
                                    gboolean          calibrating)
{
  g_return_if_fail (QOIMA_IS_SCAN_CAPTURE (self));

  calibrating = !!calibrating;
  if (self->calibrating == calibrating)
    return;

  self->calibrating = calibrating;
  apply_settings (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALIBRATING]);
}
