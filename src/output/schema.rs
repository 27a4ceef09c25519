//! The JSON Schemas of the content files as an output (`schema/sidecar.json` and the
//! like), so an editor can point at the schemas of the scholia that built the site.

use super::{Files, Origin, OutputFile, Renderer};
use crate::diagnostics::Diagnostics;
use crate::document::Document;
use crate::schema::{self, Kind};

/// The files under `schema/`.
pub(crate) struct Schemas;

impl Renderer for Schemas {
    fn name(&self) -> &'static str {
        "schema"
    }

    fn render_to(&self, _doc: &Document, _diags: &mut Diagnostics, out: &mut Files) {
        out(Kind::ALL
            .into_iter()
            .map(|kind| OutputFile {
                path: format!("schema/{}", kind.file_name()),
                bytes: schema::to_json(kind).into_bytes().into(),
                origin: Origin::generated("the JSON Schemas of the content files"),
            })
            .collect())
    }
}
