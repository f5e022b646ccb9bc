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

// Allocations of 128 KiB and more get their own mapping, returned to the system when freed.
// glibc otherwise raises that threshold up to 32 MiB as big blocks are freed, and the freed
// buffers of growing population arrays then stay resident (200 MB of a 1 M-project screen).
static inline void procscreen_map_large_allocations(void) { mallopt(M_MMAP_THRESHOLD, 128 * 1024); }
