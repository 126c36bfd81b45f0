use shipshape_model::{AccountDb, AccountFile, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a user other than `root` with UID 0 in the `/etc/passwd` of the image's final
    /// view.
    ///
    /// ## Why is this bad?
    /// UID 0 is root whatever the name: a second name for it is a hidden root login (a classic
    /// backdoor), and tools that look for `root` by name miss it. Processes started as that
    /// user run with every privilege root has in the container.
    ///
    /// ## Example
    /// ```text
    /// root:x:0:0:root:/root:/bin/bash
    /// toor:x:0:0::/root:/bin/sh
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// root:x:0:0:root:/root:/bin/bash
    /// ops:x:1001:1001::/home/ops:/bin/sh
    /// ```
    ///
    /// ## Fix
    /// Remove the account or give it an unprivileged UID. Not fixed automatically.
    ///
    /// ## References
    /// - CWE-250: Execution with Unnecessary Privileges
    pub static EXTRA_ROOT_ACCOUNT = {
        code: "PRV504",
        name: "extra-root-account",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Application,
        severity: High,
        fix: None,
        summary: "a user other than root has UID 0",
        aliases: [],
    }
}

pub(crate) fn check(file: &AccountFile, checker: &mut Checker<'_>) {
    if file.db != AccountDb::Passwd {
        return;
    }
    for account in file.accounts.iter().filter(|a| a.id == Some(0) && a.name != "root") {
        checker
            .report(
                &EXTRA_ROOT_ACCOUNT,
                &account.origin,
                format!("user `{}` has UID 0: it is root", account.name),
            )
            .help = Some(format!("remove `{}` or give it an unprivileged UID", account.name));
    }
}
