//! Pages parsed as a browser parses them (html5ever), for tests that look at elements and
//! what a reader is shown rather than at bytes.

use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};

/// An element: its name, its attributes in order, and the text inside it.
pub(crate) type Element = (String, Vec<(String, String)>, String);

/// A node met while walking a page with [`walk`].
pub(crate) enum Node<'a> {
    Element {
        name: &'a str,
        attrs: &'a [(String, String)],
    },
    Text(&'a str),
}

/// Every element of `html`, in document order.
pub(crate) fn elements(html: &str) -> Vec<Element> {
    let mut out = Vec::new();
    visit(&parse(html), &mut |node| {
        if let NodeData::Element { name, attrs, .. } = &node.data {
            out.push((name.local.to_string(), attributes(attrs), text(node)));
        }
        true
    });
    out
}

/// Walks `html`'s elements and text nodes in document order; `f` returns whether to go
/// into an element's children.
pub(crate) fn walk(html: &str, mut f: impl FnMut(Node) -> bool) {
    visit(&parse(html), &mut |node| match &node.data {
        NodeData::Text { contents } => f(Node::Text(&contents.borrow())),
        NodeData::Element { name, attrs, .. } => f(Node::Element {
            name: &name.local,
            attrs: &attributes(attrs),
        }),
        _ => true,
    });
}

fn parse(html: &str) -> Handle {
    html5ever::parse_document(RcDom::default(), Default::default())
        .one(html)
        .document
}

fn visit(node: &Handle, f: &mut dyn FnMut(&Handle) -> bool) {
    if f(node) {
        for child in node.children.borrow().iter() {
            visit(child, f);
        }
    }
}

fn attributes(attrs: &std::cell::RefCell<Vec<html5ever::Attribute>>) -> Vec<(String, String)> {
    attrs
        .borrow()
        .iter()
        .map(|a| (a.name.local.to_string(), a.value.to_string()))
        .collect()
}

/// The text inside `node`.
fn text(node: &Handle) -> String {
    let mut out = String::new();
    visit(node, &mut |n| {
        if let NodeData::Text { contents } = &n.data {
            out.push_str(&contents.borrow());
        }
        true
    });
    out
}
