//! What the logging rules (`log-request-data`, `log-sensitive-data`,
//! `console-in-production`) share: command-line paths, where `console` output
//! is the program's user interface rather than a log, and the statement fixes.

/// Folders whose code is a command-line tool or a one-off script: its console
/// output goes to the person running it, not to a production log.
const COMMAND_LINE_DIRS: &[&str] = &["cli", "bin", "scripts", "script"];

/// `path` (with `/` separators) lies in a command-line tool or script folder.
pub fn is_command_line_path(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|seg| COMMAND_LINE_DIRS.contains(&seg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_paths() {
        assert!(is_command_line_path("packages/cli/src/commands/auth/index.ts"));
        assert!(is_command_line_path("/repo/scripts/seed.ts"));
        assert!(!is_command_line_path("src/app/api/cli.ts"));
        assert!(!is_command_line_path("src/server/users.ts"));
    }
}
