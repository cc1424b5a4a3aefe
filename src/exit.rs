//! Exit statuses, shared by every front end (the command line, the
//! importers, the language server).

pub const CLEAN: i32 = 0;
pub const FINDINGS: i32 = 1;
pub const INPUT_ERROR: i32 = 2;
/// The analysis would hold more cut sets than one run can (see
/// `engine::MAX_FAMILY`): the run says so rather than pass in silence or
/// print a partial answer as if it were whole.
pub const ANALYSIS_LIMIT: i32 = 3;
