/* qoima-store.c: placeholder until its implementation lands */

#include "config.h"
