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
(`new CronJob(…)`, `CronJob.from(…)`) or `node-schedule` (`scheduleJob(…)`):
- anywhere in a project deployed as serverless functions: a folder above the file
  holds `vercel.json`, `netlify.toml` or `serverless.yml` (Serverless Framework),
  within the file's own package — a config above the nearest `package.json` belongs
  to another project of the monorepo (a root `netlify.toml` for the web app says
  nothing about `packages/api/`, a long-running server with its own `package.json`);
- in a Next.js app — a file of `app/`, `pages/` (also under `src/`) or
  `instrumentation.ts` of a folder with a `next.config.*`; without a known config,
  Next.js route files by their names (`app/**/route.ts`, `pages/api/**`).

The configs are workspace facts, by existence (their contents are not read). AWS SAM's
`template.yaml` is not one: the name is too common (any CloudFormation template,
long-running services included). Not in test files. One finding per file, at its
first schedule: moving a file's jobs to the platform's scheduler is one change.

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

```ts flagged lines=6 path=src/server.ts beside=vercel.json,package.json
import express from 'express';
import { CronJob } from 'cron';

const app = express();
app.get('/health', (req, res) => res.send('ok'));
new CronJob('*/5 * * * *', syncInventory).start();
export default app;
```

```ts ok path=src/worker.ts beside=package.json
import cron from 'node-cron';

// a long-running worker: no vercel.json, no Next.js app
cron.schedule('0 8 * * *', sendDailyDigest);
```

## Fix
None: move the job to the platform's cron (`vercel.json` `crons` calling a route
handler) or to a long-running worker.
"#;

/// Whether the file already has its finding.
struct FileReported(std::cell::Cell<bool>);

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
    // One finding per file, at its first schedule: moving the jobs is one
    // decision (a file of 19 jobs is not 19 problems).
    let reported = cx.memo(|| FileReported(std::cell::Cell::new(false)));
    if !starts || reported.0.get() {
        return;
    }
    // A project deployed as functions: anywhere in it.
    if let Some(config) = cx.facts.markers.serverless_config(cx.file.path) {
        let name = config
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let message = format!(
            "a cron schedule started in a project deployed as serverless functions (`{name}`): the functions are frozen between requests, so it fires late, several times or never; use the platform's scheduler (Vercel Cron Jobs, Netlify scheduled functions) or a separate worker"
        );
        reported.0.set(true);
        cx.report(node.byte_range(), message);
        return;
    }
    let Some(root) = cx.facts.ts.next_app_root(cx.file.path) else {
        // Without a known `next.config.*`: Next.js route files by their names.
        let path = cx.project_path();
        if handlers::app_route_path(&path).is_some() || handlers::pages_api_path(&path).is_some() {
            reported.0.set(true);
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
        reported.0.set(true);
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
        assert_eq!(
            flagged(
                "web/pages/api/jobs.ts",
                "import { CronJob } from 'cron';\nnew CronJob('0 * * * *', run).start();\n"
            ),
            1
        );
        assert_eq!(flagged("web/pages/api/jobs.ts", "import { CronJob } from 'cron';\nCronJob.from({ cronTime: '0 * * * *', onTick: run });\n"), 1);
        // one finding per file, at the first schedule
        let many = "import { CronJob } from 'cron';\nimport cron from 'node-cron';\nnew CronJob('0 * * * *', run).start();\nCronJob.from({ cronTime: '0 * * * *', onTick: run });\ncron.schedule('* * * * *', tick);\n";
        let d = findings(R, "web/pages/api/jobs.ts", many);
        assert_eq!(d.len(), 1);
        assert_eq!(&many[d[0].range.clone()], "new CronJob('0 * * * *', run)");
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

    const JOB: &str = "import cron from 'node-cron';\ncron.schedule('0 8 * * *', run);\n";

    #[test]
    fn flags_schedules_anywhere_in_a_project_with_a_serverless_config() {
        for config in [
            "vercel.json",
            "netlify.toml",
            "serverless.yml",
            "serverless.yaml",
        ] {
            let files = [("api/package.json", "{}"), ("api/src/jobs/daily.ts", JOB)];
            let with = [files[0], files[1], (&*format!("api/{config}"), "{}")];
            let d = findings_in_workspace_at(R, "api/src/jobs/daily.ts", &with);
            assert_eq!(d.len(), 1, "{config}");
            assert!(
                d[0].message.contains(&format!("(`{config}`)")),
                "{}",
                d[0].message
            );
            // the same project without it is a long-running server
            assert!(findings_in_workspace_at(R, "api/src/jobs/daily.ts", &files).is_empty());
        }
        // a config of the repository without any package.json, and one in a
        // folder between the package and the file
        assert_eq!(
            findings_in_workspace_at(
                R,
                "src/cron.js",
                &[("vercel.json", "{}"), ("src/cron.js", JOB)]
            )
            .len(),
            1
        );
        assert_eq!(
            findings_in_workspace_at(
                R,
                "web/api/cron.js",
                &[
                    ("package.json", "{}"),
                    ("web/vercel.json", "{}"),
                    ("web/api/cron.js", JOB)
                ]
            )
            .len(),
            1
        );
    }

    #[test]
    fn near_miss_another_project_of_the_monorepo_and_tests() {
        // the root config deploys the web app; the API has its own package.json
        let files = [
            ("package.json", "{}"),
            ("netlify.toml", "[build]\n"),
            ("packages/api/package.json", "{}"),
            ("packages/api/src/cron.ts", JOB),
        ];
        assert!(findings_in_workspace_at(R, "packages/api/src/cron.ts", &files).is_empty());
        // a sibling project beside the one with vercel.json
        let files = [
            ("apps/web/vercel.json", "{}"),
            ("apps/web/package.json", "{}"),
            ("apps/worker/src/index.ts", JOB),
        ];
        assert!(findings_in_workspace_at(R, "apps/worker/src/index.ts", &files).is_empty());
        // a config in a folder below the file's, and a test of the project
        let files = [
            ("jobs/vercel.json", "{}"),
            ("index.ts", JOB),
            ("jobs/a.test.ts", JOB),
        ];
        assert!(findings_in_workspace_at(R, "index.ts", &files).is_empty());
        assert!(findings_in_workspace_at(R, "jobs/a.test.ts", &files).is_empty());
        // AWS SAM's template.yaml is not a serverless config (too common a name)
        let files = [("template.yaml", "Resources: {}\n"), ("src/cron.ts", JOB)];
        assert!(findings_in_workspace_at(R, "src/cron.ts", &files).is_empty());
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
