//! HTML to plain text, for the platforms that send markup (WordPress comments, YouTube's
//! `textDisplay`). Tags are dropped, never interpreted; `script` and `style` contents are
//! dropped with them; block ends become line breaks; entities are decoded once, after the
//! tags are gone, so `&lt;script&gt;` comes out as the text `<script>` and nothing else.
//!
//! Why not an HTML5 parser crate (html2text, ammonia)? They bring html5ever, about a
//! megabyte in a bootstrap whose budget is 8 MB, for text that is short and only read.

/// Block-level elements whose end is a line break in the text.
const BLOCKS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "pre",
    "hr",
];
const HIDDEN: &[&str] = &["script", "style", "template", "noscript"];

pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut hidden_until: Option<String> = None;
    while let Some(start) = rest.find('<') {
        let (before, after) = rest.split_at(start);
        if hidden_until.is_none() {
            out.push_str(before);
        }
        let Some(tag) = parse_tag(after) else {
            // A lone '<' (as in "3 < 4") is text.
            if hidden_until.is_none() {
                out.push('<');
            }
            rest = &after[1..];
            continue;
        };
        rest = &after[tag.len..];
        if let Some(hidden) = &hidden_until {
            if tag.closing && tag.name == *hidden {
                hidden_until = None;
            }
            continue;
        }
        if !tag.closing && HIDDEN.contains(&tag.name.as_str()) {
            hidden_until = Some(tag.name);
        } else if BLOCKS.contains(&tag.name.as_str()) && !out.ends_with('\n') {
            out.push('\n');
        }
    }
    if hidden_until.is_none() {
        out.push_str(rest);
    }
    tidy(&html_escape::decode_html_entities(&out))
}

struct Tag {
    name: String,
    closing: bool,
    /// Bytes from '<' through '>'.
    len: usize,
}

/// A tag, comment or declaration starting at `text[0] == '<'`; `None` when the '<' does not
/// open one.
fn parse_tag(text: &str) -> Option<Tag> {
    let inner = &text[1..];
    if let Some(comment) = inner.strip_prefix("!--") {
        let end = comment.find("-->").map_or(text.len(), |i| 4 + i + 3);
        return Some(Tag {
            name: String::new(),
            closing: false,
            len: end,
        });
    }
    let (closing, name_start) = match inner.as_bytes().first()? {
        b'/' => (true, 1),
        b'!' | b'?' => (false, 1),
        c if c.is_ascii_alphabetic() => (false, 0),
        _ => return None,
    };
    let name: String = inner[name_start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    // Quoted attribute values may contain '>'.
    let mut quote = None;
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => {
                return Some(Tag {
                    name,
                    closing,
                    len: 1 + i + 1,
                })
            }
            _ => {}
        }
    }
    // An unterminated tag swallows the rest, as browsers do.
    Some(Tag {
        name,
        closing,
        len: text.len(),
    })
}

/// Collapses runs of spaces within lines and of blank lines, and trims.
fn tidy(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let line = words.join(" ");
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_should_go_and_text_should_stay() {
        assert_eq!(
            html_to_text(
                r#"<p>Merci <a href="https://x.fr/?a=1&amp;b=2">ici</a> &amp; là</p><p>Bye</p>"#
            ),
            "Merci ici & là\nBye"
        );
    }

    #[test]
    fn scripts_and_styles_should_vanish_with_their_content() {
        assert_eq!(
            html_to_text("a<script>alert('x')</script>b<style>p{}</style>c"),
            "abc"
        );
    }

    #[test]
    fn escaped_markup_should_come_out_as_text_not_tags() {
        assert_eq!(
            html_to_text("&lt;script&gt;x&lt;/script&gt;"),
            "<script>x</script>"
        );
        assert_eq!(html_to_text("3 < 4 and 5 > 2"), "3 < 4 and 5 > 2");
    }

    #[test]
    fn quoted_angle_brackets_and_comments_should_not_leak() {
        assert_eq!(
            html_to_text(r#"<img alt="a > b">ok<!-- hidden -->!"#),
            "ok!"
        );
        assert_eq!(html_to_text("x<br/>y<br>z"), "x\ny\nz");
        assert_eq!(html_to_text("broken <a href='x"), "broken");
    }

    #[test]
    fn numeric_entities_should_decode() {
        assert_eq!(html_to_text("caf&#233; &#x2764;"), "café ❤");
    }
}
