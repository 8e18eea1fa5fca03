/* qoima-gs1.c: placeholder until its implementation lands */

#include "config.h"
