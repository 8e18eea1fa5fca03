/* qoima-stock-item.c: placeholder until its implementation lands */

#include "config.h"
