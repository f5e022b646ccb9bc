#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro that Swift cannot import.
static inline sqlite3_destructor_type procscreen_sqlite_transient(void) { return SQLITE_TRANSIENT; }

// Not SQLite's: the heap glibc has handed out and not had back (all arenas), for the
// engine's memory marks (PROCSCREEN_TIMING=1), which tell live data from freed pages kept.
#include <malloc.h>
static inline size_t procscreen_heap_in_use(void) {
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}
