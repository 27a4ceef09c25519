//! Code blocks, highlighted by syntect with CSS classes (never inline styles, which a
//! strict Content-Security-Policy would block).
//!
//! Loading syntect's syntax set costs tens of milliseconds, so it happens once, and only
//! when a text actually has a code block.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// `<pre class="code">…</pre>` for a code block in language `lang` (may be empty).
pub fn code_block(code: &str, lang: &str) -> String {
    let lang = lang.split([' ', ',', '{']).next().unwrap_or("").trim();
    let escaped_lang = super::attr(lang);
    let inner = highlight(code, lang).unwrap_or_else(|| super::body_text(code));
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{escaped_lang}\"")
    };
    // Focusable, so keyboard users can scroll a wide block (WCAG 2.1.1).
    format!("<pre class=\"code\" tabindex=\"0\"><code{class}>{inner}</code></pre>\n")
}

fn highlight(code: &str, lang: &str) -> Option<String> {
    if lang.is_empty() {
        return None;
    }
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// The stylesheet for highlighted code: a light theme, and a dark one for readers whose
/// system prefers dark.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok())
            .unwrap_or_default()
    };
    format!(
        "/* Code highlighting (syntect). Light: InspiredGitHub; dark: base16-ocean.dark. */\n{}{LIGHT_FIXES}\n@media (prefers-color-scheme: dark) {{\n{}{DARK_FIXES}}}\n",
        scope(&css("InspiredGitHub")),
        scope(&css("base16-ocean.dark"))
    )
}

/// The themes' comment colours fall short of WCAG AA contrast (4.5:1) on their own
/// backgrounds; these meet it.
const LIGHT_FIXES: &str =
    "pre.code { background: #ffffff; color: #323232; }\npre.code .hl-comment { color: #5c6370; }\n";
const DARK_FIXES: &str =
    "pre.code { background: #2b303b; color: #c0c5ce; }\npre.code .hl-comment { color: #a0a8b4; }\n";

/// Limits every rule to code blocks (`pre.code`), selector by selector, so the themes'
/// class names cannot style anything else on the page.
fn scope(css: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |i| open + i + 1);
        let selectors = strip_comments(&rest[..open]);
        let scoped: Vec<String> = selectors
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("pre.code {s}"))
            .collect();
        if !scoped.is_empty() {
            out.push_str(&scoped.join(", "));
            out.push(' ');
            out.push_str(&rest[open..close]);
            out.push('\n');
        }
        rest = &rest[close..];
    }
    out
}

fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_with_classes_not_styles() {
        let html = code_block("fn main() {}\n", "rust");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn stylesheet_scopes_every_selector() {
        let css = scope("/* c */\n.hl-a, .hl-b.hl-c {\n color: red;\n}\n.hl-d { x: y }");
        assert_eq!(
            css,
            "pre.code .hl-a, pre.code .hl-b.hl-c {\n color: red;\n}\npre.code .hl-d { x: y }\n"
        );
        assert!(!stylesheet().contains(".hl-stringpre"));
    }

    #[test]
    fn unknown_language_is_escaped_plain_text() {
        let html = code_block("<x>\n", "nosuchlang");
        assert!(html.contains("&lt;x&gt;"), "{html}");
    }
}
