/* scholia search engine: the pure part of the client of the index that `scholia build` writes
 * under search/ (docs/search-format.md). No DOM: stemming, query parsing, shard lookup by
 * term, scoring and excerpt marking, over records the UI (search.js) hands it. Unit-tested
 * with Node (tests/tools/search-engine.test.js).
 *
 * - Each record is decoded once, at the boundary (decode* below), into named objects.
 * - The query goes through elasticlunr's English pipeline (tokenizer, trimmer, stop words,
 *   Porter stemmer), ported from elasticlunr-rs so that client and index agree exactly.
 *   Documents in other languages were indexed with their own pipelines: for them the index
 *   has a words table saying what each of their words was indexed as, and a word without a
 *   row was indexed as itself.
 * - Ranking is elasticlunr's: each posting carries its term's score in its document (tf-idf
 *   over the fields, with title, tag and note boosts); the engine adds them up, with
 *   elasticlunr's penalty for prefix expansions of the last word and its coordination factor.
 *   A very common term keeps only its best postings in its shard; the rest (its tail) is
 *   loaded only when a bound on what it could add says the results would change.
 */
/* global module */
(() => {
  "use strict";

  const FORMAT = 4;
  const MIN_PREFIX = 3;          // the last word is expanded as a prefix from this length on
  const MAX_EXPAND = 50;         // terms one prefix may expand to
  const MAX_PREFIX_SHARDS = 3;   // shards one prefix may look into
  const EXCERPT = 220;           // characters of context in an excerpt
  const KINDS = ["para", "note", "term", "question"];

  /* --- Records ------------------------------------------------------------------------- */

  // Postings: base-32 digits, the last digit of a number from the first 32 characters of
  // the alphabet, the others from the last 32; pairs of (document difference, weight).
  const ALPHABET = "0123456789abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ-_.~!*";
  const DIGIT = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;

  // Adds the postings of `s` to `map` (document → weight).
  const addPostings = (map, s) => {
    let acc = 0, doc = 0, first = true;
    for (let i = 0; i < s.length; i++) {
      const d = DIGIT[s.charCodeAt(i)];
      if (d < 0) throw new Error("bad postings");
      if (d >= 32) { acc = acc * 32 + d - 32; continue; }
      const n = acc * 32 + d;
      acc = 0;
      if (first) doc += n; else map.set(doc, n);
      first = !first;
    }
    return map;
  };
  const decodePostings = (s) => addPostings(new Map(), s);

  const range = (r) => ({ start: r[0], end: r[1] });

  const decodeManifest = (m) => ({
    format: m.format,
    language: m.language,
    languages: m.languages,
    wordShards: m.words,
    maxToken: m.maxToken,
    docs: m.docs,
    kinds: Object.fromEntries(KINDS.map((k) => [k, range(m.kinds[k] || [0, 0])])),
    shards: m.shards,
    chunk: m.chunk,
    texts: m.texts,
    glossary: m.glossary,
  });

  // A shard: term → entry. An entry's postings are decoded when first used.
  const decodeShard = (s) => {
    const map = new Map();
    s.terms.forEach((term, k) => {
      const tail = s.tails && s.tails[k];
      map.set(term, {
        term,
        head: s.postings[k],
        total: tail ? tail.total : null,
        theta: tail ? tail.theta : 0,
        pieces: tail ? tail.pieces.map((p) => ({ first: p.first, last: p.last, id: p.id })) : [],
        words: (s.words && s.words[k]) || [],
        map: null,
        has: new Set(),
      });
    });
    return { terms: s.terms, map };
  };

  const decodeTail = (t) => t.postings;

  const decodeWords = (w) => {
    const map = new Map();
    w.words.forEach((word, k) => map.set(word, w.terms[k]));
    return { words: w.words, map };
  };

  // An excerpt chunk: its paragraphs' runs expanded, then its other documents.
  const decodeExcerpts = (c) => {
    const places = [];
    (c.paragraphs || []).forEach((run) => {
      for (let n = run.first; n < run.first + run.count; n++) places.push({ text: run.text, anchor: `p${n}`, label: `¶ ${n}` });
    });
    (c.places || []).forEach((p) => places.push(p));
    return {
      first: c.first,
      docs: places.map((p, k) => {
        const text = p.text === undefined ? null : c.texts[String(p.text)];
        return {
          doc: c.first + k,
          text: p.text === undefined ? null : p.text,
          title: text ? text.title : "Glossary",
          path: text ? text.path : null,
          anchor: p.anchor,
          label: p.label,
          body: c.words[k],
        };
      }),
    };
  };

  // Shards, tail pieces and excerpt chunks come packed: their record's JSON, deflated (raw),
  // in base85, since a <script> must be text (src/search/format.rs, `packed`, `base85`).
  // Unpacking is asynchronous (the browser's DecompressionStream).
  const B85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&()*+-./:;=>?@[]^_{";
  const B85_DIGIT = new Int8Array(128).fill(-1);
  for (let i = 0; i < B85.length; i++) B85_DIGIT[B85.charCodeAt(i)] = i;
  // 5 digits a group of 4 bytes, big-endian; a last group of k + 1 digits is k bytes.
  const base85 = (s) => {
    const out = new Uint8Array(Math.floor(s.length / 5) * 4 + Math.max(0, (s.length % 5) - 1));
    let o = 0;
    for (let i = 0; i < s.length; i += 5) {
      const len = Math.min(5, s.length - i);
      if (len < 2) throw new Error("bad base85");
      let n = 0;
      for (let k = 0; k < 5; k++) {
        const d = k < len ? B85_DIGIT[s.charCodeAt(i + k) & 127] : 84;
        if (d < 0 || s.charCodeAt(i + k) > 127) throw new Error("bad base85");
        n = n * 85 + d;
      }
      if (n > 0xffffffff) throw new Error("bad base85");
      for (let k = 0; k < len - 1; k++) out[o++] = Math.floor(n / 2 ** (24 - 8 * k)) & 255;
    }
    return out;
  };
  const unpack = async (packed) => {
    const stream = new Blob([base85(packed)]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return JSON.parse(await new Response(stream).text());
  };

  const decodeTexts = (list) => list.map((t) => ({
    title: t.title,
    path: t.path,
    ranges: { para: range(t.paras), note: range(t.notes), question: range(t.questions) },
  }));

  /* --- elasticlunr's English pipeline -------------------------------------------------- */

  const SPLIT = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000-]+/;
  const WORD_RUN = /[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000-]+/g;
  const MAX_TOKEN = 64;
  const STOP = new Set(("a able about across after all almost also am among an and any are as at be because been but by " +
    "can cannot could dear did do does either else ever every for from get got had has have he her hers " +
    "him his how however i if in into is it its just least let like likely may me might most must my " +
    "neither no nor not of off often on only or other our own rather said say says she should since so " +
    "some than that the their them then there these they this tis to too twas us wants was we were what " +
    "when where which while who whom why will with would yet you your").split(" "));
  STOP.add("");

  const chars = (s) => Array.from(s).length;
  const trim = (t) => t.replace(/^[^0-9A-Za-z_]+|[^0-9A-Za-z_]+$/g, "");

  // The words table's key of a token: trimmed to letters, digits and _ at both ends (Rust's
  // char::is_alphanumeric, as the build trims it).
  const KEY_TRIM = /^[^\p{Alphabetic}\p{N}_]+|[^\p{Alphabetic}\p{N}_]+$/gu;
  const KEY_LEAD = /^[^\p{Alphabetic}\p{N}_]+/u;
  const key = (t) => t.replace(KEY_TRIM, "");

  // tokenize_whitespace: split on whitespace and hyphens, lowercase; overlong tokens dropped.
  const tokens = (text) => text.split(SPLIT)
    .filter((t) => t !== "")
    .map((t) => t.toLowerCase())
    .filter((t) => t.length <= MAX_TOKEN || chars(t) <= MAX_TOKEN);

  // Porter's stemmer exactly as elasticlunr-rs has it (Martin Porter's C version, with its
  // two departures), on UTF-8 bytes like the Rust code.
  // Any character beyond ASCII (a word without one is its own UTF-8 bytes).
  const NOT_ASCII = /[\x80-\uffff]/;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  const stem = (word) => {
    const b = !NOT_ASCII.test(word) ? Array.from(word, (c) => c.charCodeAt(0)) : Array.from(encoder.encode(word));
    if (b.length <= 2) return word;
    for (let i = 0; i < b.length; i++) if (b[i] >= 65 && b[i] <= 90) b[i] += 32;
    let k = b.length, j = 0;

    const cons = (i) => {
      switch (b[i]) {
        case 97: case 101: case 105: case 111: case 117: return false;
        case 121: return i === 0 ? true : !cons(i - 1);
        default: return true;
      }
    };
    const m = () => {
      let n = 0, i = 0;
      for (;;) { if (i >= j) return n; if (!cons(i)) break; i++; }
      i++;
      for (;;) {
        for (;;) { if (i >= j) return n; if (cons(i)) break; i++; }
        i++; n++;
        for (;;) { if (i >= j) return n; if (!cons(i)) break; i++; }
        i++;
      }
    };
    const vowel = () => { for (let i = 0; i < j; i++) if (!cons(i)) return true; return false; };
    const doublec = (i) => i >= 1 && b[i] === b[i - 1] && b[i] < 128 && cons(i);
    const cvc = (i) => {
      if (i < 2 || !cons(i) || cons(i - 1) || !cons(i - 2)) return false;
      return !(b[i] === 119 || b[i] === 120 || b[i] === 121);
    };
    const ends = (s) => {
      const n = s.length;
      if (n > k) return false;
      for (let x = 0; x < n; x++) if (b[k - n + x] !== s.charCodeAt(x)) return false;
      j = k - n;
      return true;
    };
    const setto = (s) => {
      for (let x = 0; x < s.length; x++) b[j + x] = s.charCodeAt(x);
      k = j + s.length;
    };
    const r = (s) => { if (m() > 0) setto(s); };
    const first = (list) => {
      for (let x = 0; x < list.length; x += 2) if (ends(list[x])) { r(list[x + 1]); return; }
    };

    // step 1ab
    if (b[k - 1] === 115) {
      if (ends("sses")) k -= 2;
      else if (ends("ies")) setto("i");
      else if (b[k - 2] !== 115) k -= 1;
    }
    if (ends("eed")) {
      if (m() > 0) k -= 1;
    } else if ((ends("ed") || ends("ing")) && vowel()) {
      k = j;
      if (ends("at")) setto("ate");
      else if (ends("bl")) setto("ble");
      else if (ends("iz")) setto("ize");
      else if (doublec(k - 1)) {
        k -= 1;
        if (b[k - 1] === 108 || b[k - 1] === 115 || b[k - 1] === 122) k += 1;
      } else if (m() === 1 && cvc(k - 1)) setto("e");
    }
    // step 1c
    if (k > 2 && ends("y")) {
      const c = b[k - 2];
      if (!(c === 97 || c === 101 || c === 105 || c === 111 || c === 117)) b[k - 1] = 105;
    }
    // step 2
    if (k >= 2) {
      switch (b[k - 2]) {
        case 97: first(["ational", "ate", "tional", "tion"]); break;
        case 99: first(["enci", "ence", "anci", "ance"]); break;
        case 101: first(["izer", "ize"]); break;
        case 108: first(["bli", "ble", "alli", "al", "entli", "ent", "eli", "e", "ousli", "ous"]); break;
        case 111: first(["ization", "ize", "ation", "ate", "ator", "ate"]); break;
        case 115: first(["alism", "al", "iveness", "ive", "fulness", "ful", "ousness", "ous"]); break;
        case 116: first(["aliti", "al", "iviti", "ive", "biliti", "ble"]); break;
        case 103: first(["logi", "log"]); break;
      }
    }
    // step 3
    switch (b[k - 1]) {
      case 101: first(["icate", "ic", "ative", "", "alize", "al"]); break;
      case 105: first(["iciti", "ic"]); break;
      case 108: first(["ical", "ic", "ful", ""]); break;
      case 115: first(["ness", ""]); break;
    }
    // step 4
    if (k >= 2) {
      let hit = false;
      switch (b[k - 2]) {
        case 97: hit = ends("al"); break;
        case 99: hit = ends("ance") || ends("ence"); break;
        case 101: hit = ends("er"); break;
        case 105: hit = ends("ic"); break;
        case 108: hit = ends("able") || ends("ible"); break;
        case 110: hit = ends("ant") || ends("ement") || ends("ment") || ends("ent"); break;
        case 111: hit = (ends("ion") && j > 0 && (b[j - 1] === 115 || b[j - 1] === 116)) || ends("ou"); break;
        case 115: hit = ends("ism"); break;
        case 116: hit = ends("ate") || ends("iti"); break;
        case 117: hit = ends("ous"); break;
        case 118: hit = ends("ive"); break;
        case 122: hit = ends("ize"); break;
      }
      if (hit && m() > 1) k = j;
    }
    // step 5
    j = k;
    if (b[k - 1] === 101) {
      const a = m();
      if (a > 1 || (a === 1 && !cvc(k - 2))) k -= 1;
    }
    if (b[k - 1] === 108 && doublec(k - 1) && m() > 1) k -= 1;

    b.length = k;
    if (b.every((x) => x < 128)) return String.fromCharCode(...b);
    return decoder.decode(new Uint8Array(b));
  };

  // The terms elasticlunr's English pipeline indexes for `text`.
  const terms = (text) => {
    const out = [];
    tokens(text).forEach((raw) => {
      const t = trim(raw);
      if (!STOP.has(t)) out.push(stem(t));
    });
    return out;
  };

  /* --- Lookup -------------------------------------------------------------------------- */

  // Strings in code point order, as the index sorts them.
  const SURROGATE = /[\ud800-\udfff]/;
  const cmp = (a, b) => {
    if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
    const x = Array.from(a), y = Array.from(b);
    for (let i = 0; i < x.length && i < y.length; i++) {
      const d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  };

  // The shard whose range holds `term`, given the shards' first prefixes.
  const boundaryOf = (b, term) => {
    let lo = 0, hi = b.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cmp(b[mid], term) <= 0) lo = mid; else hi = mid - 1;
    }
    return lo;
  };
  // `first` and the shards after it that start with `prefix`.
  const following = (b, prefix, first) => {
    const out = [first];
    for (let i = first + 1; i < b.length && b[i].startsWith(prefix); i++) {
      if (out.length >= MAX_PREFIX_SHARDS) break;
      out.push(i);
    }
    return out;
  };

  /* --- The index as loaded so far ------------------------------------------------------- */

  // An index: the records loaded so far, and queries over them. Each query step says which
  // files it still needs (paths under search/); the UI loads them and asks again.
  const createIndex = () => {
    const store = { manifest: null, shards: new Map(), words: new Map(), tails: new Map(), docs: new Map(), texts: null };
    const m = () => store.manifest;

    // Which pipelines the documents were indexed with: English (ours), others (the table).
    const english = () => m().languages.includes("en");
    const others = () => m().languages.some((c) => c !== "en");

    const shardOf = (term) => boundaryOf(m().shards, term);
    const shardsFor = (prefix) => following(m().shards, prefix, shardOf(prefix));
    const wordShardOf = (w) => boundaryOf(m().wordShards, w);
    const wordShardsFor = (prefix) => following(m().wordShards, prefix, wordShardOf(prefix));

    // Query words: each with its terms, and for the word still being typed, the prefixes.
    // A word of another language than English takes its terms from the words table.
    const parse = (q) => {
      const open = !/[\s-]$/.test(q);
      const raw = tokens(q), out = [];
      const en = english(), other = others();
      raw.forEach((r, i) => {
        const t = en ? trim(r) : "";
        const k = other ? key(r) : "";
        if (!t && !k) return;
        const exact = [];
        if (t && !STOP.has(t)) exact.push(stem(t));
        const last = open && i === raw.length - 1;
        let prefixes = null;
        if (last) {
          prefixes = [];
          [t, exact[0], k].forEach((p) => {
            if (p && p.length >= MIN_PREFIX && !prefixes.includes(p)) prefixes.push(p);
          });
          if (!prefixes.length) prefixes = null;
        }
        out.push({ word: t || k, key: k, exact, prefixes, wordPrefix: last && k.length >= MIN_PREFIX, more: [] });
      });
      return out;
    };

    const wordShardsNeeded = (words) => {
      const set = new Set();
      if (!m().wordShards.length) return [];
      words.forEach((w) => {
        if (!w.key) return;
        set.add(wordShardOf(w.key));
        if (w.wordPrefix) wordShardsFor(w.key).forEach((i) => set.add(i));
      });
      return [...set].filter((i) => !store.words.has(i)).map((i) => `words/${i}.js`);
    };

    // Adds the terms the words table gives each word (or the word itself, without a row),
    // and the terms of the words the last one is a prefix of. Drops stop words.
    const resolve = (words) => {
      const tabled = m().wordShards.length > 0;
      return words.filter((w) => {
        if (w.key) {
          const s = tabled ? store.words.get(wordShardOf(w.key)) : null;
          const row = s ? s.map.get(w.key) : undefined;
          (row === undefined ? [w.key] : row).forEach((t) => {
            if (!w.exact.includes(t)) w.exact.push(t);
          });
        }
        if (w.wordPrefix && tabled) {
          const seen = new Set(w.exact);
          const found = [];
          wordShardsFor(w.key).forEach((i) => {
            const s = store.words.get(i);
            if (!s) return;
            s.words.forEach((word) => {
              if (word === w.key || !word.startsWith(w.key)) return;
              s.map.get(word).forEach((t) => {
                if (!seen.has(t)) { seen.add(t); found.push({ term: t, word }); }
              });
            });
          });
          found.sort((a, b) => a.word.length - b.word.length || cmp(a.word, b.word));
          // elasticlunr's penalty for an expansion, on the word the reader is typing
          w.more = found.slice(0, MAX_EXPAND)
            .map((f) => ({ term: f.term, pen: (1 - (f.word.length - w.key.length) / f.word.length) * 0.15 }));
        }
        return w.exact.length || w.prefixes || w.more.length;
      });
    };

    const shardsNeeded = (words) => {
      const set = new Set();
      words.forEach((w) => {
        w.exact.forEach((t) => set.add(shardOf(t)));
        w.more.forEach((x) => set.add(shardOf(x.term)));
        (w.prefixes || []).forEach((p) => shardsFor(p).forEach((i) => set.add(i)));
      });
      return [...set].filter((i) => !store.shards.has(i)).map((i) => `shards/${i}.js`);
    };

    const lookup = (term) => {
      const s = store.shards.get(shardOf(term));
      return s ? s.map.get(term) || null : null;
    };

    const postings = (e) => {
      if (!e.map) e.map = decodePostings(e.head);
      return e.map;
    };
    const total = (e) => (e.total === null ? postings(e).size : e.total);

    // The index terms a query uses: [{entry, pen, word (index), exact}].
    const keysOf = (words) => {
      const keys = [];
      words.forEach((w, wi) => {
        const seen = new Set();
        w.exact.forEach((t) => {
          const e = lookup(t);
          seen.add(t);
          if (e) keys.push({ entry: e, pen: 1, word: wi, exact: true });
        });
        w.more.forEach((x) => {
          const e = seen.has(x.term) ? null : lookup(x.term);
          seen.add(x.term);
          if (e) keys.push({ entry: e, pen: x.pen, word: wi, exact: false });
        });
        if (!w.prefixes) return;
        const found = [];
        w.prefixes.forEach((p) => {
          shardsFor(p).forEach((i) => {
            const s = store.shards.get(i);
            if (!s) return;
            s.terms.forEach((t) => {
              if (!seen.has(t) && t.startsWith(p)) {
                seen.add(t);
                found.push({ entry: s.map.get(t), p });
              }
            });
          });
        });
        found.sort((a, b) => a.entry.term.length - b.entry.term.length || cmp(a.entry.term, b.entry.term));
        found.slice(0, MAX_EXPAND).forEach((f) => {
          const t = f.entry.term;
          // elasticlunr's penalty for a term the query word expanded to
          const pen = (1 - (t.length - f.p.length) / t.length) * 0.15;
          keys.push({ entry: f.entry, pen, word: wi, exact: false });
        });
      });
      return keys;
    };

    /* Filters: `filters.kinds[kind] === false` leaves a kind out; `filters.text` is a text
       number or null. */
    const allowedRanges = (filters) => {
      const out = [];
      let all = true;
      KINDS.forEach((kind) => {
        if (filters.kinds[kind] === false) { all = false; return; }
        const r = m().kinds[kind];
        if (filters.text === null || filters.text === undefined) { out.push(r); return; }
        all = false;
        if (kind === "term" || !store.texts) return;
        const t = store.texts[filters.text];
        if (t) out.push(t.ranges[kind]);
      });
      return all ? null : out;
    };
    const inRanges = (ranges, d) => !ranges || ranges.some((r) => d >= r.start && d < r.end);
    const meetsRanges = (ranges, a, b) => !ranges || ranges.some((r) => a < r.end && b >= r.start);

    // Scores the documents of the loaded postings. Returns the ranked list, whether it is
    // exact, and which tail pieces would be needed to make the first `want` results exact.
    const rank = (words, keys, ranges, want) => {
      const n = words.length, acc = new Map();
      keys.forEach((k) => {
        const e = k.entry;
        e.pieces.forEach((p) => {
          if (!e.has.has(p.id) && store.tails.has(p.id)) {
            e.has.add(p.id);
            addPostings(postings(e), store.tails.get(p.id));
          }
        });
      });
      keys.forEach((k) => {
        postings(k.entry).forEach((w, d) => {
          if (!inRanges(ranges, d)) return;
          let a = acc.get(d);
          if (!a) { a = { doc: d, score: 0, words: 0 }; acc.set(d, a); }
          a.score += w * k.pen;
          a.words |= 1 << Math.min(k.word, 30);
        });
      });
      const list = [];
      acc.forEach((a) => {
        let matched = 0;
        for (let x = a.words; x; x &= x - 1) matched++;
        a.rank = a.score * matched / n; // elasticlunr's coordination factor
        list.push(a);
      });
      list.sort((x, y) => y.rank - x.rank || x.doc - y.doc);

      // Tail pieces not loaded yet that could hold allowed documents (exact terms only: a
      // prefix expansion weighs 0.15 at most, and its head holds its best postings).
      const open = [];
      keys.forEach((k) => {
        if (!k.exact) return;
        k.entry.pieces.forEach((p) => {
          if (!k.entry.has.has(p.id) && meetsRanges(ranges, p.first, p.last)) open.push({ key: k, piece: p });
        });
      });
      if (!open.length) return { list, exact: true, need: [] };

      const need = new Set();
      const bar = list.length >= want ? list[want - 1].rank : 0;
      let unseen = 0;
      keys.forEach((k) => { if (k.exact && k.entry.pieces.length) unseen += k.entry.theta * k.pen; });
      if (unseen > bar) {
        open.forEach((o) => need.add(o.piece.id));
      } else {
        // What a tail could add to a document that is not in its key's loaded postings.
        list.forEach((a, i) => {
          let extra = 0;
          const pieces = [];
          open.forEach((o) => {
            if (a.doc >= o.piece.first && a.doc <= o.piece.last && !postings(o.key.entry).has(a.doc)) {
              extra += o.key.entry.theta * o.key.pen;
              pieces.push(o.piece.id);
            }
          });
          if (pieces.length && (i < want || a.score + extra > bar)) pieces.forEach((id) => need.add(id));
        });
      }
      return { list, exact: false, need: [...need].map((id) => `tails/${id}.js`) };
    };

    /* Documents and excerpts */

    const chunkOf = (d) => Math.floor(d / m().chunk);
    const kindOf = (d) => KINDS.find((k) => d >= m().kinds[k].start && d < m().kinds[k].end) || "para";
    const docsNeeded = (list) => [...new Set(list.map((a) => chunkOf(a.doc)))]
      .filter((c) => !store.docs.has(c)).map((c) => `docs/${c}.js`);
    const docOf = (d) => {
      const c = store.docs.get(chunkOf(d));
      const doc = c ? c.docs[d - c.first] : null;
      if (!doc) return null;
      return { ...doc, kind: kindOf(d), path: doc.path === null ? m().glossary : doc.path };
    };

    // What excerpts mark: the query's terms, and the words of the table indexed as them.
    const marks = (keys) => {
      const set = { terms: new Set(), words: new Set() };
      keys.forEach((k) => {
        set.terms.add(k.entry.term);
        set.words.add(k.entry.term);
        k.entry.words.forEach((w) => set.words.add(w));
      });
      return set;
    };

    // Whether a run of text is a word the query found: the part of it to mark, or null.
    const hit = (raw, set) => {
      let low = raw.toLowerCase();
      if (low.length !== raw.length) low = raw;
      if (english()) {
        const t = trim(low);
        if (t && !STOP.has(t) && set.terms.has(stem(t))) {
          return { lead: low.length - low.replace(/^[^0-9A-Za-z_]+/, "").length, word: t };
        }
      }
      if (others()) {
        const k = key(low);
        if (k && set.words.has(k)) return { lead: low.length - low.replace(KEY_LEAD, "").length, word: k };
      }
      return null;
    };

    // `text[from..to]` as parts [{text, mark}], marking the words the query found; and those words.
    const segments = (text, set, from, to) => {
      const parts = [], words = [];
      let last = from, mm;
      const re = new RegExp(WORD_RUN.source, "g");
      re.lastIndex = from;
      while ((mm = re.exec(text)) && mm.index < to) {
        const h = hit(mm[0], set);
        if (!h) continue;
        const start = mm.index + h.lead, end = start + h.word.length;
        if (end > to) break;
        if (start > last) parts.push({ text: text.slice(last, start), mark: false });
        parts.push({ text: text.slice(start, end), mark: true });
        words.push(h.word);
        last = end;
      }
      if (last < to) parts.push({ text: text.slice(last, to), mark: false });
      return { parts, words };
    };

    // The excerpt of `body` shown for a result: a window from a little before the first
    // matched word, cut at spaces, as parts; `before`/`after` say whether text was left out.
    const excerpt = (body, set) => {
      let start = 0, mm;
      const re = new RegExp(WORD_RUN.source, "g");
      while ((mm = re.exec(body))) {
        if (hit(mm[0], set)) {
          if (mm.index >= EXCERPT / 3) {
            const s = body.lastIndexOf(" ", mm.index - EXCERPT / 4);
            start = s < 0 ? 0 : s + 1;
          }
          break;
        }
      }
      let end = Math.min(body.length, start + EXCERPT);
      if (end < body.length) {
        const space = body.lastIndexOf(" ", end);
        if (space > start + EXCERPT / 2) end = space;
      }
      return { before: start > 0, after: end < body.length, ...segments(body, set, start, end) };
    };

    // One step of a query: either the files still needed, or the results.
    // `filters` as allowedRanges takes them; `want` results wanted.
    const query = (q, filters, want) => {
      if (!store.manifest) return { need: ["manifest.js"] };
      if (m().format !== FORMAT) return { error: "format" };
      let words = parse(q);
      const tables = wordShardsNeeded(words);
      if (tables.length) return { need: tables };
      words = resolve(words);
      if (!words.length || !m().shards.length) return { results: [], exact: true, count: 0, marks: marks([]) };
      const shards = shardsNeeded(words);
      if (shards.length) return { need: shards };
      if (filters.text !== null && filters.text !== undefined && !store.texts) return { need: ["texts.js"] };
      const keys = keysOf(words);
      const ranges = allowedRanges(filters);
      const r = rank(words, keys, ranges, want);
      if (r.need.length) return { need: r.need };
      const chunks = docsNeeded(r.list.slice(0, want));
      if (chunks.length) return { need: chunks };
      // The count is exact when every posting is loaded, or when one term decides it.
      let count = r.list.length, exact = r.exact;
      if (!exact && keys.length === 1 && !ranges) {
        count = Math.max(count, total(keys[0].entry));
        exact = true;
      }
      return {
        results: r.list.slice(0, want).map((a) => docOf(a.doc)).filter((d) => d),
        more: r.list.length > want || !r.exact,
        exact,
        count,
        marks: marks(keys),
      };
    };

    return {
      store,
      // Records, as the files under search/ hand them over.
      manifest: (rec) => { store.manifest = decodeManifest(rec); },
      shard: (i, rec) => { store.shards.set(i, decodeShard(rec)); },
      words: (i, rec) => { store.words.set(i, decodeWords(rec)); },
      tail: (i, rec) => { store.tails.set(i, decodeTail(rec)); },
      // Shards, tails and excerpt chunks: their records unpacked (see `unpack`).
      docs: (i, rec) => { store.docs.set(i, decodeExcerpts(rec)); },
      texts: (rec) => { store.texts = decodeTexts(rec); },
      query,
      excerpt,
      segments,
      parse,
      lookup,
      postings,
    };
  };

  const engine = { FORMAT, KINDS, createIndex, terms, stem, tokens, decodePostings, base85, unpack, cmp, boundaryOf };
  if (typeof module === "object" && module.exports) module.exports = engine;
  else globalThis.scholiaSearchEngine = engine;
})();
