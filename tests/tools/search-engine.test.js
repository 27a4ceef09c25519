// Unit tests of the search engine (themes/default/static/search-engine.js), without a
// browser: `node --test tests/tools/search-engine.test.js`. Run by `cargo test` through
// tests/search.rs (`the_search_engine_passes_its_node_tests`), which builds
// tests/sites/basic and passes its output folder in SCHOLIA_SEARCH_SITE for the tests
// that query a real index; without it those are skipped.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const engine = require("../../themes/default/static/search-engine.js");

test("the Porter stemmer and stop words are elasticlunr's", () => {
  assert.deepEqual(engine.terms("The Coalitions, of “willing” states-building!"), ["coalit", "will", "state", "build"]);
  assert.deepEqual(engine.terms("running RUNS ran"), ["run", "run", "ran"]);
  assert.deepEqual(engine.terms("relational hopefulness"), ["relat", "hope"]);
});

test("postings decode from their digits", () => {
  // Document 3, weight 5; then document 3 + 1, weight 32 ("B0": 1 × 32 + 0).
  assert.deepEqual([...engine.decodePostings("35")], [[3, 5]]);
  assert.deepEqual([...engine.decodePostings("35" + "1B0")], [[3, 5], [4, 32]]);
  assert.throws(() => engine.decodePostings("3\"5"));
});

const RUST_PACKED = "T5!/oegJnHVnf@bdOl#/dor$OUglx0&O4;:gny9OB8/2H?o94gM11If";

test("packed records unpack: base64 of raw deflate, JSON inside", async () => {
  const zlib = require("node:zlib");
  const record = { first: 4, texts: {}, words: ["Words ¶ « » </script> \"quoted\"", "x".repeat(5000)] };
  // base85 of node's own deflate, encoded here as src/search/format.rs's `base85` does.
  const B85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&()*+-./:;=>?@[]^_{";
  const toBase85 = (bytes) => {
    let s = "";
    for (let i = 0; i < bytes.length; i += 4) {
      const group = [0, 1, 2, 3].map((k) => bytes[i + k] || 0);
      let n = ((group[0] << 24) >>> 0) + (group[1] << 16) + (group[2] << 8) + group[3];
      const digits = [];
      for (let k = 0; k < 5; k++) { digits.unshift(B85[n % 85]); n = Math.floor(n / 85); }
      s += digits.slice(0, Math.min(4, bytes.length - i) + 1).join("");
    }
    return s;
  };
  const packed = toBase85(zlib.deflateRawSync(Buffer.from(JSON.stringify(record))));
  assert.deepEqual(await engine.unpack(packed), record);
  for (const len of [0, 1, 2, 3, 4, 5, 255, 256]) {
    const bytes = Uint8Array.from({ length: len }, (_, k) => (k * 97 + 255) & 255);
    assert.deepEqual(engine.base85(toBase85(bytes)), bytes);
  }
  assert.deepEqual([...engine.base85("^nSc0")], [255, 255, 255, 255]);
  assert.throws(() => engine.base85("0"));
  assert.throws(() => engine.base85("{{{{{"));
  assert.throws(() => engine.base85("00\"00"));
  // What src/search/format.rs packs for { first: 1, texts: {}, words: ["Alliances"] } (the
  // Rust test `packed_records_are_the_ones_the_client_reads` checks the other side).
  assert.deepEqual(await engine.unpack(RUST_PACKED), { first: 1, texts: {}, words: ["Alliances"] });
  await assert.rejects(engine.unpack("notDeflate"));
});

// A hand-made index: three paragraphs and a note in one text.
const small = () => {
  const ix = engine.createIndex();
  ix.manifest({
    format: engine.FORMAT, language: "en", languages: ["en"], client: "en", words: [], maxToken: 64, scale: 100,
    docs: 4, kinds: { para: [0, 3], note: [3, 4], term: [4, 4], question: [4, 4] }, shards: ["", "m"], chunk: 2,
    texts: 1, glossary: "glossary/index.html", fieldBoosts: {}, kindBoosts: {},
  });
  // "allianc": paragraphs 0 (weight 100) and 2 (300); "treati": paragraph 1 and the note 3
  ix.shard(0, { terms: ["allianc", "coalit"], postings: ["0B4" + "2Jc", "1B4"] });
  ix.shard(1, { terms: ["treati"], postings: ["1B4" + "2B4"] });
  ix.docs(0, { first: 0, texts: { 0: { title: "One", path: "one/index.html" } },
    paragraphs: [{ text: 0, first: 1, count: 2 }],
    words: ["An alliance of states.", "A treaty, and coalitions."] });
  ix.docs(1, { first: 2, texts: { 0: { title: "One", path: "one/index.html" } },
    paragraphs: [{ text: 0, first: 3, count: 1 }], places: [{ text: 0, anchor: "who", label: "Context · Who" }],
    words: ["Alliances, alliances everywhere.", "The treaty again."] });
  return ix;
};

test("a query asks for the files it needs, then ranks", () => {
  const ix = engine.createIndex();
  assert.deepEqual(ix.query("alliance", { kinds: {} }, 10).need, ["manifest.js"]);
  const s = small();
  const r = s.query("alliances ", { kinds: {} }, 10);
  assert.deepEqual(r.results.map((d) => d.anchor), ["p3", "p1"]);
  assert.equal(r.count, 2);
  assert.equal(r.exact, true);
  assert.equal(r.results[0].title, "One");
  assert.equal(r.results[0].path, "one/index.html");
  assert.equal(r.results[0].kind, "para");
});

test("filters by kind leave documents out", () => {
  const r = small().query("treaty ", { kinds: { para: false } }, 10);
  assert.deepEqual(r.results.map((d) => [d.anchor, d.kind]), [["who", "note"]]);
});

test("a shard not loaded yet is asked for by path", () => {
  const ix = small();
  ix.store.shards.delete(1);
  assert.deepEqual(ix.query("treaty ", { kinds: {} }, 10).need, ["shards/1.js"]);
});

test("excerpts mark the words the query found, and only those", () => {
  const ix = small();
  const r = ix.query("alliance ", { kinds: {} }, 10);
  const x = ix.excerpt(r.results[0].body, r.marks);
  assert.deepEqual(x.parts, [
    { text: "Alliances", mark: true }, { text: ", ", mark: false },
    { text: "alliances", mark: true }, { text: " everywhere.", mark: false },
  ]);
  assert.deepEqual(x.words, ["alliances", "alliances"]);
  assert.equal(x.before, false);
  assert.equal(x.after, false);
  const long = `${"word ".repeat(200)}alliance ${"more ".repeat(100)}`;
  const y = ix.excerpt(long, r.marks);
  assert.equal(y.before, true);
  assert.equal(y.after, true);
  assert.ok(y.parts.some((p) => p.mark && p.text === "alliance"));
});

test("a prefix of the last word expands to the terms it starts", () => {
  const r = small().query("coal", { kinds: {} }, 10);
  assert.deepEqual(r.results.map((d) => d.anchor), ["p2"]);
});

// The real index of tests/sites/basic, read as a browser would: each file calls
// scholiaSearch.<record>(…), here handed to an index.
const site = process.env.SCHOLIA_SEARCH_SITE;
const built = () => {
  const ix = engine.createIndex();
  const files = path.join(site, "search");
  const unpacking = [];
  // Shards, tails and excerpt chunks come packed, as search.js receives them.
  const unpacked = (f) => (i, packed) => unpacking.push(engine.unpack(packed).then((rec) => f(i, rec)));
  const scholiaSearch = {
    manifest: ix.manifest, words: ix.words, texts: ix.texts,
    shard: unpacked(ix.shard), tail: unpacked(ix.tail), docs: unpacked(ix.docs),
  };
  const load = (rel) => new Function("scholiaSearch", fs.readFileSync(path.join(files, rel), "utf8"))(scholiaSearch);
  const run = async (q, filters = { kinds: {} }) => {
    for (let i = 0; i < 20; i++) {
      const r = ix.query(q, filters, 10);
      if (!r.need) return r;
      r.need.forEach(load);
      await Promise.all(unpacking.splice(0));
    }
    throw new Error("the query never settled");
  };
  return { ix, run };
};

test("the built site's index finds a note's word and marks it", { skip: !site && "SCHOLIA_SEARCH_SITE not set" }, async () => {
  const { ix, run } = built();
  const r = await run("realism ");
  assert.ok(r.count > 0);
  const note = r.results.find((d) => d.anchor === "intense");
  assert.ok(note, JSON.stringify(r.results.map((d) => d.anchor)));
  assert.equal(note.kind, "note");
  assert.equal(note.label, "Context · Who leads");
  const x = ix.excerpt(note.body, r.marks);
  assert.deepEqual(x.parts.filter((p) => p.mark).map((p) => p.text), ["realism"]);
  assert.ok(r.results.some((d) => d.kind === "term" && d.path === "glossary/index.html"), "the glossary entry");
});

test("the built site's public index has no instructor words", { skip: !site && "SCHOLIA_SEARCH_SITE not set" }, async () => {
  const { run } = built();
  assert.equal((await run("secretword ")).count, 0);
  assert.equal((await run("draftword ")).count, 0);
});
