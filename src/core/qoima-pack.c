/* qoima-pack.c: placeholder until its implementation lands */

#include "config.h"
