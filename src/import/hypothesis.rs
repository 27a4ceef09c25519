//! Hypothesis' export, as its client writes it (`Export annotations` → JSON):
//!
//! ```json
//! {"export_date": "…", "export_userid": "acct:…", "client_version": "…",
//!  "annotations": [{"id": "…", "created": "…", "updated": "…", "user": "acct:…",
//!                   "uri": "https://…", "text": "Markdown", "tags": ["…"],
//!                   "references": ["parent id", …],
//!                   "target": [{"source": "…", "selector": [{"type": "TextQuoteSelector",
//!                               "exact": "…", "prefix": "…", "suffix": "…"}, …]}]}]}
//! ```
//!
//! Read from a `serde_json::Value` by hand rather than derived, so that a wrong shape is
//! reported with the path to the bad field (`annotations[3].target[0].selector`), which
//! is what a user needs to find it in a file of thousands of annotations. Fields we do
//! not use are ignored; fields we use must have the right type.

use serde_json::Value;

/// One annotation of the export, with what scholia uses of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Annotation {
    pub id: String,
    pub created: Option<String>,
    pub user: Option<String>,
    pub uri: String,
    /// Markdown (Hypothesis' editor writes Markdown).
    pub text: String,
    pub tags: Vec<String>,
    /// The thread above it, root first: empty for an annotation, not for a reply.
    pub references: Vec<String>,
    /// The `TextQuoteSelector` of its first target, if any (page notes and replies have
    /// none).
    pub quote: Option<Quote>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Quote {
    pub exact: String,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
}

/// Why an export could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExportError {
    /// Not JSON: serde_json's message, with line and column.
    NotJson(String),
    /// JSON of the wrong shape: where, and what was expected there.
    Shape { path: String, expected: String },
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::NotJson(e) => write!(f, "it is not JSON: {e}"),
            ExportError::Shape { path, expected } => {
                write!(f, "`{path}` should be {expected}")
            }
        }
    }
}

/// Reads an export.
pub(crate) fn parse(json: &str) -> Result<Vec<Annotation>, ExportError> {
    let value: Value =
        serde_json::from_str(json).map_err(|e| ExportError::NotJson(e.to_string()))?;
    let root = Field::root(&value);
    let Value::Object(_) = value else {
        return Err(root.wrong("an object with an `annotations` list (a Hypothesis export)"));
    };
    let list = root.get("annotations");
    let Some(items) = list.value.and_then(Value::as_array) else {
        return Err(list.wrong("a list of annotations"));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| annotation(list.index(i, v)))
        .collect()
}

fn annotation(at: Field) -> Result<Annotation, ExportError> {
    if !at.value.is_some_and(Value::is_object) {
        return Err(at.wrong("an annotation (an object)"));
    }
    let target = at.get("target");
    let quote = match target.value {
        None | Some(Value::Null) => None,
        Some(Value::Array(targets)) => match targets.first() {
            Some(first) => quote(target.index(0, first))?,
            None => None,
        },
        Some(_) => return Err(target.wrong("a list of targets")),
    };
    Ok(Annotation {
        id: at.get("id").string()?,
        created: at.get("created").optional_string()?,
        user: at.get("user").optional_string()?,
        uri: at.get("uri").string()?,
        text: at.get("text").optional_string()?.unwrap_or_default(),
        tags: at.get("tags").strings()?,
        references: at.get("references").strings()?,
        quote,
    })
}

/// The `TextQuoteSelector` of a target, if it has one.
fn quote(target: Field) -> Result<Option<Quote>, ExportError> {
    if !target.value.is_some_and(Value::is_object) {
        return Err(target.wrong("a target (an object)"));
    }
    let selectors = target.get("selector");
    let list = match selectors.value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(selectors.wrong("a list of selectors")),
    };
    for (i, s) in list.iter().enumerate() {
        let s = selectors.index(i, s);
        if !s.value.is_some_and(Value::is_object) {
            return Err(s.wrong("a selector (an object)"));
        }
        if s.get("type").value.and_then(Value::as_str) == Some("TextQuoteSelector") {
            return Ok(Some(Quote {
                exact: s.get("exact").string()?,
                prefix: s.get("prefix").optional_string()?,
                suffix: s.get("suffix").optional_string()?,
            }));
        }
    }
    Ok(None)
}

/// A place in the export: its path, for messages, and its value, if present.
#[derive(Clone)]
struct Field<'v> {
    path: String,
    value: Option<&'v Value>,
}

impl<'v> Field<'v> {
    fn root(value: &'v Value) -> Field<'v> {
        Field {
            path: "(the whole file)".into(),
            value: Some(value),
        }
    }

    fn get(&self, key: &str) -> Field<'v> {
        let path = if self.path.starts_with('(') {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        };
        Field {
            path,
            value: self.value.and_then(|v| v.get(key)),
        }
    }

    fn index(&self, i: usize, value: &'v Value) -> Field<'v> {
        Field {
            path: format!("{}[{i}]", self.path),
            value: Some(value),
        }
    }

    fn wrong(&self, expected: &str) -> ExportError {
        let found = match self.value {
            None => "it is missing".to_string(),
            Some(Value::Null) => "it is null".into(),
            Some(Value::Bool(_)) => "it is a boolean".into(),
            Some(Value::Number(_)) => "it is a number".into(),
            Some(Value::String(_)) => "it is a string".into(),
            Some(Value::Array(_)) => "it is a list".into(),
            Some(Value::Object(_)) => "it is an object".into(),
        };
        ExportError::Shape {
            path: self.path.clone(),
            expected: format!("{expected}, but {found}"),
        }
    }

    fn string(&self) -> Result<String, ExportError> {
        match self.value {
            Some(Value::String(s)) => Ok(s.clone()),
            _ => Err(self.wrong("a string")),
        }
    }

    fn optional_string(&self) -> Result<Option<String>, ExportError> {
        match self.value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            _ => Err(self.wrong("a string")),
        }
    }

    fn strings(&self) -> Result<Vec<String>, ExportError> {
        match self.value {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| self.index(i, v).string())
                .collect(),
            _ => Err(self.wrong("a list of strings")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_client_format() {
        let json = r#"{"export_date":"2024-05-01T10:00:00Z","export_userid":"acct:a@hypothes.is",
          "client_version":"1.1","annotations":[{"id":"AbC_1","created":"2024-04-01T10:00:00Z",
          "updated":"2024-04-01T10:00:00Z","user":"acct:a@hypothes.is","uri":"https://x.org/t/",
          "text":"Hi *there*","tags":["a","b"],"group":"__world__","references":[],
          "target":[{"source":"https://x.org/t/","selector":[{"type":"RangeSelector"},
          {"type":"TextPositionSelector","start":1,"end":4},
          {"type":"TextQuoteSelector","exact":"word","prefix":"a ","suffix":" b"}]}],
          "document":{"title":["T"]}}]}"#;
        let a = parse(json).unwrap_or_default();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].id, "AbC_1");
        assert_eq!(a[0].tags, ["a", "b"]);
        assert_eq!(
            a[0].quote,
            Some(Quote {
                exact: "word".into(),
                prefix: Some("a ".into()),
                suffix: Some(" b".into())
            })
        );
    }

    #[test]
    fn a_wrong_shape_names_the_field() {
        let cases = [
            ("[]", "(the whole file)"),
            ("{}", "`annotations` should be a list of annotations, but it is missing"),
            (r#"{"annotations":[{"id":1}]}"#, "`annotations[0].id` should be a string, but it is a number"),
            (
                r#"{"annotations":[{"id":"x","uri":"u","target":[{"selector":[{"type":"TextQuoteSelector"}]}]}]}"#,
                "`annotations[0].target[0].selector[0].exact` should be a string, but it is missing",
            ),
            (r#"{"annotations":[{"id":"x","uri":"u","tags":"a"}]}"#, "`annotations[0].tags` should be a list of strings"),
        ];
        for (json, expected) in cases {
            let e = parse(json).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains(expected), "{json}: {e}");
        }
        let e = parse("{not json")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("it is not JSON") && e.contains("line 1"),
            "{e}"
        );
    }
}
