/* qoima-test-file-modes.h: tests of read-only files that also mean something as root
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Root passes file modes by its capabilities (CAP_DAC_OVERRIDE and friends), so a test of
 * what Qoima does with a read-only file would test nothing when run as root, as CI does.
 * This drops them from the calling thread's effective and permitted sets, and so from the
 * threads it starts later (access() follows the permitted set), and from the bounding
 * set, without which a program root starts would get them back. It cannot be undone:
 * call it in a g_test_trap_subprocess() child. Returns whether file modes now apply.
 */
static inline gboolean
qoima_test_obey_file_modes (void)
{
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };
  const unsigned drop[] = { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_LINUX_IMMUTABLE };

  if (geteuid () != 0)
    return TRUE;
  if (syscall (SYS_capget, &header, data) != 0)
    return FALSE;
  for (unsigned i = 0; i < G_N_ELEMENTS (drop); i++)
    {
      if (prctl (PR_CAPBSET_DROP, drop[i], 0, 0, 0) != 0)
        return FALSE;
      data[drop[i] / 32].effective &= ~(1u << (drop[i] % 32));
      data[drop[i] / 32].permitted &= ~(1u << (drop[i] % 32));
      data[drop[i] / 32].inheritable &= ~(1u << (drop[i] % 32));
    }
  return syscall (SYS_capset, &header, data) == 0;
}
