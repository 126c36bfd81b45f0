//! Version syntax of each ecosystem, one operand at a time.

use shipshape_shell::{
    PackageSource, apk_package, apt_package, conda_package, go_package, npm_package, parse_script,
    pip_requirement, rpm_package, zypper_package,
};

/// The word of `echo OPERAND` (quote removal applied).
fn word(operand: &str) -> shipshape_shell::Word {
    let script = parse_script(&format!("echo {operand}"));
    script.commands[0].args[0].clone()
}

fn parts(p: &shipshape_shell::Package<'_>) -> (String, Option<String>, Option<String>, bool) {
    (p.name.clone(), p.operator.clone(), p.version.clone(), p.is_exact_pin())
}

fn t(
    name: &str,
    op: Option<&str>,
    version: Option<&str>,
    exact: bool,
) -> (String, Option<String>, Option<String>, bool) {
    (name.to_string(), op.map(str::to_string), version.map(str::to_string), exact)
}

#[test]
fn apt() {
    assert_eq!(parts(&apt_package(&word("curl=7.88.1-10"))), t("curl", Some("="), Some("7.88.1-10"), true));
    assert_eq!(
        parts(&apt_package(&word("libc6:amd64=2.36-9"))),
        t("libc6:amd64", Some("="), Some("2.36-9"), true)
    );
    assert_eq!(parts(&apt_package(&word("nginx/bookworm-backports"))), t("nginx", None, None, false));
    assert_eq!(parts(&apt_package(&word("'python3=3.11*'"))), t("python3", Some("="), Some("3.11*"), false));
    assert_eq!(apt_package(&word("./local.deb")).source, PackageSource::File);
    let w = word("curl=${CURL_VERSION}");
    let p = apt_package(&w);
    assert_eq!((p.name.as_str(), p.version.as_deref()), ("curl", Some("${CURL_VERSION}")));
    assert!(w.has_expansion);
}

#[test]
fn apk() {
    assert_eq!(parts(&apk_package(&word("curl=8.5.0-r0"))), t("curl", Some("="), Some("8.5.0-r0"), true));
    assert_eq!(parts(&apk_package(&word("curl~8.5"))), t("curl", Some("~"), Some("8.5"), false));
    assert_eq!(parts(&apk_package(&word("'curl>=8'"))), t("curl", Some(">="), Some("8"), false));
    assert_eq!(
        parts(&apk_package(&word("py3-pip@edge=23.1-r0"))),
        t("py3-pip", Some("="), Some("23.1-r0"), true)
    );
    assert_eq!(parts(&apk_package(&word("bash"))), t("bash", None, None, false));
}

#[test]
fn pip() {
    assert_eq!(
        parts(&pip_requirement(&word("Django==4.2.11"))),
        t("Django", Some("=="), Some("4.2.11"), true)
    );
    assert_eq!(parts(&pip_requirement(&word("pkg===1.0"))), t("pkg", Some("==="), Some("1.0"), true));
    assert_eq!(parts(&pip_requirement(&word("'numpy~=1.26'"))), t("numpy", Some("~="), Some("1.26"), false));
    assert_eq!(
        parts(&pip_requirement(&word("'celery[redis]==5.3.6 ; python_version>\"3.8\"'"))),
        t("celery", Some("=="), Some("5.3.6"), true)
    );
    assert_eq!(pip_requirement(&word("git+https://github.com/x/y.git@v1")).source, PackageSource::Url);
    assert_eq!(pip_requirement(&word(".")).source, PackageSource::File);
    let w = word("'pkg @ https://x/pkg-1.0.tar.gz'");
    let at = pip_requirement(&w);
    assert_eq!((at.name.as_str(), at.source), ("pkg", PackageSource::Url));
}

#[test]
fn npm() {
    assert_eq!(parts(&npm_package(&word("lodash@4.17.21"))), t("lodash", Some("@"), Some("4.17.21"), true));
    assert_eq!(
        parts(&npm_package(&word("@angular/cli@17.3.0"))),
        t("@angular/cli", Some("@"), Some("17.3.0"), true)
    );
    assert_eq!(parts(&npm_package(&word("@angular/cli"))), t("@angular/cli", None, None, false));
    assert_eq!(parts(&npm_package(&word("react@latest"))), t("react", Some("@"), Some("latest"), false));
    assert_eq!(
        parts(&npm_package(&word("'react@>=18 <19'"))),
        t("react", Some("@"), Some(">=18 <19"), false)
    );
    assert_eq!(npm_package(&word("user/repo")).source, PackageSource::Url);
    assert_eq!(npm_package(&word("./pkg.tgz")).source, PackageSource::File);
}

#[test]
fn go_rpm_zypper_conda() {
    assert_eq!(
        parts(&go_package(&word("github.com/a/b/cmd/x@v1.2.3"))),
        t("github.com/a/b/cmd/x", Some("@"), Some("v1.2.3"), true)
    );
    assert_eq!(
        parts(&go_package(&word("github.com/a/b@main"))),
        t("github.com/a/b", Some("@"), Some("main"), false)
    );
    assert_eq!(parts(&rpm_package(&word("nginx-1.24.0"))), t("nginx", Some("-"), Some("1.24.0"), true));
    assert_eq!(parts(&rpm_package(&word("python3-devel"))), t("python3-devel", None, None, false));
    assert_eq!(parts(&rpm_package(&word("'kernel >= 5'"))), t("kernel", Some(">="), Some("5"), false));
    assert_eq!(parts(&zypper_package(&word("'curl>=8'"))), t("curl", Some(">="), Some("8"), false));
    assert_eq!(
        parts(&conda_package(&word("conda-forge::numpy==1.26.4"))),
        t("numpy", Some("=="), Some("1.26.4"), true)
    );
}
