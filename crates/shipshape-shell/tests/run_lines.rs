//! Realistic `RUN` lines, parsed from Dockerfiles as rules see them: commands, operands,
//! options, context and exact spans (line/column in the file).

mod common;

use common::{at, run, runs, texts};
use shipshape_shell::{
    Connector, Ecosystem, Interpreter, PackageSource, RedirectOp, Script, SimpleCommand, parse_script,
};

fn names(script: &Script) -> Vec<String> {
    script.commands.iter().map(|c| c.command_name().unwrap_or("?").to_string()).collect()
}

fn only<'s>(script: &'s Script, name: &'s str) -> &'s SimpleCommand {
    let found: Vec<_> = script.find(name).collect();
    assert_eq!(found.len(), 1, "one {name} in {:?}", names(script));
    found[0]
}

#[test]
fn apt_get_multiline_with_comment_lines_and_pins() {
    let df = concat!(
        "FROM debian:12\n",
        "RUN apt-get update \\\n",
        "    # pinned for CVE-2023-38545\n",
        "    && apt-get install -qy --no-install-recommends \\\n",
        "        curl=7.88.1-10+deb12u5 \\\n",
        "\n",
        "        ca-certificates \\\n",
        "    && rm -rf /var/lib/apt/lists/*\n",
    );
    let s = run(df);
    assert!(s.is_clean(), "{:?}", s.errors);
    assert_eq!(names(&s), ["apt-get", "apt-get", "rm"]);
    let update = &s.commands[0];
    assert_eq!(update.subcommand(), Some("update"));
    assert_eq!(at(df, update.span), (2, 5, "apt-get update"));

    let install = &s.commands[1];
    assert_eq!(install.subcommand(), Some("install"));
    assert!(install.has_option(&["-y", "--yes", "--assume-yes"]));
    assert!(install.has_option(&["-q"]));
    assert!(install.has_option(&["--no-install-recommends"]));
    assert!(!install.has_option(&["--allow-unauthenticated"]));
    assert_eq!(texts(&install.operands()), ["curl=7.88.1-10+deb12u5", "ca-certificates"]);
    let packages = install.packages();
    assert_eq!(packages.len(), 2);
    assert_eq!(packages[0].name, "curl");
    assert_eq!(packages[0].operator.as_deref(), Some("="));
    assert_eq!(packages[0].version.as_deref(), Some("7.88.1-10+deb12u5"));
    assert!(packages[0].is_exact_pin());
    assert_eq!(packages[1].version, None);
    assert!(!packages[1].is_exact_pin());
    assert_eq!(at(df, packages[0].word.span), (5, 9, "curl=7.88.1-10+deb12u5"));
    assert_eq!(at(df, packages[1].word.span), (7, 9, "ca-certificates"));
    // The `y` of `-qy`, one character of its word.
    let y = install.options().into_iter().find(|o| o.name == "-y").expect("-y");
    assert_eq!(at(df, y.span), (4, 26, "y"));
    // The command spans its continuation lines in the file.
    assert_eq!(at(df, install.span).0, 4);
    assert!(install.span.slice(df).ends_with("ca-certificates"));
    assert_eq!(install.context.after, Some(Connector::And));
    assert_eq!(install.context.before, Some(Connector::And));

    let rm = &s.commands[2];
    assert!(rm.has_option(&["-r"]) && rm.has_option(&["-f"]));
    let target = rm.operands()[0];
    assert_eq!(target.as_str(), Some("/var/lib/apt/lists/*"));
    assert!(target.glob);
    assert_eq!(at(df, target.span), (8, 15, "/var/lib/apt/lists/*"));
}

#[test]
fn apt_get_global_options_before_the_subcommand() {
    let s = parse_script(
        "apt-get -o Dpkg::Options::=--force-confold -o APT::Get::Assume-Yes=true --allow-unauthenticated install -y pkg/bookworm-backports",
    );
    let apt = only(&s, "apt-get");
    assert_eq!(apt.subcommand(), Some("install"));
    assert_eq!(apt.option_value(&["-o"]).as_deref(), Some("APT::Get::Assume-Yes=true"));
    assert!(apt.has_option(&["--allow-unauthenticated"]));
    let p = apt.packages();
    assert_eq!((p[0].name.as_str(), p[0].version.as_deref()), ("pkg", None));
}

#[test]
fn apt_get_upgrade_and_clean_commands() {
    let s = parse_script("apt-get update && apt-get -y dist-upgrade && apt-get upgrade && apt-get clean");
    let subs: Vec<_> = s.commands.iter().map(|c| c.subcommand().unwrap_or("")).collect();
    assert_eq!(subs, ["update", "dist-upgrade", "upgrade", "clean"]);
    assert!(s.commands[1].is_subcommand("apt-get", &["upgrade", "dist-upgrade"]));
    assert!(s.commands[1].packages().is_empty());
}

#[test]
fn apk_add_with_pins_and_virtual() {
    let df = "FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps gcc=13.2.1_git20240309-r0 musl-dev~1.2 \\\n  && apk del .build-deps\n";
    let s = run(df);
    let add = &s.commands[0];
    assert!(add.is("apk"));
    assert_eq!(add.subcommand(), Some("add"));
    assert!(add.has_option(&["--no-cache"]));
    assert_eq!(add.option_value(&["-t", "--virtual"]).as_deref(), Some(".build-deps"));
    let p = add.packages();
    let got: Vec<_> =
        p.iter().map(|p| (p.name.as_str(), p.operator.as_deref(), p.version.as_deref())).collect();
    assert_eq!(
        got,
        [("gcc", Some("="), Some("13.2.1_git20240309-r0")), ("musl-dev", Some("~"), Some("1.2"))]
    );
    assert!(p[0].is_exact_pin() && !p[1].is_exact_pin());
    assert_eq!(p[0].ecosystem, Ecosystem::Apk);
    assert_eq!(at(df, p[1].word.span), (2, 72, "musl-dev~1.2"));
    assert_eq!(s.commands[1].subcommand(), Some("del"));
}

#[test]
fn pip_install_requirements_pins_and_trusted_host() {
    let df = "FROM python:3.12\nRUN pip install --no-cache-dir --trusted-host pypi.org -r requirements.txt \\\n    flask==3.0.0 'requests>=2.31,<3' \"uvicorn[standard]\" ./wheels/app-1.0-py3-none-any.whl\n";
    let s = run(df);
    let pip = only(&s, "pip");
    assert_eq!(pip.subcommand(), Some("install"));
    assert_eq!(pip.option_value(&["--trusted-host"]).as_deref(), Some("pypi.org"));
    assert_eq!(pip.option_value(&["-r", "--requirement"]).as_deref(), Some("requirements.txt"));
    let p = pip.packages();
    let got: Vec<_> =
        p.iter().map(|p| (p.name.as_str(), p.operator.as_deref(), p.version.as_deref())).collect();
    assert_eq!(
        got,
        [
            ("flask", Some("=="), Some("3.0.0")),
            ("requests", Some(">="), Some("2.31")),
            ("uvicorn", None, None),
            ("./wheels/app-1.0-py3-none-any.whl", None, None),
        ]
    );
    assert!(p[0].is_exact_pin() && !p[1].is_exact_pin());
    assert_eq!(p[3].source, PackageSource::File);
    // Quotes removed, span on the quoted word in the file.
    assert_eq!(at(df, p[1].word.span), (3, 18, "'requests>=2.31,<3'"));
    assert_eq!(at(df, p[1].word.span_of(0..8)), (3, 19, "requests"));
}

#[test]
fn python_dash_m_pip_is_pip() {
    let s = parse_script("python3 -m pip install --upgrade pip setuptools && python -c 'import x'");
    let pip = only(&s, "pip");
    assert_eq!(pip.wrappers.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["python3"]);
    assert!(pip.has_option(&["--upgrade", "-U"]));
    assert_eq!(texts(&pip.operands()), ["pip", "setuptools"]);
    assert!(s.commands[1].is("python") && !s.commands[1].is("pip"));
}

#[test]
fn npm_install_config_and_registry() {
    let s = parse_script(
        "npm install -g typescript@5.4.5 @types/node@^20 express --registry http://registry.local && npm config set strict-ssl false && npm ci --omit=dev",
    );
    let install = &s.commands[0];
    assert_eq!(install.subcommand(), Some("install"));
    assert!(install.has_option(&["-g", "--global"]));
    assert_eq!(install.option_value(&["--registry"]).as_deref(), Some("http://registry.local"));
    let p = install.packages();
    let got: Vec<_> = p.iter().map(|p| (p.name.as_str(), p.version.as_deref(), p.is_exact_pin())).collect();
    assert_eq!(
        got,
        [("typescript", Some("5.4.5"), true), ("@types/node", Some("^20"), false), ("express", None, false)]
    );
    let config = &s.commands[1];
    assert_eq!(config.subcommand(), Some("config"));
    assert_eq!(texts(&config.operands()), ["set", "strict-ssl", "false"]);
    assert_eq!(s.commands[2].option_value(&["--omit"]).as_deref(), Some("dev"));
    assert!(s.commands[2].packages().is_empty());
}

#[test]
fn curl_piped_to_shell_with_pipefail_from_shell_instruction() {
    let df = "FROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://get.example.com/install.sh | sh -s -- --yes\nFROM debian\nRUN wget -qO- https://x.example | bash\n";
    let all = runs(df);
    assert_eq!(all.len(), 2);
    let s = &all[0];
    assert_eq!(s.interpreter, Some(Interpreter::Shell("bash".into())));
    let curl = only(s, "curl");
    let pipe = curl.context.pipe.expect("in a pipeline");
    assert_eq!((pipe.stage, pipe.stages), (0, 2));
    assert!(curl.context.pipefail);
    assert!(s.pipelines[pipe.pipeline].pipefail);
    let sh: Vec<_> = s.stage_commands(pipe.pipeline, 1).collect();
    assert_eq!(sh.len(), 1);
    assert!(sh[0].is("sh"));
    assert_eq!(at(df, sh[0].span), (3, 53, "sh -s -- --yes"));
    assert_eq!(at(df, s.pipelines[pipe.pipeline].stages[1]), (3, 53, "sh -s -- --yes"));
    // The second stage resets SHELL: no pipefail there.
    let wget = only(&all[1], "wget");
    assert!(!wget.context.pipefail);
    assert_eq!(wget.option_value(&["-O", "--output-document"]).as_deref(), Some("-"));
    assert!(wget.has_option(&["-q"]));
    assert_eq!(texts(&wget.operands()), ["https://x.example"]);
}

#[test]
fn set_pipefail_is_followed_in_order_and_scoped_to_subshells() {
    let s = parse_script(
        "a | b; set -euxo pipefail; c | d; (set +o pipefail; e | f); g | h; set +o pipefail; i | j",
    );
    let pf: Vec<_> = ["a", "c", "e", "g", "i"].iter().map(|n| only(&s, n).context.pipefail).collect();
    assert_eq!(pf, [false, true, false, true, false]);
    assert!(only(&s, "c").context.errexit && !only(&s, "a").context.errexit);
}

#[test]
fn insecure_tls_options() {
    let df = "FROM alpine\nRUN curl -sSkL -o /tmp/x https://x && curl --insecure https://y \\\n && wget --no-check-certificate https://z -O /z\n";
    let s = run(df);
    let curls: Vec<_> = s.find("curl").collect();
    assert!(curls[0].has_option(&["-k", "--insecure"]));
    assert!(curls[1].has_option(&["-k", "--insecure"]));
    assert_eq!(curls[0].option_value(&["-o"]).as_deref(), Some("/tmp/x"));
    assert_eq!(texts(&curls[0].operands()), ["https://x"]);
    let k = curls[0].options().into_iter().find(|o| o.name == "-k").expect("-k");
    assert_eq!(at(df, k.span), (2, 13, "k"));
    let wget = only(&s, "wget");
    assert!(wget.has_option(&["--no-check-certificate"]));
    assert_eq!(at(df, wget.span), (3, 5, "wget --no-check-certificate https://z -O /z"));
    // `-o /tmp/x`: the value is not a flag.
    assert!(!curls[0].has_option(&["-t"]));
}

#[test]
fn curl_option_values_are_not_options_or_operands() {
    let s = parse_script("curl -H 'X-Insecure: -k' -d @body.json -u user:pass https://api");
    let curl = only(&s, "curl");
    assert!(!curl.has_option(&["-k"]));
    assert_eq!(texts(&curl.operands()), ["https://api"]);
    assert_eq!(curl.option_value(&["-u", "--user"]).as_deref(), Some("user:pass"));
}

#[test]
fn package_signature_checks_disabled() {
    let s = parse_script(
        "apt-get install -y --allow-unauthenticated x && yum install -y --nogpgcheck y && rpm -ivh --nosignature /tmp/z.rpm && dnf --setopt=gpgcheck=0 install w",
    );
    assert!(only(&s, "apt-get").has_option(&["--allow-unauthenticated"]));
    let yum = only(&s, "yum");
    assert!(yum.has_option(&["--nogpgcheck"]));
    assert_eq!(yum.packages()[0].name, "y");
    let rpm = only(&s, "rpm");
    assert!(rpm.has_option(&["--nosignature"]) && rpm.has_option(&["-i"]));
    assert_eq!(texts(&rpm.operands()), ["/tmp/z.rpm"]);
    assert_eq!(only(&s, "dnf").option_value(&["--setopt"]).as_deref(), Some("gpgcheck=0"));
    assert_eq!(only(&s, "dnf").subcommand(), Some("install"));
}

#[test]
fn yum_and_zypper_versions() {
    let s = parse_script(
        "yum install -y httpd-2.4.57-5.el9 python3-pip && yum clean all && zypper -n in curl=8.0.1 wget",
    );
    let p = s.commands[0].packages();
    let got: Vec<_> = p.iter().map(|p| (p.name.as_str(), p.version.as_deref())).collect();
    assert_eq!(got, [("httpd", Some("2.4.57-5.el9")), ("python3-pip", None)]);
    assert_eq!(s.commands[1].subcommand(), Some("clean"));
    assert_eq!(texts(&s.commands[1].operands()), ["all"]);
    let z = only(&s, "zypper");
    assert_eq!(z.subcommand(), Some("in"));
    assert!(z.has_option(&["-n", "--non-interactive"]));
    let got: Vec<_> = z.packages().iter().map(|p| (p.name.clone(), p.version.clone())).collect();
    assert_eq!(got, [("curl".into(), Some("8.0.1".into())), ("wget".into(), None)]);
}

#[test]
fn git_and_npm_tls_verification_off() {
    let s =
        parse_script("git config --global http.sslVerify false && git -C /src config http.sslverify false");
    let gits: Vec<_> = s.find("git").collect();
    assert_eq!(gits[0].subcommand(), Some("config"));
    assert_eq!(texts(&gits[0].operands()), ["http.sslVerify", "false"]);
    assert!(gits[0].has_option(&["--global"]));
    assert_eq!(gits[1].subcommand(), Some("config"));
    assert_eq!(gits[1].option_value(&["-C"]).as_deref(), Some("/src"));
}

#[test]
fn useradd_with_high_uid_and_no_l() {
    let s = parse_script(
        "groupadd -g 10001 app && useradd -r -u 100001 -g app -s /sbin/nologin app && useradd -l -u 200000 b",
    );
    let users: Vec<_> = s.find("useradd").collect();
    assert!(!users[0].has_option(&["-l", "--no-log-init"]));
    assert_eq!(users[0].option_value(&["-u", "--uid"]).as_deref(), Some("100001"));
    assert_eq!(texts(&users[0].operands()), ["app"]);
    assert!(users[1].has_option(&["-l", "--no-log-init"]));
    assert_eq!(only(&s, "groupadd").option_value(&["-g"]).as_deref(), Some("10001"));
}

#[test]
fn chmod_modes_are_operands() {
    let s = parse_script(
        "chmod 777 /app && chmod -R 0777 /data && chmod -x /bin/tool && chmod --reference=/a /b",
    );
    let c: Vec<_> = s.find("chmod").collect();
    assert_eq!(texts(&c[0].operands()), ["777", "/app"]);
    assert!(c[1].has_option(&["-R", "--recursive"]));
    assert_eq!(texts(&c[1].operands()), ["0777", "/data"]);
    assert_eq!(texts(&c[2].operands()), ["-x", "/bin/tool"]);
    assert_eq!(c[3].option_value(&["--reference"]).as_deref(), Some("/a"));
}

#[test]
fn cd_in_and_out_of_subshells() {
    let s = parse_script("cd /app && make && (cd /tmp && ls) && echo $(cd /x; pwd)");
    let cds: Vec<_> = s.find("cd").collect();
    assert_eq!(cds.len(), 3);
    assert_eq!(cds[0].context.subshell, 0);
    assert_eq!(cds[1].context.subshell, 1);
    assert_eq!((cds[2].context.subshell, cds[2].context.substitution), (1, 1));
    assert_eq!(s.compounds.len(), 1);
}

#[test]
fn wrappers_are_unwrapped() {
    let s = parse_script(
        "sudo -u app -E apt-get install -y x; env DEBIAN_FRONTEND=noninteractive apt-get install -y y; \
         timeout -s KILL 300 pip install z; nice -n 10 /usr/bin/npm ci; command -v curl; exec \"$@\"; \
         xargs -r -n1 apt-get install -y < list; gosu app:app npm start; busybox wget https://w",
    );
    let w = |i: usize| s.commands[i].wrappers.iter().map(|w| w.name.clone()).collect::<Vec<_>>();
    assert!(s.commands[0].is("apt-get") && s.commands[0].wrapped_by("sudo"));
    assert_eq!(w(0), ["sudo"]);
    assert!(s.commands[1].is("apt-get") && s.commands[1].wrapped_by("env"));
    assert_eq!(s.commands[1].environment(), [("DEBIAN_FRONTEND".to_string(), "noninteractive".to_string())]);
    assert!(s.commands[2].is("pip"));
    assert_eq!(s.commands[2].subcommand(), Some("install"));
    assert!(s.commands[3].is("npm"));
    assert_eq!(s.commands[3].command_name(), Some("npm"));
    assert!(s.commands[4].is("command"), "command -v is a query, not a wrapper");
    assert_eq!(s.commands[5].command_name(), None, "exec \"$@\" runs an unknown command");
    assert!(s.commands[5].wrapped_by("exec"));
    assert!(s.commands[6].is("apt-get") && s.commands[6].wrapped_by("xargs"));
    assert!(s.commands[7].is("npm"));
    assert!(s.commands[8].is("wget"));
    assert_eq!(s.commands[0].name.as_str(), Some("sudo"));
}

#[test]
fn nested_shell_strings_map_to_the_file() {
    let df = "FROM x\nRUN sh -c 'apt-get update && apt-get install -y curl' \\\n && bash -ec \"echo \\\"hi\\\" && pip install flask==3.0\"\n";
    let s = run(df);
    assert_eq!(names(&s), ["sh", "apt-get", "apt-get", "bash", "echo", "pip"]);
    let install = &s.commands[2];
    assert_eq!(install.context.nested, 1);
    assert_eq!(at(df, install.span), (2, 30, "apt-get install -y curl"));
    assert_eq!(at(df, install.operands()[0].span), (2, 49, "curl"));
    let echo = &s.commands[4];
    assert_eq!(echo.args[0].as_str(), Some("hi"));
    assert_eq!(at(df, echo.args[0].span), (3, 20, "\\\"hi\\\""));
    let pip = &s.commands[5];
    assert!(pip.context.errexit, "bash -e");
    assert_eq!(at(df, pip.packages()[0].word.span), (3, 42, "flask==3.0"));
    assert_eq!(pip.context.nested, 1);
}

#[test]
fn su_eval_and_here_strings() {
    let s = parse_script("su app -c 'npm install' && eval \"apk add curl\" && bash <<< 'pip install x'");
    assert_eq!(names(&s), ["su", "npm", "eval", "apk", "bash", "pip"]);
    let at_src = |c: &SimpleCommand| {
        c.span
            .slice("su app -c 'npm install' && eval \"apk add curl\" && bash <<< 'pip install x'")
            .to_string()
    };
    assert_eq!(at_src(&s.commands[1]), "npm install");
    assert_eq!(at_src(&s.commands[3]), "apk add curl");
    assert_eq!(at_src(&s.commands[5]), "pip install x");
    assert!(s.commands.iter().skip(1).step_by(2).all(|c| c.context.nested == 1));
}

#[test]
fn backtick_continuations_with_escape_directive() {
    let df = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN echo C:\\path `\n    && dir c:\\ `\n    # comment\n    && apt-get install -y x\n";
    let s = run(df);
    assert_eq!(names(&s), ["echo", "dir", "apt-get"]);
    // Backslashes are plain characters for the Dockerfile: the shell sees `\p` and drops it.
    assert_eq!(s.commands[0].args[0].as_str(), Some("C:path"));
    assert_eq!(at(df, s.commands[2].span), (6, 8, "apt-get install -y x"));
    assert_eq!(at(df, s.commands[1].span).0, 4);
}

#[test]
fn run_heredocs_shell_python_and_data() {
    let df = "FROM debian\n\
RUN <<EOF\n\
apt-get update\n\
apt-get install -y curl\n\
EOF\n\
RUN <<EOF\n\
#!/usr/bin/env python3\n\
print('hi')\n\
EOF\n\
RUN python3 <<EOF\n\
import os\n\
EOF\n\
RUN cat <<EOF > /etc/app.conf && bash <<'SCRIPT'\n\
key=value\n\
EOF\n\
pip install --no-cache-dir x\n\
SCRIPT\n";
    let all = runs(df);
    assert_eq!(all.len(), 4);

    let shell = &all[0];
    assert_eq!(shell.heredocs.len(), 1);
    assert!(shell.heredocs[0].parsed && shell.heredocs[0].executed);
    assert_eq!(shell.heredocs[0].interpreter, Interpreter::Shell("sh".into()));
    assert_eq!(names(shell), ["apt-get", "apt-get"]);
    assert_eq!(at(df, shell.commands[1].span), (4, 1, "apt-get install -y curl"));
    assert_eq!(shell.commands[1].context.nested, 0);

    let py = &all[1];
    assert_eq!(py.heredocs[0].interpreter, Interpreter::Other("python".into()));
    assert!(py.heredocs[0].executed && !py.heredocs[0].parsed);
    assert!(py.commands.is_empty());

    let py2 = &all[2];
    assert_eq!(py2.heredocs[0].interpreter, Interpreter::Other("python".into()));
    assert!(py2.heredocs[0].executed && !py2.heredocs[0].parsed);
    assert_eq!(names(py2), ["python3"]);

    let mixed = &all[3];
    assert_eq!(mixed.heredocs.len(), 2);
    assert!(!mixed.heredocs[0].executed, "cat's heredoc is data");
    assert!(mixed.heredocs[1].parsed, "bash's heredoc is a script");
    assert_eq!(names(mixed), ["cat", "bash", "pip"]);
    let cat = &mixed.commands[0];
    let body = cat.redirects.iter().find_map(|r| r.heredoc.as_ref()).expect("body attached");
    assert_eq!(body.text, "key=value\n");
    assert_eq!(at(df, mixed.commands[2].span), (16, 1, "pip install --no-cache-dir x"));
    assert_eq!(mixed.commands[2].context.nested, 1);
}

#[test]
fn heredoc_inside_a_heredoc_script() {
    let df = "FROM debian\nRUN <<EOT\ncat > /x <<'EOF'\nnot a command\nEOF\nchmod 777 /x\nEOT\n";
    let s = run(df);
    assert_eq!(names(&s), ["cat", "chmod"]);
    assert_eq!(s.commands[0].redirects[1].heredoc.as_ref().map(|b| b.text.as_str()), Some("not a command\n"));
    assert_eq!(at(df, s.commands[1].span), (6, 1, "chmod 777 /x"));
}

#[test]
fn non_posix_shell_is_not_parsed() {
    let df = "FROM mcr.microsoft.com/powershell\nSHELL [\"pwsh\", \"-Command\"]\nRUN Invoke-WebRequest -Uri https://x | iex\n";
    let s = run(df);
    assert_eq!(s.interpreter, Some(Interpreter::Other("powershell".into())));
    assert!(s.commands.is_empty());
}

#[test]
fn error_recovery_keeps_the_rest() {
    let s = parse_script(
        "apt-get install -y curl && if then fi; echo ok && ) ; done; pip install x | ; yum install y",
    );
    assert!(!s.errors.is_empty());
    let n = names(&s);
    for expected in ["apt-get", "echo", "pip", "yum"] {
        assert!(n.contains(&expected.to_string()), "{expected} in {n:?}");
    }
    for e in &s.errors {
        assert!(e.span.end as usize <= 90);
    }
}

#[test]
fn unterminated_constructs_report_where_they_open() {
    let text = "echo 'abc && apt-get install x";
    let s = parse_script(text);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].span.slice(text), "'");
    let s = parse_script("if true; then apt-get install -y x");
    assert_eq!(names(&s), ["true", "apt-get"]);
    assert!(s.errors[0].message.contains("fi"));
    let s = parse_script("echo $(apt-get install -y x");
    assert_eq!(names(&s), ["echo", "apt-get"]);
    assert_eq!(s.errors.len(), 1);
}

#[test]
fn compound_commands_and_contexts() {
    let text = "if [ \"$(id -u)\" = 0 ]; then useradd app; fi; for p in a b; do pip install \"$p\"; done; \
                while ! curl -sf http://x; do sleep 1; done; case \"$ARCH\" in amd64|x86_64) A=x64;; arm64) A=arm;; esac; \
                f() { chmod 777 /x; }; [[ $V =~ ^v(1|2)\\. ]] && echo new; (( i += 1 )); ! grep -q x /y & wait";
    let s = parse_script(text);
    assert!(s.is_clean(), "{:?}", s.errors);
    assert!(only(&s, "id").context.condition && only(&s, "id").context.substitution == 1);
    assert!(!only(&s, "useradd").context.condition);
    assert!(only(&s, "pip").context.in_loop);
    let curl = only(&s, "curl");
    assert!(curl.context.condition && curl.context.negated && curl.context.in_loop);
    assert!(only(&s, "chmod").context.in_function);
    let dbl = only(&s, "[[");
    assert_eq!(dbl.args.iter().map(|w| w.value.as_str()).collect::<Vec<_>>(), ["$V", "=~", "^v(1|2).", "]]"]);
    assert_eq!(dbl.args[2].raw, "^v(1|2)\\.");
    assert!(only(&s, "grep").context.background && only(&s, "grep").context.negated);
    let kinds: Vec<_> = s
        .compounds
        .iter()
        .map(|c| format!("{:?}", c.kind).split([' ', '{']).next().unwrap_or("").to_string())
        .collect();
    assert_eq!(kinds, ["If", "For", "While", "Case", "Function", "Group", "Arith"]);
    assert_eq!(s.bare.len(), 2, "A=x64 and A=arm");
    assert_eq!(s.bare[0].assignments[0].name, "A");
    assert_eq!(s.bare[0].assignments[0].value.as_str(), Some("x64"));
    assert!(s.bare[0].context.in_case);
}

#[test]
fn words_quotes_and_expansions() {
    let text = r#"echo 'a b' "c $HOME d" $'tab\there' e\ f ~/x "${A:-$(date)}" 'it''s' "\"q\"" pre$VAR"#;
    let s = parse_script(text);
    let echo = only(&s, "echo");
    let v: Vec<_> = echo.args.iter().map(|w| (w.text.clone(), w.value.clone())).collect();
    assert_eq!(v[0], (Some("a b".into()), "a b".into()));
    assert_eq!(v[1], (None, "c $HOME d".into()));
    assert_eq!(v[2], (Some("tab\there".into()), "tab\there".into()));
    assert_eq!(v[3], (Some("e f".into()), "e f".into()));
    assert_eq!(v[4].0, None, "tilde expands");
    assert_eq!(v[5].0, None);
    assert_eq!(v[6], (Some("its".into()), "its".into()));
    assert_eq!(v[7], (Some("\"q\"".into()), "\"q\"".into()));
    assert_eq!(v[8], (None, "pre$VAR".into()));
    assert!(echo.args[5].has_substitution);
    assert_eq!(only(&s, "date").span.slice(text), "date");
    // span_of accounts for removed escapes: the `t` after `\t`.
    assert_eq!(echo.args[2].span_of(3..4).slice(text), "\\t");
    assert_eq!(echo.args[2].span_of(4..8).slice(text), "here");
}

#[test]
fn assignments_and_redirections() {
    let text = "DEBIAN_FRONTEND=noninteractive A+=1 apt-get install -y x > /dev/null 2>&1 &>>log <in; B=(1 2) C= ; >out";
    let s = parse_script(text);
    let apt = only(&s, "apt-get");
    let a: Vec<_> =
        apt.assignments.iter().map(|a| (a.name.as_str(), a.value.value.as_str(), a.append)).collect();
    assert_eq!(a, [("DEBIAN_FRONTEND", "noninteractive", false), ("A", "1", true)]);
    assert_eq!(apt.assignments[0].value.span.slice(text), "noninteractive");
    let quoted = parse_script("A=\"b c\" cmd");
    let value = &quoted.commands[0].assignments[0].value;
    assert_eq!((value.as_str(), value.raw.as_str()), (Some("b c"), "\"b c\""));
    assert_eq!(value.span.slice("A=\"b c\" cmd"), "\"b c\"");
    let ops: Vec<_> = apt.redirects.iter().map(|r| (r.fd, r.op, r.target.value.as_str())).collect();
    assert_eq!(
        ops,
        [
            (None, RedirectOp::Out, "/dev/null"),
            (Some(2), RedirectOp::DupOut, "1"),
            (None, RedirectOp::AppendOutErr, "log"),
            (None, RedirectOp::In, "in"),
        ]
    );
    assert_eq!(texts(&apt.operands()), ["x"]);
    assert_eq!(s.bare.len(), 2);
    assert_eq!(s.bare[0].assignments.len(), 2);
    assert_eq!(s.bare[0].assignments[0].value.as_str(), None, "array value is not a static string");
    assert_eq!(s.bare[1].redirects[0].target.as_str(), Some("out"));
}

#[test]
fn go_gem_cargo_pins() {
    let s = parse_script(
        "go install golang.org/x/tools/gopls@v0.15.0 && go install example.com/x@latest && gem install rails -v 7.1.3 --no-document && gem install bundler:2.4.22 && cargo install ripgrep@14.1.0 && cargo install --locked --version 0.9 just",
    );
    let pins: Vec<_> = s
        .commands
        .iter()
        .flat_map(|c| c.packages())
        .map(|p| (p.name.clone(), p.version.clone(), p.is_exact_pin()))
        .collect();
    assert_eq!(
        pins,
        [
            ("golang.org/x/tools/gopls".into(), Some("v0.15.0".into()), true),
            ("example.com/x".into(), Some("latest".into()), false),
            ("rails".into(), Some("7.1.3".into()), true),
            ("bundler".into(), Some("2.4.22".into()), true),
            ("ripgrep".into(), Some("14.1.0".into()), true),
            ("just".into(), Some("0.9".into()), true),
        ]
    );
}

#[test]
fn yarn_pnpm_and_conda() {
    let s = parse_script(
        "yarn global add serve@14.2.1 && pnpm add -D vite && conda install -y -c conda-forge numpy=1.26.4",
    );
    let pins: Vec<_> =
        s.commands.iter().flat_map(|c| c.packages()).map(|p| (p.name.clone(), p.version.clone())).collect();
    assert_eq!(
        pins,
        [
            ("serve".into(), Some("14.2.1".into())),
            ("vite".into(), None),
            ("numpy".into(), Some("1.26.4".into())),
        ]
    );
}

#[test]
fn comments_and_hashes_in_words() {
    let s = parse_script("echo a#b # trailing comment && rm -rf /\n# full line\nls");
    assert_eq!(names(&s), ["echo", "ls"]);
    assert_eq!(s.commands[0].args.len(), 1);
    assert_eq!(s.commands[0].args[0].as_str(), Some("a#b"));
}

#[test]
fn or_true_marks_failure_tolerated() {
    let s = parse_script("apt-get install -y x || true; { a; b; } || exit 0; c && d");
    assert_eq!(only(&s, "apt-get").context.before, Some(Connector::Or));
    assert_eq!(only(&s, "a").context.before, Some(Connector::Or));
    assert_eq!(only(&s, "true").context.after, Some(Connector::Or));
    assert_eq!(only(&s, "d").context.after, Some(Connector::And));
    assert_eq!(only(&s, "c").context.before, Some(Connector::And));
}

#[test]
fn typical_node_install_run() {
    let df = concat!(
        "FROM debian:12-slim\n",
        "RUN set -eux; \\\n",
        "    apt-get update; \\\n",
        "    apt-get install -y --no-install-recommends ca-certificates curl gnupg; \\\n",
        "    curl -fsSL https://deb.nodesource.com/setup_20.x | bash -; \\\n",
        "    apt-get install -y nodejs && npm install -g npm@10.5.0; \\\n",
        "    useradd -r -u 10001 -g root app && chown -R app /app; \\\n",
        "    rm -rf /var/lib/apt/lists/*\n",
    );
    let s = run(df);
    assert!(s.is_clean());
    assert_eq!(
        names(&s),
        ["set", "apt-get", "apt-get", "curl", "bash", "apt-get", "npm", "useradd", "chown", "rm"]
    );
    assert!(s.commands.iter().skip(1).all(|c| c.context.errexit), "set -e holds after `set -eux`");
    assert!(!s.commands[3].context.pipefail, "no pipefail: `set -eux` has no `-o pipefail`");
    let bash = &s.commands[4];
    assert_eq!(bash.context.pipe.map(|p| (p.stage, p.stages)), Some((1, 2)));
    assert_eq!(at(df, bash.span), (5, 56, "bash -"));
    let npm = &s.commands[6];
    assert_eq!(npm.packages()[0].version.as_deref(), Some("10.5.0"));
    assert_eq!(at(df, npm.packages()[0].word.span), (6, 49, "npm@10.5.0"));
    let useradd = &s.commands[7];
    assert_eq!(useradd.option_value(&["-u"]).as_deref(), Some("10001"));
    assert_eq!(at(df, useradd.span), (7, 5, "useradd -r -u 10001 -g root app"));
}

#[test]
fn shell_strings_with_variables_are_parsed_but_substitutions_are_not_reparsed() {
    let s = parse_script("sh -c \"apt-get install -y $PKG\" && sh -c \"$(curl -fsSL https://x)\"");
    assert_eq!(names(&s), ["sh", "apt-get", "sh", "curl"]);
    let apt = &s.commands[1];
    assert_eq!(apt.context.nested, 1);
    assert_eq!(apt.operands()[0].as_str(), None, "$PKG is unknown");
    let curl = &s.commands[3];
    assert_eq!((curl.context.nested, curl.context.substitution), (0, 1), "curl runs in the outer shell");
}

#[test]
fn set_o_pipefail_with_and_and_negated_pipelines() {
    let s = parse_script("set -o pipefail && wget -O- https://x | tar xz && ! curl x | grep -q y");
    let wget = only(&s, "wget");
    assert!(wget.context.pipefail);
    let grep = only(&s, "grep");
    let p = &s.pipelines[grep.pipeline];
    assert!(p.negated && p.pipefail);
    assert_eq!(p.preceded_by, Some(Connector::And));
}
