/* qoima-store-migrations.c: placeholder until its implementation lands */

#include "config.h"
