/* placeholder until its implementation lands */
#include "config.h"

#include "qoimactl.h"

int
qoimactl_demo (QoimactlOptions *options, int argc, char **argv)
{
  return 1;
}

int
qoimactl_stock (QoimactlOptions *options, int argc, char **argv)
{
  return 1;
}
