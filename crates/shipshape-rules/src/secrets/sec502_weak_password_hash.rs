use shipshape_model::{AccountDb, AccountFile, PasswordField, declare_rule};

use crate::context::Checker;

declare_rule! {
    /// ## What it does
    /// Flags an account whose password hash in the final `/etc/shadow` (or `/etc/passwd`) uses
    /// a scheme fast enough to brute-force: traditional DES crypt, BSDi DES, MD5 crypt (`$1$`)
    /// or NT hashes (`$3$`). The hash itself is never shown.
    ///
    /// ## Why is this bad?
    /// Anyone who can pull the image has the hash. DES crypt keeps only 8 characters of the
    /// password and both it and MD5 crypt fall to a GPU in hours; the password then opens every
    /// container of the image, and often more where it was reused.
    ///
    /// ## Example
    /// ```text
    /// admin:$1$<salt>$<hash>:19700:0:99999:7:::
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// admin:!:19700:0:99999:7:::
    /// ```
    ///
    /// ## Fix
    /// Lock the account (`passwd -l USER`); if it must have a password, set it at run time with
    /// yescrypt or SHA-512 crypt. Not fixed automatically.
    ///
    /// ## References
    /// - CWE-916: Use of Password Hash With Insufficient Computational Effort
    pub static WEAK_PASSWORD_HASH = {
        code: "SEC502",
        name: "weak-password-hash",
        layer: Secrets,
        threat: SecretExposure,
        asset: Application,
        severity: High,
        fix: None,
        summary: "an account of the image has a weakly hashed password",
        aliases: [],
    }
}

pub(crate) fn check(file: &AccountFile, checker: &mut Checker<'_>) {
    if file.db == AccountDb::Group {
        return;
    }
    for account in &file.accounts {
        let Some(PasswordField::Hash(scheme)) = &account.password else { continue };
        if scheme.is_weak() {
            checker
                .report(
                    &WEAK_PASSWORD_HASH,
                    &account.password_origin,
                    format!("account `{}` has a password hashed with weak {}", account.name, scheme.name()),
                )
                .help = Some(format!("lock it: `passwd -l {}`", account.name));
        }
    }
}
