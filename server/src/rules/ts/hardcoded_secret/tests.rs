use super::*;
use crate::diagnostic::Applicability;
use crate::rules::testing::*;

use super::classify::{base64url_decode, is_sample_jwt, is_service_role, jwt_payload};
use crate::rules::secrets::{made_of_words, shannon_entropy};

const R: &str = "hardcoded-secret";
const LIVE: &str = "sk_live_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vKx9LpW4n";
// {"role":"service_role","iss":"supabase"}
const SERVICE_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIiwiaXNzIjoic3VwYWJhc2UifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln";
// {"role":"anon","iss":"supabase"}
const ANON_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiIsImlzcyI6InN1cGFiYXNlIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2ln";

#[test]
fn payload_decodes() {
    assert!(is_service_role(&jwt_payload(
        "eyJyb2xlIjoic2VydmljZV9yb2xlIiwiaXNzIjoic3VwYWJhc2UifQ"
    )));
    assert!(!is_service_role(&jwt_payload(
        "eyJyb2xlIjoiYW5vbiIsImlzcyI6InN1cGFiYXNlIn0"
    )));
    assert_eq!(base64url_decode("aGk").as_deref(), Some(&b"hi"[..]));
    assert!(shannon_entropy(&"aaaaaaaaaaaaaaaa".chars().collect::<Vec<_>>()) < 0.1);
    assert!(shannon_entropy(&"q8N2vXr7Lk3PzW9t".chars().collect::<Vec<_>>()) >= 3.0);
}

#[test]
fn flags_credential_shapes() {
    let src = format!(
        "const stripe = new Stripe('{LIVE}');\n\
         const restricted = 'rk_live_51HqLyjWDarjtT1zdp7dcXYZ2';\n\
         const hook = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';\n\
         const aws = {{ accessKeyId: 'AKIAZ3MSJV4WQ7EXMPL2', region: 'eu-west-1' }};\n\
         const slack = 'xoxb-2947385610-4829105736251-Qm8TzR2vKx9LpW4nYc7HbJ3d';\n\
         const gh = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';\n\
         const pat = 'github_pat_11AZQ7W3Y0kP9mR2vX8tL4_q8N2vXr7Lk3PzW9tYb6Hc1MdJ5sF0gT2hU7wE4';\n\
         const admin = createClient(url, '{SERVICE_JWT}');\n\
         const pem = '-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA1x2y3z4Q5w6e7r8t9y0uIoPaSdFgHjKlZxCvBnM\\n-----END RSA PRIVATE KEY-----';\n"
    );
    let got = assert_flags(R, "src/lib/clients.ts", &src, 9);
    assert_eq!(got[0], format!("'{LIVE}'"));
    let d = findings(R, "src/lib/clients.ts", &src);
    assert!(d.iter().all(|x| x.level == Level::Error), "{d:#?}");
    assert!(d[0].message.contains("Stripe live secret key"));
    assert!(d[7].message.contains("service_role"));
}

#[test]
fn key_inside_a_longer_string_or_template_is_flagged_without_fix() {
    let src = format!(
        "const h = {{ Authorization: 'Bearer {LIVE}' }};\nconst u = `https://x.test/?k={LIVE}&u=${{id}}`;\n"
    );
    let d = findings(R, "src/a.ts", &src);
    assert_eq!(d.len(), 2);
    assert!(d.iter().all(|x| x.fixes.is_empty()));
    // the suggested variable is the conventional one, not `AUTHORIZATION`
    assert!(
        d[0].message.contains("process.env.STRIPE_SECRET_KEY"),
        "{}",
        d[0].message
    );
}

#[test]
fn stripe_test_keys_warn_and_tests_lower_to_warn() {
    let d = findings(
        R,
        "src/pay.ts",
        "const k = 'sk_test_51HqLyjWDarjtT1zdp7dcXYZ2';\n",
    );
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].level, Level::Warn);
    for path in [
        "src/__tests__/pay.test.ts",
        "e2e/checkout.spec.ts",
        "scripts/seed.ts",
    ] {
        let d = findings(R, path, &format!("const k = '{LIVE}';\n"));
        assert_eq!(d.len(), 1, "{path}");
        assert_eq!(d[0].level, Level::Warn, "{path}");
    }
}

#[test]
fn flags_random_values_under_secret_names() {
    let got = assert_flags(
        R,
        "src/config.ts",
        "const JWT_SECRET = 'q8N2vXr7Lk3PzW9tYb6Hc1Md';\n\
         this.apiKey = 'a3f5c9e1b2d4f6a8c0e2a4b6';\n\
         const cfg = { client_secret: 'Zx9_kP2-mQ7vL4wR8tY1', 'x-api-key': 'b1f0e2d3-c4a5-4b6c-8d7e-9f0a1b2c3d4e5f' };\n\
         function connect(password = 'Sup3rS3cret!2024#') {}\n\
         class Api { privateKey = 'Mq7vL4wR8tY1Zx9kP2aa'; }\n\
         const accessToken = `b7Kp2Qx9Lm4Tz8Wv3Rn6`;\n",
        7,
    );
    assert_eq!(got[0], "'q8N2vXr7Lk3PzW9tYb6Hc1Md'");
}

#[test]
fn words_versus_random() {
    for v in [
        "FlowExistingAccountPasswordRequiredResultV2",
        "token_sha256_to_refresh",
        "app.auth.refreshToken",
        "STRIPE_WEBHOOK_SECRET",
        "correct-horse-battery-staple",
    ] {
        assert!(made_of_words(v), "{v}");
    }
    for v in [
        "q8N2vXr7Lk3PzW9tYb6Hc1Md",
        "a3f5c9e1b2d4f6a8c0e2a4b6",
        "550e8400-e29b-41d4-a716-446655440000",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8vL3mW2a",
        "Sup3rS3cret!2024#",
    ] {
        assert!(!made_of_words(v), "{v}");
    }
}

#[test]
fn key_names_as_written() {
    assert_flags(
        R,
        "src/a.ts",
        "const a = { 'Api Key': 'q8N2vXr7Lk3PzW9tYb6Hc1Md', PRIVATE_KEY: 'Mq7vL4wR8tY1Zx9kP2aa', XApiKey: 'b7Kp2Qx9Lm4Tz8Wv3Rn6' };\n",
        3,
    );
    // `api` and `key` apart are not an API key name
    assert_clean(
        R,
        "src/a.ts",
        "const apiCacheKey = 'q8N2vXr7Lk3PzW9tYb6Hc1Md';\n",
    );
}

#[test]
fn near_miss_placeholders() {
    assert_clean(
        R,
        "src/config.ts",
        "const a = 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxx';\n\
         const b = 'sk_live_...';\n\
         const c = '<STRIPE_SECRET_KEY>';\n\
         const apiKey = 'your_api_key_here_12345';\n\
         const token = 'your-token-goes-here-9';\n\
         const d = 'AKIAIOSFODNN7EXAMPLE';\n\
         const e = 'sk_live_YOUR_KEY_HERE';\n\
         const secret = 'REPLACE_WITH_A_RANDOM_SECRET_1';\n\
         const f = 'sk_live_1234567890abcdefghij';\n\
         const password = 'changeme';\n",
    );
}

#[test]
fn near_miss_publishable_anon_empty_and_env() {
    assert_clean(
        R,
        "src/config.ts",
        &format!(
            "const pk = 'pk_live_51HqLyjWDarjtT1zdp7dcXYZ2abcDEF';\n\
             const pt = 'pk_test_51HqLyjWDarjtT1zdp7dcXYZ2abcDEF';\n\
             const anon = createClient(url, '{ANON_JWT}');\n\
             const secret = '';\n\
             const apiKey = process.env.STRIPE_SECRET_KEY;\n\
             const token = process.env['GITHUB_TOKEN'] ?? '';\n"
        ),
    );
}

#[test]
fn near_miss_ui_placeholder_text() {
    assert_clean(
        R,
        "src/components/Login.tsx",
        "export const F = () => (<>\n  <input type=\"password\" placeholder=\"Enter your password\" />\n  <input placeholder=\"sk_live_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vK\" />\n  <p>{t('token')}</p>\n</>);\nconst labels = { passwordLabel: 'Password (min. 12 characters)', tokenHint: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a' };\n",
    );
}

#[test]
fn near_miss_names_words_and_non_values() {
    assert_clean(
        R,
        "src/config.ts",
        "const TOKEN_STORAGE_KEY = 'app.auth.refreshToken';\n\
         const secretName = 'prod/stripe/secret-key-v2';\n\
         const tokenUrl = 'https://oauth2.googleapis.com/token';\n\
         const passwordField = 'input[name=password]';\n\
         const SECRET_ENV = 'STRIPE_WEBHOOK_SECRET';\n\
         const FLOW_PASSWORD_REQUIRED_V2 = 'FlowPasswordRequiredResultV2';\n\
         const c = { SHA256_TOKEN_TO_REFRESH: 'token_sha256_to_refresh' };\n\
         const secret = 'correct-horse-battery-staple';\n\
         const tokenizer = 'q8N2vXr7Lk3PzW9tYb6Hc1Md';\n\
         const apiKey = 'short1A';\n\
         const token = 'aaaaaaaaaaaaaaaaaaaaaaaa';\n\
         import secretThing from 'sk_live_51HqLyjWDarjtT1zdp7dcXYZ2abcDEF';\n\
         type T = { token: 'q8N2vXr7Lk3PzW9tYb6Hc1Md' };\n\
         const m = { 'q8N2vXr7Lk3PzW9tYb6Hc1Md': 1 };\n\
         if (key.startsWith('sk_live_')) {}\n\
         const pem = key.replace('-----BEGIN PRIVATE KEY-----', '');\n",
    );
}

#[test]
fn near_miss_comments_and_fallbacks() {
    assert_clean(
        R,
        "src/config.ts",
        "// const stripe = new Stripe('sk_live_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vKx9LpW4n');\n\
         /** @example apiKey: 'q8N2vXr7Lk3PzW9tYb6Hc1Md' */\n\
         const secret = process.env.JWT_SECRET || 'q8N2vXr7Lk3PzW9tYb6Hc1Md';\n",
    );
    // a live key is a live key, fallback or not
    assert_flags(
        R,
        "src/config.ts",
        &format!("const key = process.env.STRIPE_KEY || '{LIVE}';\n"),
        1,
    );
}

// {"iss":"supabase-demo","role":"service_role","exp":1983812996}
const DEMO_SERVICE_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.c2lnbmF0dXJlc2lnbmF0dXJlc2ln";
// {"sub":"1234567890","name":"John Doe","iat":1516239022}
const JWT_IO_SAMPLE: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln";
// {"sub":"u_42","name":"Ada"}
const OTHER_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzQyIiwibmFtZSI6IkFkYSJ9.Qm8TzR2vKx9LpW4nYc7HbJ3dXr7Lk3Pz";

#[test]
fn near_miss_known_public_and_sample_values() {
    assert!(is_sample_jwt(&jwt_payload(
        DEMO_SERVICE_JWT.split('.').nth(1).unwrap()
    )));
    assert_clean(
        R,
        "src/lib/config.ts",
        &format!(
            "const serviceRoleKey = '{DEMO_SERVICE_JWT}';\n\
             const admin = createClient(url, '{DEMO_SERVICE_JWT}');\n\
             const token = '{JWT_IO_SAMPLE}';\n\
             const POSTHOG_API_KEY = 'phc_q8N2vXr7Lk3PzW9tYb6Hc1MdJ5sF0gT2hU7wE4aB';\n\
             const cfg = {{ apiKey: '550e8400-e29b-41d4-a716-446655440000', token: 'F47AC10B-58CC-4372-A567-0E02B2C3D479' }};\n"
        ),
    );
    // another JWT under a token's name is still a credential
    assert_flags(
        R,
        "src/lib/config.ts",
        &format!("const token = '{OTHER_JWT}';\n"),
        1,
    );
}

#[test]
fn near_miss_value_whose_comment_says_it_is_not_a_secret() {
    assert_clean(
        R,
        "src/lib/links.ts",
        "// Not actually a secret: a salt we XOR ids with to keep them short.\n\
         const XOR_SECRET_KEY = 'a3f5c9e1b2d4f6a8c0e2a4b6d8f0a2c4';\n\
         export const hook = {\n  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', // dummy secret for previews\n};\n\
         /**\n * Safe to expose: the widget sends it from the browser.\n */\n\
         export const widgetToken = 'b7Kp2Qx9Lm4Tz8Wv3Rn6'\n\
         const apiKey = 'q8N2vXr7Lk3PzW9tYb6Hc1Md' // not sensitive, rate-limited demo key\n",
    );
    // a comment further away, or about another statement, does not count
    assert_flags(
        R,
        "src/lib/links.ts",
        "// not a secret\n\nconst JWT_SECRET = 'q8N2vXr7Lk3PzW9tYb6Hc1Md';\nconst a = 1; // not a secret\nconst apiKey = 'b7Kp2Qx9Lm4Tz8Wv3Rn6';\n",
        2,
    );
    // a live provider key is a leak whatever its comment says
    assert_flags(
        R,
        "src/lib/links.ts",
        &format!("const stripeKey = '{LIVE}'; // not a secret, test account\n"),
        1,
    );
}

#[test]
fn test_like_paths_report_only_live_provider_keys() {
    for path in [
        "src/__tests__/auth.test.ts",
        "scripts/dev/simulate-webhook.ts",
        "src/mocks/handlers.ts",
        "e2e/login.spec.ts",
    ] {
        assert_clean(
            R,
            path,
            &format!(
                "const mockToken = '{OTHER_JWT}';\n\
                 const webhook = {{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }};\n\
                 const k = 'sk_test_51HqLyjWDarjtT1zdp7dcXYZ2';\n\
                 const admin = createClient(url, '{SERVICE_JWT}');\n\
                 const JWT_SECRET = 'q8N2vXr7Lk3PzW9tYb6Hc1Md';\n"
            ),
        );
        let got = assert_flags(
            R,
            path,
            &format!(
                "const a = '{LIVE}';\n\
                 const b = 'AKIAZ3MSJV4WQ7EXMPL2';\n\
                 const c = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';\n\
                 const d = 'xoxb-2947385610-4829105736251-Qm8TzR2vKx9LpW4nYc7HbJ3d';\n\
                 const e = 'rk_live_51HqLyjWDarjtT1zdp7dcXYZ2';\n\
                 const f = '-----BEGIN PRIVATE KEY-----\\nMIIEowIBAAKCAQEA1x2y3z4Q5w6e7r8t9y0uIoPaSdFgHjKlZxCvBnM\\n-----END PRIVATE KEY-----';\n"
            ),
            6,
        );
        assert_eq!(got[0], format!("'{LIVE}'"), "{path}");
    }
}

#[test]
fn keeps_working_around_syntax_errors() {
    assert_flags(
        R,
        "src/config.ts",
        &format!("const x = {{{{;\nconst stripe = new Stripe('{LIVE}');\n"),
        1,
    );
}

#[test]
fn fix_uses_the_name_or_a_conventional_one() {
    let before = format!("const stripeSecretKey = '{LIVE}';\n");
    let d = findings(R, "src/a.ts", &before);
    assert_eq!(d[0].fix().unwrap().applicability, Applicability::Unsafe);
    check_fix(
        R,
        "src/a.ts",
        &before,
        true,
        "const stripeSecretKey = process.env.STRIPE_SECRET_KEY;\n",
    );
    check_fix(
        R,
        "src/a.ts",
        &format!("const stripe = new Stripe(\"{LIVE}\", {{ apiVersion: \"2024-06-20\" }});\n"),
        true,
        "const stripe = new Stripe(process.env.STRIPE_SECRET_KEY, { apiVersion: \"2024-06-20\" });\n",
    );
    check_fix(
        R,
        "src/a.ts",
        "const cfg = { 'x-api-key': 'a3f5c9e1b2d4f6a8c0e2a4b6' };\n",
        true,
        "const cfg = { 'x-api-key': process.env.X_API_KEY };\n",
    );
    check_fix(
        R,
        "src/a.tsx",
        &format!("export const P = () => <StripeProvider apiKey=\"{LIVE}\" />;\n"),
        true,
        "export const P = () => <StripeProvider apiKey={process.env.API_KEY} />;\n",
    );
    check_fix(
        R,
        "src/a.ts",
        &format!("const admin = createClient(url, '{SERVICE_JWT}');\n"),
        true,
        "const admin = createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY);\n",
    );
}

#[test]
fn fix_on_crlf_file_with_non_ascii_text_before() {
    let before = "const greeting = 'café 😀';\r\nexport const webhookSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';\r\n".to_string();
    let d = findings(R, "src/a.ts", &before);
    assert_eq!(d.len(), 1);
    assert_eq!(
        &before[d[0].range.clone()],
        "'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'"
    );
    assert_eq!(d[0].range.start, before.find("'whsec").unwrap());
    check_fix(
        R,
        "src/a.ts",
        &before,
        true,
        "const greeting = 'café 😀';\r\nexport const webhookSecret = process.env.WEBHOOK_SECRET;\r\n",
    );
}
