//! NestJS decorators: controllers, route methods, guards, and the parameter
//! decorators that bind request parts (`@Body()`, `@Query('page')`…).

use super::request::RequestPart;
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use tree_sitter::Node;

/// Method decorators that make a controller method a route, with the HTTP
/// method each one serves (`All`: any).
pub const ROUTE_DECORATORS: &[(&str, &str)] = &[
    ("Get", "GET"),
    ("Post", "POST"),
    ("Put", "PUT"),
    ("Patch", "PATCH"),
    ("Delete", "DELETE"),
    ("Options", "OPTIONS"),
    ("Head", "HEAD"),
    ("All", "ALL"),
];

/// Parameter decorators that bind a part of the request (`@Req()` /
/// `@Request()`: the whole request).
pub const PARAM_DECORATORS: &[(&str, RequestPart)] = &[
    ("Body", RequestPart::Body),
    ("Query", RequestPart::Query),
    ("Param", RequestPart::Params),
    ("Headers", RequestPart::Headers),
    ("Cookies", RequestPart::Cookies),
    ("Req", RequestPart::Whole),
    ("Request", RequestPart::Whole),
];

/// The decorators written before a class member (`@Post('x') @UseGuards(G) handle()`).
pub fn member_decorators<'t>(method: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut prev = method.prev_named_sibling();
    while let Some(p) = prev {
        match p.kind_name() {
            "decorator" => out.push(p),
            "comment" => {}
            _ => break,
        }
        prev = p.prev_named_sibling();
    }
    let mut c = method.walk();
    out.extend(
        method
            .named_children(&mut c)
            .filter(|n| n.kind_name() == "decorator"),
    );
    out
}

/// The name a decorator calls or names: `@Post('x')` → `Post`, `@Guard` →
/// `Guard`, `@nest.Get()` → `Get`.
pub fn decorator_name(dec: Node<'_>, src: &str) -> Option<String> {
    let inner = dec.named_child(0)?;
    match inner.kind_name() {
        "call_expression" => ast::callee_name(inner, src),
        "identifier" => Some(ast::text(inner, src).to_string()),
        "member_expression" => {
            ast::member_path(inner, src).map(|p| p.rsplit('.').next().unwrap_or("").to_string())
        }
        _ => None,
    }
}

/// The class holding `method`.
fn class_of(method: Node<'_>) -> Option<Node<'_>> {
    method
        .parent()
        .filter(|b| b.kind_name() == "class_body")
        .and_then(|b| b.parent())
}

/// The name of the class holding `method` (`UsersController`).
pub fn class_name<'s>(method: Node<'_>, src: &'s str) -> Option<&'s str> {
    class_of(method)
        .and_then(|c| c.field(Field::Name))
        .map(|n| ast::text(n, src))
}

/// The controllers a module's `configure(consumer)` puts behind an
/// authenticating middleware: `consumer.apply(AuthMiddleware).forRoutes(UsersController,
/// ...authenticated)` (class names; spreads of an array declared in the
/// file), or `"*"` for `forRoutes('*')` without an `exclude(…)`. A
/// middleware authenticates when its name says so (`auth`, `jwt`, `session`).
pub fn middleware_auth_controllers(root: Node<'_>, src: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // bounded: a module configures a handful of middleware; each spread
    // reads the file's top-level statements once
    let mut routes_calls = 0usize;
    ast::visit(root, &mut |n| {
        if out.len() >= 256 || routes_calls >= 64 {
            return false;
        }
        if n.kind_name() != "call_expression" {
            return true;
        }
        let Some(f) = n
            .field(Field::Function)
            .filter(|f| f.kind_name() == "member_expression")
        else {
            return true;
        };
        if f.field(Field::Property)
            .is_none_or(|p| ast::text(p, src) != "forRoutes")
        {
            return true;
        }
        // the chain before `forRoutes`: `.apply(…)`, maybe `.exclude(…)`
        let mut excluded = false;
        let mut authenticates = false;
        let mut cur = f.field(Field::Object);
        for _ in 0..8 {
            let Some(call) = cur.filter(|c| c.kind_name() == "call_expression") else {
                break;
            };
            let Some(m) = call
                .field(Field::Function)
                .filter(|m| m.kind_name() == "member_expression")
            else {
                break;
            };
            match m.field(Field::Property).map(|p| ast::text(p, src)) {
                Some("exclude") => excluded = true,
                Some("apply") => {
                    authenticates = ast::call_arguments(call).iter().any(|a| {
                        let words = ast::name_words(ast::text(*a, src));
                        words.iter().any(|w| {
                            matches!(
                                w.as_str(),
                                "auth" | "jwt" | "session" | "authenticated" | "authentication"
                            )
                        })
                    });
                }
                _ => {}
            }
            cur = m.field(Field::Object);
        }
        routes_calls += 1;
        if !authenticates {
            return true;
        }
        for a in ast::call_arguments(n) {
            match a.kind_name() {
                "identifier" => out.push(ast::text(a, src).to_string()),
                "spread_element" => {
                    let Some(name) = a.named_child(0).filter(|i| i.kind_name() == "identifier")
                    else {
                        continue;
                    };
                    out.extend(array_of(root, ast::text(name, src), src));
                }
                "string" if !excluded && ast::string_value(a, src).as_deref() == Some("*") => {
                    out.push("*".to_string())
                }
                _ => {}
            }
        }
        true
    });
    out
}

/// The identifiers listed in `const name = [A, B]` at the top of the file.
fn array_of(root: Node<'_>, name: &str, src: &str) -> Vec<String> {
    let mut c = root.walk();
    for stmt in root.named_children(&mut c) {
        let decl = match stmt.kind_name() {
            "export_statement" => stmt.field(Field::Declaration),
            _ => Some(stmt),
        };
        let Some(decl) = decl.filter(|d| {
            matches!(
                d.kind_name(),
                "lexical_declaration" | "variable_declaration"
            )
        }) else {
            continue;
        };
        let mut dc = decl.walk();
        for d in decl.named_children(&mut dc) {
            let named = d
                .field(Field::Name)
                .is_some_and(|n| ast::text(n, src) == name);
            if let Some(arr) = d
                .field(Field::Value)
                .map(ast::unwrap_expr)
                .filter(|v| named && v.kind_name() == "array")
            {
                let mut ac = arr.walk();
                return arr
                    .named_children(&mut ac)
                    .filter(|e| e.kind_name() == "identifier")
                    .map(|e| ast::text(e, src).to_string())
                    .collect();
            }
        }
    }
    Vec::new()
}

/// The decorators of the class holding `method`.
pub fn class_decorators<'t>(method: Node<'t>) -> Vec<Node<'t>> {
    let Some(class) = class_of(method) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut c = class.walk();
    out.extend(
        class
            .named_children(&mut c)
            .filter(|n| n.kind_name() == "decorator"),
    );
    if let Some(exp) = class
        .parent()
        .filter(|p| p.kind_name() == "export_statement")
    {
        let mut c = exp.walk();
        out.extend(
            exp.named_children(&mut c)
                .filter(|n| n.kind_name() == "decorator"),
        );
    }
    out
}

/// The HTTP method of a NestJS route method (`@Post()` on a method of a
/// `@Controller()` class), `None` for anything else.
pub fn route_method(func: Node<'_>, src: &str) -> Option<&'static str> {
    if func.kind_name() != "method_definition" {
        return None;
    }
    let method = member_decorators(func).iter().find_map(|d| {
        let name = decorator_name(*d, src)?;
        ROUTE_DECORATORS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| *m)
    })?;
    class_decorators(func)
        .iter()
        .any(|d| decorator_name(*d, src).as_deref() == Some("Controller"))
        .then_some(method)
}

/// The first string argument of the first decorator named `name` among `decs`
/// (`@Controller('users')` → `users`); `Some("")` when it has none.
pub fn decorator_path(decs: &[Node<'_>], name: &str, src: &str) -> Option<String> {
    let d = decs
        .iter()
        .find(|d| decorator_name(**d, src).as_deref() == Some(name))?;
    let call = d
        .named_child(0)
        .filter(|c| c.kind_name() == "call_expression");
    Some(
        call.and_then(|c| ast::call_arguments(c).first().copied())
            .and_then(|a| ast::string_value(a, src))
            .unwrap_or_default(),
    )
}

/// The guards of a route method: the arguments of `@UseGuards(…)` on the
/// method and on its class (`AuthGuard('jwt')` → `AuthGuard`).
pub fn guards(method: Node<'_>, src: &str) -> Vec<String> {
    let mut decs = member_decorators(method);
    decs.extend(class_decorators(method));
    let mut out = Vec::new();
    for d in decs {
        if decorator_name(d, src).as_deref() != Some("UseGuards") {
            continue;
        }
        let Some(call) = d
            .named_child(0)
            .filter(|c| c.kind_name() == "call_expression")
        else {
            continue;
        };
        for a in ast::call_arguments(call) {
            let name = match ast::unwrap_expr(a).kind_name() {
                "call_expression" | "new_expression" => ast::callee_path(a, src),
                _ => ast::member_path(a, src),
            };
            out.extend(name);
        }
    }
    out
}

/// A parameter decorator that binds request data.
#[derive(Clone, Debug)]
pub struct ParamDecorator<'t> {
    pub node: Node<'t>,
    /// As listed in [`PARAM_DECORATORS`]: `Body`, `Query`…
    pub name: &'static str,
    pub part: RequestPart,
    /// Written as a call (`@Body()`), not bare (`@Body`).
    pub called: bool,
    /// The number of arguments of the call.
    pub args: usize,
    /// The first argument's string value: the field it binds (`@Body('filename')`).
    pub field: Option<String>,
}

/// The request-binding decorators of a parameter node (`required_parameter`,
/// `optional_parameter`), in order. The decorator is matched by its callee's
/// whole path, so `@Body()` counts and `@custom.Body()` does not.
pub fn param_decorators<'t, 's>(
    param: Node<'t>,
    src: &'s str,
) -> impl Iterator<Item = ParamDecorator<'t>> + 's
where
    't: 's,
{
    let mut c = param.walk();
    let decs: Vec<Node<'t>> = param
        .children(&mut c)
        .filter(|d| d.kind_name() == "decorator")
        .collect();
    decs.into_iter()
        .filter_map(move |d| param_decorator(d, src))
}

/// A decorator node as a request-binding parameter decorator.
pub fn param_decorator<'t>(dec: Node<'t>, src: &str) -> Option<ParamDecorator<'t>> {
    let inner = dec.named_child(0)?;
    let (path, call) = match inner.kind_name() {
        "call_expression" => (ast::callee_path(inner, src)?, Some(inner)),
        "identifier" => (ast::text(inner, src).to_string(), None),
        _ => return None,
    };
    let &(name, part) = PARAM_DECORATORS.iter().find(|(n, _)| *n == path)?;
    let args = call.map(ast::call_arguments).unwrap_or_default();
    Some(ParamDecorator {
        node: dec,
        name,
        part,
        called: call.is_some(),
        args: args.len(),
        field: args.first().and_then(|a| ast::string_value(*a, src)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ts::frameworks::testing::{nodes_of, with_script};

    const CONTROLLER: &str = "@Controller('users')\n@UseGuards(JwtAuthGuard)\nexport class UsersController {\n  @Post(':id')\n  @UseGuards(AuthGuard('jwt'), RolesGuard)\n  create(@Body() dto, @Query('page') page: string, @Headers() h, @Custom() c) {}\n  @Get()\n  list() {}\n  helper() {}\n}\n";

    #[test]
    fn middleware_auth_controllers_reads_the_consumer_and_is_bounded() {
        let module = "const authed = [UsersController, ItemsController];\nexport class AppModule {\n  configure(consumer) {\n    consumer.apply(AuthMiddleware).exclude('health').forRoutes(...authed, PostsController);\n    consumer.apply(LoggerMiddleware).forRoutes('*');\n    consumer.apply(JwtMiddleware).forRoutes('*');\n  }\n}\n";
        with_script(module, |s, root| {
            assert_eq!(
                middleware_auth_controllers(root, s.source),
                vec!["UsersController", "ItemsController", "PostsController", "*"]
            );
        });
        // `*` behind an exclusion is not every controller
        let excluded = "consumer.apply(AuthMiddleware).exclude('public').forRoutes('*');\n";
        with_script(excluded, |s, root| {
            assert!(middleware_auth_controllers(root, s.source).is_empty());
        });
        // thousands of spreads over thousands of statements: bounded
        let mut big = String::new();
        for i in 0..2000 {
            big.push_str(&format!("const l{i} = [C{i}];\n"));
        }
        for i in 0..2000 {
            big.push_str(&format!(
                "consumer.apply(AuthMiddleware).forRoutes(...l{i});\n"
            ));
        }
        with_script(&big, |s, root| {
            assert_eq!(middleware_auth_controllers(root, s.source).len(), 64);
        });
    }

    #[test]
    fn route_methods_need_a_route_decorator_in_a_controller() {
        with_script(CONTROLLER, |s, root| {
            let methods = nodes_of(root, "method_definition");
            let got: Vec<_> = methods.iter().map(|m| route_method(*m, &s)).collect();
            assert_eq!(got, vec![Some("POST"), Some("GET"), None]);
        });
        // near miss: `@Post()` in a class that is not a controller
        with_script("class C {\n  @Post()\n  create() {}\n}\n", |s, root| {
            let m = nodes_of(root, "method_definition")[0];
            assert_eq!(route_method(m, &s), None);
        });
    }

    #[test]
    fn guards_and_paths() {
        with_script(CONTROLLER, |s, root| {
            let m = nodes_of(root, "method_definition")[0];
            assert_eq!(
                guards(m, &s),
                vec!["AuthGuard", "RolesGuard", "JwtAuthGuard"]
            );
            assert_eq!(
                decorator_path(&class_decorators(m), "Controller", &s).as_deref(),
                Some("users")
            );
            assert_eq!(
                decorator_path(&member_decorators(m), "Post", &s).as_deref(),
                Some(":id")
            );
            let list = nodes_of(root, "method_definition")[1];
            assert_eq!(
                decorator_path(&member_decorators(list), "Get", &s).as_deref(),
                Some("")
            );
        });
    }

    #[test]
    fn parameter_decorators_bind_request_parts() {
        with_script(CONTROLLER, |s, root| {
            let params = nodes_of(root, "required_parameter");
            let got: Vec<_> = params
                .iter()
                .map(|p| {
                    param_decorators(*p, &s)
                        .map(|d| (d.name, d.part, d.args, d.field))
                        .collect::<Vec<_>>()
                })
                .collect();
            assert_eq!(
                got,
                vec![
                    vec![("Body", RequestPart::Body, 0, None)],
                    vec![("Query", RequestPart::Query, 1, Some("page".to_string()))],
                    vec![("Headers", RequestPart::Headers, 0, None)],
                    vec![],
                ]
            );
        });
        // near miss: a namespaced decorator is not Nest's
        with_script("class C { m(@x.Body() b) {} }", |s, root| {
            let p = nodes_of(root, "required_parameter")[0];
            assert_eq!(param_decorators(p, &s).count(), 0);
        });
    }
}
