#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

// Cast macros do not import into Swift; expose them as inline functions
// (static const PCRE2_SIZE constants break the Swift build, see SWIFT-NOTES.md).
static inline PCRE2_SIZE procscreen_pcre2_zero_terminated(void) { return PCRE2_ZERO_TERMINATED; }
static inline PCRE2_SIZE procscreen_pcre2_unset(void) { return PCRE2_UNSET; }
