//! Plain SQL statements inside `DO $$ … $$` blocks (and `DO '…'`).
//!
//! The block's body is parsed with the PL/pgSQL parser (wrapped as a function);
//! each plain statement it holds (`PLpgSQL_stmt_execsql`) and each
//! `EXECUTE '<literal>'` is located in the file, parsed with `pg_query::parse`
//! and returned as a statement with `in_do_block: true` whose `base` maps node
//! locations to file offsets. A statement whose text in the file differs from
//! the text the parser saw (quotes doubled inside `DO '…'`, `SELECT … INTO`) is
//! left out: a finding must point at the right bytes.

use super::SqlStatement;
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{DoStmt, Token};
use serde_json::Value;
use std::ops::Range;

/// The body of a DO block: its decoded text and, for each byte, its file offset.
struct Body {
    text: String,
    /// `map[i]` = file offset of `text[i]`; one extra entry for the end.
    map: Vec<usize>,
    /// Dollar-quoted: comments inside can be located too.
    dollar: bool,
}

impl Body {
    /// File range of `text[r]` if those bytes are verbatim in the file.
    fn file_range(&self, source: &str, r: Range<usize>) -> Option<Range<usize>> {
        let start = *self.map.get(r.start)?;
        let end = start + r.len();
        let piece = self.text.get(r)?;
        (source.get(start..end)? == piece).then_some(start..end)
    }
}

/// What a DO block holds.
#[derive(Default)]
pub struct Expanded {
    pub statements: Vec<SqlStatement>,
    /// Comments inside the body (for suppression comments).
    pub comments: Vec<Range<usize>>,
    /// The insides of `EXECUTE '…'` literals whose statements were added.
    pub execute_strings: Vec<Range<usize>>,
}

/// The statements inside the DO statement `stmt`.
pub fn expand(source: &str, stmt: &SqlStatement, d: &DoStmt) -> Expanded {
    let mut body_text = None;
    for arg in &d.args {
        if let Some(NodeEnum::DefElem(def)) = &arg.node {
            let value = match def.arg.as_deref().and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::String(s)) => s.sval.as_str(),
                _ => continue,
            };
            match def.defname.as_str() {
                "as" => body_text = Some(value),
                "language" if !value.eq_ignore_ascii_case("plpgsql") => return Expanded::default(),
                _ => {}
            }
        }
    }
    let Some(body_text) = body_text else {
        return Expanded::default();
    };
    let Some(body) = locate_body(source, stmt.range.clone(), body_text) else {
        return Expanded::default();
    };
    let comments = if body.dollar {
        body_comments(source, &body)
    } else {
        Vec::new()
    };
    let mut tag = String::from("$prodlint_do$");
    let mut n = 0;
    while body.text.contains(&tag) {
        n += 1;
        tag = format!("$prodlint_do{n}$");
    }
    let wrapped = format!(
        "CREATE FUNCTION prodlint_do_block() RETURNS void LANGUAGE plpgsql AS {tag}{}{tag}",
        body.text
    );
    let Ok(json) = pg_query::parse_plpgsql(&wrapped) else {
        return Expanded {
            comments,
            ..Default::default()
        };
    };
    let mut found = Vec::new();
    collect(&json, &mut found);
    found.sort_by_key(|f| f.line);
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(body.text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut used: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    let mut execute_strings = Vec::new();
    for f in found {
        let from = line_starts
            .get(f.line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let Some(at) = find_unused(&body.text, &f.text, from, &used) else {
            continue;
        };
        used.push(at);
        let mut r = at..at + f.text.len();
        if f.dynamic {
            match literal_inner(&f.text) {
                Some(inner) => r = at + inner.start..at + inner.end,
                None => continue,
            }
        }
        let Some(file_range) = body.file_range(source, r) else {
            continue;
        };
        let Some(sql) = source.get(file_range.clone()) else {
            continue;
        };
        let Ok(parsed) = crate::sql::pg_parse(sql) else {
            continue;
        };
        if f.dynamic {
            execute_strings.push(file_range.clone());
        }
        for raw in &parsed.protobuf.stmts {
            let Some(node) = raw.stmt.as_deref() else {
                continue;
            };
            let start = file_range.start + raw.stmt_location.max(0) as usize;
            let end = if raw.stmt_len > 0 {
                start + raw.stmt_len as usize
            } else {
                file_range.end
            };
            let range = super::trim_range(source, start..end.min(file_range.end));
            out.push(SqlStatement {
                range,
                node: node.clone(),
                base: file_range.start,
                in_do_block: true,
            });
        }
    }
    out.sort_by_key(|s| s.range.start);
    Expanded {
        statements: out,
        comments,
        execute_strings,
    }
}

/// Find the string constant holding the body in the statement's tokens.
fn locate_body(source: &str, stmt: Range<usize>, body: &str) -> Option<Body> {
    for tok in super::lex::tokens(source, stmt) {
        if !tok.is(Token::Sconst) {
            continue;
        }
        let text = tok.text(source);
        if let Some(after) = text.strip_prefix('$') {
            let tag_len = after.find('$')? + 2;
            if text.len() < 2 * tag_len {
                continue;
            }
            let inner = &text[tag_len..text.len() - tag_len];
            if inner == body {
                let start = tok.range.start + tag_len;
                return Some(Body {
                    text: inner.to_string(),
                    map: (0..=inner.len()).map(|i| start + i).collect(),
                    dollar: true,
                });
            }
        } else if text.starts_with('\'') && text.ends_with('\'') && text.len() >= 2 {
            // `'…'` with doubled quotes: decode, keeping each byte's file offset.
            let inner = &text[1..text.len() - 1];
            let start = tok.range.start + 1;
            let mut decoded = String::with_capacity(inner.len());
            let mut map = Vec::with_capacity(inner.len() + 1);
            let bytes = inner.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    decoded.push('\'');
                    map.push(start + i);
                    i += 2;
                    continue;
                }
                let ch_len = inner[i..].chars().next().map(char::len_utf8).unwrap_or(1);
                decoded.push_str(inner.get(i..i + ch_len)?);
                map.extend((0..ch_len).map(|k| start + i + k));
                i += ch_len;
            }
            map.push(start + inner.len());
            if decoded == body {
                return Some(Body {
                    text: decoded,
                    map,
                    dollar: false,
                });
            }
        }
    }
    None
}

fn body_comments(source: &str, body: &Body) -> Vec<Range<usize>> {
    let Ok(scan) = pg_query::scan(&body.text) else {
        return Vec::new();
    };
    scan.tokens
        .iter()
        .filter(|t| t.token == Token::SqlComment as i32 || t.token == Token::CComment as i32)
        .filter_map(|t| body.file_range(source, t.start.max(0) as usize..t.end.max(0) as usize))
        .collect()
}

struct Found {
    line: usize,
    text: String,
    /// From `EXECUTE <expr>`: only a plain string literal is used.
    dynamic: bool,
}

fn expr_query(v: &Value) -> Option<&str> {
    v.get("PLpgSQL_expr")?.get("query")?.as_str()
}

fn collect(v: &Value, out: &mut Vec<Found>) {
    match v {
        Value::Object(map) => {
            for (key, val) in map {
                let line = val.get("lineno").and_then(Value::as_u64).unwrap_or(1) as usize;
                match key.as_str() {
                    "PLpgSQL_stmt_execsql" => {
                        if let Some(q) = val.get("sqlstmt").and_then(expr_query) {
                            out.push(Found {
                                line,
                                text: q.to_string(),
                                dynamic: false,
                            });
                        }
                    }
                    "PLpgSQL_stmt_dynexecute" => {
                        if let Some(q) = val.get("query").and_then(expr_query) {
                            out.push(Found {
                                line,
                                text: q.to_string(),
                                dynamic: true,
                            });
                        }
                    }
                    _ => {}
                }
                collect(val, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
        _ => {}
    }
}

fn find_unused(hay: &str, needle: &str, from: usize, used: &[usize]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let mut pos = from.min(hay.len());
    while let Some(i) = hay.get(pos..)?.find(needle) {
        let at = pos + i;
        if !used.contains(&at) {
            return Some(at);
        }
        pos = at + needle.len().max(1);
    }
    None
}

/// The inside of a plain string literal `'…'` (no doubled quotes) or `$tag$…$tag$`.
fn literal_inner(expr: &str) -> Option<Range<usize>> {
    let lead = expr.len() - expr.trim_start().len();
    let t = expr.trim();
    if t.len() >= 2 && t.starts_with('\'') && t.ends_with('\'') {
        let inner = &t[1..t.len() - 1];
        if inner.contains('\'') {
            return None;
        }
        return Some(lead + 1..lead + 1 + inner.len());
    }
    if let Some(after) = t.strip_prefix('$') {
        let tag_len = after.find('$')? + 2;
        let tag = &t[..tag_len];
        if t.len() >= 2 * tag_len && t.ends_with(tag) {
            let inner = &t[tag_len..t.len() - tag_len];
            if inner.contains(tag) {
                return None;
            }
            return Some(lead + tag_len..lead + tag_len + inner.len());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::sql::SqlFile;
    use pg_query::protobuf::node::Node as NodeEnum;

    fn kinds(f: &SqlFile, text: &str) -> Vec<(String, bool)> {
        f.statements
            .iter()
            .map(|s| (text[s.range.clone()].to_string(), s.in_do_block))
            .collect()
    }

    #[test]
    fn statements_inside_do_blocks_are_found_with_file_offsets() {
        let text = "create table t (id int);\n\
DO $$\n\
BEGIN\n\
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE policyname = 'p') THEN\n\
    CREATE POLICY p ON public.t FOR ALL USING (true);\n\
  END IF;\n\
  -- prodlint-ignore rls-disabled: reason\n\
  ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n\
  EXECUTE 'ALTER TABLE u ENABLE ROW LEVEL SECURITY';\n\
  EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', 'v');\n\
EXCEPTION WHEN duplicate_object THEN NULL;\n\
END $$;\n";
        let f = SqlFile::parse(text);
        let got = kinds(&f, text);
        assert_eq!(got.len(), 5, "{got:#?}");
        assert_eq!(got[2].0, "CREATE POLICY p ON public.t FOR ALL USING (true)");
        assert!(got[2].1);
        assert_eq!(got[3].0, "ALTER TABLE t ENABLE ROW LEVEL SECURITY");
        assert_eq!(got[4].0, "ALTER TABLE u ENABLE ROW LEVEL SECURITY");
        assert!(f.in_execute_string(&f.statements[4]));
        assert!(!f.in_execute_string(&f.statements[3]));
        // node locations map to file offsets
        let policy = &f.statements[2];
        let Some(NodeEnum::CreatePolicyStmt(p)) = policy.kind() else {
            panic!("not a policy")
        };
        let loc = policy.offset(p.table.as_ref().unwrap().location);
        assert!(text[loc..].starts_with("public.t FOR ALL"));
        // the comment inside the body is known (suppressions work there)
        assert!(f
            .comments
            .iter()
            .any(|c| text[c.clone()].starts_with("-- prodlint-ignore")));
    }

    #[test]
    fn quoted_do_bodies_and_language_clause() {
        let text = "DO LANGUAGE plpgsql 'BEGIN ALTER TABLE a ENABLE ROW LEVEL SECURITY; \
CREATE POLICY q ON a USING (x = ''y''); END';\n\
DO LANGUAGE plpython3u $$ plpy.execute(\"ALTER TABLE b ENABLE ROW LEVEL SECURITY\") $$;\n";
        let f = SqlFile::parse(text);
        let got = kinds(&f, text);
        // the policy has doubled quotes: its text differs from what was parsed
        assert_eq!(got.len(), 3, "{got:#?}");
        assert_eq!(got[1].0, "ALTER TABLE a ENABLE ROW LEVEL SECURITY");
        assert!(got[1].1);
    }

    #[test]
    fn same_statement_twice_and_non_ascii_text() {
        let text = "-- café 😀\nDO $x$ BEGIN ALTER TABLE a ENABLE ROW LEVEL SECURITY; ALTER TABLE a ENABLE ROW LEVEL SECURITY; RAISE NOTICE 'é'; END $x$;";
        let f = SqlFile::parse(text);
        let inner: Vec<_> = f.statements.iter().filter(|s| s.in_do_block).collect();
        assert_eq!(inner.len(), 2);
        assert_ne!(inner[0].range, inner[1].range);
        for s in inner {
            assert_eq!(
                &text[s.range.clone()],
                "ALTER TABLE a ENABLE ROW LEVEL SECURITY"
            );
        }
    }

    #[test]
    fn broken_do_body_is_skipped_quietly() {
        let text = "DO $$ BEGIN IF THEN END $$;\ncreate table t (id int);";
        let f = SqlFile::parse(text);
        assert_eq!(f.statements.len(), 2);
        assert!(f.statements.iter().all(|s| !s.in_do_block));
    }
}
