//! The built-in rules, declared as data.
//!
//! Formats come from the vendors' public documentation of their token formats (prefixes,
//! lengths, alphabets). Where a format has no distinctive prefix the rule requires a context
//! keyword on the same line (an assignment to a variable naming the vendor) or nearby.

use crate::rule::RuleKind::{Family, Generic};
use crate::rule::Scope::Around;
use crate::rule::Severity::{Critical, High, Low, Medium};
use crate::rule::{BASE, Extract, SecretRule};
use crate::validators as v;

/// End of a token made of `A-Za-z0-9_-`: a byte outside that set, or the end of the line.
macro_rules! end {
    () => {
        r"(?:[^A-Za-z0-9_\-]|(?m:$))"
    };
}

/// `<vendor name …> = <value>` on one line: a case-insensitive name, up to 30 more name
/// characters, an assignment operator (`=`, `:=`, `:`, `=>`, or `,` as in `setenv("X", "v")`),
/// optional quotes, then the value (the secret, group 1).
macro_rules! assign {
    ($name:literal, $value:literal) => {
        concat!(
            r"(?i:",
            $name,
            r")[A-Za-z0-9_.\-]{0,30}[\x22'`]?[ \t]*(?:=|:=|:|=>|,)[ \t]*[\x22'`]?(",
            $value,
            r")(?:[^A-Za-z0-9_\-]|(?m:$))"
        )
    };
}

/// A generic assignment: group 1 is the variable name, groups 2–5 the value (double-, single-,
/// back-quoted or bare).
macro_rules! generic_assign {
    ($names:literal) => {
        concat!(
            r"(?P<name>(?i:[A-Za-z0-9_.\-]*(?:",
            $names,
            r#")[A-Za-z0-9_.\-]*))[\x22'`]?[ \t]*(?:=|:=|:|=>|\?=|\|\|=)[ \t]*(?:\x22([^\x22\r\n]*)\x22|'([^'\r\n]*)'|`([^`\r\n]*)`|([^\s\x22'`,;&<>:=][^\s\x22'`,;&<>]*))"#
        )
    };
}

/// Every built-in rule.
pub static BUILTIN_RULES: &[SecretRule] = &[
    // ------------------------------------------------------------------ AWS
    SecretRule {
        id: "aws-access-key-id",
        title: "AWS access key ID",
        severity: High,
        keywords: &["akia", "asia", "abia", "acca", "a3t"],
        regex: r"\b((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16})\b",
        binary: true,
        must_match: &[
            "aws_access_key_id = «AKIA{B:16}»",
            r#""AccessKeyId": "«ASIA{B:16}»","#,
            "export AWS_ACCESS_KEY_ID=«AKIA{U:16}»",
        ],
        must_not_match: &["AKIA{B:12}", "AKIA{B:20}", "xAKIA{B:16}", "AKIA{l:16}"],
        ..BASE
    },
    SecretRule {
        id: "aws-secret-access-key",
        title: "AWS secret access key",
        severity: Critical,
        keywords: &["aws", "secretaccesskey", "secret_access_key"],
        regex: r"(?:(?m:^)|[^A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|(?m:$))",
        scope: Around { before: 320, after: 320 },
        min_entropy: Some(4.2),
        validator: Some(v::mixed_case),
        must_match: &[
            "[default]\naws_access_key_id = AKIA{B:16}\naws_secret_access_key = «{b:40}»\n",
            "AWS_SECRET_ACCESS_KEY=«{b:40}»",
            r#"{"Credentials": {"AccessKeyId": "ASIA{B:16}", "SecretAccessKey": "«{b:40}»"}}"#,
        ],
        must_not_match: &[
            "aws s3 cp commit {h:40} done",
            "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}",
            "{b:40}",
            "aws_secret_access_key = {b:44}",
        ],
        ..BASE
    },
    SecretRule {
        id: "aws-session-token",
        title: "AWS temporary session token",
        severity: High,
        keywords: &["fwogzxivyxdz", "iqojb3jpz2lux2vj"],
        regex: r"\b((?:FwoGZXIvYXdz|IQoJb3JpZ2luX2Vj)[A-Za-z0-9/+=]{100,})",
        must_match: &["aws_session_token = «IQoJb3JpZ2luX2Vj{b:300}»", "«FwoGZXIvYXdz{b:200}»"],
        must_not_match: &["IQoJb3JpZ2luX2Vj{b:20}"],
        ..BASE
    },
    SecretRule {
        id: "aws-mws-auth-token",
        title: "Amazon MWS auth token",
        severity: High,
        keywords: &["amzn.mws."],
        regex: r"\b(amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
        must_match: &["mws_token: «amzn.mws.{h:8}-{h:4}-{h:4}-{h:4}-{h:12}»"],
        must_not_match: &["amzn.mws.{h:8}"],
        ..BASE
    },
    // ------------------------------------------------------------------ Google Cloud
    SecretRule {
        id: "gcp-service-account-key",
        title: "Google Cloud service account key (JSON)",
        severity: Critical,
        keywords: &["service_account"],
        regex: r#""private_key"\s*:\s*"(-----BEGIN [A-Z ]*PRIVATE KEY-----[A-Za-z0-9+/=\\\s]{64,}?-----END [A-Z ]*PRIVATE KEY-----)(?:\\n)?""#,
        scope: Around { before: 4096, after: 8192 },
        validator: Some(v::key_body),
        must_match: &[
            r#"{"type": "service_account", "project_id": "demo", "private_key_id": "{h:40}", "private_key": "«-----BEGIN PRIVATE KEY-----\nMIIE{b:64}\n{b:64}\n{b:40}==\n-----END PRIVATE KEY-----»\n", "client_email": "ci@demo.iam.gserviceaccount.com"}"#,
        ],
        must_not_match: &[
            r#"{"type": "service_account", "project_id": "demo", "client_email": "ci@demo.iam.gserviceaccount.com"}"#,
            r#"{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nshort\n-----END PRIVATE KEY-----\n"}"#,
        ],
        ..BASE
    },
    SecretRule {
        id: "gcp-api-key",
        title: "Google API key",
        severity: High,
        keywords: &["aiza"],
        regex: concat!(r"\b(AIza[0-9A-Za-z_\-]{35})", end!()),
        binary: true,
        must_match: &[
            "GOOGLE_API_KEY=«AIza{w:35}»",
            "https://maps.googleapis.com/maps/api/js?key=«AIza{w:35}»&x=1",
        ],
        must_not_match: &["AIza{w:20}", "AIza{w:40}"],
        ..BASE
    },
    SecretRule {
        id: "gcp-oauth-client-secret",
        title: "Google OAuth client secret",
        severity: High,
        keywords: &["gocspx-"],
        regex: concat!(r"\b(GOCSPX-[0-9A-Za-z_\-]{28})", end!()),
        must_match: &[r#""client_secret": "«GOCSPX-{w:28}»""#],
        must_not_match: &["GOCSPX-{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "google-oauth-access-token",
        title: "Google OAuth access token",
        severity: Medium,
        keywords: &["ya29."],
        regex: concat!(r"\b(ya29\.[0-9A-Za-z_\-]{30,})", end!()),
        must_match: &["Authorization: Bearer «ya29.{w:120}»"],
        must_not_match: &["ya29.{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "google-oauth-refresh-token",
        title: "Google OAuth refresh token",
        severity: High,
        keywords: &["1//0"],
        regex: concat!(r"(?:(?m:^)|[^A-Za-z0-9/])(1//0[0-9A-Za-z_\-]{40,})", end!()),
        must_match: &[r#""refresh_token": "«1//0{w:100}»""#],
        must_not_match: &["x = 1//0", "1//0{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "firebase-cloud-messaging-server-key",
        title: "Firebase Cloud Messaging legacy server key",
        severity: High,
        keywords: &["apa91b"],
        regex: concat!(r"\b(AAAA[A-Za-z0-9_\-]{7}:APA91b[A-Za-z0-9_\-]{134})", end!()),
        must_match: &["FCM_SERVER_KEY=«AAAA{w:7}:APA91b{w:134}»"],
        must_not_match: &["AAAA{w:7}:APA91b{w:20}"],
        ..BASE
    },
    // ------------------------------------------------------------------ Azure
    SecretRule {
        id: "azure-storage-account-key",
        title: "Azure storage account key",
        severity: Critical,
        keywords: &["accountkey="],
        regex: r"(?i:AccountKey)=([A-Za-z0-9+/]{86}==)",
        must_match: &[
            "DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=«{b:86}==»;EndpointSuffix=core.windows.net",
        ],
        must_not_match: &["AccountKey=<key>", "AccountKey={b:20}=="],
        ..BASE
    },
    SecretRule {
        id: "azure-shared-access-key",
        title: "Azure Service Bus / Event Hubs shared access key",
        severity: High,
        keywords: &["sharedaccesskey="],
        regex: r"(?i:SharedAccessKey)=([A-Za-z0-9+/]{43}=)",
        must_match: &[
            "Endpoint=sb://demo.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=«{b:43}=»",
        ],
        must_not_match: &["SharedAccessKey={b:10}="],
        ..BASE
    },
    SecretRule {
        id: "azure-sas-token",
        title: "Azure shared access signature",
        severity: High,
        keywords: &["sig="],
        regex: r"[?&;]sig=([A-Za-z0-9%+/]{40,}(?:%3[Dd]|=){0,2})",
        validator: Some(v::azure_sas),
        must_match: &[
            "https://demo.blob.core.windows.net/c/b.txt?sp=r&st=2024-01-01T00:00:00Z&se=2024-12-31T00:00:00Z&spr=https&sv=2022-11-02&sr=b&sig=«{A:43}%3D»",
        ],
        must_not_match: &["https://x.test/?sig={A:43}%3D", "?sv=2022-11-02&sig=abc"],
        ..BASE
    },
    SecretRule {
        id: "azure-ad-client-secret",
        title: "Microsoft Entra ID (Azure AD) client secret",
        severity: High,
        keywords: &["q~"],
        regex: r"(?:(?m:^)|[^A-Za-z0-9_~.\-])([A-Za-z0-9_~.\-]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})(?:[^A-Za-z0-9_~.\-]|(?m:$))",
        must_match: &["AZURE_CLIENT_SECRET=«{A:3}7Q~{A:34}»", r#"clientSecret: "«{A:3}8Q~{A:31}»""#],
        must_not_match: &["abc7Q~short", "{A:3}7Q~{A:50}"],
        ..BASE
    },
    // ------------------------------------------------------------------ GitHub
    SecretRule {
        id: "github-pat",
        title: "GitHub personal access token (classic)",
        severity: Critical,
        keywords: &["ghp_"],
        regex: r"\b(ghp_[A-Za-z0-9]{36})\b",
        binary: true,
        must_match: &["GITHUB_TOKEN=«ghp_{A:36}»", "https://«ghp_{A:36}»@github.com/o/r.git"],
        must_not_match: &["ghp_{A:20}", "ghp_{A:40}"],
        ..BASE
    },
    SecretRule {
        id: "github-fine-grained-pat",
        title: "GitHub fine-grained personal access token",
        severity: Critical,
        keywords: &["github_pat_"],
        regex: r"\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b",
        binary: true,
        must_match: &["token: «github_pat_{A:22}_{A:59}»"],
        must_not_match: &["github_pat_{A:22}"],
        ..BASE
    },
    SecretRule {
        id: "github-oauth-token",
        title: "GitHub OAuth access token",
        severity: High,
        keywords: &["gho_"],
        regex: r"\b(gho_[A-Za-z0-9]{36})\b",
        binary: true,
        must_match: &["oauth_token: «gho_{A:36}»"],
        must_not_match: &["gho_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "github-user-to-server-token",
        title: "GitHub App user-to-server token",
        severity: High,
        keywords: &["ghu_"],
        regex: r"\b(ghu_[A-Za-z0-9]{36})\b",
        binary: true,
        must_match: &["«ghu_{A:36}»"],
        must_not_match: &["ghu_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "github-app-token",
        title: "GitHub App installation (server-to-server) token",
        severity: High,
        keywords: &["ghs_"],
        regex: r"\b(ghs_[A-Za-z0-9]{36})\b",
        binary: true,
        must_match: &["https://x-access-token:«ghs_{A:36}»@github.com/o/r"],
        must_not_match: &["ghs_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "github-refresh-token",
        title: "GitHub refresh token",
        severity: High,
        keywords: &["ghr_"],
        regex: r"\b(ghr_[A-Za-z0-9]{36,76})\b",
        binary: true,
        must_match: &["refresh_token=«ghr_{A:76}»"],
        must_not_match: &["ghr_{A:10}"],
        ..BASE
    },
    // ------------------------------------------------------------------ GitLab
    SecretRule {
        id: "gitlab-pat",
        title: "GitLab personal, project or group access token",
        severity: Critical,
        keywords: &["glpat-"],
        regex: concat!(r"\b(glpat-[A-Za-z0-9_\-]{20,}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,10})?)", end!()),
        binary: true,
        must_match: &["GITLAB_TOKEN=«glpat-{w:20}»", "«glpat-{w:27}.01.{a:9}»"],
        must_not_match: &["glpat-{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "gitlab-deploy-token",
        title: "GitLab deploy token",
        severity: High,
        keywords: &["gldt-"],
        regex: concat!(r"\b(gldt-[A-Za-z0-9_\-]{20,})", end!()),
        must_match: &["password: «gldt-{w:20}»"],
        must_not_match: &["gldt-{w:5}"],
        ..BASE
    },
    SecretRule {
        id: "gitlab-runner-token",
        title: "GitLab runner authentication token",
        severity: High,
        keywords: &["glrt-"],
        regex: concat!(r"\b(glrt-[A-Za-z0-9_\-]{20,}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,10})?)", end!()),
        must_match: &["token = \"«glrt-{w:20}»\""],
        must_not_match: &["glrt-{w:5}"],
        ..BASE
    },
    SecretRule {
        id: "gitlab-runner-registration-token",
        title: "GitLab runner registration token",
        severity: Medium,
        keywords: &["gr1348941"],
        regex: concat!(r"\b(GR1348941[A-Za-z0-9_\-]{20})", end!()),
        must_match: &["--registration-token «GR1348941{w:20}»"],
        must_not_match: &["GR1348941{w:5}"],
        ..BASE
    },
    SecretRule {
        id: "gitlab-pipeline-trigger-token",
        title: "GitLab pipeline trigger token",
        severity: Medium,
        keywords: &["glptt-"],
        regex: r"\b(glptt-[0-9a-f]{40})\b",
        must_match: &["-F token=«glptt-{h:40}»"],
        must_not_match: &["glptt-{h:20}"],
        ..BASE
    },
    SecretRule {
        id: "gitlab-oauth-app-secret",
        title: "GitLab OAuth application secret",
        severity: High,
        keywords: &["gloas-"],
        regex: r"\b(gloas-[0-9a-f]{64})\b",
        must_match: &["«gloas-{h:64}»"],
        must_not_match: &["gloas-{h:20}"],
        ..BASE
    },
    SecretRule {
        id: "gitlab-feed-token",
        title: "GitLab feed token",
        severity: Medium,
        keywords: &["glft-"],
        regex: concat!(r"\b(glft-[A-Za-z0-9_\-]{20})", end!()),
        must_match: &["feed_token=«glft-{w:20}»"],
        must_not_match: &["glft-{w:5}"],
        ..BASE
    },
    SecretRule {
        id: "gitlab-agent-token",
        title: "GitLab agent for Kubernetes token",
        severity: High,
        keywords: &["glagent-"],
        regex: concat!(r"\b(glagent-[A-Za-z0-9_\-]{50})", end!()),
        must_match: &["«glagent-{w:50}»"],
        must_not_match: &["glagent-{w:20}"],
        ..BASE
    },
    SecretRule {
        id: "gitlab-incoming-mail-token",
        title: "GitLab incoming mail token",
        severity: Medium,
        keywords: &["glimt-"],
        regex: concat!(r"\b(glimt-[A-Za-z0-9_\-]{25})", end!()),
        must_match: &["«glimt-{a:25}»"],
        must_not_match: &["glimt-{a:10}"],
        ..BASE
    },
    SecretRule {
        id: "gitlab-scim-token",
        title: "GitLab SCIM token",
        severity: High,
        keywords: &["glsoat-"],
        regex: concat!(r"\b(glsoat-[A-Za-z0-9_\-]{20})", end!()),
        must_match: &["«glsoat-{w:20}»"],
        must_not_match: &["glsoat-{w:5}"],
        ..BASE
    },
    SecretRule {
        id: "gitlab-feature-flag-client-token",
        title: "GitLab feature flag client token",
        severity: Low,
        keywords: &["glffct-"],
        regex: concat!(r"\b(glffct-[A-Za-z0-9_\-]{20})", end!()),
        must_match: &["«glffct-{w:20}»"],
        must_not_match: &["glffct-{w:5}"],
        ..BASE
    },
    SecretRule {
        id: "gitlab-ci-job-token",
        title: "GitLab CI/CD job token",
        severity: Medium,
        keywords: &["glcbt-"],
        regex: concat!(r"\b(glcbt-[0-9a-fA-F]{1,5}_[A-Za-z0-9_\-]{20})", end!()),
        must_match: &["«glcbt-{h:2}_{w:20}»"],
        must_not_match: &["glcbt-{w:5}"],
        ..BASE
    },
    // ------------------------------------------------------------------ Atlassian / Bitbucket
    SecretRule {
        id: "bitbucket-app-password",
        title: "Bitbucket app password",
        severity: High,
        keywords: &["atbb"],
        regex: concat!(r"\b(ATBB[A-Za-z0-9]{28,60})", end!()),
        must_match: &["BITBUCKET_APP_PASSWORD=«ATBB{A:32}»"],
        must_not_match: &["ATBB{A:8}"],
        ..BASE
    },
    SecretRule {
        id: "bitbucket-access-token",
        title: "Bitbucket repository/workspace access token",
        severity: High,
        keywords: &["atctt3xffgn0"],
        regex: concat!(r"\b(ATCTT3xFfGN0[A-Za-z0-9_=\-]{50,})", end!()),
        must_match: &["«ATCTT3xFfGN0{w:170}»"],
        must_not_match: &["ATCTT3xFfGN0{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "atlassian-api-token",
        title: "Atlassian API token",
        severity: High,
        keywords: &["atatt3xffgf0"],
        regex: concat!(r"\b(ATATT3xFfGF0[A-Za-z0-9_=\-]{50,})", end!()),
        must_match: &["JIRA_API_TOKEN=«ATATT3xFfGF0{w:180}»"],
        must_not_match: &["ATATT3xFfGF0{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "atlassian-legacy-api-token",
        title: "Atlassian (Jira/Confluence) legacy API token",
        severity: Medium,
        keywords: &["atlassian", "jira", "confluence"],
        regex: assign!(
            r"(?:atlassian|jira|confluence)[a-z0-9_.\-]{0,20}(?:token|key|pass)",
            "[A-Za-z0-9]{24}"
        ),
        min_entropy: Some(3.5),
        validator: Some(v::letters_and_digits),
        must_match: &["JIRA_API_TOKEN=«{A:24}»", "confluence_token: '«{A:24}»'"],
        must_not_match: &["JIRA_API_TOKEN={A:10}", "jira_url: https://x.atlassian.net"],
        ..BASE
    },
    // ------------------------------------------------------------------ Docker
    SecretRule {
        id: "dockerhub-pat",
        title: "Docker Hub personal access token",
        severity: High,
        keywords: &["dckr_pat_"],
        regex: concat!(r"\b(dckr_pat_[A-Za-z0-9_\-]{27})", end!()),
        binary: true,
        must_match: &["echo «dckr_pat_{w:27}» | docker login -u me --password-stdin"],
        must_not_match: &["dckr_pat_{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "dockerhub-oat",
        title: "Docker Hub organization access token",
        severity: High,
        keywords: &["dckr_oat_"],
        regex: concat!(r"\b(dckr_oat_[A-Za-z0-9_\-]{32})", end!()),
        must_match: &["«dckr_oat_{w:32}»"],
        must_not_match: &["dckr_oat_{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "docker-config-auth",
        title: "Registry credentials in a Docker config.json (base64 user:password)",
        severity: High,
        keywords: &[r#""auth""#],
        regex: r#""auth"[ \t]*:[ \t]*"([A-Za-z0-9+/]{4,}={0,2})""#,
        validator: Some(v::base64_user_pass),
        must_match: &[
            r#"{"auths": {"registry.example.org": {"auth": "«ZGVwbG95OlhrOW1RMnZMcDdSdw==»"}}}"#,
            r#"{"auths":{"ghcr.io":{"auth":"«Y2ktYm90OlR6OCFwcTRMbVcycw==»"}}}"#,
        ],
        must_not_match: &[
            r#"{"auth": "anVzdG9uZXdvcmQ="}"#,
            r#"{"auth": "YWRtaW46"}"#,
            r#"{"auth": "dXNlcjpwYXNzd29yZA=="}"#,
            r#"{"auth": ""}"#,
        ],
        ..BASE
    },
    SecretRule {
        id: "docker-config-identity-token",
        title: "Registry identity token in a Docker config.json",
        severity: High,
        keywords: &[r#""identitytoken""#],
        regex: r#""identitytoken"[ \t]*:[ \t]*"([^"\s]{16,})""#,
        validator: Some(v::not_placeholder),
        must_match: &[r#"{"auths": {"x.azurecr.io": {"identitytoken": "«{w:200}»"}}}"#],
        must_not_match: &[r#"{"identitytoken": "<token>"}"#],
        kind: Family,
        ..BASE
    },
    // ------------------------------------------------------------------ Package registries
    SecretRule {
        id: "npm-access-token",
        title: "npm access token",
        severity: High,
        keywords: &["npm_"],
        regex: r"\b(npm_[A-Za-z0-9]{36})\b",
        binary: true,
        must_match: &["NPM_TOKEN=«npm_{A:36}»"],
        must_not_match: &["npm_{A:10}", "npm_config_cache"],
        ..BASE
    },
    SecretRule {
        id: "npmrc-auth-token",
        title: "Registry token in .npmrc (_authToken)",
        severity: High,
        keywords: &["_authtoken"],
        regex: r#"_authToken[ \t]*=[ \t]*["']?([^\s"']+)"#,
        validator: Some(v::not_placeholder),
        must_match: &["//registry.npmjs.org/:_authToken=«{h:8}-{h:4}-{h:4}-{h:4}-{h:12}»"],
        must_not_match: &["//registry.npmjs.org/:_authToken=${NPM_TOKEN}", "_authToken="],
        kind: Family,
        ..BASE
    },
    SecretRule {
        id: "npmrc-auth",
        title: "Registry credentials in .npmrc (_auth, base64 user:password)",
        severity: High,
        keywords: &["_auth"],
        regex: r#"(?:(?m:^)|:)[ \t]*_auth[ \t]*=[ \t]*["']?([A-Za-z0-9+/]{4,}={0,2})"#,
        validator: Some(v::base64_user_pass),
        must_match: &[
            "//npm.internal/:_auth=«c3ZjOlFtN0xkMktzOVhh»",
            "_auth = «ZGVwbG95OlhrOW1RMnZMcDdSdw==»",
        ],
        must_not_match: &["_auth=${NPM_AUTH}", "_auth=anVzdG9uZXdvcmQ="],
        kind: Family,
        ..BASE
    },
    SecretRule {
        id: "npmrc-password",
        title: "Registry password in .npmrc (_password, base64)",
        severity: High,
        keywords: &["_password"],
        regex: r#"(?:(?m:^)|:)[ \t]*_password[ \t]*=[ \t]*["']?([A-Za-z0-9+/]{4,}={0,2})"#,
        validator: Some(v::base64_password),
        must_match: &["//npm.internal/:_password=«WGs5bVEydkxwN1J3»"],
        must_not_match: &["//npm.internal/:_password=${NPM_PASS}", "_password=cGFzc3dvcmQ="],
        kind: Family,
        ..BASE
    },
    SecretRule {
        id: "pypi-upload-token",
        title: "PyPI upload token",
        severity: Critical,
        keywords: &["pypi-ageichlwas5vcmc"],
        regex: concat!(r"\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})", end!()),
        binary: true,
        must_match: &["TWINE_PASSWORD=«pypi-AgEIcHlwaS5vcmc{w:150}»"],
        must_not_match: &["pypi-AgEIcHlwaS5vcmc{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "testpypi-upload-token",
        title: "TestPyPI upload token",
        severity: Low,
        keywords: &["pypi-agendgvzdc5wexbplm9yzw"],
        regex: concat!(r"\b(pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9_\-]{50,})", end!()),
        must_match: &["password = «pypi-AgENdGVzdC5weXBpLm9yZw{w:150}»"],
        must_not_match: &["pypi-AgENdGVzdC5weXBpLm9yZw{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "pypirc-password",
        title: "Password in .pypirc",
        severity: High,
        keywords: &["[pypi]", "[testpypi]", "index-servers"],
        regex: r"(?m:^)[ \t]*password[ \t]*[:=][ \t]*(\S+)",
        scope: Around { before: 0, after: 1024 },
        validator: Some(v::not_placeholder),
        must_match: &[
            "[distutils]\nindex-servers = internal\n\n[internal]\nrepository = https://pkgs.corp/\nusername = ci\npassword = «Xk9mQ2vLp7Rw»\n",
        ],
        must_not_match: &["[pypi]\nusername = __token__\npassword = <your token>\n"],
        kind: Family,
        ..BASE
    },
    SecretRule {
        id: "rubygems-api-key",
        title: "RubyGems API key",
        severity: High,
        keywords: &["rubygems_"],
        regex: r"\b(rubygems_[a-f0-9]{48})\b",
        must_match: &["GEM_HOST_API_KEY=«rubygems_{h:48}»"],
        must_not_match: &["rubygems_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "nuget-api-key",
        title: "NuGet API key",
        severity: High,
        keywords: &["oy2"],
        regex: r"\b(oy2[a-z0-9]{43})\b",
        must_match: &["dotnet nuget push x.nupkg -k «oy2{a:43}»"],
        must_not_match: &["oy2{a:10}"],
        ..BASE
    },
    SecretRule {
        id: "clojars-token",
        title: "Clojars deploy token",
        severity: High,
        keywords: &["clojars_"],
        regex: r"\b(CLOJARS_[a-z0-9]{60})\b",
        must_match: &["«CLOJARS_{a:60}»"],
        must_not_match: &["CLOJARS_{a:10}"],
        ..BASE
    },
    SecretRule {
        id: "artifactory-api-key",
        title: "JFrog Artifactory API key",
        severity: High,
        keywords: &["akcp"],
        regex: r"\b(AKCp[A-Za-z0-9]{69})\b",
        must_match: &["X-JFrog-Art-Api: «AKCp{A:69}»"],
        must_not_match: &["AKCp{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "artifactory-reference-token",
        title: "JFrog Artifactory reference token",
        severity: High,
        keywords: &["cmvmdgtuojaxoj"],
        regex: r"\b(cmVmdGtuOjAxOj[A-Za-z0-9]{50,})\b",
        must_match: &["«cmVmdGtuOjAxOj{A:50}»"],
        must_not_match: &["cmVmdGtuOjAxOj{A:10}"],
        ..BASE
    },
    // ------------------------------------------------------------------ Chat and webhooks
    SecretRule {
        id: "slack-bot-token",
        title: "Slack bot token",
        severity: High,
        keywords: &["xoxb-"],
        regex: r"\b(xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24,34})\b",
        binary: true,
        must_match: &["SLACK_BOT_TOKEN=«xoxb-{d:12}-{d:13}-{A:24}»"],
        must_not_match: &["xoxb-{d:12}"],
        ..BASE
    },
    SecretRule {
        id: "slack-user-token",
        title: "Slack user token",
        severity: High,
        keywords: &["xoxp-"],
        regex: r"\b(xoxp-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[a-f0-9]{32})\b",
        binary: true,
        must_match: &["«xoxp-{d:12}-{d:12}-{d:13}-{h:32}»"],
        must_not_match: &["xoxp-{d:12}-{d:12}"],
        ..BASE
    },
    SecretRule {
        id: "slack-app-token",
        title: "Slack app-level token",
        severity: High,
        keywords: &["xapp-"],
        regex: r"\b(xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,16}-[a-f0-9]{64})\b",
        must_match: &["SLACK_APP_TOKEN=«xapp-1-A{U:10}-{d:13}-{h:64}»"],
        must_not_match: &["xapp-1-{U:10}"],
        ..BASE
    },
    SecretRule {
        id: "slack-config-token",
        title: "Slack configuration access or refresh token",
        severity: Medium,
        keywords: &["xoxe"],
        regex: r"\b(xoxe(?:\.xox[bp])?-[0-9]-[A-Za-z0-9]{140,170})\b",
        must_match: &["«xoxe.xoxp-1-{U:163}»", "«xoxe-1-{U:146}»"],
        must_not_match: &["xoxe-1-{U:20}"],
        ..BASE
    },
    SecretRule {
        id: "slack-legacy-token",
        title: "Slack legacy token (workspace, refresh or session)",
        severity: High,
        keywords: &["xoxa-", "xoxo-", "xoxr-", "xoxs-"],
        regex: concat!(r"\b(xox[aors]-[0-9]+-[A-Za-z0-9\-]{20,})", end!()),
        must_match: &["«xoxs-{d:10}-{d:12}-{A:24}»", "«xoxa-2-{d:12}-{A:32}»"],
        must_not_match: &["xoxs-abc"],
        ..BASE
    },
    SecretRule {
        id: "slack-webhook-url",
        title: "Slack incoming webhook URL",
        severity: High,
        keywords: &["hooks.slack.com/services"],
        regex: r"(https?://hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24})\b",
        must_match: &["SLACK_WEBHOOK=«https://hooks.slack.com/services/T{U:10}/B{U:10}/{A:24}»"],
        must_not_match: &["https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"],
        ..BASE
    },
    SecretRule {
        id: "slack-workflow-webhook-url",
        title: "Slack workflow webhook URL",
        severity: Medium,
        keywords: &["hooks.slack.com/workflows", "hooks.slack.com/triggers"],
        regex: r"(https?://hooks\.slack\.com/(?:workflows|triggers)/T[A-Z0-9]{8,12}/A[A-Z0-9]{8,12}/[0-9]{10,20}/[A-Za-z0-9]{32})\b",
        must_match: &["«https://hooks.slack.com/triggers/T{U:10}/A{U:10}/{d:17}/{h:32}»"],
        must_not_match: &["https://hooks.slack.com/triggers/T{U:10}"],
        ..BASE
    },
    SecretRule {
        id: "discord-webhook-url",
        title: "Discord webhook URL",
        severity: Medium,
        keywords: &["/api/webhooks/"],
        regex: concat!(
            r"(https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,68})",
            end!()
        ),
        must_match: &["«https://discord.com/api/webhooks/{d:18}/{w:68}»"],
        must_not_match: &["https://discord.com/api/webhooks/{d:18}/{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "discord-bot-token",
        title: "Discord bot token",
        severity: High,
        keywords: &["discord"],
        regex: concat!(r"\b([MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,40})", end!()),
        scope: Around { before: 256, after: 256 },
        must_match: &["DISCORD_BOT_TOKEN=«MT{w:24}.{w:6}.{w:38}»"],
        must_not_match: &["DISCORD_BOT_TOKEN=MT{w:10}.{w:6}"],
        ..BASE
    },
    SecretRule {
        id: "microsoft-teams-webhook-url",
        title: "Microsoft Teams incoming webhook URL",
        severity: Medium,
        keywords: &["webhook.office.com"],
        regex: r"(https://[a-z0-9\-]+\.webhook\.office\.com/webhookb2/[0-9a-f\-]{36}@[0-9a-f\-]{36}/IncomingWebhook/[0-9a-f]{32}/[0-9a-f\-]{36}(?:/[A-Za-z0-9_\-]+)?)",
        must_match: &[
            "«https://acme.webhook.office.com/webhookb2/{h:8}-{h:4}-{h:4}-{h:4}-{h:12}@{h:8}-{h:4}-{h:4}-{h:4}-{h:12}/IncomingWebhook/{h:32}/{h:8}-{h:4}-{h:4}-{h:4}-{h:12}»",
        ],
        must_not_match: &["https://acme.webhook.office.com/webhookb2/"],
        ..BASE
    },
    SecretRule {
        id: "telegram-bot-token",
        title: "Telegram bot token",
        severity: High,
        keywords: &[":aa"],
        regex: concat!(r"\b([0-9]{8,10}:AA[0-9A-Za-z_\-]{33})", end!()),
        must_match: &["TELEGRAM_TOKEN=«{d:10}:AA{w:33}»"],
        must_not_match: &["{d:10}:AA{w:10}", "12:AA{w:33}"],
        ..BASE
    },
    // ------------------------------------------------------------------ Payments
    SecretRule {
        id: "stripe-secret-key",
        title: "Stripe live secret key",
        severity: Critical,
        keywords: &["sk_live_"],
        regex: r"\b(sk_live_[A-Za-z0-9]{24,247})\b",
        binary: true,
        must_match: &["STRIPE_SECRET_KEY=«sk_live_{A:99}»", "Stripe.api_key = '«sk_live_{A:24}»'"],
        must_not_match: &["sk_live_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "stripe-restricted-key",
        title: "Stripe live restricted key",
        severity: High,
        keywords: &["rk_live_"],
        regex: r"\b(rk_live_[A-Za-z0-9]{24,247})\b",
        binary: true,
        must_match: &["«rk_live_{A:99}»"],
        must_not_match: &["rk_live_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "stripe-test-secret-key",
        title: "Stripe test-mode secret key",
        severity: Low,
        keywords: &["sk_test_", "rk_test_"],
        regex: r"\b([sr]k_test_[A-Za-z0-9]{24,247})\b",
        must_match: &["«sk_test_{A:99}»"],
        must_not_match: &["sk_test_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "stripe-webhook-secret",
        title: "Stripe webhook signing secret",
        severity: Medium,
        keywords: &["whsec_"],
        regex: r"\b(whsec_[A-Za-z0-9]{32,})\b",
        must_match: &["STRIPE_WEBHOOK_SECRET=«whsec_{A:32}»"],
        must_not_match: &["whsec_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "square-access-token",
        title: "Square access token",
        severity: High,
        keywords: &["sq0atp-"],
        regex: concat!(r"\b(sq0atp-[0-9A-Za-z_\-]{22})", end!()),
        must_match: &["«sq0atp-{w:22}»"],
        must_not_match: &["sq0atp-{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "square-oauth-secret",
        title: "Square OAuth secret",
        severity: High,
        keywords: &["sq0csp-"],
        regex: concat!(r"\b(sq0csp-[0-9A-Za-z_\-]{43})", end!()),
        must_match: &["«sq0csp-{w:43}»"],
        must_not_match: &["sq0csp-{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "braintree-access-token",
        title: "Braintree (PayPal) access token",
        severity: Critical,
        keywords: &["access_token$production$", "access_token$sandbox$"],
        regex: r"\b(access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32})\b",
        must_match: &["«access_token$production${a:16}${h:32}»"],
        must_not_match: &["access_token$production${a:16}$"],
        ..BASE
    },
    SecretRule {
        id: "paypal-client-secret",
        title: "PayPal REST client secret",
        severity: High,
        keywords: &["paypal"],
        regex: assign!(r"paypal[a-z0-9_.\-]{0,20}secret", r"[A-Za-z0-9_\-]{80}"),
        min_entropy: Some(4.0),
        must_match: &["PAYPAL_CLIENT_SECRET=«{w:80}»"],
        must_not_match: &["PAYPAL_CLIENT_SECRET=${PAYPAL_SECRET}", "PAYPAL_CLIENT_ID={w:80}"],
        ..BASE
    },
    SecretRule {
        id: "plaid-access-token",
        title: "Plaid access token",
        severity: High,
        keywords: &["access-production-", "access-sandbox-", "access-development-"],
        regex: r"\b(access-(?:production|sandbox|development)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
        must_match: &["«access-production-{h:8}-{h:4}-{h:4}-{h:4}-{h:12}»"],
        must_not_match: &["access-production-{h:8}"],
        ..BASE
    },
    SecretRule {
        id: "shippo-api-token",
        title: "Shippo live API token",
        severity: Medium,
        keywords: &["shippo_live_"],
        regex: r"\b(shippo_live_[a-f0-9]{40})\b",
        must_match: &["«shippo_live_{h:40}»"],
        must_not_match: &["shippo_live_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "easypost-api-key",
        title: "EasyPost production API key",
        severity: Medium,
        keywords: &["ezak"],
        regex: r"\b(EZAK[a-zA-Z0-9]{54})\b",
        must_match: &["«EZAK{A:54}»"],
        must_not_match: &["EZAK{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "duffel-api-token",
        title: "Duffel live API token",
        severity: Medium,
        keywords: &["duffel_live_"],
        regex: concat!(r"\b(duffel_live_[A-Za-z0-9_\-]{43})", end!()),
        must_match: &["«duffel_live_{w:43}»"],
        must_not_match: &["duffel_live_{w:10}"],
        ..BASE
    },
    // ------------------------------------------------------------------ AI providers
    SecretRule {
        id: "openai-api-key",
        title: "OpenAI API key",
        severity: Critical,
        keywords: &["t3blbkfj"],
        regex: concat!(
            r"\b(sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,})",
            end!()
        ),
        binary: true,
        must_match: &[
            "OPENAI_API_KEY=«sk-{A:20}T3BlbkFJ{A:20}»",
            "OPENAI_API_KEY=«sk-proj-{w:74}T3BlbkFJ{w:74}»",
        ],
        must_not_match: &["sk-{A:20}", "sk-{A:48}"],
        ..BASE
    },
    SecretRule {
        id: "anthropic-api-key",
        title: "Anthropic API key",
        severity: Critical,
        keywords: &["sk-ant-api"],
        regex: concat!(r"\b(sk-ant-api[0-9]{2}-[A-Za-z0-9_\-]{93}AA)", end!()),
        binary: true,
        must_match: &["ANTHROPIC_API_KEY=«sk-ant-api03-{w:93}AA»"],
        must_not_match: &["sk-ant-api03-{w:20}"],
        ..BASE
    },
    SecretRule {
        id: "anthropic-admin-key",
        title: "Anthropic admin API key",
        severity: Critical,
        keywords: &["sk-ant-admin"],
        regex: concat!(r"\b(sk-ant-admin[0-9]{2}-[A-Za-z0-9_\-]{93}AA)", end!()),
        must_match: &["«sk-ant-admin01-{w:93}AA»"],
        must_not_match: &["sk-ant-admin01-{w:20}"],
        ..BASE
    },
    SecretRule {
        id: "huggingface-token",
        title: "Hugging Face access token",
        severity: High,
        keywords: &["hf_"],
        regex: r"\b(hf_[A-Za-z]{34})\b",
        must_match: &["HF_TOKEN=«hf_{L:34}»"],
        must_not_match: &["hf_{L:10}", "hf_hub_download_with_a_long_identifier_name"],
        ..BASE
    },
    SecretRule {
        id: "huggingface-org-token",
        title: "Hugging Face organization API token",
        severity: High,
        keywords: &["api_org_"],
        regex: r"\b(api_org_[A-Za-z]{34})\b",
        must_match: &["«api_org_{L:34}»"],
        must_not_match: &["api_org_{L:10}"],
        ..BASE
    },
    SecretRule {
        id: "groq-api-key",
        title: "Groq API key",
        severity: High,
        keywords: &["gsk_"],
        regex: r"\b(gsk_[A-Za-z0-9]{52})\b",
        must_match: &["GROQ_API_KEY=«gsk_{A:52}»"],
        must_not_match: &["gsk_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "replicate-api-token",
        title: "Replicate API token",
        severity: High,
        keywords: &["r8_"],
        regex: r"\b(r8_[A-Za-z0-9]{37})\b",
        must_match: &["REPLICATE_API_TOKEN=«r8_{A:37}»"],
        must_not_match: &["r8_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "perplexity-api-key",
        title: "Perplexity API key",
        severity: High,
        keywords: &["pplx-"],
        regex: r"\b(pplx-[A-Za-z0-9]{48})\b",
        must_match: &["«pplx-{A:48}»"],
        must_not_match: &["pplx-{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "xai-api-key",
        title: "xAI API key",
        severity: High,
        keywords: &["xai-"],
        regex: r"\b(xai-[A-Za-z0-9]{80})\b",
        must_match: &["XAI_API_KEY=«xai-{A:80}»"],
        must_not_match: &["xai-{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "openrouter-api-key",
        title: "OpenRouter API key",
        severity: High,
        keywords: &["sk-or-v1-"],
        regex: r"\b(sk-or-v1-[a-f0-9]{64})\b",
        must_match: &["«sk-or-v1-{h:64}»"],
        must_not_match: &["sk-or-v1-{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "langsmith-api-key",
        title: "LangSmith API key",
        severity: High,
        keywords: &["lsv2_"],
        regex: r"\b(lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})\b",
        must_match: &["LANGCHAIN_API_KEY=«lsv2_pt_{h:32}_{h:10}»"],
        must_not_match: &["lsv2_pt_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "pinecone-api-key",
        title: "Pinecone API key",
        severity: High,
        keywords: &["pcsk_"],
        regex: r"\b(pcsk_[A-Za-z0-9]{5,8}_[A-Za-z0-9]{40,80})\b",
        must_match: &["PINECONE_API_KEY=«pcsk_{A:6}_{A:63}»"],
        must_not_match: &["pcsk_{A:6}"],
        ..BASE
    },
    // ------------------------------------------------------------------ Email, messaging
    SecretRule {
        id: "sendgrid-api-key",
        title: "SendGrid API key",
        severity: High,
        keywords: &["sg."],
        regex: concat!(r"\b(SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})", end!()),
        must_match: &["SENDGRID_API_KEY=«SG.{w:22}.{w:43}»"],
        must_not_match: &["SG.{w:22}", "msg.send()"],
        ..BASE
    },
    SecretRule {
        id: "twilio-api-key",
        title: "Twilio API key SID",
        severity: Medium,
        keywords: &["twilio"],
        regex: r"\b(SK[0-9a-fA-F]{32})\b",
        scope: Around { before: 512, after: 512 },
        must_match: &["TWILIO_API_KEY=«SK{h:32}»"],
        must_not_match: &["SK{h:32}", "TWILIO_API_KEY=SK{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "twilio-auth-token",
        title: "Twilio auth token",
        severity: High,
        keywords: &["twilio"],
        regex: assign!(r"twilio[a-z0-9_.\-]{0,20}(?:token|secret)", "[0-9a-f]{32}"),
        min_entropy: Some(3.0),
        must_match: &["TWILIO_AUTH_TOKEN=«{h:32}»", "twilio_token: '«{h:32}»'"],
        must_not_match: &["TWILIO_ACCOUNT_SID=AC{h:32}", "TWILIO_AUTH_TOKEN={h:10}"],
        ..BASE
    },
    SecretRule {
        id: "mailgun-api-key",
        title: "Mailgun API key (key-…)",
        severity: High,
        keywords: &["key-"],
        regex: r"\b(key-[0-9a-f]{32})\b",
        must_match: &["MAILGUN_API_KEY=«key-{h:32}»"],
        must_not_match: &["key-{h:10}", "primary-key-{h:32}x"],
        ..BASE
    },
    SecretRule {
        id: "mailgun-private-key",
        title: "Mailgun private API key",
        severity: High,
        keywords: &["mailgun"],
        regex: assign!(
            r"mailgun[a-z0-9_.\-]{0,20}(?:key|secret|token)",
            "[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}"
        ),
        must_match: &["MAILGUN_API_KEY=«{h:32}-{h:8}-{h:8}»"],
        must_not_match: &["MAILGUN_DOMAIN={h:32}-{h:8}-{h:8}"],
        ..BASE
    },
    SecretRule {
        id: "mailchimp-api-key",
        title: "Mailchimp API key",
        severity: High,
        keywords: &["-us"],
        regex: r"\b([0-9a-f]{32}-us[0-9]{1,2})\b",
        must_match: &["MAILCHIMP_KEY=«{h:32}-us21»"],
        must_not_match: &["{h:20}-us21", "en-us"],
        ..BASE
    },
    // ------------------------------------------------------------------ Observability
    SecretRule {
        id: "datadog-api-key",
        title: "Datadog API key",
        severity: High,
        keywords: &["datadog", "dd_api", "dd-api", "ddapi"],
        regex: assign!(r"(?:datadog|dd)[a-z0-9_.\-]{0,10}api[_.\-]?key", "[0-9a-f]{32}"),
        min_entropy: Some(3.0),
        must_match: &["DD_API_KEY=«{h:32}»", "datadog_api_key: \"«{h:32}»\""],
        must_not_match: &["DD_API_KEY={h:20}", "DD_SITE={h:32}"],
        ..BASE
    },
    SecretRule {
        id: "datadog-app-key",
        title: "Datadog application key",
        severity: High,
        keywords: &["datadog", "dd_app", "dd-app", "ddapp"],
        regex: assign!(r"(?:datadog|dd)[a-z0-9_.\-]{0,10}app(?:lication)?[_.\-]?key", "[0-9a-f]{40}"),
        min_entropy: Some(3.0),
        must_match: &["DD_APP_KEY=«{h:40}»"],
        must_not_match: &["DD_APP_KEY={h:32}"],
        ..BASE
    },
    SecretRule {
        id: "newrelic-user-api-key",
        title: "New Relic user API key",
        severity: High,
        keywords: &["nrak-"],
        regex: r"\b(NRAK-[A-Z0-9]{27})\b",
        must_match: &["NEW_RELIC_API_KEY=«NRAK-{U:27}»"],
        must_not_match: &["NRAK-{U:10}"],
        ..BASE
    },
    SecretRule {
        id: "newrelic-insert-key",
        title: "New Relic insights insert key",
        severity: Medium,
        keywords: &["nrii-"],
        regex: concat!(r"\b(NRII-[A-Za-z0-9_\-]{32})", end!()),
        must_match: &["«NRII-{w:32}»"],
        must_not_match: &["NRII-{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "newrelic-browser-key",
        title: "New Relic browser API key",
        severity: Low,
        keywords: &["nrjs-"],
        regex: r"\b(NRJS-[a-f0-9]{19})\b",
        must_match: &["«NRJS-{h:19}»"],
        must_not_match: &["NRJS-{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "newrelic-license-key",
        title: "New Relic ingest license key",
        severity: High,
        keywords: &["nral"],
        regex: r"\b([a-f0-9]{36}NRAL)\b",
        must_match: &["NEW_RELIC_LICENSE_KEY=«{h:36}NRAL»"],
        must_not_match: &["{h:20}NRAL"],
        ..BASE
    },
    SecretRule {
        id: "sentry-dsn",
        title: "Sentry DSN",
        severity: Low,
        keywords: &["sentry", "ingest"],
        regex: r"https?://([0-9a-f]{32})(?::[0-9a-f]{32})?@(?:[A-Za-z0-9\-]+\.)*(?:sentry\.io|ingest\.[A-Za-z0-9.\-]+|sentry\.[A-Za-z0-9.\-]+)(?::[0-9]+)?/[0-9]+",
        must_match: &["SENTRY_DSN=https://«{h:32}»@o{d:6}.ingest.sentry.io/{d:7}"],
        must_not_match: &["https://sentry.io/organizations/x/"],
        ..BASE
    },
    SecretRule {
        id: "sentry-org-token",
        title: "Sentry organization auth token",
        severity: High,
        keywords: &["sntrys_"],
        regex: r"\b(sntrys_eyJ[A-Za-z0-9+/=_\-]{60,})",
        must_match: &["SENTRY_AUTH_TOKEN=«sntrys_eyJ{b:120}»"],
        must_not_match: &["sntrys_eyJ{b:10}"],
        ..BASE
    },
    SecretRule {
        id: "sentry-user-token",
        title: "Sentry user auth token",
        severity: High,
        keywords: &["sntryu_"],
        regex: r"\b(sntryu_[a-f0-9]{64})\b",
        must_match: &["«sntryu_{h:64}»"],
        must_not_match: &["sntryu_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "grafana-cloud-token",
        title: "Grafana Cloud access policy token",
        severity: High,
        keywords: &["glc_"],
        regex: r"\b(glc_[A-Za-z0-9+/]{32,}={0,2})",
        must_match: &["GRAFANA_CLOUD_TOKEN=«glc_{b:120}»"],
        must_not_match: &["glc_{b:10}"],
        ..BASE
    },
    SecretRule {
        id: "grafana-service-account-token",
        title: "Grafana service account token",
        severity: High,
        keywords: &["glsa_"],
        regex: r"\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b",
        must_match: &["«glsa_{A:32}_{h:8}»"],
        must_not_match: &["glsa_{A:32}"],
        ..BASE
    },
    SecretRule {
        id: "grafana-api-key",
        title: "Grafana API key (legacy)",
        severity: Medium,
        keywords: &["eyjrijoi"],
        regex: r"\b(eyJrIjoi[A-Za-z0-9+/]{60,}={0,2})",
        must_match: &["GF_API_KEY=«eyJrIjoi{b:70}»"],
        must_not_match: &["eyJrIjoi{b:10}"],
        ..BASE
    },
    SecretRule {
        id: "dynatrace-api-token",
        title: "Dynatrace API token",
        severity: High,
        keywords: &["dt0c01."],
        regex: r"\b(dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64})\b",
        must_match: &["«dt0c01.{U:24}.{U:64}»"],
        must_not_match: &["dt0c01.{U:24}"],
        ..BASE
    },
    // ------------------------------------------------------------------ SaaS and developer platforms
    SecretRule {
        id: "shopify-access-token",
        title: "Shopify access token",
        severity: High,
        keywords: &["shpat_"],
        regex: r"\b(shpat_[a-fA-F0-9]{32})\b",
        must_match: &["«shpat_{h:32}»"],
        must_not_match: &["shpat_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "shopify-custom-app-token",
        title: "Shopify custom app access token",
        severity: High,
        keywords: &["shpca_"],
        regex: r"\b(shpca_[a-fA-F0-9]{32})\b",
        must_match: &["«shpca_{h:32}»"],
        must_not_match: &["shpca_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "shopify-private-app-token",
        title: "Shopify private app access token",
        severity: High,
        keywords: &["shppa_"],
        regex: r"\b(shppa_[a-fA-F0-9]{32})\b",
        must_match: &["«shppa_{h:32}»"],
        must_not_match: &["shppa_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "shopify-shared-secret",
        title: "Shopify shared secret",
        severity: High,
        keywords: &["shpss_"],
        regex: r"\b(shpss_[a-fA-F0-9]{32})\b",
        must_match: &["«shpss_{h:32}»"],
        must_not_match: &["shpss_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "linear-api-key",
        title: "Linear API key",
        severity: High,
        keywords: &["lin_api_"],
        regex: r"\b(lin_api_[A-Za-z0-9]{40})\b",
        must_match: &["LINEAR_API_KEY=«lin_api_{A:40}»"],
        must_not_match: &["lin_api_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "notion-integration-token",
        title: "Notion integration token",
        severity: High,
        keywords: &["ntn_"],
        regex: r"\b(ntn_[0-9]{11}[A-Za-z0-9]{35})\b",
        must_match: &["NOTION_TOKEN=«ntn_{d:11}{A:35}»"],
        must_not_match: &["ntn_{d:11}"],
        ..BASE
    },
    SecretRule {
        id: "notion-legacy-token",
        title: "Notion integration token (legacy secret_ format)",
        severity: Medium,
        keywords: &["secret_"],
        regex: r"\b(secret_[A-Za-z0-9]{43})\b",
        must_match: &["NOTION_TOKEN=«secret_{A:43}»"],
        must_not_match: &["secret_key_base", "secret_{A:20}"],
        ..BASE
    },
    SecretRule {
        id: "postman-api-key",
        title: "Postman API key",
        severity: High,
        keywords: &["pmak-"],
        regex: r"\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b",
        must_match: &["«PMAK-{h:24}-{h:34}»"],
        must_not_match: &["PMAK-{h:24}"],
        ..BASE
    },
    SecretRule {
        id: "heroku-api-key",
        title: "Heroku API key",
        severity: High,
        keywords: &["hrku-"],
        regex: concat!(r"\b(HRKU-AA[0-9A-Za-z_\-]{58})", end!()),
        must_match: &["HEROKU_API_KEY=«HRKU-AA{w:58}»"],
        must_not_match: &["HRKU-AA{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "heroku-api-key-legacy",
        title: "Heroku API key (legacy UUID format)",
        severity: High,
        keywords: &["heroku"],
        regex: assign!(
            r"heroku[a-z0-9_.\-]{0,20}(?:api[_.\-]?key|token|secret)",
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        ),
        must_match: &["HEROKU_API_KEY=«{h:8}-{h:4}-{h:4}-{h:4}-{h:12}»"],
        must_not_match: &["HEROKU_APP_ID={h:8}-{h:4}-{h:4}-{h:4}-{h:12}"],
        ..BASE
    },
    SecretRule {
        id: "digitalocean-pat",
        title: "DigitalOcean personal access token",
        severity: Critical,
        keywords: &["dop_v1_"],
        regex: r"\b(dop_v1_[a-f0-9]{64})\b",
        must_match: &["DIGITALOCEAN_TOKEN=«dop_v1_{h:64}»"],
        must_not_match: &["dop_v1_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "digitalocean-oauth-token",
        title: "DigitalOcean OAuth token",
        severity: High,
        keywords: &["doo_v1_"],
        regex: r"\b(doo_v1_[a-f0-9]{64})\b",
        must_match: &["«doo_v1_{h:64}»"],
        must_not_match: &["doo_v1_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "digitalocean-refresh-token",
        title: "DigitalOcean refresh token",
        severity: High,
        keywords: &["dor_v1_"],
        regex: r"\b(dor_v1_[a-f0-9]{64})\b",
        must_match: &["«dor_v1_{h:64}»"],
        must_not_match: &["dor_v1_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "terraform-cloud-token",
        title: "Terraform Cloud / Enterprise API token",
        severity: Critical,
        keywords: &[".atlasv1."],
        regex: concat!(r"\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,70})", end!()),
        must_match: &["TFE_TOKEN=«{A:14}.atlasv1.{w:67}»"],
        must_not_match: &["{A:14}.atlasv1.{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "vault-service-token",
        title: "HashiCorp Vault service token",
        severity: Critical,
        keywords: &["hvs."],
        regex: concat!(r"\b(hvs\.[A-Za-z0-9_\-]{90,})", end!()),
        must_match: &["VAULT_TOKEN=«hvs.{w:94}»"],
        must_not_match: &["hvs.{w:24}"],
        ..BASE
    },
    SecretRule {
        id: "vault-batch-token",
        title: "HashiCorp Vault batch token",
        severity: High,
        keywords: &["hvb."],
        regex: concat!(r"\b(hvb\.[A-Za-z0-9_\-]{138,})", end!()),
        must_match: &["«hvb.{w:140}»"],
        must_not_match: &["hvb.{w:24}"],
        ..BASE
    },
    SecretRule {
        id: "vault-legacy-token",
        title: "HashiCorp Vault token (legacy s. format)",
        severity: High,
        keywords: &["vault"],
        regex: assign!(r"vault[a-z0-9_.\-]{0,10}token", r"s\.[A-Za-z0-9]{24}"),
        validator: Some(v::letters_and_digits),
        must_match: &["VAULT_TOKEN=«s.{A:24}»"],
        must_not_match: &["VAULT_ADDR=s.{A:24}", "VAULT_TOKEN=s.{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "doppler-token",
        title: "Doppler token",
        severity: High,
        keywords: &["dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."],
        regex: r"\b(dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_\-]{1,40}\.)?[A-Za-z0-9]{40,44})\b",
        must_match: &["DOPPLER_TOKEN=«dp.pt.{A:43}»", "«dp.st.prd.{A:43}»"],
        must_not_match: &["dp.pt.{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "pulumi-access-token",
        title: "Pulumi access token",
        severity: High,
        keywords: &["pul-"],
        regex: r"\b(pul-[a-f0-9]{40})\b",
        must_match: &["PULUMI_ACCESS_TOKEN=«pul-{h:40}»"],
        must_not_match: &["pul-{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "databricks-token",
        title: "Databricks personal access token",
        severity: High,
        keywords: &["dapi"],
        regex: r"\b(dapi[a-f0-9]{32}(?:-[0-9])?)\b",
        must_match: &["DATABRICKS_TOKEN=«dapi{h:32}»"],
        must_not_match: &["dapi{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "okta-api-token",
        title: "Okta API token",
        severity: High,
        keywords: &["okta", "ssws"],
        regex: concat!(
            r#"(?i:okta[a-z0-9_.\-]{0,20}(?:token|key|secret)|SSWS)["' \t:=]{1,5}(00[A-Za-z0-9_\-]{40})"#,
            end!()
        ),
        must_match: &["OKTA_API_TOKEN=«00{w:40}»", "Authorization: SSWS «00{w:40}»"],
        must_not_match: &["OKTA_ORG_URL=https://x.okta.com", "SSWS 00{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "twitch-api-token",
        title: "Twitch API token",
        severity: Medium,
        keywords: &["twitch"],
        regex: assign!(r"twitch[a-z0-9_.\-]{0,20}(?:token|secret|key)", "[a-z0-9]{30}"),
        validator: Some(v::letters_and_digits),
        must_match: &["TWITCH_CLIENT_SECRET=«{a:30}»"],
        must_not_match: &["TWITCH_CLIENT_ID={a:30}"],
        ..BASE
    },
    SecretRule {
        id: "supabase-access-token",
        title: "Supabase personal access token",
        severity: High,
        keywords: &["sbp_"],
        regex: r"\b(sbp_[a-f0-9]{40})\b",
        must_match: &["SUPABASE_ACCESS_TOKEN=«sbp_{h:40}»"],
        must_not_match: &["sbp_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "planetscale-token",
        title: "PlanetScale service token",
        severity: High,
        keywords: &["pscale_tkn_"],
        regex: concat!(r"\b(pscale_tkn_[A-Za-z0-9_\-]{32,64})", end!()),
        must_match: &["«pscale_tkn_{w:43}»"],
        must_not_match: &["pscale_tkn_{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "planetscale-password",
        title: "PlanetScale database password",
        severity: High,
        keywords: &["pscale_pw_"],
        regex: concat!(r"\b(pscale_pw_[A-Za-z0-9_\-]{32,64})", end!()),
        must_match: &["DATABASE_PASSWORD=«pscale_pw_{w:43}»"],
        must_not_match: &["pscale_pw_{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "cloudflare-origin-ca-key",
        title: "Cloudflare Origin CA key",
        severity: High,
        keywords: &["v1.0-"],
        regex: r"\b(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b",
        must_match: &["CF_ORIGIN_CA_KEY=«v1.0-{h:24}-{h:146}»"],
        must_not_match: &["v1.0-{h:24}"],
        ..BASE
    },
    SecretRule {
        id: "sonarqube-token",
        title: "SonarQube / SonarCloud token",
        severity: Medium,
        keywords: &["squ_", "sqp_", "sqa_"],
        regex: r"\b(sq[upa]_[a-f0-9]{40})\b",
        must_match: &["SONAR_TOKEN=«squ_{h:40}»"],
        must_not_match: &["squ_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "mapbox-secret-token",
        title: "Mapbox secret access token",
        severity: High,
        keywords: &["sk.eyj"],
        regex: concat!(r"\b(sk\.eyJ[A-Za-z0-9_\-]{50,}\.[A-Za-z0-9_\-]{20,})", end!()),
        must_match: &["MAPBOX_DOWNLOADS_TOKEN=«sk.eyJ{w:60}.{w:22}»"],
        must_not_match: &["sk.eyJ{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "contentful-pat",
        title: "Contentful personal access token",
        severity: Medium,
        keywords: &["cfpat-"],
        regex: concat!(r"\b(CFPAT-[A-Za-z0-9_\-]{43})", end!()),
        must_match: &["«CFPAT-{w:43}»"],
        must_not_match: &["CFPAT-{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "readme-api-key",
        title: "ReadMe API key",
        severity: Medium,
        keywords: &["rdme_"],
        regex: r"\b(rdme_[a-z0-9]{70})\b",
        must_match: &["«rdme_{a:70}»"],
        must_not_match: &["rdme_{a:10}"],
        ..BASE
    },
    SecretRule {
        id: "prefect-api-key",
        title: "Prefect API key",
        severity: High,
        keywords: &["pnu_"],
        regex: r"\b(pnu_[A-Za-z0-9]{36})\b",
        must_match: &["PREFECT_API_KEY=«pnu_{A:36}»"],
        must_not_match: &["pnu_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "scalingo-api-token",
        title: "Scalingo API token",
        severity: High,
        keywords: &["tk-us-"],
        regex: concat!(r"\b(tk-us-[A-Za-z0-9_\-]{48})", end!()),
        must_match: &["«tk-us-{w:48}»"],
        must_not_match: &["tk-us-{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "onepassword-service-account-token",
        title: "1Password service account token",
        severity: Critical,
        keywords: &["ops_eyj"],
        regex: r"\b(ops_eyJ[A-Za-z0-9+/=_\-]{250,})",
        must_match: &["OP_SERVICE_ACCOUNT_TOKEN=«ops_eyJ{b:300}»"],
        must_not_match: &["ops_eyJ{b:20}"],
        ..BASE
    },
    SecretRule {
        id: "infracost-api-key",
        title: "Infracost API key",
        severity: Low,
        keywords: &["ico-"],
        regex: r"\b(ico-[A-Za-z0-9]{32})\b",
        must_match: &["INFRACOST_API_KEY=«ico-{A:32}»"],
        must_not_match: &["ico-{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "harness-pat",
        title: "Harness personal access token",
        severity: High,
        keywords: &["pat."],
        regex: r"\b(pat\.[A-Za-z0-9_\-]{22}\.[0-9a-f]{24}\.[A-Za-z0-9]{20})\b",
        must_match: &["«pat.{w:22}.{h:24}.{A:20}»"],
        must_not_match: &["pat.{w:22}"],
        ..BASE
    },
    SecretRule {
        id: "adafruit-io-key",
        title: "Adafruit IO key",
        severity: Low,
        keywords: &["aio_"],
        regex: r"\b(aio_[A-Za-z0-9]{28})\b",
        must_match: &["«aio_{A:28}»"],
        must_not_match: &["aio_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "airtable-pat",
        title: "Airtable personal access token",
        severity: High,
        keywords: &["airtable"],
        regex: r"\b(pat[A-Za-z0-9]{14}\.[a-f0-9]{64})\b",
        scope: Around { before: 256, after: 256 },
        must_match: &["AIRTABLE_TOKEN=«pat{A:14}.{h:64}»"],
        must_not_match: &["pat{A:14}.{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "frameio-token",
        title: "Frame.io API token",
        severity: Medium,
        keywords: &["fio-u-"],
        regex: concat!(r"\b(fio-u-[A-Za-z0-9_=\-]{64})", end!()),
        must_match: &["«fio-u-{w:64}»"],
        must_not_match: &["fio-u-{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "typeform-pat",
        title: "Typeform personal access token",
        severity: Medium,
        keywords: &["tfp_"],
        regex: concat!(r"\b(tfp_[A-Za-z0-9_.=\-]{59})", end!()),
        must_match: &["«tfp_{A:59}»"],
        must_not_match: &["tfp_{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "figma-pat",
        title: "Figma personal access token",
        severity: Medium,
        keywords: &["figd_"],
        regex: concat!(r"\b(figd_[A-Za-z0-9_\-]{40})", end!()),
        must_match: &["FIGMA_TOKEN=«figd_{w:40}»"],
        must_not_match: &["figd_{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "circleci-pat",
        title: "CircleCI personal API token",
        severity: High,
        keywords: &["ccipat_"],
        regex: r"\b(CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40})\b",
        must_match: &["CIRCLE_TOKEN=«CCIPAT_{A:22}_{h:40}»"],
        must_not_match: &["CCIPAT_{A:22}"],
        ..BASE
    },
    SecretRule {
        id: "buildkite-agent-token",
        title: "Buildkite API access token",
        severity: High,
        keywords: &["bkua_"],
        regex: r"\b(bkua_[a-f0-9]{40})\b",
        must_match: &["«bkua_{h:40}»"],
        must_not_match: &["bkua_{h:10}"],
        ..BASE
    },
    SecretRule {
        id: "snyk-api-token",
        title: "Snyk API token",
        severity: Medium,
        keywords: &["snyk"],
        regex: assign!(
            r"snyk[a-z0-9_.\-]{0,20}(?:token|key)",
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        ),
        must_match: &["SNYK_TOKEN=«{h:8}-{h:4}-{h:4}-{h:4}-{h:12}»"],
        must_not_match: &["SNYK_ORG={h:8}-{h:4}-{h:4}-{h:4}-{h:12}"],
        ..BASE
    },
    SecretRule {
        id: "openshift-user-token",
        title: "OpenShift user token",
        severity: High,
        keywords: &["sha256~"],
        regex: concat!(r"\b(sha256~[A-Za-z0-9_\-]{43})", end!()),
        must_match: &["oc login --token=«sha256~{w:43}»"],
        must_not_match: &["FROM alpine@sha256:{h:64}", "sha256~{w:10}"],
        ..BASE
    },
    SecretRule {
        id: "facebook-access-token",
        title: "Facebook access token",
        severity: High,
        keywords: &["eaacedeose0cba"],
        regex: r"\b(EAACEdEose0cBA[0-9A-Za-z]{20,})",
        must_match: &["«EAACEdEose0cBA{A:100}»"],
        must_not_match: &["EAACEdEose0cBA{A:5}"],
        ..BASE
    },
    SecretRule {
        id: "twitter-bearer-token",
        title: "Twitter / X API bearer token",
        severity: High,
        keywords: &["twitter"],
        regex: assign!(
            r"twitter[a-z0-9_.\-]{0,20}(?:bearer|token)",
            r"AAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{30,}"
        ),
        must_match: &["TWITTER_BEARER_TOKEN=«AAAAAAAAAAAAAAAAAAAAA{A:80}»"],
        must_not_match: &["TWITTER_BEARER_TOKEN={A:30}"],
        ..BASE
    },
    SecretRule {
        id: "dropbox-access-token",
        title: "Dropbox short-lived access token",
        severity: High,
        keywords: &["dropbox"],
        regex: concat!(r"\b(sl\.[A-Za-z0-9_\-]{130,152})", end!()),
        scope: Around { before: 256, after: 512 },
        must_match: &["DROPBOX_TOKEN=«sl.{w:138}»"],
        must_not_match: &["DROPBOX_TOKEN=sl.{w:20}"],
        ..BASE
    },
    // ------------------------------------------------------------------ Other clouds
    SecretRule {
        id: "alibaba-access-key-id",
        title: "Alibaba Cloud AccessKey ID",
        severity: High,
        keywords: &["ltai"],
        regex: r"\b(LTAI[A-Za-z0-9]{12,20})\b",
        must_match: &["ALIBABA_CLOUD_ACCESS_KEY_ID=«LTAI{A:20}»"],
        must_not_match: &["LTAI{A:5}"],
        ..BASE
    },
    SecretRule {
        id: "alibaba-access-key-secret",
        title: "Alibaba Cloud AccessKey secret",
        severity: Critical,
        keywords: &["alibaba", "aliyun", "alicloud"],
        regex: assign!(r"(?:alibaba|aliyun|alicloud)[a-z0-9_.\-]{0,20}secret", "[A-Za-z0-9]{30}"),
        min_entropy: Some(3.5),
        validator: Some(v::letters_and_digits),
        must_match: &["ALIBABA_CLOUD_ACCESS_KEY_SECRET=«{A:30}»"],
        must_not_match: &["ALIBABA_CLOUD_REGION={A:30}"],
        ..BASE
    },
    SecretRule {
        id: "tencent-secret-id",
        title: "Tencent Cloud SecretId",
        severity: High,
        keywords: &["akid"],
        regex: r"\b(AKID[A-Za-z0-9]{32})\b",
        must_match: &["TENCENTCLOUD_SECRET_ID=«AKID{A:32}»"],
        must_not_match: &["AKIDEXAMPLE", "AKID{A:10}"],
        ..BASE
    },
    SecretRule {
        id: "tencent-secret-key",
        title: "Tencent Cloud SecretKey",
        severity: Critical,
        keywords: &["tencent", "tccli", "qcloud"],
        regex: assign!(r"(?:tencent|tccli|qcloud)[a-z0-9_.\-]{0,20}secret[_.\-]?key", "[A-Za-z0-9]{32}"),
        min_entropy: Some(3.5),
        validator: Some(v::letters_and_digits),
        must_match: &["TENCENTCLOUD_SECRET_KEY=«{A:32}»"],
        must_not_match: &["TENCENTCLOUD_SECRET_ID={A:32}"],
        ..BASE
    },
    SecretRule {
        id: "ibm-cloud-api-key",
        title: "IBM Cloud API key",
        severity: High,
        keywords: &["ibm", "bluemix"],
        regex: assign!(r"(?:ibm|ibmcloud|bluemix)[a-z0-9_.\-]{0,20}api[_.\-]?key", r"[A-Za-z0-9_\-]{44}"),
        min_entropy: Some(4.0),
        must_match: &["IBMCLOUD_API_KEY=«{w:44}»"],
        must_not_match: &["IBMCLOUD_REGION={w:44}"],
        ..BASE
    },
    // ------------------------------------------------------------------ Keys and certificates
    SecretRule {
        id: "private-key",
        title: "Private key (PEM: PKCS#1, PKCS#8, EC, DSA, encrypted)",
        severity: Critical,
        keywords: &["private key-----"],
        regex: r"-----BEGIN (?:RSA |DSA |EC |ENCRYPTED |ANY )?PRIVATE KEY-----((?:[A-Za-z0-9+/=:,\- \t\r\n]|\\[rn])+?)-----END (?:RSA |DSA |EC |ENCRYPTED |ANY )?PRIVATE KEY-----",
        scope: Around { before: 64, after: 24576 },
        validator: Some(v::key_body),
        kind: Family,
        binary: true,
        must_match: &[
            "-----BEGIN RSA PRIVATE KEY-----\n«MIIEow{b:64}\n{b:64}\n{b:64}\n{b:30}==»\n-----END RSA PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\n«MIIEv{b:64}\n{b:64}»\n-----END PRIVATE KEY-----",
            "-----BEGIN EC PRIVATE KEY-----\n«Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{H:32}\n\n{b:64}\n{b:64}»\n-----END EC PRIVATE KEY-----",
            r#"key: "-----BEGIN PRIVATE KEY-----\n«MIIEv{b:64}\n{b:64}»\n-----END PRIVATE KEY-----\n""#,
        ],
        must_not_match: &[
            "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
            "-----BEGIN CERTIFICATE-----\nMIIE{b:64}\n{b:64}\n-----END CERTIFICATE-----",
            "-----BEGIN PUBLIC KEY-----\nMIIB{b:64}\n{b:64}\n-----END PUBLIC KEY-----",
            "const BEGIN: &str = \"-----BEGIN PRIVATE KEY-----\";",
        ],
        ..BASE
    },
    SecretRule {
        id: "openssh-private-key",
        title: "OpenSSH private key",
        severity: Critical,
        keywords: &["openssh private key"],
        regex: r"-----BEGIN OPENSSH PRIVATE KEY-----((?:[A-Za-z0-9+/=\s]|\\[rn])+?)-----END OPENSSH PRIVATE KEY-----",
        scope: Around { before: 32, after: 24576 },
        validator: Some(v::key_body),
        kind: Family,
        binary: true,
        must_match: &[
            "-----BEGIN OPENSSH PRIVATE KEY-----\n«b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n{b:70}\n{b:70}»\n-----END OPENSSH PRIVATE KEY-----\n",
        ],
        must_not_match: &["-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----"],
        ..BASE
    },
    SecretRule {
        id: "pgp-private-key-block",
        title: "PGP private key block",
        severity: Critical,
        keywords: &["pgp private key block"],
        regex: r"-----BEGIN PGP PRIVATE KEY BLOCK-----((?s-u:.)+?)-----END PGP PRIVATE KEY BLOCK-----",
        scope: Around { before: 32, after: 40960 },
        validator: Some(v::key_body),
        kind: Family,
        binary: true,
        must_match: &[
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n«Version: GnuPG v2\n\nlQOYBF{b:64}\n{b:64}\n{b:64}\n={b:4}»\n-----END PGP PRIVATE KEY BLOCK-----\n",
        ],
        must_not_match: &[
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQEN{b:64}\n{b:64}\n-----END PGP PUBLIC KEY BLOCK-----",
        ],
        ..BASE
    },
    SecretRule {
        id: "putty-private-key",
        title: "PuTTY private key (.ppk)",
        severity: Critical,
        keywords: &["putty-user-key-file-"],
        regex: r"PuTTY-User-Key-File-[0-9]: [^\r\n]+(?s-u:.)*?Private-Lines: [0-9]+\r?\n((?:[A-Za-z0-9+/=]+\r?\n)+)Private-(?:MAC|Hash)",
        scope: Around { before: 0, after: 16384 },
        validator: Some(v::key_body),
        kind: Family,
        binary: true,
        must_match: &[
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ci\nPublic-Lines: 2\n{b:64}\n{b:4}\nPrivate-Lines: 2\n«{b:64}\n{b:24}»\nPrivate-MAC: {h:64}\n",
        ],
        must_not_match: &["PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n"],
        ..BASE
    },
    SecretRule {
        id: "age-secret-key",
        title: "age encryption secret key",
        severity: Critical,
        keywords: &["age-secret-key-1"],
        regex: r"\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b",
        kind: Family,
        binary: true,
        must_match: &["# public key: age1{l:20}\n«AGE-SECRET-KEY-1{E:58}»"],
        must_not_match: &["AGE-SECRET-KEY-1QPZRY9X8"],
        ..BASE
    },
    SecretRule {
        id: "kubeconfig-client-key",
        title: "Client private key in a kubeconfig (client-key-data)",
        severity: Critical,
        keywords: &["client-key-data"],
        regex: r"client-key-data:[ \t]*([A-Za-z0-9+/=]{60,})",
        validator: Some(v::base64_private_key),
        must_match: &["    client-key-data: «LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3c{b:121}»"],
        must_not_match: &["    client-key-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUVvdw{b:122}"],
        ..BASE
    },
    SecretRule {
        id: "jwt",
        title: "JSON Web Token",
        severity: Medium,
        keywords: &["eyj"],
        regex: concat!(
            r"\b(eyJ[A-Za-z0-9_\-]{10,}={0,2}\.eyJ[A-Za-z0-9_\-]{4,}={0,2}\.[A-Za-z0-9_\-]*={0,2})",
            end!()
        ),
        validator: Some(v::jwt),
        kind: Family,
        must_match: &[
            "Authorization: Bearer «eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MjQyIiwibmFtZSI6ImJ1aWxkIiwiaWF0IjoxNzE2MjM5MDIyfQ.{w:43}»",
            "token: «eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MjQyIiwibmFtZSI6ImJ1aWxkIiwiaWF0IjoxNzE2MjM5MDIyfQ.{w:86}»",
        ],
        must_not_match: &[
            "eyJ0eXAiOiJKV1QiLCJraWQiOiJ4In0.eyJzdWIiOiI0MjQyIiwibmFtZSI6ImJ1aWxkIiwiaWF0IjoxNzE2MjM5MDIyfQ.{w:43}",
            "eyJ{w:30}.eyJ{w:30}.{w:43}",
        ],
        ..BASE
    },
    // ------------------------------------------------------------------ Connection strings and URLs
    SecretRule {
        id: "postgres-connection-url",
        title: "PostgreSQL connection URL with password",
        severity: Critical,
        keywords: &["postgres", "pgsql"],
        regex: r#"(?i:postgres(?:ql)?|pgsql)(?:\+[a-z0-9]+)?://[^\s:/?#@"'<>]+:([^\s/?#@"'<>]+)@"#,
        validator: Some(v::url_password),
        must_match: &[
            "DATABASE_URL=postgres://app:«Xk9mQ2vLp7Rw»@db.internal:5432/app",
            "postgresql+psycopg2://svc:«{A:16}»@10.0.0.5/db",
        ],
        must_not_match: &[
            "postgres://app:${DB_PASSWORD}@db:5432/app",
            "postgres://app:password@localhost/app",
            "postgres://app@db/app",
        ],
        ..BASE
    },
    SecretRule {
        id: "mysql-connection-url",
        title: "MySQL / MariaDB connection URL with password",
        severity: Critical,
        keywords: &["mysql", "mariadb"],
        regex: r#"(?i:mysql|mariadb)(?:\+[a-z0-9]+)?://[^\s:/?#@"'<>]+:([^\s/?#@"'<>]+)@"#,
        validator: Some(v::url_password),
        must_match: &["jdbc:mysql://root:«Tz8!pq4LmW2s»@mysql:3306/db", "mysql+pymysql://u:«{A:20}»@h/d"],
        must_not_match: &["mysql://root:<password>@mysql/db", "mysql://root@mysql/db"],
        ..BASE
    },
    SecretRule {
        id: "mongodb-connection-url",
        title: "MongoDB connection URL with password",
        severity: Critical,
        keywords: &["mongodb"],
        regex: r#"(?i:mongodb(?:\+srv)?)://[^\s:/?#@"'<>]+:([^\s/?#@"'<>]+)@"#,
        validator: Some(v::url_password),
        must_match: &["MONGO_URL=mongodb+srv://api:«{A:24}»@cluster0.ab1cd.mongodb.net/prod"],
        must_not_match: &["mongodb://user:pass@localhost", "mongodb://localhost:27017"],
        ..BASE
    },
    SecretRule {
        id: "redis-connection-url",
        title: "Redis connection URL with password",
        severity: High,
        keywords: &["redis"],
        regex: r#"(?i:rediss?)://[^\s:/?#@"'<>]*:([^\s/?#@"'<>]+)@"#,
        validator: Some(v::url_password),
        must_match: &["REDIS_URL=redis://:«{A:32}»@cache:6379/0", "rediss://default:«{A:20}»@r.cloud:6380"],
        must_not_match: &["redis://cache:6379/0", "redis://:${REDIS_PASSWORD}@cache:6379"],
        ..BASE
    },
    SecretRule {
        id: "amqp-connection-url",
        title: "AMQP (RabbitMQ) connection URL with password",
        severity: High,
        keywords: &["amqp"],
        regex: r#"(?i:amqps?)://[^\s:/?#@"'<>]+:([^\s/?#@"'<>]+)@"#,
        validator: Some(v::url_password),
        must_match: &["CELERY_BROKER_URL=amqp://worker:«{A:20}»@rabbit:5672//"],
        must_not_match: &["amqp://guest:guest@localhost:5672//"],
        ..BASE
    },
    SecretRule {
        id: "sqlserver-connection-string",
        title: "SQL Server connection string with password",
        severity: High,
        keywords: &["password=", "pwd="],
        regex: r"(?i:(?:server|data source)=[^;\r\n]{1,200};[^\r\n]{0,400}?(?:password|pwd)=)([^;\r\n]+)",
        validator: Some(v::not_placeholder),
        must_match: &["Server=tcp:db.internal,1433;Database=app;User Id=svc;Password=«{A:18}»;Encrypt=True"],
        must_not_match: &["Server=db;Database=app;User Id=sa;Password=${SA_PASSWORD};"],
        ..BASE
    },
    SecretRule {
        id: "url-credentials",
        title: "Credentials embedded in a URL",
        severity: High,
        keywords: &["://"],
        regex: r#"\b[A-Za-z][A-Za-z0-9+.\-]{1,20}://[^\s:/?#@"'<>\[\]]{1,128}:([^\s/?#@"'<>]{1,256})@[A-Za-z0-9.\-_\[\]:%]+"#,
        validator: Some(v::url_password),
        kind: Family,
        must_match: &[
            "https://deploy:«{A:20}»@git.internal/org/repo.git",
            "https://ci-bot:«{A:20}»@nexus.corp:8443/repository/",
            "ftp://backup:«Tz8!pq4LmW2s»@files.corp/",
        ],
        must_not_match: &[
            "https://user:password@host/",
            "https://github.com/org/repo",
            "git@github.com:org/repo.git",
            "http://localhost:8080/path@v1",
            "https://user:${TOKEN}@host/",
            "http://a:b@127.0.0.1:1234/",
        ],
        ..BASE
    },
    SecretRule {
        id: "basic-auth-header",
        title: "HTTP basic authentication credentials",
        severity: High,
        keywords: &["basic "],
        regex: r#"(?i:authorization)["']?[ \t]*[:=][ \t]*["']?(?i:basic)[ \t]+([A-Za-z0-9+/]{8,}={0,2})"#,
        validator: Some(v::base64_user_pass),
        kind: Family,
        must_match: &["curl -H 'Authorization: Basic «ZGVwbG95OlhrOW1RMnZMcDdSdw==»' https://x"],
        must_not_match: &["Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic realm"],
        ..BASE
    },
    SecretRule {
        id: "curl-user-credentials",
        title: "Password passed to curl -u",
        severity: High,
        keywords: &["curl"],
        regex: r#"\bcurl\b[^\r\n]*?[ \t](?:-u|--user)[ \t=]+["']?[^\s:"']+:([^\s"']+)"#,
        validator: Some(v::not_placeholder),
        kind: Family,
        must_match: &["RUN curl -fsSL -u deploy:«{A:20}» https://repo.corp/x.tgz"],
        must_not_match: &["curl -u deploy:$PASSWORD https://x", "curl -u \"$USER:$PASS\" https://x"],
        ..BASE
    },
    SecretRule {
        id: "bearer-token",
        title: "Bearer token in an Authorization header",
        severity: Medium,
        keywords: &["bearer"],
        regex: r"(?i:bearer)[ \t]+([A-Za-z0-9._~+/\-]{20,}=*)",
        validator: Some(v::bearer),
        kind: Generic,
        must_match: &["curl -H \"Authorization: Bearer «{A:40}»\" https://api"],
        must_not_match: &[
            "Authorization: Bearer ${TOKEN}",
            "Authorization: Bearer <token>",
            "bearer authentication scheme",
        ],
        ..BASE
    },
    // ------------------------------------------------------------------ Password hashes
    SecretRule {
        id: "htpasswd-bcrypt",
        title: "bcrypt password hash (htpasswd)",
        severity: Low,
        keywords: &["$2y$", "$2a$", "$2b$"],
        regex: r"(?m:^)[^:\s#]+:(\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53})[ \t\r]*(?m:$)",
        kind: Family,
        must_match: &["admin:«$2y$05${A:53}»\n"],
        must_not_match: &["root:$2y$05${A:53}:19000:0:99999:7:::"],
        ..BASE
    },
    SecretRule {
        id: "htpasswd-apr1",
        title: "Apache MD5 (apr1) password hash",
        severity: Low,
        keywords: &["$apr1$"],
        regex: r"(?m:^)[^:\s#]+:(\$apr1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22})[ \t\r]*(?m:$)",
        kind: Family,
        must_match: &["admin:«$apr1${A:8}${A:22}»\n"],
        must_not_match: &["admin:$apr1$abc"],
        ..BASE
    },
    SecretRule {
        id: "htpasswd-sha1",
        title: "Unsalted SHA-1 password hash (htpasswd {SHA})",
        severity: Medium,
        keywords: &["{sha}"],
        regex: r"(?m:^)[^:\s#]+:(\{SHA\}[A-Za-z0-9+/]{27}=)[ \t\r]*(?m:$)",
        kind: Family,
        must_match: &["admin:«{SHA}{b:27}=»"],
        must_not_match: &["admin:{SHA}short="],
        ..BASE
    },
    SecretRule {
        id: "unix-shadow-hash",
        title: "Password hash in a shadow file",
        severity: Medium,
        keywords: &["$6$", "$5$", "$y$", "$1$", "$2b$", "$2y$"],
        regex: r"(?m:^)[a-z_][a-z0-9_.\-]*\$?:(\$(?:1|5|6|y|gy|2[aby])\$[./A-Za-z0-9$]{8,}):[0-9]*:",
        kind: Family,
        must_match: &["root:«$6${A:16}${A:86}»:19700:0:99999:7:::"],
        must_not_match: &["root:*:19700:0:99999:7:::", "root:!:19700:0:99999:7:::"],
        ..BASE
    },
    // ------------------------------------------------------------------ Generic assignments
    SecretRule {
        id: "generic-password",
        title: "Hard-coded password",
        severity: Medium,
        keywords: &["password", "passwd", "passphrase", "pwd"],
        regex: generic_assign!("password|passwd|passphrase|pwd"),
        secret_group: 2,
        extract: Extract::Assignment,
        validator: Some(v::generic_password),
        kind: Generic,
        must_match: &[
            "DB_PASSWORD=«hunter2xyz!»",
            r#"  "password": "«Tz8!pq4LmW2s»","#,
            "spring.datasource.password: «{A:16}»",
            "admin_passwd = '«Xk9#mQ2vLp7»'",
            "export MYSQL_ROOT_PASSWORD=\"«{A:12}»\"",
        ],
        must_not_match: &[
            "DB_PASSWORD=changeme",
            "DB_PASSWORD=${DB_PASSWORD}",
            "password: \"<password>\"",
            "password = os.environ[\"DB_PASSWORD\"]",
            "password: {{ .Values.db.password }}",
            "PASSWORD_FILE=/run/secrets/db",
            "password = getPassword()",
            "password: ********",
            "password=xxxxxxxx",
            "password = \"\"",
            "password: example",
            "password: correcthorsebattery",
            "password := cfg.Password",
            "min_password_length = 12",
            "PASSWORD=$(cat /run/secrets/pw)",
            "use crate::passwords::hashing::verify_password_hash_and_salt;",
        ],
        ..BASE
    },
    SecretRule {
        id: "generic-secret",
        title: "Hard-coded secret",
        severity: Medium,
        keywords: &["secret", "private_key", "privatekey", "private-key", "signing_key", "encryption_key"],
        regex: generic_assign!("secret|private[_\\-]?key|signing[_\\-]?key|encryption[_\\-]?key"),
        secret_group: 2,
        extract: Extract::Assignment,
        validator: Some(v::generic_machine),
        kind: Generic,
        must_match: &[
            "CLIENT_SECRET=«{A:32}»",
            "SECRET_KEY_BASE: \"«{h:64}»\"",
            "jwt_signing_key = '«{b:44}»'",
        ],
        must_not_match: &[
            "client_secret = ${CLIENT_SECRET}",
            "secret: mysecret",
            "secretName: db-credentials",
            "secret_key = settings.SECRET_KEY",
            "SECRET_KEY={A:8}",
            "secret: aaaaaaaaaaaaaaaaaaaaaaaa",
        ],
        ..BASE
    },
    SecretRule {
        id: "generic-token",
        title: "Hard-coded token",
        severity: Medium,
        keywords: &["token"],
        regex: generic_assign!("token"),
        secret_group: 2,
        extract: Extract::Assignment,
        validator: Some(v::generic_machine),
        kind: Generic,
        must_match: &["AUTH_TOKEN=«{A:40}»", "  refresh_token: \"«{w:48}»\"", "accessToken = '«{h:40}»'"],
        must_not_match: &[
            "token = request.headers.get(\"X-Token\")",
            "token_type: bearer",
            "tokenizer = AutoTokenizer.from_pretrained(\"bert-base-uncased\")",
            "TOKEN=${GITHUB_TOKEN}",
            "max_tokens = 4096",
            "token: {{ secrets.TOKEN }}",
        ],
        ..BASE
    },
    SecretRule {
        id: "generic-api-key",
        title: "Hard-coded API key",
        severity: Medium,
        keywords: &[
            "api_key",
            "apikey",
            "api-key",
            "access_key",
            "accesskey",
            "access-key",
            "app_key",
            "appkey",
        ],
        regex: generic_assign!("api[_\\-]?key|access[_\\-]?key|app[_\\-]?key"),
        secret_group: 2,
        extract: Extract::Assignment,
        validator: Some(v::generic_machine),
        kind: Generic,
        must_match: &["API_KEY=«{A:32}»", r#"{"apiKey": "«{A:40}»"}"#, "x-api-key: «{h:32}»"],
        must_not_match: &[
            "api_key = config.api_key",
            "API_KEY=your-api-key-here",
            "apiKey: process.env.API_KEY",
        ],
        ..BASE
    },
];
