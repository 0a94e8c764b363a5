//! `cron-in-serverless`: an in-process cron schedule in a Next.js app.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::handlers;
use crate::ts::kind::{self, KindExt};
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "cron-in-serverless",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::None,
        not_in_tests: true,
        summary: "A cron schedule is started inside a Next.js app, where no process lives long enough to run it",
        docs: DOCS,
        // The modules' names as imported (the calls are judged through the imports).
        triggers: &["node-cron", "'cron'", "\"cron\"", "node-schedule"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    kinds: &[kind::CALL_EXPRESSION, kind::NEW_EXPRESSION],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags a schedule started with `node-cron` (`cron.schedule(…)`), `cron`
(`new CronJob(…)`, `CronJob.from(…)`) or `node-schedule` (`scheduleJob(…)`) in a
Next.js app — a file of `app/`, `pages/` (also under `src/`) or `instrumentation.ts`
of a folder with a `next.config.*` (a workspace fact); without a known config, Next.js
route files by their names (`app/**/route.ts`, `pages/api/**`). Projects with a
`vercel.json` but no Next.js are not recognised yet.

## Why is this bad?
On Vercel and other serverless hosts a Next.js app runs as functions that start for a
request and are frozen after it: the timer never fires, or fires in whichever instance
happens to be warm, several times or not at all. Use the platform's scheduler (Vercel
Cron Jobs calling a route, a queue's repeatable jobs, a separate worker).

## Examples
```ts flagged lines=3 path=app/api/digest/route.ts
import cron from 'node-cron';

cron.schedule('0 8 * * *', sendDailyDigest);

export async function GET() {
  return Response.json({ ok: true });
}
```

```ts ok path=src/worker.ts
import cron from 'node-cron';

cron.schedule('0 8 * * *', sendDailyDigest);
```

## Fix
None: move the job to the platform's cron (`vercel.json` `crons` calling a route
handler) or to a long-running worker.
"#;

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.script();
    let callee = match node.kind_name() {
        kind::NEW_EXPRESSION => node.field(Field::Constructor),
        _ => node.field(Field::Function),
    };
    let Some(q) = callee.and_then(|c| src.qualified_name(c)) else {
        return;
    };
    let starts = q.is("node-cron", &["schedule"])
        || q.is("cron", &["CronJob"]) && node.kind_name() == kind::NEW_EXPRESSION
        || q.is("cron", &["CronJob", "from"])
        || q.is("node-schedule", &["scheduleJob"]);
    if !starts {
        return;
    }
    let Some(root) = cx.facts.ts.next_app_root(cx.file.path) else {
        // Without a known `next.config.*`: Next.js route files by their names.
        let path = cx.project_path();
        if handlers::app_route_path(&path).is_some() || handlers::pages_api_path(&path).is_some() {
            report(cx, node);
        }
        return;
    };
    let rel = cx
        .file
        .path
        .strip_prefix(root)
        .unwrap_or(cx.file.path)
        .to_string_lossy()
        .replace('\\', "/");
    let rel = rel.strip_prefix("src/").unwrap_or(&rel);
    let in_app = rel.starts_with("app/")
        || rel.starts_with("pages/")
        || rel
            .split('/')
            .next_back()
            .is_some_and(|f| f.starts_with("instrumentation.") && !rel.contains('/'));
    if in_app {
        report(cx, node);
    }
}

fn report(cx: &mut RuleContext<'_>, node: Node<'_>) {
    cx.report(
        node.byte_range(),
        "a cron schedule started inside a Next.js app: serverless functions are frozen between requests, so it fires late, several times or never; use the platform's cron (Vercel Cron Jobs calling a route) or a separate worker",
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "cron-in-serverless";
    const CONFIG: (&str, &str) = ("web/next.config.mjs", "export default {};\n");

    fn flagged(path: &str, text: &str) -> usize {
        findings_in_workspace_at(R, path, &[CONFIG, (path, text)]).len()
    }

    #[test]
    fn flags_schedules_in_a_next_app() {
        assert_eq!(
            flagged(
                "web/app/api/digest/route.ts",
                "import cron from 'node-cron';\ncron.schedule('0 8 * * *', run);\n"
            ),
            1
        );
        assert_eq!(
            flagged(
                "web/src/app/layout.tsx",
                "import { schedule } from 'node-cron';\nschedule('* * * * *', tick);\n"
            ),
            1
        );
        assert_eq!(flagged("web/pages/api/jobs.ts", "import { CronJob } from 'cron';\nnew CronJob('0 * * * *', run).start();\nCronJob.from({ cronTime: '0 * * * *', onTick: run });\n"), 2);
        assert_eq!(flagged("web/instrumentation.ts", "const schedule = require('node-schedule');\nschedule.scheduleJob('0 0 * * *', cleanup);\n"), 1);
    }

    #[test]
    fn near_miss_outside_next_apps_and_other_calls() {
        // a worker of the same repository, outside the Next.js app folder
        assert_eq!(
            flagged(
                "worker/src/index.ts",
                "import cron from 'node-cron';\ncron.schedule('0 8 * * *', run);\n"
            ),
            0
        );
        // a lib file of the Next.js app (not app/, pages/ or instrumentation)
        assert_eq!(
            flagged(
                "web/lib/jobs.ts",
                "import cron from 'node-cron';\ncron.schedule('0 8 * * *', run);\n"
            ),
            0
        );
        // no next.config: not a Next.js app, unless the file is a route by its name
        assert_clean(
            R,
            "app/jobs.ts",
            "import cron from 'node-cron';\ncron.schedule('0 8 * * *', run);\n",
        );
        assert_flags(
            R,
            "app/api/jobs/route.ts",
            "import cron from 'node-cron';\ncron.schedule('0 8 * * *', run);\n",
            1,
        );
        // validation only, a local `schedule`, a comment
        assert_eq!(flagged("web/app/api/cron/route.ts", "import cron from 'node-cron';\ncron.validate('0 8 * * *');\nschedule('x');\n// cron.schedule('0 8 * * *', run)\n"), 0);
    }

    #[test]
    fn ranges_on_crlf_with_non_ascii_text() {
        let text = "import cron from 'node-cron';\r\nconst é = 'café 😀';\r\ncron.schedule('0 8 * * *', run);\r\n";
        let d = findings_in_workspace_at(
            R,
            "web/app/é/route.ts",
            &[CONFIG, ("web/app/é/route.ts", text)],
        );
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "cron.schedule('0 8 * * *', run)");
    }
}
