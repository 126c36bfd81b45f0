use shipshape_model::{AccountDb, AccountFile, Location, RelatedLocation, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags a user in `/etc/passwd` whose UID another user already has, and a group in
    /// `/etc/group` whose GID another group already has, in the image's final view. The finding
    /// points at the later line and names the earlier one. A second UID 0 is left to
    /// `extra-root-account`.
    ///
    /// ## Why is this bad?
    /// The kernel knows only numbers: two names with one UID are one user, so files, processes
    /// and permissions of one belong to the other. A duplicate is usually a mistake of a build
    /// script (`useradd -o`, a hand-edited file) and sometimes a backdoor account.
    ///
    /// ## Example
    /// ```text
    /// app:x:1000:1000::/home/app:/bin/sh
    /// backup:x:1000:1000::/var/backup:/bin/sh
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// app:x:1000:1000::/home/app:/bin/sh
    /// backup:x:1001:1001::/var/backup:/bin/sh
    /// ```
    ///
    /// ## Fix
    /// Give every user and group its own ID (`useradd` without `-o`, or `usermod -u`). Not fixed
    /// automatically.
    ///
    /// ## References
    /// - Dockle DKL-LI-0002 "Be unique UID/GROUPs"
    pub static DUPLICATE_ACCOUNT_ID = {
        code: "PRV503",
        name: "duplicate-account-id",
        layer: Privilege,
        threat: ExcessPrivilege,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "two users share a UID, or two groups a GID",
        aliases: [(Dockle, "DKL-LI-0002")],
    }
}

pub(crate) fn check(file: &AccountFile, checker: &mut Checker<'_>) {
    let (what, number) = match file.db {
        AccountDb::Passwd => ("user", "UID"),
        AccountDb::Group => ("group", "GID"),
        AccountDb::Shadow => return,
    };
    for (i, account) in file.accounts.iter().enumerate() {
        let Some(id) = account.id else { continue };
        if file.db == AccountDb::Passwd && id == 0 {
            continue;
        }
        let Some(first) = file.accounts.get(..i).unwrap_or_default().iter().find(|a| a.id == Some(id)) else {
            continue;
        };
        let finding = checker.report(
            &DUPLICATE_ACCOUNT_ID,
            &account.origin,
            format!("{what} `{}` has {number} {id}, already the {number} of `{}`", account.name, first.name),
        );
        finding.related.push(RelatedLocation {
            location: Location::unlocated(&first.origin),
            label: format!("`{}` has {number} {id}", first.name),
        });
        finding.help = Some(format!("give `{}` a {number} of its own", account.name));
    }
}
