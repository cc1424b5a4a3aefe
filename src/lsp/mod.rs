//! `faultline lsp`: a language server (LSP 3.17 over stdio) on the same
//! loader, engine and rules as `check`.
//!
//! Each workspace folder is an estate, as `faultline check` run there
//! would read it (its description files and its `faultline.yaml`), with
//! the editor's open buffers in place of their files. Modules, one job
//! each:
//!
//! - `server`: the message loop, folders, debouncing, dispatch;
//! - `inbox`: the client's messages, queued so a waiting edit is seen;
//! - `publish`: sending diagnostics, open files first, only what changed;
//! - `workspace`: files, buffers, the re-check and its snapshot;
//! - `index`: where ids are defined and named, per file;
//! - `keypath`: where the cursor stands in the nesting of keys;
//! - `text`: positions (UTF-16 or UTF-8) and file URIs;
//! - `diagnostics`, `navigate`, `hover`, `complete`, `actions`: one
//!   feature each.

mod actions;
mod complete;
mod diagnostics;
mod hover;
mod inbox;
mod index;
mod keypath;
mod navigate;
mod publish;
mod server;
mod text;
mod workspace;

pub use server::run;
