/* placeholder until its implementation lands */
#include "config.h"

#include "qoimactl.h"

int
qoimactl_parse (QoimactlOptions *options, int argc, char **argv)
{
  return 1;
}
