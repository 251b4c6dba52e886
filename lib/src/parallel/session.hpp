// Private to locus::parallel: work to do when the MPI session ends (before MPI_Finalize), such
// as finalising SLEPc.
#pragma once

namespace locus::detail {

/// Runs f once when the MpiSession ends, or at exit in a process without one. Idempotent per f.
void at_session_end(void (*f)());

/// Runs the registered functions (once; later calls do nothing).
void run_session_end();

}  // namespace locus::detail
