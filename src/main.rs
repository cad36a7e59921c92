//! The `hailong` command: parses the command line and dispatches to one
//! module per command (`cli/`).

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// Large allocations (an Argon2id check takes 19 MiB) are mapped and
/// unmapped on their own rather than left in the allocator's arenas, so the
/// memory of a burst of sign-ins goes back to the system when it is over.
/// glibc otherwise raises this threshold after the first such free, and each
/// worker thread's arena keeps the freed block.
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter; it is called before any
    // other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn main() -> ExitCode {
    return_large_blocks_to_the_system();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match cli::run(cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
