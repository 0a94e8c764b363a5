use super::{Check, TsRule, Visitor};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::logging::{logger_callee, LoggerCallee, Loggers};
use crate::ts::frameworks::nest;
use crate::ts::frameworks::request::{request_rest, RequestPart, BODY_READERS};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{BindingKind, Semantic};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "log-request-data",
        language: RuleLanguage::Script,
        tier: 'A',
        default_level: Level::Error,
        fix: FixKind::Unsafe,
        not_in_tests: true,
        summary: "A console or logger call writes request bodies, headers, cookies or parameters to the logs",
        docs: DOCS,
        // Every logger call this rule knows contains one of these (a pino/winston
        // instance is created in the same file, with `pino` or `createLogger`;
        // `log` may be followed by blanks before its `.`).
        triggers: &[
            "console", "logger", "log.", "log?.", "log[", "log ", "log\t", "log\n", "log\r",
            "pino", "winston",
        ],
        // Request data: `req.*`, `request`, bodies, queries, params, headers, cookies, parsed bodies.
        also_triggers: &["req.", "req?.", "req[", "request", "body", "query", "param", "header", "cookie", "json", "formdata", "text("],
        options: RuleOptions::NONE,
    },
    // The whole file at once: findings need file-level facts (logger instances,
    // names bound to request data, which functions are only called under a
    // development guard), gathered during the shared walk.
    kinds: &[
        "call_expression",
        "variable_declarator",
        "required_parameter",
        "optional_parameter",
    ],
    check: Check::File(visitor),
};

const DOCS: &str = r#"## What it does
Flags a `console.*` call or a logger call (`logger.*`, `log.*`, `this.logger.*`,
a variable created with `pino(…)` or `winston.createLogger(…)`) whose arguments
include request data: `req.body`, `req.params`, `req.query`, `req.headers`,
`req.cookies` (also on `request`), a sensitive header (`req.headers.authorization`,
`request.headers.get('cookie')`), a variable bound from `await req.json()`,
`await request.formData()` or `await req.text()` (also parsed, `JSON.parse(raw)`,
or copied through one more variable: `const raw = await req.text(); const body =
JSON.parse(raw)`), a `body` destructured from
the request (`const { body } = req`), or a NestJS `@Body()` / `@Query()` /
`@Headers()` parameter — anywhere in the arguments (`JSON.stringify(body)`,
`{ ...req.body }`, a template substitution).

Not flagged: calls under a development-only guard (`if (process.env.NODE_ENV ===
'development')`, `!== 'production'`, brace-less `if` included, the `else` of an
`if (isProd)` or of `if (isProd || isStaging)` or of `if (NODE_ENV !==
'development')`, `isProd || console.log(…)`, after `if (isProd) return;`), calls in a function that is only
called under such a guard in the same file, single fields (`req.body.page`,
`req.query.id`), `req.method`, `req.path`, `req.url`, `req.id`, the same text in
comments or strings, and test-like paths.

A guard counts only in the polarity that keeps the call out of production: the
branch under `if (process.env.NODE_ENV === 'production')` or `if (isProd)` *is*
production, and a check mixed with another condition guards only where the
operators say so (`if (isProd && verbose) … else console.log(req.body)` and code
after `if (isProd && !verbose) return;` still run in production: flagged).

## Why is this bad?
Request bodies carry passwords, card data and personal data; headers and cookies
carry session tokens and API keys. Logs are kept for months, shipped to third
parties and read by many people: a logged body is a data leak that nobody
notices.

## Examples
```ts flagged lines=2
app.post('/login', (req, res) => {
  console.log('login', req.body);
});
```

```ts flagged lines=3
export async function POST(request: Request) {
  const body = await request.json();
  logger.info(`checkout ${JSON.stringify(body)}`);
}
```

```ts flagged lines=2
app.post('/login', (req, res) => {
  if (process.env.NODE_ENV === 'production') console.error('login failed', req.headers['authorization']);
});
```

```ts flagged lines=4
export async function POST(req: Request) {
  const rawBody = await req.text();
  const event = JSON.parse(rawBody);
  console.info(`webhook ${event.type}`, event);
}
```

```ts ok
app.post('/login', (req, res) => {
  if (isProd || isStaging) {
    res.status(500).end();
  } else {
    console.error('login failed', req.body);
  }
  isProd || console.log(req.headers);
});
```

```ts ok
app.post('/login', (req, res) => {
  console.log(`${req.method} ${req.url}`, req.id);
  // console.log(req.body)
  if (process.env.NODE_ENV === 'development') console.log(req.body);
});
```

## Fix
Both fixes are **unsafe** (they change what is logged): the first removes the
statement; the second wraps it in
`if (process.env.NODE_ENV !== 'production') { … }`, keeping the file's
indentation, quotes and line endings. Calls that are part of a larger expression
get no fix.
"#;

const DATA_PARTS: &[&str] = &["body", "rawBody", "params", "query", "headers", "cookies"];
/// Headers that carry credentials.
fn is_sensitive_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
    ) || [
        "token",
        "secret",
        "api-key",
        "apikey",
        "api_key",
        "session",
        "signature",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// The rule's state over one file: possible logging calls, and the names that
/// logger instances and request data are bound to anywhere in the file.
struct FileVisitor<'t> {
    src: &'t str,
    calls: Vec<(Node<'t>, LoggerCallee<'t>)>,
    facts: FileFacts<'t>,
}

fn visitor<'t>(src: &'t str) -> Box<dyn Visitor<'t> + 't> {
    Box::new(FileVisitor {
        src,
        calls: Vec::new(),
        facts: FileFacts::default(),
    })
}

impl<'t> Visitor<'t> for FileVisitor<'t> {
    fn visit(&mut self, cx: &mut RuleContext<'_>, n: Node<'t>) {
        let src = self.src;
        match n.kind_name() {
            "call_expression" => {
                if let Some(callee) = logger_callee(n, src) {
                    self.calls.push((n, callee));
                }
            }
            "variable_declarator" => self.facts.declarator(n, src, cx.semantic),
            "required_parameter" | "optional_parameter" => {
                let mut c = n.walk();
                let decorated = n.children(&mut c).any(|d| d.kind_name() == "decorator");
                if decorated {
                    if let Some(p) = n.field(Field::Pattern) {
                        self.facts.data_names.insert(ast::text(p, src));
                    }
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, cx: &mut RuleContext<'_>, program: Node<'t>) {
        let src = self.src;
        let facts = &mut self.facts;
        facts.loggers.resolve_children();
        let mut candidates: Vec<(Node<'_>, String, String)> = Vec::new();
        for (call, callee) in std::mem::take(&mut self.calls) {
            if callee
                .instance
                .is_some_and(|name| !facts.loggers.contains(name))
            {
                continue;
            }
            if let Some(data) = request_data_in_args(call, src, cx.semantic, facts) {
                candidates.push((call, callee.path, data));
            }
        }
        if candidates.is_empty() {
            return;
        }
        let mut guards = Guards {
            program,
            src,
            refs: None,
            exits: ast::EarlyExits::default(),
        };
        let mut unit = None;
        for (call, callee, data) in candidates {
            if guards.dev_only(call, 0) {
                continue;
            }
            let message = format!(
                "`{callee}(…)` writes request data ({data}) to the logs; bodies, headers and cookies carry passwords, tokens and personal data: remove it or log only outside production"
            );
            let fixes = fixes_for(call, src, &mut unit);
            let diag = cx.report(call.byte_range(), message);
            for f in fixes {
                diag.with_fix(f);
            }
        }
    }
}

/// Names bound anywhere in the file (scopes are checked later, for the names
/// that matter).
#[derive(Default)]
struct FileFacts<'s> {
    /// Variables created with a logger factory, or as a child of such a logger.
    loggers: Loggers<'s>,
    /// Names that a declaration or a decorated parameter may bind to request
    /// data; only uses of these are looked up in their scope.
    data_names: HashSet<&'s str>,
}

impl<'s> FileFacts<'s> {
    fn declarator(&mut self, d: Node<'_>, src: &'s str, sem: &Semantic<'_>) {
        let (Some(name), Some(value)) = (d.field(Field::Name), d.field(Field::Value)) else {
            return;
        };
        self.loggers.declarator(name, value, src);
        // While the file is walked, only names already bound to request data
        // are followed (declarations come before their uses in document
        // order), so an ordinary `const a = b` costs no scope lookup.
        let from_request = whole_value_hops(value, src, sem, 1, Some(&self.data_names)).is_some()
            || ast::member_path(ast::unwrap_expr(value), src)
                .is_some_and(|p| request_rest(&p).is_some_and(|r| r.is_empty()));
        if from_request {
            ast::visit(name, &mut |n| {
                if matches!(
                    n.kind_name(),
                    "identifier" | "shorthand_property_identifier_pattern"
                ) {
                    self.data_names.insert(ast::text(n, src));
                }
                true
            });
        }
    }
}

/// The first request data found in the call's arguments, described for the message.
fn request_data_in_args(
    call: Node<'_>,
    src: &str,
    sem: &Semantic<'_>,
    facts: &FileFacts<'_>,
) -> Option<String> {
    ast::call_arguments(call)
        .into_iter()
        .find_map(|a| request_data_in(a, src, sem, facts))
}

fn request_data_in(
    node: Node<'_>,
    src: &str,
    sem: &Semantic<'_>,
    facts: &FileFacts<'_>,
) -> Option<String> {
    let _level = ast::descend()?;
    let mut found: Option<String> = None;
    ast::visit(node, &mut |n| {
        if found.is_some() {
            return false;
        }
        match n.kind_name() {
            "comment" | "string" => false,
            "member_expression" | "subscript_expression" => {
                if ast::member_path(n, src).is_none() {
                    if n.kind_name() == "subscript_expression" {
                        // `req.body[key]` is one field; only the index can hold data.
                        found = n
                            .field(Field::Index)
                            .and_then(|i| request_data_in(i, src, sem, facts));
                        return false;
                    }
                    return true;
                }
                found =
                    whole_data_chain(n, src, sem, facts).filter(|_| !is_excluded_position(n, src));
                false
            }
            "identifier" | "shorthand_property_identifier" => {
                if facts.data_names.contains(ast::text(n, src)) {
                    found =
                        bound_request_data(n, src, sem).filter(|_| !is_excluded_position(n, src));
                }
                false
            }
            "call_expression" => {
                if let Some(read) = body_read(n, src) {
                    found = Some(format!("`await {read}()`"));
                    return false;
                }
                true
            }
            _ => true,
        }
    });
    found
}

/// `req.json` / `request.formData` / `req.text` called: the read's path.
fn body_read(call: Node<'_>, src: &str) -> Option<String> {
    let path = ast::callee_path(call, src)?;
    let rest = request_rest(&path)?;
    (rest.len() == 1 && BODY_READERS.contains(&rest[0])).then_some(path)
}

/// A member chain that is a whole request part (`req.body`, `request.headers`,
/// `req.headers.authorization`, `request.headers.get('cookie')`), or a whole
/// bound value turned into text or entries (`body.toString()`, `formData.entries()`).
fn whole_data_chain(
    n: Node<'_>,
    src: &str,
    sem: &Semantic<'_>,
    facts: &FileFacts<'_>,
) -> Option<String> {
    let path = ast::member_path(n, src)?;
    let called = n
        .parent()
        .filter(|p| p.kind_name() == "call_expression")
        .is_some_and(|p| p.field(Field::Function).is_some_and(|f| f.id() == n.id()));
    if called {
        let (object, method) = path.rsplit_once('.')?;
        if matches!(method, "toString" | "entries" | "values" | "toJSON") {
            let obj = n.field(Field::Object)?;
            return match obj.kind_name() {
                "identifier" if facts.data_names.contains(ast::text(obj, src)) => {
                    bound_request_data(obj, src, sem)
                }
                "identifier" => None,
                _ => whole_data_chain_path(object),
            };
        }
        // `request.headers.get('authorization')`
        if method == "get" && object.ends_with(".headers") {
            let rest = request_rest(object)?;
            let call = n.parent()?;
            let header = ast::call_arguments(call)
                .first()
                .and_then(|a| ast::string_value(*a, src))?;
            return (rest == ["headers"] && is_sensitive_header(&header))
                .then(|| format!("`{object}.get('{header}')`"));
        }
        return None;
    }
    whole_data_chain_path(&path)
}

fn whole_data_chain_path(path: &str) -> Option<String> {
    let rest = request_rest(path)?;
    match rest.as_slice() {
        [part] if DATA_PARTS.contains(part) => Some(format!("`{path}`")),
        ["headers", header] if is_sensitive_header(header) => Some(format!("`{path}`")),
        _ => None,
    }
}

/// Where a name is bound, as the request-data checks see it: a `const`/`let`/
/// `var` declarator (`declarator`, and `element`, the part of its pattern that
/// binds the name) or a function parameter.
enum Bound<'t> {
    Declarator {
        declarator: Node<'t>,
        element: Node<'t>,
    },
    Parameter(Node<'t>),
}

fn local_binding<'t>(sem: &Semantic<'t>, at: Node<'_>, name: &str) -> Option<Bound<'t>> {
    let b = sem.resolve_at(at.start_byte(), name)?;
    match b.kind {
        BindingKind::Const | BindingKind::Let | BindingKind::Var => Some(Bound::Declarator {
            declarator: b.decl,
            element: b.element,
        }),
        BindingKind::Param if b.decl.kind_name() != "catch_clause" => {
            Some(Bound::Parameter(b.decl))
        }
        _ => None,
    }
}

/// An identifier bound to whole request data in its scope.
fn bound_request_data(ident: Node<'_>, src: &str, sem: &Semantic<'_>) -> Option<String> {
    let name = ast::text(ident, src);
    match local_binding(sem, ident, name)? {
        Bound::Declarator {
            declarator,
            element,
        } => {
            let value = declarator.field(Field::Value)?;
            match element.kind_name() {
                "identifier" => {
                    whole_value(value, src, sem).map(|what| format!("`{name}`, from {what}"))
                }
                // `const { body } = req`, `const { body: payload } = req`
                "shorthand_property_identifier_pattern" | "pair_pattern" => {
                    let key = if element.kind_name() == "pair_pattern" {
                        let k = element.field(Field::Key)?;
                        ast::string_value(k, src).unwrap_or_else(|| ast::text(k, src).to_string())
                    } else {
                        name.to_string()
                    };
                    let object = ast::member_path(ast::unwrap_expr(value), src)?;
                    let rest = request_rest(&object)?;
                    (rest.is_empty() && DATA_PARTS.contains(&key.as_str()))
                        .then(|| format!("`{name}`, from `{object}.{key}`"))
                }
                // `const { password, ...rest } = req.body`: the rest of the body
                "rest_pattern" => {
                    whole_value(value, src, sem).map(|what| format!("`{name}`, the rest of {what}"))
                }
                _ => None,
            }
        }
        Bound::Parameter(param) => {
            // NestJS: `@Body() body`, `@Query() query`, `@Headers() headers` (whole objects only)
            nest::param_decorators(param, src).find_map(|d| {
                (d.called && d.args == 0 && d.part != RequestPart::Whole)
                    .then(|| format!("`{name}`, the `@{}()` parameter", d.name))
            })
        }
    }
}

/// A value that is whole request data: `await req.json()` (also inside
/// `JSON.parse(await req.text())`), or a whole request part (`req.body`).
fn whole_value(value: Node<'_>, src: &str, sem: &Semantic<'_>) -> Option<String> {
    whole_value_hops(value, src, sem, 1, None)
}

/// [`whole_value`], following up to `hops` local variables: `const raw = await
/// req.text(); const body = JSON.parse(raw);` makes `body` the parsed request
/// body (the name must be bound to the whole value, not destructured). With
/// `known`, only a name in that set is followed.
fn whole_value_hops(
    value: Node<'_>,
    src: &str,
    sem: &Semantic<'_>,
    hops: u8,
    known: Option<&HashSet<&str>>,
) -> Option<String> {
    let _level = ast::descend()?;
    let mut v = value;
    loop {
        v = match v.kind_name() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression" => v.named_child(0)?,
            _ => break,
        };
    }
    if v.kind_name() == "await_expression" {
        let inner = ast::unwrap_expr(v.named_child(0)?);
        return body_read(inner, src).map(|p| format!("`await {p}()`"));
    }
    if v.kind_name() == "call_expression"
        && ast::callee_path(v, src).as_deref() == Some("JSON.parse")
    {
        let arg = *ast::call_arguments(v).first()?;
        return whole_value_hops(arg, src, sem, hops, known);
    }
    if v.kind_name() == "identifier" {
        let name = ast::text(v, src);
        if hops == 0 || known.is_some_and(|k| !k.contains(name)) {
            return None;
        }
        let Bound::Declarator {
            declarator,
            element,
        } = local_binding(sem, v, name)?
        else {
            return None;
        };
        // the name itself, bound before it is used here
        if element.kind_name() != "identifier" || declarator.start_byte() >= v.start_byte() {
            return None;
        }
        let inner = declarator.field(Field::Value)?;
        return whole_value_hops(inner, src, sem, hops - 1, None)
            .map(|what| format!("`{name}`, from {what}"));
    }
    let path = ast::member_path(v, src)?;
    whole_data_chain_path(&path)
}

/// Uses that do not log the data itself: `typeof body`, `!body`, comparisons,
/// a ternary's condition, `Object.keys(body)`, `Array.isArray(body)`.
fn is_excluded_position(n: Node<'_>, src: &str) -> bool {
    let Some(parent) = n.parent() else {
        return false;
    };
    match parent.kind_name() {
        "unary_expression" => true,
        "binary_expression" => parent
            .field(Field::Operator)
            .map(|o| ast::text(o, src))
            .is_some_and(|op| {
                matches!(
                    op,
                    "===" | "!==" | "==" | "!=" | "<" | ">" | "<=" | ">=" | "instanceof" | "in"
                )
            }),
        "ternary_expression" => parent
            .field(Field::Condition)
            .is_some_and(|c| c.id() == n.id()),
        "arguments" => parent.parent().is_some_and(|call| {
            matches!(
                ast::callee_path(call, src).as_deref(),
                Some("Object.keys" | "Array.isArray" | "Boolean" | "Object.getOwnPropertyNames")
            )
        }),
        _ => false,
    }
}

/// Development-guard questions for one file; the identifier index is built at
/// most once, and only when a finding sits in a named function.
struct Guards<'t, 's> {
    program: Node<'t>,
    src: &'s str,
    refs: Option<HashMap<&'s str, Vec<Node<'t>>>>,
    exits: ast::EarlyExits,
}

impl<'t, 's> Guards<'t, 's> {
    /// `node` runs only outside production: under a guard in its function, or in
    /// a (non-exported) function that is only called under such guards in this file.
    fn dev_only(&mut self, node: Node<'t>, depth: usize) -> bool {
        let Some(_level) = ast::descend() else {
            return false;
        };
        if ast::in_dev_only_code_with(node, self.src, &mut self.exits) {
            return true;
        }
        if depth > 4 {
            return false;
        }
        // The named function around `node`, skipping anonymous callbacks.
        let mut func = ast::enclosing_function(node);
        while let Some(f) = func {
            let callback = matches!(
                f.kind_name(),
                "arrow_function" | "function_expression" | "function"
            ) && f.parent().is_some_and(|p| p.kind_name() == "arguments");
            if !callback {
                break;
            }
            func = ast::enclosing_function(f);
        }
        let Some(func) = func else {
            return false;
        };
        let Some((name_node, exported)) = declared_name(func) else {
            return false;
        };
        if exported {
            return false;
        }
        let name = ast::text(name_node, self.src);
        let refs: Vec<Node<'t>> = self
            .references()
            .get(name)
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|r| r.id() != name_node.id())
                    .collect()
            })
            .unwrap_or_default();
        if refs.is_empty() {
            return false;
        }
        refs.into_iter().all(|r| {
            let Some(call) = r.parent().filter(|p| {
                p.kind_name() == "call_expression"
                    && p.field(Field::Function).is_some_and(|f| f.id() == r.id())
            }) else {
                return false;
            };
            // a recursive call inside the function itself does not count
            ast::contains(func, call) || self.dev_only(call, depth + 1)
        })
    }

    fn references(&mut self) -> &HashMap<&'s str, Vec<Node<'t>>> {
        let src = self.src;
        let program = self.program;
        self.refs.get_or_insert_with(|| {
            let mut map: HashMap<&'s str, Vec<Node<'t>>> = HashMap::new();
            ast::visit(program, &mut |n| {
                if n.kind_name() == "identifier" {
                    map.entry(ast::text(n, src)).or_default().push(n);
                }
                true
            });
            map
        })
    }
}

/// The name node of a function declaration or of a `const f = () => …` and
/// whether it is exported.
fn declared_name(func: Node<'_>) -> Option<(Node<'_>, bool)> {
    match func.kind_name() {
        "function_declaration" | "generator_function_declaration" => {
            let name = func.field(Field::Name)?;
            let exported = func
                .parent()
                .is_some_and(|p| p.kind_name() == "export_statement");
            Some((name, exported))
        }
        "arrow_function" | "function_expression" | "function" => {
            let declarator = func
                .parent()
                .filter(|p| p.kind_name() == "variable_declarator")?;
            let name = declarator
                .field(Field::Name)
                .filter(|n| n.kind_name() == "identifier")?;
            let exported = declarator
                .parent()
                .and_then(|d| d.parent())
                .is_some_and(|p| p.kind_name() == "export_statement");
            Some((name, exported))
        }
        _ => None,
    }
}

/// Remove the statement, or wrap it in a development guard; only when the call
/// is a statement of its own in a statement list.
fn fixes_for(call: Node<'_>, src: &str, file_unit: &mut Option<String>) -> Vec<Fix> {
    let mut expr = call;
    if let Some(p) = expr
        .parent()
        .filter(|p| p.kind_name() == "await_expression")
    {
        expr = p;
    }
    let Some(stmt) = expr
        .parent()
        .filter(|p| p.kind_name() == "expression_statement")
    else {
        return Vec::new();
    };
    if !stmt.parent().is_some_and(|p| {
        matches!(
            p.kind_name(),
            "statement_block" | "program" | "switch_case" | "switch_default"
        )
    }) {
        return Vec::new();
    }
    let remove = Fix::unsafe_(
        "Remove the log statement",
        vec![Edit::delete(ast::statement_removal_range(stmt, src))],
    );
    let q = ast::preferred_quote_near(src, stmt.start_byte());
    let cond = format!("process.env.NODE_ENV !== {}", ast::quoted("production", q));
    let text = ast::text(stmt, src);
    let start = stmt.start_byte();
    let line_start = src[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let wrapped = if src[line_start..start].trim().is_empty() {
        let indent = ast::line_indent(src, start);
        let unit = ast::indent_unit_at_with(stmt, src, file_unit);
        let eol = ast::line_ending(src);
        let body = text
            .split('\n')
            .enumerate()
            .map(|(i, l)| {
                if i == 0 || l.trim().is_empty() {
                    l.to_string()
                } else {
                    format!("{unit}{l}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        format!("if ({cond}) {{{eol}{indent}{unit}{body}{eol}{indent}}}")
    } else {
        format!("if ({cond}) {{ {text} }}")
    };
    let wrap = Fix::unsafe_(
        "Log only outside production",
        vec![Edit::replace(stmt.byte_range(), wrapped)],
    );
    vec![remove, wrap]
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Applicability, Level};
    use crate::rules::testing::*;

    const R: &str = "log-request-data";

    /// Apply the finding's second fix (the development guard) and check the
    /// result, that it parses as well as before and that the rule is silent.
    #[track_caller]
    fn check_wrap_fix(path: &str, before: &str, expected: &str) {
        let d = findings(R, path, before);
        assert_eq!(d.len(), 1, "{d:#?}");
        let fix = &d[0].fixes[1];
        assert_eq!(fix.applicability, Applicability::Unsafe);
        let (after, applied) = crate::fix::apply(before, &[fix]);
        assert_eq!(applied.len(), 1);
        assert_eq!(after, expected);
        let lang = crate::language::detect(std::path::Path::new(path)).unwrap();
        assert!(
            crate::engine::syntax_errors(&after, lang)
                <= crate::engine::syntax_errors(before, lang)
        );
        assert_clean(R, path, &after);
    }

    #[test]
    fn flags_request_parts_in_console_and_loggers() {
        let src = "app.post('/login', async (req, res) => {\n\
                   console.log(req.body);\n\
                   console.info('q', req.query, req.params);\n\
                   logger.info({ headers: req.headers }, 'incoming');\n\
                   log.debug(`cookies ${JSON.stringify(req.cookies)}`);\n\
                   req.log.warn({ ...req.body }, 'signup');\n\
                   console.log('auth', req.headers.authorization);\n\
                   console.log('auth', req.headers['x-api-key']);\n\
                   res.sendStatus(200);\n\
                   });\n";
        let got = assert_flags(R, "src/server.ts", src, 7);
        assert_eq!(got[0], "console.log(req.body)");
        let d = findings(R, "src/server.ts", src);
        assert!(d.iter().all(|x| x.level == Level::Error));
        assert!(d[0].message.contains("`req.body`"), "{}", d[0].message);
    }

    #[test]
    fn flags_this_logger_and_pino_winston_instances() {
        let src = "import pino from 'pino';\nimport winston from 'winston';\n\
                   const base = pino({ level: 'info' });\n\
                   const audit = winston.createLogger({ transports: [] });\n\
                   const child = base.child({ svc: 'api' });\n\
                   const l = require('pino')();\n\
                   class UsersController {\n  create(req) { this.logger.log(req.body); }\n}\n\
                   export function h(req) {\n  base.info(req.body);\n  audit.warn('x', req.query);\n  child.error(req.headers);\n  l.info(req.cookies);\n}\n";
        let got = assert_flags(R, "src/users.ts", src, 5);
        assert_eq!(got[0], "this.logger.log(req.body)");
        assert_eq!(got[4], "l.info(req.cookies)");
    }

    #[test]
    fn flags_bound_bodies_and_destructured_parts() {
        let src = "export async function POST(request: Request) {\n\
                   const body = await request.json();\n\
                   const form = await request.formData();\n\
                   const raw = await request.text();\n\
                   const parsed = JSON.parse(await request.text()) as Payload;\n\
                   console.log('body', JSON.stringify(body));\n\
                   console.log(Object.fromEntries(form));\n\
                   console.log(raw);\n\
                   logger.info({ parsed });\n\
                   console.log(request.headers.get('authorization'));\n\
                   console.log(await request.json());\n\
                   }\n\
                   app.post('/x', (req, res) => {\n\
                   const { body } = req;\n\
                   const { email, ...rest } = req.body;\n\
                   console.log(JSON.stringify(body));\n\
                   console.log(rest);\n\
                   });\n";
        let got = assert_flags(R, "src/app/api/checkout/route.ts", src, 8);
        assert_eq!(got[0], "console.log('body', JSON.stringify(body))");
        let d = findings(R, "src/app/api/checkout/route.ts", src);
        assert!(
            d[0].message
                .contains("(`body`, from `await request.json()`)"),
            "{}",
            d[0].message
        );
        assert!(
            d[7].message.contains("`rest`, the rest of `req.body`"),
            "{}",
            d[7].message
        );
    }

    #[test]
    fn flags_nest_body_parameters() {
        let src = "@Controller('users')\nexport class UsersController {\n  private readonly logger = new Logger(UsersController.name);\n  @Post()\n  create(@Body() dto: CreateUserDto, @Query('page') page: string) {\n    this.logger.log(dto);\n    this.logger.log(page);\n  }\n}\n";
        let got = assert_flags(R, "src/users/users.controller.ts", src, 1);
        assert_eq!(got[0], "this.logger.log(dto)");
    }

    #[test]
    fn triggers_cover_split_member_access() {
        // no `console`, `logger`, `log.` in the file: the blank after `log` is a trigger
        assert_flags(
            R,
            "src/server.ts",
            "fastify.post('/x', async (request) => {\n  request.log\n    .info(request.body);\n});\n",
            1,
        );
    }

    #[test]
    fn near_miss_comments_and_strings() {
        assert_clean(
            R,
            "src/server.ts",
            "// console.log(req.body)\n/* logger.info(req.headers) */\nconsole.log('req.body was empty');\nconsole.log(`see req.headers`);\n",
        );
    }

    #[test]
    fn near_miss_method_path_url_id_and_fields() {
        assert_clean(
            R,
            "src/server.ts",
            "app.use((req, res, next) => {\n\
             console.log(req.method, req.path, req.url, req.id, req.originalUrl);\n\
             logger.info(`${req.method} ${req.url}`);\n\
             console.log('page', req.query.page, req.params.id, req.body.items.length);\n\
             console.log(typeof req.body, !req.body, req.body === undefined);\n\
             console.log(Object.keys(req.body));\n\
             console.log(req.headers['user-agent'], request.headers.get('user-agent'));\n\
             const { email } = req.body;\n\
             console.log('user', email ? 'yes' : 'no');\n\
             next();\n\
             });\n\
             const log = [];\nlog.push(req.body);\nfoo.log(req.body);\nlogger.child(req.body);\n\
             const { body } = res;\nconsole.log(body);\n",
        );
    }

    #[test]
    fn near_miss_shadowed_and_unrelated_names() {
        assert_clean(
            R,
            "src/server.ts",
            "const body = await request.json();\n\
             function render(body) { console.log(body); }\n\
             const data = await fetch(url).then((r) => r.json());\n\
             console.log(data);\n\
             const json = await res.json();\n\
             console.log(json);\n",
        );
    }

    #[test]
    fn near_miss_dev_guards() {
        assert_clean(
            R,
            "src/server.ts",
            "app.post('/x', (req, res) => {\n\
             if (process.env.NODE_ENV === 'development') console.log(req.body);\n\
             if (process.env.NODE_ENV !== 'production') {\n  console.log(req.headers);\n}\n\
             if (isProd) {\n  logger.info('ok');\n} else {\n  logger.debug(req.body);\n}\n\
             if (!isProduction) console.log(req.query);\n\
             process.env.NODE_ENV === 'development' && console.log(req.cookies);\n\
             if (isDev) items.forEach((i) => console.log(i, req.body));\n\
             });\n\
             app.put('/y', (req, res) => {\n\
             if (process.env.NODE_ENV === 'production') return res.sendStatus(204);\n\
             console.log(req.body);\n\
             });\n",
        );
    }

    #[test]
    fn production_branches_are_not_guards() {
        let src = "app.post('/x', (req, res) => {\n\
                   if (process.env.NODE_ENV === 'production') console.error('x', req.headers['authorization']);\n\
                   if (isProd) {\n  console.error(req.body);\n} else {\n  console.debug(req.body);\n}\n\
                   if (isProd && !verbose) {\n  res.status(500);\n} else {\n  console.error(req.query);\n}\n\
                   if (!(isProd && verbose)) console.log(req.params);\n\
                   isProd && console.log(req.cookies);\n\
                   });\n\
                   app.put('/y', (req, res) => {\n\
                   if (isProd && !verbose) return res.sendStatus(204);\n\
                   console.log(req.body);\n\
                   });\n";
        let got = assert_flags(R, "src/server.ts", src, 6);
        assert_eq!(
            got,
            vec![
                "console.error('x', req.headers['authorization'])",
                "console.error(req.body)",
                "console.error(req.query)",
                "console.log(req.params)",
                "console.log(req.cookies)",
                "console.log(req.body)",
            ]
        );
    }

    #[test]
    fn near_miss_guards_true_in_all_of_production() {
        assert_clean(
            R,
            "src/server.ts",
            "app.post('/x', (req, res) => {\n\
             if (isProd || isStaging) {\n  res.status(500);\n} else {\n  console.error(req.body);\n}\n\
             if (process.env.NODE_ENV !== 'development') res.end(); else console.log(req.query);\n\
             isProd || console.log(req.cookies);\n\
             });\n\
             app.put('/y', (req, res) => {\n\
             if (isProd || isStaging) return;\n\
             console.log(req.body);\n\
             });\n",
        );
    }

    #[test]
    fn follows_a_raw_body_through_one_variable() {
        let src = "export async function POST(req: Request) {\n\
                   const rawBody = await req.text();\n\
                   const body = JSON.parse(rawBody);\n\
                   const again = rawBody;\n\
                   console.info(`event ${body.type}`, body);\n\
                   console.log(again);\n\
                   console.log(body.type, body.id);\n\
                   }\n";
        let got = assert_flags(R, "app/api/hook/route.ts", src, 2);
        assert_eq!(got[0], "console.info(`event ${body.type}`, body)");
        let d = findings(R, "app/api/hook/route.ts", src);
        assert!(
            d[0].message
                .contains("(`body`, from `rawBody`, from `await req.text()`)"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn follows_only_one_variable_and_only_request_values() {
        assert_clean(
            R,
            "app/api/hook/route.ts",
            "export async function POST(req: Request) {\n\
             const raw = await req.text();\n\
             const copy = raw;\n\
             const body = JSON.parse(copy);\n\
             console.log(body);\n\
             const tpl = await loadTemplate();\n\
             const parsed = JSON.parse(tpl);\n\
             console.log(parsed);\n\
             const { type } = JSON.parse(raw);\n\
             console.log(type);\n\
             }\n",
        );
    }

    #[test]
    fn near_miss_function_only_called_under_a_guard() {
        assert_clean(
            R,
            "src/server.ts",
            "function dumpRequest(req) {\n  console.log(req.headers, req.body);\n}\n\
             const dumpQuery = (req) => { logger.debug(req.query); };\n\
             function debugAll(req) { dumpQuery(req); }\n\
             app.post('/x', (req, res) => {\n\
             if (process.env.NODE_ENV !== 'production') {\n  dumpRequest(req);\n  debugAll(req);\n}\n\
             });\n",
        );
        // called once without a guard, exported, or passed as a value: flagged
        assert_flags(
            R,
            "src/server.ts",
            "function dumpRequest(req) {\n  console.log(req.body);\n}\n\
             if (isDev) dumpRequest(req);\napp.post('/x', (req) => dumpRequest(req));\n",
            1,
        );
        assert_flags(
            R,
            "src/server.ts",
            "export function dumpRequest(req) {\n  console.log(req.body);\n}\nif (isDev) dumpRequest(req);\n",
            1,
        );
        assert_flags(
            R,
            "src/server.ts",
            "const dump = (req) => console.log(req.body);\nif (isDev) dump(req);\napp.use(dump);\n",
            1,
        );
    }

    #[test]
    fn near_miss_test_like_paths() {
        for path in [
            "src/__tests__/login.test.ts",
            "src/login.spec.ts",
            "e2e/login.ts",
            "scripts/replay.ts",
        ] {
            assert_clean(
                R,
                path,
                "app.post('/x', (req) => { console.log(req.body); });\n",
            );
        }
    }

    #[test]
    fn keeps_working_around_syntax_errors() {
        assert_flags(
            R,
            "src/server.ts",
            "const x = {{;\napp.post('/x', (req) => { console.log(req.body); });\n",
            1,
        );
    }

    #[test]
    fn fix_removes_the_statement() {
        let before = "app.post('/x', (req, res) => {\n  console.log('body', req.body); // debug\n  res.send('ok');\n});\n";
        let d = findings(R, "src/a.ts", before);
        assert_eq!(d[0].fixes.len(), 2);
        assert!(d[0]
            .fixes
            .iter()
            .all(|f| f.applicability == Applicability::Unsafe));
        check_fix(
            R,
            "src/a.ts",
            before,
            true,
            "app.post('/x', (req, res) => {\n  res.send('ok');\n});\n",
        );
        check_fix(R, "src/a.ts", before, false, before);
        check_fix(
            R,
            "src/a.ts",
            "async function h(req) { await logger.info(req.body); return 1; }\n",
            true,
            "async function h(req) { return 1; }\n",
        );
    }

    #[test]
    fn no_fix_inside_larger_expressions_or_braceless_bodies() {
        let d = findings(
            R,
            "src/a.ts",
            "app.post('/x', (req) => console.log(req.body));\nif (user) console.log(req.body);\nready && console.log(req.body);\n",
        );
        assert_eq!(d.len(), 3);
        assert!(d.iter().all(|x| x.fixes.is_empty()));
    }

    #[test]
    fn wrap_fix_keeps_indentation_and_quotes() {
        check_wrap_fix(
            "src/a.ts",
            "app.post(\"/x\", (req, res) => {\n    logger.info(\"incoming\", {\n        body: req.body,\n    });\n    res.send(\"ok\");\n});\n",
            "app.post(\"/x\", (req, res) => {\n    if (process.env.NODE_ENV !== \"production\") {\n        logger.info(\"incoming\", {\n            body: req.body,\n        });\n    }\n    res.send(\"ok\");\n});\n",
        );
        check_wrap_fix(
            "src/a.ts",
            "function f(req) {\n\tconsole.log(req.body);\n}\n",
            "function f(req) {\n\tif (process.env.NODE_ENV !== 'production') {\n\t\tconsole.log(req.body);\n\t}\n}\n",
        );
        check_wrap_fix(
            "src/a.ts",
            "foo(); console.log(req.body);\n",
            "foo(); if (process.env.NODE_ENV !== 'production') { console.log(req.body); }\n",
        );
    }

    #[test]
    fn fixes_on_crlf_file_with_non_ascii_text_before() {
        let before = "const greeting = 'café 😀';\r\nexport async function POST(req: Request) {\r\n  const body = await req.json();\r\n  console.log('reçu', body);\r\n  return Response.json({ ok: true });\r\n}\r\n";
        let d = findings(R, "src/app/api/x/route.ts", before);
        assert_eq!(d.len(), 1);
        assert_eq!(&before[d[0].range.clone()], "console.log('reçu', body)");
        assert_eq!(d[0].range.start, before.find("console").unwrap());
        check_fix(
            R,
            "src/app/api/x/route.ts",
            before,
            true,
            "const greeting = 'café 😀';\r\nexport async function POST(req: Request) {\r\n  const body = await req.json();\r\n  return Response.json({ ok: true });\r\n}\r\n",
        );
        check_wrap_fix(
            "src/app/api/x/route.ts",
            before,
            "const greeting = 'café 😀';\r\nexport async function POST(req: Request) {\r\n  const body = await req.json();\r\n  if (process.env.NODE_ENV !== 'production') {\r\n    console.log('reçu', body);\r\n  }\r\n  return Response.json({ ok: true });\r\n}\r\n",
        );
    }
}
