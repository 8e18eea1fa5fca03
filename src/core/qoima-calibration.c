/* qoima-calibration.c: placeholder until its implementation lands */

#include "config.h"
