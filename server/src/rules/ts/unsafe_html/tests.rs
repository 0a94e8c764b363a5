use crate::diagnostic::{Applicability, Level};
use crate::rules::testing::*;

const R: &str = "unsafe-html";

#[test]
fn flags_data_in_every_sink() {
    let src = "export function Bio({ user }) {\n  return <div dangerouslySetInnerHTML={{ __html: user.bio }} />;\n}\n\
               el.innerHTML = message;\n\
               el.innerHTML += `<li>${item.name}</li>`;\n\
               node.outerHTML = row.html;\n\
               list.insertAdjacentHTML('beforeend', comment.body);\n\
               document.write(location.hash);\n\
               React.createElement('div', { dangerouslySetInnerHTML: { __html: post.content } });\n";
    let got = assert_flags(R, "src/ui.tsx", src, 7);
    assert_eq!(
        got,
        vec![
            "user.bio",
            "message",
            "`<li>${item.name}</li>`",
            "row.html",
            "comment.body",
            "location.hash",
            "post.content"
        ]
    );
    let d = findings(R, "src/ui.tsx", src);
    assert!(d.iter().all(|x| x.level == Level::Error));
    assert!(d[0].message.contains("`user.bio`"));
    assert!(d[0].message.contains("render it as text"));
    assert!(d[1].message.contains("textContent"));
}

#[test]
fn near_miss_constants() {
    assert_clean(
        R,
        "src/ui.tsx",
        "const ICON = '<svg viewBox=\"0 0 24 24\"></svg>';\n\
         const banner = `<b>${ICON}</b>`;\n\
         const STRINGS = { intro: '<p>Hello</p>' };\n\
         import logo from './logo.svg?raw';\n\
         import { SPINNER_SVG } from './icons';\n\
         export const A = () => (<>\n\
           <div dangerouslySetInnerHTML={{ __html: '<br/>' }} />\n\
           <div dangerouslySetInnerHTML={{ __html: banner }} />\n\
           <div dangerouslySetInnerHTML={{ __html: STRINGS.intro }} />\n\
           <div dangerouslySetInnerHTML={{ __html: logo }} />\n\
           <div dangerouslySetInnerHTML={{ __html: SPINNER_SVG }} />\n\
           <div dangerouslySetInnerHTML={{ __html: ok ? '<i>a</i>' : '' }} />\n\
         </>);\n\
         el.innerHTML = '';\n\
         el.innerHTML = `<span class=\"x\">${1 + 2}</span>`;\n",
    );
}

#[test]
fn near_miss_sanitizers_through_imports_and_locals() {
    assert_clean(
        R,
        "src/ui.tsx",
        "import DOMPurify from 'isomorphic-dompurify';\n\
         import sanitizeHtml from 'sanitize-html';\n\
         import { filterXSS } from 'xss';\n\
         import createDOMPurify from 'dompurify';\n\
         const purify = createDOMPurify(window);\n\
         const { sanitize } = require('isomorphic-dompurify');\n\
         export const A = ({ post }) => {\n\
           const clean = DOMPurify.sanitize(post.body);\n\
           return (<>\n\
             <div dangerouslySetInnerHTML={{ __html: clean }} />\n\
             <div dangerouslySetInnerHTML={{ __html: sanitizeHtml(post.body) }} />\n\
             <div dangerouslySetInnerHTML={{ __html: filterXSS(post.body) }} />\n\
             <div dangerouslySetInnerHTML={{ __html: purify.sanitize(post.body) }} />\n\
             <div dangerouslySetInnerHTML={{ __html: sanitize(post.body) }} />\n\
             <div dangerouslySetInnerHTML={{ __html: sanitizeSurveyHtml(post.body) }} />\n\
             <div dangerouslySetInnerHTML={{ __html: escapeHtml(post.body) }} />\n\
           </>);\n\
         };\n",
    );
    // near miss of the near miss: a function that only looks like one
    assert_flags(
        R,
        "src/ui.tsx",
        "export const A = ({ post }) => <div dangerouslySetInnerHTML={{ __html: formatPost(post.body) }} />;\n",
        1,
    );
}

#[test]
fn near_miss_escaping_renderers() {
    assert_clean(
        R,
        "src/code.tsx",
        "import { codeToHtml } from 'shiki';\n\
         import { highlight } from 'sugar-high';\n\
         import katex from 'katex';\n\
         import { renderSVG } from 'uqr';\n\
         import { FancyAnsi } from 'fancy-ansi';\n\
         import MarkdownIt from 'markdown-it';\n\
         const ansi = new FancyAnsi();\n\
         const md = new MarkdownIt({ linkify: true });\n\
         export async function Code({ code, uri, log, doc }) {\n\
           const html = await codeToHtml(code, { lang: 'ts' });\n\
           const codeHTML = highlight(code);\n\
           return (<>\n\
             <pre dangerouslySetInnerHTML={{ __html: html }} />\n\
             <code dangerouslySetInnerHTML={{ __html: codeHTML }} />\n\
             <span dangerouslySetInnerHTML={{ __html: katex.renderToString(code) }} />\n\
             <div dangerouslySetInnerHTML={{ __html: renderSVG(uri) }} />\n\
             <div dangerouslySetInnerHTML={{ __html: ansi.toHtml(log) }} />\n\
             <div dangerouslySetInnerHTML={{ __html: md.render(doc) }} />\n\
           </>);\n\
         }\n",
    );
    // markdown-it with raw HTML allowed passes markup through
    assert_flags(
        R,
        "src/doc.tsx",
        "import MarkdownIt from 'markdown-it';\nconst md = new MarkdownIt({ html: true });\nexport const D = ({ doc }) => <div dangerouslySetInnerHTML={{ __html: md.render(doc) }} />;\n",
        1,
    );
}

#[test]
fn json_ld_escaped_constant_or_unescaped() {
    let src = "export function Ld({ post }) {\n\
                 return (<>\n\
                   <script type=\"application/ld+json\" dangerouslySetInnerHTML={{ __html: JSON.stringify(post) }} />\n\
                   <Script dangerouslySetInnerHTML={{ __html: `window.user = ${JSON.stringify(post.author)}` }} />\n\
                 </>);\n\
               }\n";
    let d = findings(R, "app/blog/page.tsx", src);
    assert_eq!(
        snippet_levels(src, &d),
        vec![
            ("JSON.stringify(post)".to_string(), Level::Warn),
            (
                "`window.user = ${JSON.stringify(post.author)}`".to_string(),
                Level::Warn
            )
        ]
    );
    assert!(d[0].message.contains("into a `<script>`"));
    assert_clean(
        R,
        "app/blog/page.tsx",
        "const FAQS = [{ q: 'Why?', a: 'Because.' }];\n\
         const faqLd = { '@type': 'FAQPage', mainEntity: FAQS.map((f) => ({ name: f.q, text: f.a })) };\n\
         export function Ld({ post, publicEnv }) {\n\
           return (<>\n\
             <script dangerouslySetInnerHTML={{ __html: JSON.stringify(post).replace(/</g, '\\\\u003c') }} />\n\
             <script dangerouslySetInnerHTML={{ __html: JSON.stringify(faqLd) }} />\n\
             <script dangerouslySetInnerHTML={{ __html: JSON.stringify({ '@type': 'Organization', name: 'Acme' }) }} />\n\
             <script dangerouslySetInnerHTML={{ __html: `window.ENV = ${JSON.stringify(publicEnv)}` }} />\n\
           </>);\n\
         }\n",
    );
}

#[test]
fn local_functions_and_constant_content() {
    let src = "const content = { faqs: [{ question: 'Q', answer: 'A <b>b</b>' }], hero: fetchHero() };\n\
               const faq = () => JSON.stringify({ mainEntity: content.faqs.map((f) => ({ name: f.question })) });\n\
               function bio(user) { return `<p>${user.bio}</p>`; }\n\
               export const A = ({ user }) => (<>\n\
                 <script dangerouslySetInnerHTML={{ __html: faq() }} />\n\
                 <div dangerouslySetInnerHTML={{ __html: content.faqs[0].answer }} />\n\
                 <div dangerouslySetInnerHTML={{ __html: bio(user) }} />\n\
                 <div dangerouslySetInnerHTML={{ __html: content.hero }} />\n\
               </>);\n";
    assert_eq!(
        assert_flags(R, "src/page.tsx", src, 2),
        vec!["bio(user)", "content.hero"]
    );
}

#[test]
fn react_state_is_followed_through_its_setter() {
    let src = "import { useState, useEffect } from 'react';\n\
               export function Body({ event, highlighter }) {\n\
                 const [body, setBody] = useState('');\n\
                 const [raw, setRaw] = useState('');\n\
                 useEffect(() => {\n\
                   setBody(highlighter.codeToHtml(event.body, { lang: 'json' }));\n\
                   setRaw(event.body);\n\
                 }, [event]);\n\
                 return <><pre dangerouslySetInnerHTML={{ __html: body }} /><pre dangerouslySetInnerHTML={{ __html: raw }} /></>;\n\
               }\n";
    assert_eq!(assert_flags(R, "src/body.tsx", src, 1), vec!["raw"]);
    // a setter passed on is not followed
    assert_flags(
        R,
        "src/body.tsx",
        "export function B({ load }) {\n  const [html, setHtml] = useState('');\n  load(setHtml);\n  return <div dangerouslySetInnerHTML={{ __html: html }} />;\n}\n",
        1,
    );
}

#[test]
fn near_miss_copy_props_style_elements_and_dom_copies() {
    assert_clean(
        R,
        "src/form.tsx",
        "export function Help({ helpText, label }) {\n\
           return <><p dangerouslySetInnerHTML={{ __html: helpText || '' }} /><span dangerouslySetInnerHTML={{ __html: label }} /></>;\n\
         }\n\
         export function Faq(props) {\n\
           const { description } = props;\n\
           return <div dangerouslySetInnerHTML={{ __html: description }} />;\n\
         }\n\
         export function Chart({ id, config }) {\n\
           return <style dangerouslySetInnerHTML={{ __html: `[data-chart=${id}] { color: ${config.color}; }` }} />;\n\
         }\n\
         styleElement.innerHTML = rules;\n\
         document.querySelectorAll('p').forEach((e) => (e.outerHTML = e.innerHTML));\n",
    );
    // a helper's parameter is not a copy prop
    assert_flags(
        R,
        "src/links.tsx",
        "function linkify(text) { return text.replace(URL_RE, '<a href=\"$1\">$1</a>'); }\nexport const N = ({ n }) => <p dangerouslySetInnerHTML={{ __html: linkify(n.content) }} />;\n",
        1,
    );
}

#[test]
fn near_miss_comments_strings_other_properties_and_minified_bundles() {
    assert_clean(
        R,
        "src/ui.ts",
        "// el.innerHTML = userInput;\n\
         const s = \"el.innerHTML = userInput\";\n\
         el.textContent = userInput;\n\
         el.innerText = userInput;\n\
         const html = el.innerHTML;\n\
         doc.write(userInput);\n\
         writer.insertAdjacentText('beforeend', userInput);\n",
    );
    assert_clean(R, "public/vendor/lib.min.js", "e.innerHTML=t;\n");
    // tests are checked too (the rule is not `not_in_tests`), constants stay quiet there
    assert_clean(
        R,
        "src/__tests__/ui.test.ts",
        "document.body.innerHTML = '';\n",
    );
}

#[test]
fn triggers_keep_other_files_unparsed() {
    assert_clean(R, "src/other.ts", "export const html = render(user.bio);\n");
}

#[test]
fn fix_wraps_in_dompurify_and_imports_it() {
    let before = "import React from 'react';\n\nexport const Bio = ({ user }) => <div dangerouslySetInnerHTML={{ __html: user.bio }} />;\n";
    let d = findings(R, "src/bio.tsx", before);
    assert_eq!(d[0].fix().unwrap().applicability, Applicability::Unsafe);
    check_fix(
        R,
        "src/bio.tsx",
        before,
        true,
        "import React from 'react';\nimport DOMPurify from 'isomorphic-dompurify';\n\nexport const Bio = ({ user }) => <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(user.bio) }} />;\n",
    );
    // not applied without --unsafe-fixes
    check_fix(R, "src/bio.tsx", before, false, before);
}

#[test]
fn fix_reuses_an_existing_import_and_keeps_double_quotes() {
    check_fix(
        R,
        "src/a.tsx",
        "import purify from \"dompurify\";\nconst x = purify.sanitize(a);\nel.innerHTML = comment.body;\n",
        true,
        "import purify from \"dompurify\";\nconst x = purify.sanitize(a);\nel.innerHTML = purify.sanitize(comment.body);\n",
    );
    // DOM sinks import `dompurify`; a CommonJS file requires it; shorthand `{ __html }`
    check_fix(
        R,
        "src/dom.js",
        "const x = require(\"x\");\nel.insertAdjacentHTML(\"beforeend\", row);\n",
        true,
        "const x = require(\"x\");\nconst DOMPurify = require(\"dompurify\");\nel.insertAdjacentHTML(\"beforeend\", DOMPurify.sanitize(row));\n",
    );
    check_fix(
        R,
        "src/s.tsx",
        "import a from 'a';\nexport const S = ({ __html }) => <div dangerouslySetInnerHTML={{ __html }} />;\n",
        true,
        "import a from 'a';\nimport DOMPurify from 'isomorphic-dompurify';\nexport const S = ({ __html }) => <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(__html) }} />;\n",
    );
}

#[test]
fn no_fix_when_the_name_is_taken() {
    let d = findings(
        R,
        "src/a.ts",
        "const DOMPurify = null;\nel.innerHTML = comment.body;\n",
    );
    assert_eq!(d.len(), 1);
    assert!(d[0].fix().is_none());
}

#[test]
fn fix_escapes_json() {
    check_fix(
        R,
        "app/page.tsx",
        "export const L = ({ post }) => <script dangerouslySetInnerHTML={{ __html: JSON.stringify(post) }} />;\n",
        true,
        "export const L = ({ post }) => <script dangerouslySetInnerHTML={{ __html: JSON.stringify(post).replace(/</g, '\\\\u003c') }} />;\n",
    );
}

#[test]
fn ranges_on_crlf_with_non_ascii_text() {
    let before = "const greeting = 'café 😀';\r\nexport const B = ({ u }) => <p title=\"é\" dangerouslySetInnerHTML={{ __html: u.bio }} />;\r\n";
    let d = findings(R, "src/b.tsx", before);
    assert_eq!(d.len(), 1);
    assert_eq!(&before[d[0].range.clone()], "u.bio");
    assert_eq!(d[0].range.start, before.find("u.bio").unwrap());
    check_fix(
        R,
        "src/b.tsx",
        before,
        true,
        "import DOMPurify from 'isomorphic-dompurify';\r\nconst greeting = 'café 😀';\r\nexport const B = ({ u }) => <p title=\"é\" dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(u.bio) }} />;\r\n",
    );
}

#[test]
fn keeps_working_around_syntax_errors() {
    assert_flags(
        R,
        "src/a.ts",
        "const x = {{;\nel.innerHTML = comment.body;\n",
        1,
    );
}
