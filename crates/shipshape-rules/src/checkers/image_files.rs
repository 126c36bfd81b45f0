//! Rules over an image's file system: the notable entries of its layers ([`ImageFiles`]) and its
//! account databases ([`AccountFile`]).
//!
//! Reading an image cannot keep every entry of every layer, so the reader asks [`notable_rules`]
//! which rules want an entry and keeps only those (a bounded number per rule), looks inside the
//! files [`wants_content`] names and records [`content_notes`], and sums package caches by
//! [`cache_root`].

use shipshape_model::{AccountFile, ImageFile, ImageFiles, RuleMeta};

use crate::context::Checker;
use crate::image::{
    img500_unneeded_file_in_image, img501_package_cache_in_image, img502_build_tool_in_image,
};
use crate::network::net500_ssh_server_installed;
use crate::privilege::{
    prv500_setuid_file, prv501_world_writable_directory, prv502_world_writable_file,
    prv503_duplicate_account_id, prv504_extra_root_account,
};
use crate::secrets::{
    sec500_empty_password, sec501_password_hash_in_image, sec502_weak_password_hash,
    sec503_credential_file_in_image,
};

pub use sec503_credential_file_in_image::SECRET_REPORTED;

/// A rule and the test for the entries it wants kept.
type EntryRule = (&'static RuleMeta, fn(&ImageFile) -> bool);
/// A rule and its check over an image's listing.
type FilesRule = (&'static RuleMeta, fn(&ImageFiles, &mut Checker<'_>));
/// A rule and its check over an account database.
type AccountsRule = (&'static RuleMeta, fn(&AccountFile, &mut Checker<'_>));

/// The rules that read single entries, with the test for the entries they want.
const ENTRY_RULES: &[EntryRule] = &[
    (&img500_unneeded_file_in_image::UNNEEDED_FILE_IN_IMAGE, img500_unneeded_file_in_image::matches),
    (&img502_build_tool_in_image::BUILD_TOOL_IN_IMAGE, img502_build_tool_in_image::matches),
    (&net500_ssh_server_installed::SSH_SERVER_INSTALLED, net500_ssh_server_installed::matches),
    (&prv500_setuid_file::SETUID_FILE, prv500_setuid_file::matches),
    (&prv501_world_writable_directory::WORLD_WRITABLE_DIRECTORY, prv501_world_writable_directory::matches),
    (&prv502_world_writable_file::WORLD_WRITABLE_FILE, prv502_world_writable_file::matches),
    (&sec503_credential_file_in_image::CREDENTIAL_FILE_IN_IMAGE, sec503_credential_file_in_image::matches),
];

/// Every rule that reads an image's files or accounts.
pub fn image_files_rules() -> impl Iterator<Item = &'static RuleMeta> {
    ENTRY_RULES.iter().map(|(rule, _)| *rule).chain([
        &img501_package_cache_in_image::PACKAGE_CACHE_IN_IMAGE,
        &prv503_duplicate_account_id::DUPLICATE_ACCOUNT_ID,
        &prv504_extra_root_account::EXTRA_ROOT_ACCOUNT,
        &sec500_empty_password::EMPTY_PASSWORD,
        &sec501_password_hash_in_image::PASSWORD_HASH_IN_IMAGE,
        &sec502_weak_password_hash::WEAK_PASSWORD_HASH,
    ])
}

/// The rules that want `file` kept in an image's listing (its `origin` is not read).
pub fn notable_rules(file: &ImageFile) -> impl Iterator<Item = &'static RuleMeta> + '_ {
    ENTRY_RULES.iter().filter(|(_, wants)| wants(file)).map(|(rule, _)| *rule)
}

/// Whether a rule needs to see the content of the regular file at `path`.
pub fn wants_content(path: &str) -> bool {
    sec503_credential_file_in_image::wants_content(path)
}

/// What the content of the file at `path` shows, as notes for [`ImageFile::notes`].
pub fn content_notes(path: &str, content: &[u8]) -> Vec<&'static str> {
    sec503_credential_file_in_image::content_notes(path, content)
}

/// The package cache a regular file at `path` belongs to.
pub fn cache_root(path: &str) -> Option<String> {
    img501_package_cache_in_image::cache_root(path)
}

/// Whether an installed package named `name` matters to these rules.
pub fn notable_package(name: &str) -> bool {
    net500_ssh_server_installed::is_server_package(name)
}

/// Runs every enabled rule over the notable entries of an image.
pub fn check_image_files(files: &ImageFiles, checker: &mut Checker<'_>) {
    let rules: [FilesRule; 8] = [
        (&img500_unneeded_file_in_image::UNNEEDED_FILE_IN_IMAGE, img500_unneeded_file_in_image::check),
        (&img501_package_cache_in_image::PACKAGE_CACHE_IN_IMAGE, img501_package_cache_in_image::check),
        (&img502_build_tool_in_image::BUILD_TOOL_IN_IMAGE, img502_build_tool_in_image::check),
        (&net500_ssh_server_installed::SSH_SERVER_INSTALLED, net500_ssh_server_installed::check),
        (&prv500_setuid_file::SETUID_FILE, prv500_setuid_file::check),
        (&prv501_world_writable_directory::WORLD_WRITABLE_DIRECTORY, prv501_world_writable_directory::check),
        (&prv502_world_writable_file::WORLD_WRITABLE_FILE, prv502_world_writable_file::check),
        (&sec503_credential_file_in_image::CREDENTIAL_FILE_IN_IMAGE, sec503_credential_file_in_image::check),
    ];
    for (rule, check) in rules {
        if checker.enabled(rule) {
            check(files, checker);
        }
    }
}

/// Runs every enabled rule over one account database of an image.
pub fn check_accounts(file: &AccountFile, checker: &mut Checker<'_>) {
    let rules: [AccountsRule; 5] = [
        (&prv503_duplicate_account_id::DUPLICATE_ACCOUNT_ID, prv503_duplicate_account_id::check),
        (&prv504_extra_root_account::EXTRA_ROOT_ACCOUNT, prv504_extra_root_account::check),
        (&sec500_empty_password::EMPTY_PASSWORD, sec500_empty_password::check),
        (&sec501_password_hash_in_image::PASSWORD_HASH_IN_IMAGE, sec501_password_hash_in_image::check),
        (&sec502_weak_password_hash::WEAK_PASSWORD_HASH, sec502_weak_password_hash::check),
    ];
    for (rule, check) in rules {
        if checker.enabled(rule) {
            check(file, checker);
        }
    }
}
