use shipshape_model::{AccountDb, AccountFile, PasswordField, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an account whose password field is empty in the `/etc/shadow` (or `/etc/passwd`)
    /// of the image's final view. Locked fields (`*`, `!`, `!!`) are fine.
    ///
    /// ## Why is this bad?
    /// An empty field means "no password": `su`, `login` and any PAM service that allows it let
    /// anyone become that user without knowing anything. For `root`, every process of the
    /// container is one `su` away from root.
    ///
    /// ## Example
    /// ```text
    /// root::19700:0:99999:7:::
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// root:*:19700:0:99999:7:::
    /// ```
    ///
    /// ## Fix
    /// Lock the account (`passwd -l USER`, or `usermod -p '*' USER`). Not fixed automatically.
    ///
    /// ## References
    /// - CWE-258: Empty Password in Configuration File
    /// - Dockle DKL-LI-0001 "Avoid empty password"
    pub static EMPTY_PASSWORD = {
        code: "SEC500",
        name: "empty-password",
        layer: Secrets,
        threat: ExcessPrivilege,
        asset: Application,
        severity: High,
        fix: None,
        summary: "an account of the image has an empty password",
        aliases: [(Dockle, "DKL-LI-0001")],
    }
}

pub(crate) fn check(file: &AccountFile, checker: &mut Checker<'_>) {
    if file.db == AccountDb::Group {
        return;
    }
    for account in file.accounts.iter().filter(|a| a.password == Some(PasswordField::Empty)) {
        checker
            .report(
                &EMPTY_PASSWORD,
                &account.password_origin,
                format!("account `{}` has an empty password: it logs in without one", account.name),
            )
            .help = Some(format!("lock it: `passwd -l {}`", account.name));
    }
}
