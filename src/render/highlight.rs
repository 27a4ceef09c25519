//! Code blocks, highlighted by syntect with CSS classes (never inline styles, which a
//! strict Content-Security-Policy would block).
//!
//! Loading syntect's syntax set costs tens of milliseconds, so it happens once, and only
//! when a text actually has a code block.

use std::sync::OnceLock;

use syntect::highlighting::{Color, FontStyle, Highlighter, Theme, ThemeSet};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{Scope, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Loads the syntax set now (on a thread of its own, say) rather than inside the render
/// of the first text with a code block, where every other text would wait for it.
pub(crate) fn warm() {
    syntaxes();
}

/// `<pre class="code">…</pre>` for a code block in language `lang` (may be empty).
pub(super) fn code_block(code: &str, lang: &str) -> String {
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
///
/// The rules are made from the themes' data rather than taken from syntect's CSS, for two
/// reasons. Both colour schemes get a rule for every scope either theme styles, so the
/// dark scheme never shows a colour left over from the light one. And every colour is
/// moved, if it must be, until it reaches WCAG AA contrast (4.5:1) on its background:
/// the stock themes fall short for comments, functions and keywords.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let (Some(light), Some(dark)) = (
        themes.themes.get(LIGHT_THEME),
        themes.themes.get(DARK_THEME),
    ) else {
        return String::new();
    };
    let selectors = scope_paths(&[light, dark]);
    format!(
        "/* Code highlighting (syntect). Light: {LIGHT_THEME}; dark: {DARK_THEME}; colours \
         raised to WCAG AA contrast. */\n{}@media (prefers-color-scheme: dark) {{\n{}}}\n",
        rules(light, &selectors),
        rules(dark, &selectors)
    )
}

const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

/// WCAG AA for normal text, with a little room so rounding to `#rrggbb` cannot undo it.
const MIN_CONTRAST: f64 = 4.6;

/// Every scope path (`source.python string` → two scopes) the themes style, each once,
/// the more specific later so they win in the cascade as they do in the themes.
fn scope_paths(themes: &[&Theme]) -> Vec<Vec<Scope>> {
    let mut paths: Vec<Vec<Scope>> = Vec::new();
    for theme in themes {
        for item in &theme.scopes {
            for selector in &item.scope.selectors {
                let path = selector.extract_scopes();
                if !path.is_empty() && !paths.contains(&path) {
                    paths.push(path);
                }
            }
        }
    }
    paths.sort_by_key(|p| p.iter().map(|s| s.len()).sum::<u32>());
    paths
}

/// The rules of one theme: the code block itself, then one per scope path.
fn rules(theme: &Theme, paths: &[Vec<Scope>]) -> String {
    let highlighter = Highlighter::new(theme);
    let background = theme.settings.background.unwrap_or(Color::WHITE);
    let foreground = theme.settings.foreground.unwrap_or(Color::BLACK);
    let used = paths.iter().fold(FontStyle::empty(), |f, path| {
        f | highlighter.style_for_stack(path).font_style
    });
    let mut css = format!(
        "pre.code {{ background: {}; color: {}; }}\n",
        hex(background),
        hex(readable(foreground, background))
    );
    for path in paths {
        let Some(selector) = css_selector(path) else {
            continue;
        };
        let style = highlighter.style_for_stack(path);
        let bg = if style.background == background {
            None
        } else {
            Some(style.background)
        };
        let fg = readable(style.foreground, bg.unwrap_or(background));
        css.push_str(&format!("pre.code {selector} {{ color: {};", hex(fg)));
        if let Some(bg) = bg {
            css.push_str(&format!(" background-color: {};", hex(bg)));
        }
        // A font property is written only where some rule changes it, and then on every
        // rule, so the less specific rules cannot leak into the more specific ones.
        let font = style.font_style;
        for (flag, on, off) in [
            (
                FontStyle::BOLD,
                " font-weight: bold;",
                " font-weight: normal;",
            ),
            (
                FontStyle::ITALIC,
                " font-style: italic;",
                " font-style: normal;",
            ),
            (
                FontStyle::UNDERLINE,
                " text-decoration: underline;",
                " text-decoration: none;",
            ),
        ] {
            if used.contains(flag) {
                css.push_str(if font.contains(flag) { on } else { off });
            }
        }
        css.push_str(" }\n");
    }
    css
}

/// `.hl-source .hl-string.hl-quoted` for the path `source string.quoted`, as the
/// generator's classes name it; `None` for scopes whose names are not plain identifiers
/// (no theme here has one).
fn css_selector(path: &[Scope]) -> Option<String> {
    let mut parts = Vec::with_capacity(path.len());
    for scope in path {
        let name = scope.build_string();
        let mut classes = String::new();
        for atom in name.split('.') {
            let plain = atom
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if atom.is_empty() || !plain {
                return None;
            }
            classes.push_str(".hl-");
            classes.push_str(atom);
        }
        parts.push(classes);
    }
    Some(parts.join(" "))
}

fn hex(c: Color) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
}

/// `fg`, moved towards black on a light background or towards white on a dark one, in
/// small steps, until it reaches [`MIN_CONTRAST`] on `bg`. Hue is kept as far as it can.
fn readable(fg: Color, bg: Color) -> Color {
    let target = if luminance(bg) > 0.18 {
        Color::BLACK
    } else {
        Color::WHITE
    };
    let mut c = fg;
    for step in 1..=20 {
        if contrast(c, bg) >= MIN_CONTRAST {
            break;
        }
        let t = f64::from(step) / 20.0;
        let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        c = Color {
            r: mix(fg.r, target.r),
            g: mix(fg.g, target.g),
            b: mix(fg.b, target.b),
            a: 0xff,
        };
    }
    c
}

/// WCAG 2 contrast ratio of two colours.
fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// WCAG 2 relative luminance.
fn luminance(c: Color) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
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

    /// The stylesheet's rules, light and dark apart: (selector, colour, background).
    /// A rule: its selector, colour and background.
    type Rule = (String, String, Option<String>);

    fn parsed(css: &str) -> (Vec<Rule>, Vec<Rule>) {
        let (light, dark) = css
            .split_once("@media (prefers-color-scheme: dark)")
            .unwrap();
        let rules = |part: &str| {
            part.lines()
                .filter_map(|line| {
                    let (selector, body) = line.split_once(" { ")?;
                    let value = |prop: &str| {
                        body.split(';')
                            .find_map(|d| d.trim().strip_prefix(prop).map(|v| v.trim().to_string()))
                    };
                    let colour = value("color:")?;
                    let background = value("background-color:").or_else(|| value("background:"));
                    Some((selector.trim().to_string(), colour, background))
                })
                .collect::<Vec<_>>()
        };
        (rules(light), rules(dark))
    }

    fn colour(hex: &str) -> Color {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
        Color {
            r: (v >> 16) as u8,
            g: (v >> 8) as u8,
            b: v as u8,
            a: 0xff,
        }
    }

    #[test]
    fn every_colour_reaches_aa_contrast_on_its_background() {
        let css = stylesheet();
        let (light, dark) = parsed(&css);
        for rules in [&light, &dark] {
            let (block, fg, Some(bg)) = &rules[0] else {
                panic!("the first rule styles the block: {rules:?}")
            };
            assert_eq!(block, "pre.code");
            assert!(contrast(colour(fg), colour(bg)) >= 4.5, "{fg} on {bg}");
            assert!(rules.len() > 20, "{rules:?}");
            for (selector, fg, own) in &rules[1..] {
                let bg = own.as_ref().unwrap_or(bg);
                let ratio = contrast(colour(fg), colour(bg));
                assert!(ratio >= 4.5, "{selector}: {fg} on {bg} is {ratio:.2}:1");
                assert!(selector.starts_with("pre.code "), "{selector}");
            }
        }
        // Every colour of the stylesheet was checked: each line that names one is a rule
        // read above (none is left out by a shape `parsed` does not know).
        let named = css.lines().filter(|l| l.contains('#')).count();
        assert_eq!(named, light.len() + dark.len(), "{css}");
        // The two reported in the issue, now readable.
        assert!(css.contains("pre.code .hl-support.hl-function {"), "{css}");
        assert!(css.contains("pre.code .hl-storage.hl-type {"), "{css}");
    }

    #[test]
    fn the_dark_scheme_restyles_every_scope_the_light_one_styles() {
        let (light, dark) = parsed(&stylesheet());
        let names = |rules: &[Rule]| rules.iter().map(|r| r.0.clone()).collect::<Vec<_>>();
        assert_eq!(names(&light), names(&dark));
        let dark_bg = colour(dark[0].2.as_deref().unwrap());
        assert!(luminance(dark_bg) < 0.1);
        // No light colour left in the dark scheme: each is readable on the dark background.
        for (selector, fg, own) in &dark[1..] {
            if own.is_none() {
                assert!(contrast(colour(fg), dark_bg) >= 4.5, "{selector}: {fg}");
            }
        }
    }

    #[test]
    fn readable_keeps_good_colours_and_fixes_poor_ones() {
        let white = Color::WHITE;
        let black = colour("#000000");
        assert_eq!(hex(readable(black, white)), "#000000");
        let green = colour("#62a35c");
        assert!(contrast(green, white) < 4.5);
        assert!(contrast(readable(green, white), white) >= 4.5);
        let dark = colour("#2b303b");
        let pink = colour("#a71d5d");
        assert!(contrast(readable(pink, dark), dark) >= 4.5);
    }

    #[test]
    fn unknown_language_is_escaped_plain_text() {
        let html = code_block("<x>\n", "nosuchlang");
        assert!(html.contains("&lt;x&gt;"), "{html}");
    }
}
