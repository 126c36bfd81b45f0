use shipshape_dockerfile::Dockerfile;
use shipshape_model::{Finding, ImageSpec, RuleMeta};

use super::dockerfile::{SYNTAX_RULES, SYNTAX_SCRIPT_RULES, Syntax, SyntaxScriptRule};
use crate::checkers::image_ref;
use crate::context::Checker;
use crate::image::img003_add_local_files;
use crate::image::{
    img043_invalid_label_key, img044_empty_oci_label, img045_invalid_oci_label_url,
    img046_invalid_oci_label_date, img047_invalid_oci_label_license,
};
use crate::monitoring::mon001_missing_healthcheck;
use crate::privilege::{prv001_root_user, prv002_missing_user};

use crate::image::img004_cd_in_run;
use crate::image::img005_apt_in_run;
use crate::image::img006_apt_get_without_yes;
use crate::image::img007_apt_install_recommends;
use crate::image::img008_package_cache_kept;
use crate::image::img009_pipe_without_pipefail;
use crate::image::img010_useradd_large_uid;
use crate::image::img011_package_upgrade_in_build;
use crate::image::img012_package_index_update_alone;
use crate::image::{
    img021_pointless_command_in_run, img022_copied_archive_extracted, img036_yum_without_yes,
    img037_dnf_without_yes, img038_zypper_without_non_interactive, img042_wget_progress_output,
    img049_yarn_cache_kept, img053_mixed_download_tools, img054_default_shell_replaced,
};
use crate::network::net001_ssh_server_in_image;
use crate::network::net002_build_host_network;
use crate::privilege::prv003_sudo_in_run;
use crate::privilege::prv004_world_writable_permissions;
use crate::privilege::prv005_insecure_build_security;
use crate::privilege::prv006_setuid_bit_set;
use crate::secrets::sec001_secret_in_build_config;
use crate::secrets::sec002_secret_in_run_command;
use crate::secrets::sec003_secret_file_copied;
use crate::secrets::sec004_build_secret_persisted;
use crate::shell::{RunScript, Scripts};
use crate::supply_chain::sup004_unpinned_system_package;
use crate::supply_chain::sup005_unpinned_library_package;
use crate::supply_chain::sup006_remote_add_without_checksum;
use crate::supply_chain::sup007_extra_package_index;
use crate::supply_chain::sup008_plaintext_download;
use crate::supply_chain::{
    sup001_download_piped_to_shell, sup002_tls_verification_disabled, sup003_package_signature_check_disabled,
};

type Rule = fn(&ImageSpec, &mut Checker<'_>);
type ScriptRule = fn(&ImageSpec, &Scripts<'_>, &mut Checker<'_>);
type RunRule = fn(&RunScript<'_>, &mut Checker<'_>);

/// Every `ImageSpec` rule and its check, in code order.
static RULES: &[(&RuleMeta, Rule)] = &[
    (&img003_add_local_files::ADD_LOCAL_FILES, img003_add_local_files::check),
    (&img043_invalid_label_key::INVALID_LABEL_KEY, img043_invalid_label_key::check),
    (&img044_empty_oci_label::EMPTY_OCI_LABEL, img044_empty_oci_label::check),
    (&img045_invalid_oci_label_url::INVALID_OCI_LABEL_URL, img045_invalid_oci_label_url::check),
    (&img046_invalid_oci_label_date::INVALID_OCI_LABEL_DATE, img046_invalid_oci_label_date::check),
    (&img047_invalid_oci_label_license::INVALID_OCI_LABEL_LICENSE, img047_invalid_oci_label_license::check),
    (&mon001_missing_healthcheck::MISSING_HEALTHCHECK, mon001_missing_healthcheck::check),
    (&net002_build_host_network::BUILD_HOST_NETWORK, net002_build_host_network::check),
    (&prv001_root_user::ROOT_USER, prv001_root_user::check),
    (&prv002_missing_user::MISSING_USER, prv002_missing_user::check),
    (&prv005_insecure_build_security::INSECURE_BUILD_SECURITY, prv005_insecure_build_security::check),
    (&sec001_secret_in_build_config::SECRET_IN_BUILD_CONFIG, sec001_secret_in_build_config::check),
    (&sec003_secret_file_copied::SECRET_FILE_COPIED, sec003_secret_file_copied::check),
    (
        &sup006_remote_add_without_checksum::REMOTE_ADD_WITHOUT_CHECKSUM,
        sup006_remote_add_without_checksum::check,
    ),
];

/// Every `ImageSpec` rule that also reads the shell of the `RUN`s, in code order.
static SCRIPT_RULES: &[(&RuleMeta, ScriptRule)] = &[
    (&img022_copied_archive_extracted::COPIED_ARCHIVE_EXTRACTED, img022_copied_archive_extracted::check),
    (&img053_mixed_download_tools::MIXED_DOWNLOAD_TOOLS, img053_mixed_download_tools::check),
    (&net001_ssh_server_in_image::SSH_SERVER_IN_IMAGE, net001_ssh_server_in_image::check),
    (
        &prv004_world_writable_permissions::WORLD_WRITABLE_PERMISSIONS,
        prv004_world_writable_permissions::check,
    ),
    (&prv006_setuid_bit_set::SETUID_BIT_SET, prv006_setuid_bit_set::check),
    (&sup002_tls_verification_disabled::TLS_VERIFICATION_DISABLED, sup002_tls_verification_disabled::check),
    (&sup007_extra_package_index::EXTRA_PACKAGE_INDEX, sup007_extra_package_index::check),
    (&sup008_plaintext_download::PLAINTEXT_DOWNLOAD, sup008_plaintext_download::check),
];

/// Every rule that reads the shell of each `RUN`, in code order. The script is parsed once per
/// `RUN` for all of them.
static RUN_RULES: &[(&RuleMeta, RunRule)] = &[
    (&img004_cd_in_run::CD_IN_RUN, img004_cd_in_run::check),
    (&img005_apt_in_run::APT_IN_RUN, img005_apt_in_run::check),
    (&img006_apt_get_without_yes::APT_GET_WITHOUT_YES, img006_apt_get_without_yes::check),
    (&img007_apt_install_recommends::APT_INSTALL_RECOMMENDS, img007_apt_install_recommends::check),
    (&img008_package_cache_kept::PACKAGE_CACHE_KEPT, img008_package_cache_kept::check),
    (&img009_pipe_without_pipefail::PIPE_WITHOUT_PIPEFAIL, img009_pipe_without_pipefail::check),
    (&img010_useradd_large_uid::USERADD_LARGE_UID, img010_useradd_large_uid::check),
    (&img011_package_upgrade_in_build::PACKAGE_UPGRADE_IN_BUILD, img011_package_upgrade_in_build::check),
    (
        &img012_package_index_update_alone::PACKAGE_INDEX_UPDATE_ALONE,
        img012_package_index_update_alone::check,
    ),
    (&img021_pointless_command_in_run::POINTLESS_COMMAND_IN_RUN, img021_pointless_command_in_run::check),
    (&img036_yum_without_yes::YUM_WITHOUT_YES, img036_yum_without_yes::check),
    (&img037_dnf_without_yes::DNF_WITHOUT_YES, img037_dnf_without_yes::check),
    (
        &img038_zypper_without_non_interactive::ZYPPER_WITHOUT_NON_INTERACTIVE,
        img038_zypper_without_non_interactive::check,
    ),
    (&img042_wget_progress_output::WGET_PROGRESS_OUTPUT, img042_wget_progress_output::check),
    (&img049_yarn_cache_kept::YARN_CACHE_KEPT, img049_yarn_cache_kept::check),
    (&img054_default_shell_replaced::DEFAULT_SHELL_REPLACED, img054_default_shell_replaced::check),
    (&prv003_sudo_in_run::SUDO_IN_RUN, prv003_sudo_in_run::check),
    (&sec002_secret_in_run_command::SECRET_IN_RUN_COMMAND, sec002_secret_in_run_command::check),
    (&sec004_build_secret_persisted::BUILD_SECRET_PERSISTED, sec004_build_secret_persisted::check),
    (&sup001_download_piped_to_shell::DOWNLOAD_PIPED_TO_SHELL, sup001_download_piped_to_shell::check),
    (
        &sup003_package_signature_check_disabled::PACKAGE_SIGNATURE_CHECK_DISABLED,
        sup003_package_signature_check_disabled::check,
    ),
    (&sup004_unpinned_system_package::UNPINNED_SYSTEM_PACKAGE, sup004_unpinned_system_package::check),
    (&sup005_unpinned_library_package::UNPINNED_LIBRARY_PACKAGE, sup005_unpinned_library_package::check),
];

/// Runs every enabled `ImageSpec` rule over `spec`, and the image-reference rules over every
/// image it pulls.
pub fn check_image_spec(spec: &ImageSpec, checker: &mut Checker<'_>) {
    check(spec, None, checker);
}

/// Runs every enabled `ImageSpec` rule over `spec`, lowered from `dockerfile`, and every rule
/// that reads the Dockerfile as written.
pub fn check_dockerfile(dockerfile: &Dockerfile, spec: &ImageSpec, checker: &mut Checker<'_>) {
    check(spec, Some(dockerfile), checker);
}

fn check(spec: &ImageSpec, dockerfile: Option<&Dockerfile>, checker: &mut Checker<'_>) {
    if image_ref::any_enabled(checker) {
        image_ref::check_images(&image_ref::images_of_spec(spec), checker);
    }
    for (meta, check) in RULES {
        if checker.enabled(meta) {
            check(spec, checker);
        }
    }
    let syntax = dockerfile.map(|d| Syntax::new(d, spec));
    if let Some(syntax) = &syntax {
        for (meta, check) in SYNTAX_RULES {
            if checker.enabled(meta) {
                check(syntax, checker);
            }
        }
    }
    let with_scripts: Vec<ScriptRule> =
        SCRIPT_RULES.iter().filter(|(meta, _)| checker.enabled(meta)).map(|(_, check)| *check).collect();
    let per_run: Vec<RunRule> =
        RUN_RULES.iter().filter(|(meta, _)| checker.enabled(meta)).map(|(_, check)| *check).collect();
    let syntax_scripts: Vec<SyntaxScriptRule> = SYNTAX_SCRIPT_RULES
        .iter()
        .filter(|(meta, _)| syntax.is_some() && checker.enabled(meta))
        .map(|(_, check)| *check)
        .collect();
    if with_scripts.is_empty() && per_run.is_empty() && syntax_scripts.is_empty() {
        return;
    }
    // Each `RUN` is parsed once for all of them.
    let scripts = Scripts::new(spec);
    for check in &with_scripts {
        check(spec, &scripts, checker);
    }
    for script in scripts.all() {
        for check in &per_run {
            check(script, checker);
        }
    }
    if let Some(syntax) = &syntax {
        for check in &syntax_scripts {
            check(syntax, &scripts, checker);
        }
    }
}

/// The metadata of every `ImageSpec` rule, in code order.
pub fn image_spec_rules() -> impl Iterator<Item = &'static RuleMeta> {
    RULES
        .iter()
        .map(|(meta, _)| *meta)
        .chain(SCRIPT_RULES.iter().map(|(meta, _)| *meta))
        .chain(RUN_RULES.iter().map(|(meta, _)| *meta))
}

/// Convenience: checks `spec` with every rule enabled and default settings.
pub fn check_image_spec_all(spec: &ImageSpec) -> Vec<Finding> {
    let settings = crate::RuleSettings::default();
    let all = |_: &RuleMeta| true;
    let mut checker = Checker::new(&settings, &all);
    check_image_spec(spec, &mut checker);
    checker.into_findings()
}
