use shipshape_model::{AccountDb, AccountFile, PasswordField, Severity, declare_rule};

use crate::context::Checker;
use crate::secrets::sec502_weak_password_hash::WEAK_PASSWORD_HASH;

declare_rule! {
    /// ## What it does
    /// Flags an account that can log in with a password baked into the image: its field in the
    /// final `/etc/shadow` (or `/etc/passwd`) holds a password hash rather than a lock (`*`,
    /// `!`). `root` is high severity, other accounts medium. The hash itself is never shown.
    /// Hashes of a weak scheme are left to `weak-password-hash` when that rule is on.
    ///
    /// ## Why is this bad?
    /// Every container of the image shares the password, and everyone who can pull the image
    /// can take the hash and crack it offline. A root password turns any foothold with `su`
    /// into root; containers are administered with `docker exec`, which needs none.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN echo 'root:changeme' | chpasswd
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # no password; `docker exec -u root` when a shell is needed
    /// RUN passwd -l root
    /// ```
    ///
    /// ## Fix
    /// Lock the account (`passwd -l USER`); give services their secrets at run time. Not fixed
    /// automatically.
    ///
    /// ## References
    /// - CWE-798: Use of Hard-coded Credentials
    pub static PASSWORD_HASH_IN_IMAGE = {
        code: "SEC501",
        name: "password-hash-in-image",
        layer: Secrets,
        threat: SecretExposure,
        asset: Application,
        severity: Medium,
        fix: None,
        summary: "an account of the image has a password",
        aliases: [],
    }
}

pub(crate) fn check(file: &AccountFile, checker: &mut Checker<'_>) {
    if file.db == AccountDb::Group {
        return;
    }
    let weak_reported = checker.enabled(&WEAK_PASSWORD_HASH);
    for account in &file.accounts {
        let Some(PasswordField::Hash(scheme)) = &account.password else { continue };
        if weak_reported && scheme.is_weak() {
            continue;
        }
        let finding = checker.report(
            &PASSWORD_HASH_IN_IMAGE,
            &account.password_origin,
            format!(
                "account `{}` has a password ({} hash) baked into the image",
                account.name,
                scheme.name()
            ),
        );
        if account.name == "root" {
            finding.severity = Severity::High;
        }
        finding.help = Some(format!("lock it: `passwd -l {}`", account.name));
    }
}
