//! Authentication: which calls authenticate, and whether a handler does.
//!
//! The lists are parameters (`&[&str]`) with defaults here, so a rule can
//! pass a configured list (`prodlint.toml`) instead.

use super::handlers::{enclosing_handler, route_of, router_inline_middleware_of, Handler, Via};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

/// Calls that authenticate the request, by callee. An entry with a dot
/// matches the end of the callee's path on a segment boundary
/// (`supabase.auth.getUser` matches `ctx.supabase.auth.getUser`); one without
/// matches the callee's last segment (`auth` matches `auth()` and
/// `clerk.auth()`).
pub const DEFAULT_AUTH_CALLS: &[&str] = &[
    // NextAuth / Auth.js, Clerk
    "auth",
    "getServerSession",
    "getSession",
    "currentUser",
    "getAuth",
    // Supabase
    "supabase.auth.getUser",
    "supabase.auth.getClaims",
    // Lucia, Better Auth, Passport, common helpers
    "validateRequest",
    "api.getSession",
    "passport.authenticate",
    "requireAuth",
    "requireUser",
    "isAuthenticated",
    "ensureAuthenticated",
    "verifyToken",
    "jwt.verify",
    "jwtVerify",
];

/// Higher-order functions and middleware names that authenticate what they
/// wrap or guard (`withAuth(handler)`, Auth0's `withApiAuthRequired`,
/// `router.use(requireAuth)`); `with*` in general only when configured.
pub const DEFAULT_AUTH_WRAPPERS: &[&str] = &[
    "withAuth",
    "withApiAuthRequired",
    "withPageAuthRequired",
    "authMiddleware",
    "clerkMiddleware",
    "requireAuth",
    "isAuthenticated",
    "ensureAuthenticated",
    "authenticate",
    "passport.authenticate",
    "verifyToken",
];

/// Names of functions that say they identify or authenticate the caller,
/// beside the last segments of [`DEFAULT_AUTH_CALLS`] and
/// [`DEFAULT_AUTH_WRAPPERS`] (`stub-auth` judges functions with these names;
/// `route-without-auth` calls them).
pub const AUTH_FUNCTION_NAMES: &[&str] = &[
    "getUserId",
    "getCurrentUser",
    "getCurrentUserId",
    "getUser",
    "getAuthUser",
    "getSessionUser",
    "requireSession",
    "checkAuth",
    "verifyAuth",
    "verifySession",
    "validateToken",
    "validateSession",
    "authenticate",
    "authenticateUser",
    "authenticateRequest",
];

/// A function named `name` says it authenticates the caller or returns who
/// the caller is: a default auth call or wrapper (`requireAuth`,
/// `isAuthenticated`, `verifyToken`, `getServerSession`), or one of
/// [`AUTH_FUNCTION_NAMES`] (`getUserId`, `getCurrentUser`).
pub fn names_auth_function(name: &str) -> bool {
    let last = |e: &&str| e.rsplit('.').next() == Some(name);
    AUTH_FUNCTION_NAMES.contains(&name)
        || DEFAULT_AUTH_CALLS.iter().any(last)
        || DEFAULT_AUTH_WRAPPERS.iter().any(last)
}

/// A middleware name that says it authenticates: its first word is `auth`,
/// `authenticate`, `authorize`… (`authMiddleware`, `authGuard`), or it is an
/// auth function name ([`names_auth_function`]).
pub fn names_auth_middleware(name: &str) -> bool {
    let words = ast::name_words(name);
    words.first().is_some_and(|w| {
        matches!(
            w.as_str(),
            "auth"
                | "authenticate"
                | "authenticated"
                | "authentication"
                | "authorize"
                | "authorization"
        )
    }) || names_auth_function(name)
}

/// `path` (a dotted callee or middleware name) is in `list` (see
/// [`DEFAULT_AUTH_CALLS`] for the matching).
pub fn matches_list(path: &str, list: &[&str]) -> bool {
    list.iter().any(|entry| {
        if entry.contains('.') {
            path == *entry || path.ends_with(&format!(".{entry}"))
        } else {
            path.rsplit('.').next() == Some(*entry)
        }
    })
}

/// `call` is an auth call in `list`.
pub fn is_auth_call(call: Node<'_>, src: &str, list: &[&str]) -> bool {
    call.kind_name() == "call_expression"
        && ast::callee_path(call, src).is_some_and(|p| matches_list(&p, list))
}

/// Why a handler counts as authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthEvidence {
    /// A middleware, wrapper or guard in `wrappers` (or any NestJS guard).
    Middleware(String, Via),
    /// An auth call in the handler's body (its byte offset).
    Call(usize),
}

/// Whether `handler` authenticates: a NestJS guard, a wrapper or middleware
/// named in `wrappers`, or an auth call (in `calls`) anywhere in its body,
/// nested functions included.
pub fn authenticates(
    handler: &Handler<'_>,
    src: &str,
    calls: &[&str],
    wrappers: &[&str],
) -> Option<AuthEvidence> {
    if let Some(m) = handler
        .middleware
        .iter()
        .find(|m| m.via == Via::Guard || matches_list(&m.name, wrappers))
    {
        return Some(AuthEvidence::Middleware(m.name.clone(), m.via));
    }
    let mut found = None;
    ast::visit(handler.node, &mut |n| {
        if found.is_some() {
            return false;
        }
        if is_auth_call(n, src, calls) {
            found = Some(AuthEvidence::Call(n.start_byte()));
            return false;
        }
        true
    });
    found
}

/// The handler is gated to the app's administrators: an admin wrapper or
/// middleware (`withAdmin(…)`, `requireAdmin`), or a call without arguments
/// that gets or requires one (`requireAdmin()`, `await assertAdmin()`).
/// Their input comes from the operators of the app, like a job runner's. An
/// admin of the caller's team or workspace (`getAuthenticatedAdmin(teamId)`,
/// `isAdmin(user)`) is a customer: still judged.
pub fn admin_only(h: &Handler<'_>, src: &str) -> bool {
    let gate = |name: &str| {
        let words = ast::name_words(name);
        words.iter().any(|w| w == "admin" || w == "superadmin")
            && words.first().is_some_and(|w| {
                matches!(
                    w.as_str(),
                    "with"
                        | "require"
                        | "ensure"
                        | "assert"
                        | "get"
                        | "check"
                        | "verify"
                        | "is"
                        | "admin"
                        | "only"
                )
            })
    };
    if h.middleware.iter().any(|m| gate(&m.name)) {
        return true;
    }
    let mut found = false;
    ast::visit(h.node, &mut |n| {
        if found {
            return false;
        }
        // `requireAdmin()`: no argument. `getAuthenticatedAdmin(teamId)` asks
        // for an admin of the caller's team, a customer, not an operator.
        if n.kind_name() == "call_expression" && ast::call_arguments(n).is_empty() {
            found = ast::callee_name(n, src).is_some_and(|c| gate(&c));
        }
        !found
    });
    found
}

/// The response is only reachable by a caller that holds a secret of the
/// deployment: an enclosing function, or middleware written inline before the
/// route in this file, compares a value with a `process.env` secret (`if
/// (auth !== `Bearer ${process.env.CRON_SECRET}`) return 401`). Such endpoints
/// serve a job runner, a cron or another backend, not a browser (measured: 30
/// of the 38 false positives on real projects). Ask it only for a finding
/// about to be reported: the walks are not cheap.
pub fn behind_shared_secret(node: Node<'_>, src: &Script<'_>, file: &str) -> bool {
    let mut funcs: Vec<Node<'_>> = ast::ancestors(node)
        .filter(|n| ast::is_function(*n))
        .collect();
    if let Some(call) = enclosing_handler(node, src, file).and_then(|h| h.registration) {
        funcs.extend(router_inline_middleware_of(call, src));
        if let Some(r) = route_of(call, src) {
            let more: Vec<_> = r
                .handlers
                .iter()
                .copied()
                .filter(|f| !funcs.contains(f))
                .collect();
            funcs.extend(more);
        }
    }
    funcs.into_iter().any(|f| compares_with_env_secret(f, src))
}

/// `func` holds a comparison (`===`, `!==`, `==`, `!=`) with a `process.env`
/// value named like a secret, written there or bound to a local one hop away,
/// or calls a check named for a deployment secret
/// (`validateMediaServerSecret(c)`, `AdminApiAuthService.handleAdminAuth(req,
/// res)`, `verifyCronSecret(req)`; not a user's `verifyToken`).
/// A literal operand: a string without substitutions, a number, `null`,
/// `undefined`, `true`, `false`.
fn is_literal(n: Node<'_>) -> bool {
    matches!(
        n.kind_name(),
        "string" | "number" | "null" | "undefined" | "true" | "false"
    ) || (n.kind_name() == "template_string" && n.named_child_count() == 0)
}

/// A check call given the request or the handler's context
/// (`verifyCronSecret(req)`, `validateMediaServerSecret(c)`,
/// `checkSecret(request.headers)`), not a value of the user's
/// (`checkApiKey(profile.openai_api_key)`).
fn passes_the_request(call: Node<'_>, src: &str) -> bool {
    ast::call_arguments(call).iter().any(|a| {
        let t = ast::text(ast::unwrap_expr(*a), src);
        let root = t.split(['.', '[', '(']).next().unwrap_or(t);
        matches!(
            root,
            "req" | "request" | "c" | "ctx" | "context" | "headers" | "event" | "authorization"
        )
    })
}

fn compares_with_env_secret(func: Node<'_>, src: &Script<'_>) -> bool {
    let mut found = false;
    ast::visit(func, &mut |n| {
        if found {
            return false;
        }
        if n.kind_name() == "call_expression" {
            found = n
                .field(Field::Function)
                .map(|f| ast::text(f, src))
                .and_then(|callee| callee.rsplit('.').next())
                .is_some_and(checks_deployment_secret)
                && passes_the_request(n, src);
        } else if n.kind_name() == "binary_expression"
            && n.field(Field::Operator)
                .is_some_and(|o| matches!(ast::text(o, src), "===" | "!==" | "==" | "!="))
        {
            // `process.env.API_KEY === ''` checks the configuration, not the caller
            let literal = [n.field(Field::Left), n.field(Field::Right)]
                .into_iter()
                .flatten()
                .any(|side| is_literal(ast::unwrap_expr(side)));
            found = !literal
                && [n.field(Field::Left), n.field(Field::Right)]
                    .into_iter()
                    .flatten()
                    .any(|side| {
                        let side = ast::unwrap_expr(side);
                        names_env_secret(ast::text(side, src))
                            || (side.kind_name() == "identifier"
                                && src
                                    .value_of(side, ast::text(side, src))
                                    .is_some_and(|v| names_env_secret(ast::text(v, src))))
                    });
        }
        !found
    });
    found
}

/// A function name that says it checks a secret of the deployment: a check
/// verb, then a secret, an API key, admin or internal auth, or a cron.
fn checks_deployment_secret(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    [
        "validate",
        "verify",
        "check",
        "is",
        "has",
        "require",
        "handle",
        "authorize",
        "assert",
        "ensure",
    ]
    .iter()
    .any(|v| l.starts_with(v))
        && [
            "secret",
            "apikey",
            "api_key",
            "adminauth",
            "adminapi",
            "internalapi",
            "internalauth",
            "cron",
        ]
        .iter()
        .any(|w| l.contains(w))
}

/// `process.env.CRON_SECRET`, `` `Bearer ${env.INTERNAL_API_KEY}` ``: an
/// environment value whose name says it is a secret.
fn names_env_secret(text: &str) -> bool {
    ["process.env.", "env."].iter().any(|prefix| {
        text.match_indices(prefix).any(|(at, _)| {
            let name: String = text[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            ["SECRET", "TOKEN", "KEY", "PASSWORD"]
                .iter()
                .any(|w| name.to_ascii_uppercase().contains(w))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ts::frameworks::testing::with_first_handler;

    /// The evidence for the first handler of `src` in `file`.
    fn evidence(src: &str, file: &str) -> Option<AuthEvidence> {
        with_first_handler(src, file, |h, s| {
            authenticates(h, s, DEFAULT_AUTH_CALLS, DEFAULT_AUTH_WRAPPERS)
        })
    }

    #[test]
    fn list_matching() {
        assert!(matches_list("auth", DEFAULT_AUTH_CALLS));
        assert!(matches_list("clerk.currentUser", DEFAULT_AUTH_CALLS));
        assert!(matches_list(
            "ctx.supabase.auth.getUser",
            DEFAULT_AUTH_CALLS
        ));
        assert!(!matches_list("supabase.from", DEFAULT_AUTH_CALLS));
        assert!(!matches_list("authorize", DEFAULT_AUTH_CALLS));
        assert!(!matches_list(
            "mysupabase.auth.getUser",
            &["supabase.auth.getUser"]
        ));
        assert!(!matches_list("withLogging", DEFAULT_AUTH_WRAPPERS));
    }

    #[test]
    fn calls_in_the_body() {
        let e = evidence("export async function POST(req) {\n  const session = await getServerSession(authOptions);\n}\n", "app/api/x/route.ts");
        assert!(matches!(e, Some(AuthEvidence::Call(_))));
        let e = evidence(
            "export async function GET() {\n  const { data } = await supabase.auth.getUser();\n}\n",
            "app/x/route.ts",
        );
        assert!(matches!(e, Some(AuthEvidence::Call(_))));
    }

    #[test]
    fn wrappers_middleware_and_guards() {
        let e = evidence(
            "export const POST = withAuth(async (req) => {});\n",
            "app/x/route.ts",
        );
        assert_eq!(
            e,
            Some(AuthEvidence::Middleware("withAuth".into(), Via::Wrapper))
        );
        let e = evidence("const router = express.Router();\nrouter.use(passport.authenticate('jwt'));\nrouter.post('/x', (req, res) => {});\n", "a.ts");
        assert_eq!(
            e,
            Some(AuthEvidence::Middleware(
                "passport.authenticate".into(),
                Via::Router
            ))
        );
        let e = evidence(
            "@Controller('a')\nclass A {\n  @Post()\n  @UseGuards(ApiKeyGuard)\n  m() {}\n}\n",
            "a.ts",
        );
        assert_eq!(
            e,
            Some(AuthEvidence::Middleware("ApiKeyGuard".into(), Via::Guard))
        );
    }

    #[test]
    fn auth_function_and_middleware_names() {
        for n in [
            "getUserId",
            "getCurrentUser",
            "requireAuth",
            "isAuthenticated",
            "verifyToken",
            "auth",
            "getServerSession",
        ] {
            assert!(names_auth_function(n), "{n}");
        }
        for n in ["authMiddleware", "authGuard", "authorize", "requireAuth"] {
            assert!(names_auth_middleware(n), "{n}");
        }
        // near misses
        for n in [
            "getUsers",
            "authorName",
            "fetchUserId",
            "getAuthorId",
            "verifyEmail",
        ] {
            assert!(!names_auth_function(n), "{n}");
        }
        for n in ["authorsRouter", "oauthCallback", "logRequests"] {
            assert!(!names_auth_middleware(n), "{n}");
        }
    }

    #[test]
    fn near_misses() {
        // a wrapper that does not authenticate, a string that names auth,
        // an auth call in another function
        assert_eq!(
            evidence(
                "export const POST = withLogging(async (req) => {});\n",
                "app/x/route.ts"
            ),
            None
        );
        assert_eq!(evidence("export async function GET() { return Response.json({ msg: 'auth()' }); }\nasync function other() { await auth(); }\n", "app/x/route.ts"), None);
    }
}
