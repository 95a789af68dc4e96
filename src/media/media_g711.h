/* media/media_g711.h  spandsp's G.711 inlines (linear_to_ulaw and the
 * others), included the one way that compiles: spandsp 0.0.6's headers
 * need <stdint.h> first and g711.h uses top_bit() from bit_operations.h.
 * O(1) per sample, table-free except alaw<->ulaw (functions in the
 * library).  We link libspandsp, never librem (LIBRE-NOTES.md).
 */

#ifndef SB_MEDIA_G711_H
#define SB_MEDIA_G711_H

#include <stdint.h>
#include <spandsp/telephony.h>
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>

#endif
