//! Logging calls: `console.*`, pino/winston/bunyan instances (made by a factory
//! call, or as a `.child()` of one), NestJS `Logger` (`this.logger.log`), and
//! objects whose name says logger (`logger.info`, `log.warn`).
//!
//! A call is judged in two steps, because a logger instance may be created
//! after the function that uses it: [`logger_callee`] looks at the call alone
//! and leaves an `instance` to confirm; [`Loggers`], fed the file's variable
//! declarators, confirms it at the end of the file. [`logger_call`] does both
//! for a caller that has seen the whole file.

use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use std::collections::HashSet;
use tree_sitter::Node;

/// Methods that write a log record (on any logger-like object).
pub const LOG_METHODS: &[&str] = &[
    "log", "info", "warn", "warning", "error", "debug", "trace", "fatal", "verbose", "silly",
    "http", "notice", "critical", "crit", "alert", "emerg", "success", "dir", "table",
];
/// Methods of a `…logger` object that do not write a record.
pub const NOT_LOGGING_METHODS: &[&str] = &[
    "child",
    "bindings",
    "setBindings",
    "level",
    "setLevel",
    "isLevelEnabled",
    "flush",
    "add",
    "remove",
    "configure",
    "on",
    "once",
    "off",
    "close",
    "clear",
    "use",
    "startTimer",
    "profile",
    "flushSync",
    "isDebugEnabled",
];

/// A call that may be a logging call.
pub struct LoggerCallee<'s> {
    /// The callee's dotted path (`this.logger.info`).
    pub path: String,
    /// Still to check once the file is read: the object is a variable created
    /// with `pino(...)` / `winston.createLogger(...)` (or a child of one).
    pub instance: Option<&'s str>,
}

/// The callee when `call` is (or may be) a logging call.
pub fn logger_callee<'s>(call: Node<'_>, src: &'s str) -> Option<LoggerCallee<'s>> {
    let function = call.field(Field::Function)?;
    if !matches!(
        function.kind_name(),
        "member_expression" | "subscript_expression"
    ) {
        return None;
    }
    if !may_be_logger_call(function, src) {
        return None;
    }
    let path = ast::member_path(function, src)?;
    let (object, method) = path.rsplit_once('.')?;
    let last = object.rsplit('.').next().unwrap_or(object);
    let mut instance = None;
    let is_logger = if last == "console" {
        true
    } else if last.to_ascii_lowercase().ends_with("logger") {
        !NOT_LOGGING_METHODS.contains(&method)
    } else if last.eq_ignore_ascii_case("log") {
        LOG_METHODS.contains(&method)
    } else if !object.contains('.') && LOG_METHODS.contains(&method) {
        let obj_node = function.field(Field::Object)?;
        if obj_node.kind_name() != "identifier" {
            return None;
        }
        instance = Some(ast::text(obj_node, src));
        true
    } else {
        false
    };
    is_logger.then_some(LoggerCallee { path, instance })
}

/// A cheap first look at a callee (`function` is a member or subscript
/// expression), without building its path: `false` only when
/// [`logger_callee`] would reject it anyway (neither the object's last part
/// nor the method names a logger).
fn may_be_logger_call(function: Node<'_>, src: &str) -> bool {
    let segment = |n: Node<'_>| -> Option<std::borrow::Cow<'_, str>> {
        match n.kind_name() {
            "identifier" | "this" | "property_identifier" | "super" => {
                Some(ast::text(n, src).into())
            }
            "member_expression" => Some(ast::text(n.field(Field::Property)?, src).into()),
            "subscript_expression" => {
                ast::string_value(n.field(Field::Index)?, src).map(Into::into)
            }
            _ => None,
        }
    };
    let (Some(last), Some(method)) = (
        function
            .field(Field::Object)
            .map(ast::unwrap_expr)
            .and_then(segment),
        segment(function),
    ) else {
        // Unusual shapes: let the full check decide.
        return true;
    };
    if last.contains('.') || method.contains('.') {
        return true;
    }
    last == "console"
        || last.to_ascii_lowercase().ends_with("logger")
        || last.eq_ignore_ascii_case("log")
        || LOG_METHODS.contains(&method.as_ref())
}

/// How a variable's value makes it a logger.
pub enum Factory<'s> {
    Root,
    ChildOf(&'s str),
}

/// `pino(...)`, `require('pino')(...)`, `winston.createLogger(...)`,
/// `createLogger(...)`, `logger.child(...)`, or `x.child(...)` (a logger if `x` is).
pub fn logger_factory<'s>(value: Node<'_>, src: &'s str) -> Option<Factory<'s>> {
    let value = ast::unwrap_expr(value);
    if value.kind_name() != "call_expression" {
        return None;
    }
    let function = value.field(Field::Function)?;
    // `require('pino')(...)`
    if function.kind_name() == "call_expression" {
        let required = ast::call_arguments(function)
            .first()
            .and_then(|a| ast::string_value(*a, src));
        let is_require = ast::callee_path(function, src).as_deref() == Some("require")
            && matches!(required.as_deref(), Some("pino" | "winston"));
        return is_require.then_some(Factory::Root);
    }
    let path = ast::callee_path(value, src)?;
    if matches!(
        path.as_str(),
        "pino" | "pino.default" | "pino.pino" | "winston.createLogger" | "createLogger"
    ) {
        return Some(Factory::Root);
    }
    let object = path.strip_suffix(".child")?;
    let last = object
        .rsplit('.')
        .next()
        .unwrap_or(object)
        .to_ascii_lowercase();
    if last.ends_with("logger") || last == "log" {
        return Some(Factory::Root);
    }
    let obj = function.field(Field::Object)?;
    (obj.kind_name() == "identifier").then(|| Factory::ChildOf(ast::text(obj, src)))
}

/// The logger instances of a file: variables created with a logger factory,
/// or as a child of such a logger (by name, file-wide).
#[derive(Default)]
pub struct Loggers<'s> {
    names: HashSet<&'s str>,
    children: Vec<(&'s str, &'s str)>,
}

impl<'s> Loggers<'s> {
    /// Record a `variable_declarator` whose name is `name` and value `value`.
    pub fn declarator(&mut self, name: Node<'_>, value: Node<'_>, src: &'s str) {
        if name.kind_name() != "identifier" {
            return;
        }
        match logger_factory(value, src) {
            Some(Factory::Root) => {
                self.names.insert(ast::text(name, src));
            }
            Some(Factory::ChildOf(parent)) => self.children.push((ast::text(name, src), parent)),
            None => {}
        }
    }

    /// After the last declarator: `const child = base.child({...})` is a
    /// logger when `base` is one (four levels of children).
    pub fn resolve_children(&mut self) {
        for _ in 0..4 {
            let mut changed = false;
            for (name, parent) in &self.children {
                if self.names.contains(parent) && self.names.insert(name) {
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// `name` was made by a logger factory (or is a child of such a logger).
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}

/// The logging calls of a file, for a rule that sees the file's calls and
/// declarators during the walk ([`LoggerCalls::visit`]) and judges them at the
/// end ([`LoggerCalls::confirmed`]), when every logger instance is known.
#[derive(Default)]
pub struct LoggerCalls<'t> {
    calls: Vec<(Node<'t>, LoggerCallee<'t>)>,
    loggers: Loggers<'t>,
}

impl<'t> LoggerCalls<'t> {
    /// A `call_expression` or `variable_declarator` of the file (others are ignored).
    pub fn visit(&mut self, n: Node<'t>, src: &'t str) {
        match n.kind_name() {
            "call_expression" => {
                if let Some(callee) = logger_callee(n, src) {
                    self.calls.push((n, callee));
                }
            }
            "variable_declarator" => {
                if let (Some(name), Some(value)) = (n.field(Field::Name), n.field(Field::Value)) {
                    self.loggers.declarator(name, value, src);
                }
            }
            _ => {}
        }
    }

    /// After the walk: the logging calls, in document order (calls on a
    /// variable count only if a logger factory made it).
    pub fn confirmed(&mut self) -> Vec<(Node<'t>, LoggerCallee<'t>)> {
        self.loggers.resolve_children();
        let loggers = &self.loggers;
        std::mem::take(&mut self.calls)
            .into_iter()
            .filter(|(_, c)| c.instance.is_none_or(|name| loggers.contains(name)))
            .collect()
    }
}

/// The severity of a logging call, from its method name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl LogLevel {
    /// `console.log` and Nest's `logger.log` are info; `dir`/`table` debug.
    pub fn of_method(method: &str) -> LogLevel {
        match method {
            "trace" | "silly" => LogLevel::Trace,
            "debug" | "verbose" | "dir" | "table" => LogLevel::Debug,
            "warn" | "warning" => LogLevel::Warn,
            "error" | "critical" | "crit" | "alert" => LogLevel::Error,
            "fatal" | "emerg" => LogLevel::Fatal,
            _ => LogLevel::Info,
        }
    }
}

/// A confirmed logging call.
pub struct LoggerCall<'t> {
    pub call: Node<'t>,
    /// The callee's dotted path (`console.error`, `this.logger.warn`).
    pub callee: String,
    pub level: LogLevel,
    /// `console.*` (as opposed to a logger library or a Nest `Logger`).
    pub console: bool,
    pub args: Vec<Node<'t>>,
}

/// `call` as a logging call, given the file's [`Loggers`] (resolved).
pub fn logger_call<'t>(call: Node<'t>, src: &str, loggers: &Loggers<'_>) -> Option<LoggerCall<'t>> {
    let callee = logger_callee(call, src)?;
    if callee.instance.is_some_and(|i| !loggers.contains(i)) {
        return None;
    }
    let (object, method) = callee.path.rsplit_once('.')?;
    Some(LoggerCall {
        call,
        level: LogLevel::of_method(method),
        console: object == "console",
        callee: callee.path,
        args: ast::call_arguments(call),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ts::frameworks::testing::{nodes_of, with_script};

    /// (callee, level) of every logging call in `src`.
    fn calls(src: &str) -> Vec<(String, LogLevel)> {
        with_script(src, |s, root| {
            let mut loggers = Loggers::default();
            for d in nodes_of(root, "variable_declarator") {
                if let (Some(n), Some(v)) = (d.field(Field::Name), d.field(Field::Value)) {
                    loggers.declarator(n, v, &s);
                }
            }
            loggers.resolve_children();
            nodes_of(root, "call_expression")
                .into_iter()
                .filter_map(|c| logger_call(c, &s, &loggers))
                .map(|c| (c.callee, c.level))
                .collect()
        })
    }

    #[test]
    fn console_and_named_loggers() {
        use LogLevel::*;
        assert_eq!(
            calls("console.log(a);\nconsole.error(e);\nlogger.warn(x);\nthis.logger.debug(y);\nlog.info(z);\n"),
            vec![
                ("console.log".into(), Info),
                ("console.error".into(), Error),
                ("logger.warn".into(), Warn),
                ("this.logger.debug".into(), Debug),
                ("log.info".into(), Info),
            ]
        );
    }

    #[test]
    fn instances_made_by_factories_and_their_children() {
        let src = "import pino from 'pino';\nconst base = pino();\nconst w = winston.createLogger({});\nconst req = base.child({ a: 1 });\nconst sub = req.child({});\nbase.info(1);\nw.error(2);\nsub.warn(3);\n";
        let got: Vec<_> = calls(src).into_iter().map(|(c, _)| c).collect();
        assert_eq!(got, vec!["base.info", "w.error", "sub.warn"]);
    }

    #[test]
    fn nest_logger() {
        let src = "class S {\n  private readonly logger = new Logger(S.name);\n  run() { this.logger.log('x'); this.logger.error('y'); }\n}\n";
        let got = calls(src);
        assert_eq!(
            got,
            vec![
                ("this.logger.log".into(), LogLevel::Info),
                ("this.logger.error".into(), LogLevel::Error)
            ]
        );
    }

    #[test]
    fn logger_calls_collected_during_a_walk() {
        // the instance is made after the function that logs with it
        let src =
            "function f() { base.info(1); store.info(2); console.log(3); }\nconst base = pino();\n";
        let got = with_script(src, |s, root| {
            let mut calls = LoggerCalls::default();
            let mut nodes = nodes_of(root, "call_expression");
            nodes.extend(nodes_of(root, "variable_declarator"));
            nodes.sort_by_key(|n| n.start_byte());
            for n in nodes {
                calls.visit(n, s.source);
            }
            calls
                .confirmed()
                .into_iter()
                .map(|(_, c)| c.path)
                .collect::<Vec<_>>()
        });
        // `store` was never made by a factory
        assert_eq!(got, vec!["base.info", "console.log"]);
    }

    #[test]
    fn near_misses() {
        // an object that is not a logger, a logger's non-logging method, an
        // instance not made by a factory, a bare call
        assert!(calls("db.info(x);\nlogger.child({});\nlogger.setLevel('x');\nconst s = makeStore();\ns.error(1);\nlog(x);\nanalytics.track(x);\n").is_empty());
    }
}
