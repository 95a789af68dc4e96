/* libre.h  Include Debian's libre 1.1.0 the one right way.
 *
 * re.h expects <stdint.h> before it, and unless HAVE_STDBOOL_H is defined
 * its re_types.h #defines _Bool as signed char, so `bool b = 4 & 4` holds
 * 4 and two "true" values compare unequal.  Every file includes this
 * instead of <re.h>.
 */

#ifndef SB_LIBRE_H
#define SB_LIBRE_H

#ifndef HAVE_STDBOOL_H
#define HAVE_STDBOOL_H 1
#endif
#ifndef HAVE_INTTYPES_H
#define HAVE_INTTYPES_H 1
#endif
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <sys/types.h>
#include <re.h>

#endif
