/* scholia search: the client of the sharded index that `scholia build` writes under search/
 * (see src/search/ for the format). Loaded by scholia.js when the reader focuses the search
 * box, and by the search page itself.
 *
 * - Index files are scripts that call scholiaSearch.manifest/shard/tail/docs/texts, loaded
 *   with <script> elements: that works from file:// as from a server, under any subpath.
 * - The query goes through elasticlunr's English pipeline (tokenizer, trimmer, stop words,
 *   Porter stemmer), ported from elasticlunr-rs so that client and index agree exactly.
 *   Documents in other languages were indexed with their own pipelines: for them the index
 *   has a words table (search/words/N.js) saying what each of their words was indexed as,
 *   and a word without a row was indexed as itself.
 * - Ranking is elasticlunr's: each posting carries its term's score in its document (tf-idf
 *   over the fields, with title, tag and note boosts); the client adds them up, with
 *   elasticlunr's penalty for prefix expansions of the last word and its coordination factor.
 *   A very common term keeps only its best postings in its shard; the rest (its tail) is
 *   loaded only when a bound on what it could add says the results would change.
 * - Results are built with createElement/textContent only: content is never parsed as HTML.
 */
(function () {
  "use strict";

  if (window.scholiaSearch && window.scholiaSearch.ready) return;

  var DEBOUNCE = 100;          // ms of quiet typing before index files are requested
  var PAGE = 10;               // results shown at first, and added by "More results"
  var MIN_PREFIX = 3;          // the last word is expanded as a prefix from this length on
  var MAX_EXPAND = 50;         // terms one prefix may expand to
  var MAX_PREFIX_SHARDS = 3;   // shards one prefix may look into
  var EXCERPT = 220;           // characters of context in an excerpt

  var script = document.currentScript;
  var root = new URL("../", script ? script.src : location.href).href; // assets/search.js → site root
  var base = root + "search/";

  /* --- Index files --------------------------------------------------------------------- */

  var store = { manifest: null, shards: {}, words: {}, tails: {}, docs: {}, texts: null };
  var loading = {};
  var loaded = {};

  function load(path) {
    if (!loading[path]) {
      loading[path] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = base + path;
        s.async = true;
        s.onload = function () { loaded[path] = true; resolve(); };
        s.onerror = function () {
          delete loading[path];
          s.remove();
          reject(new Error("cannot load " + base + path));
        };
        document.head.appendChild(s);
      });
    }
    return loading[path];
  }

  var api = window.scholiaSearch = {
    ready: true,
    manifest: function (m) { store.manifest = m; },
    shard: function (i, entries) {
      var map = new Map();
      var terms = [];
      for (var k = 0; k < entries.length; k++) {
        var e = entries[k];
        map.set(e[0], { term: e[0], total: e[1], theta: e[2], pieces: e[3], raw: e[4], words: e[5] || [], map: null, has: {} });
        terms.push(e[0]);
      }
      store.shards[i] = { map: map, terms: terms };
    },
    words: function (i, rows) {
      var map = new Map(), words = [];
      rows.forEach(function (r) { map.set(r[0], r[1]); words.push(r[0]); });
      store.words[i] = { map: map, words: words };
    },
    tail: function (id, postings) { store.tails[id] = postings; },
    docs: function (k, chunk) { store.docs[k] = chunk; },
    texts: function (list) { store.texts = list; },
    // For tests and the benchmark: the terms elasticlunr indexes for a text, and a query.
    terms: function (text) { return terms(text); },
    root: root
  };

  /* --- elasticlunr's English pipeline -------------------------------------------------- */

  var SPLIT = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000-]+/;
  var WORD_RUN = /[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000-]+/g;
  var MAX_TOKEN = 64;
  var STOP = {};
  ("a able about across after all almost also am among an and any are as at be because been but by " +
   "can cannot could dear did do does either else ever every for from get got had has have he her hers " +
   "him his how however i if in into is it its just least let like likely may me might most must my " +
   "neither no nor not of off often on only or other our own rather said say says she should since so " +
   "some than that the their them then there these they this tis to too twas us wants was we were what " +
   "when where which while who whom why will with would yet you your").split(" ").forEach(function (w) { STOP[w] = true; });
  STOP[""] = true;

  function chars(s) { return Array.from(s).length; }
  function trim(t) { return t.replace(/^[^0-9A-Za-z_]+|[^0-9A-Za-z_]+$/g, ""); }

  // The words table's key of a token: trimmed to letters, digits and _ at both ends (Rust's
  // char::is_alphanumeric, as the build trims it).
  var KEY_TRIM, KEY_LEAD;
  try {
    KEY_TRIM = new RegExp("^[^\\p{Alphabetic}\\p{N}_]+|[^\\p{Alphabetic}\\p{N}_]+$", "gu");
    KEY_LEAD = new RegExp("^[^\\p{Alphabetic}\\p{N}_]+", "u");
  } catch (err) {
    KEY_TRIM = /^[\s!-\/:-@\[-^`{-~\u00a0-\u00bf]+|[\s!-\/:-@\[-^`{-~\u00a0-\u00bf]+$/g;
    KEY_LEAD = /^[\s!-\/:-@\[-^`{-~\u00a0-\u00bf]+/;
  }
  function key(t) { return t.replace(KEY_TRIM, ""); }

  // Which pipelines the documents were indexed with: English (ours), others (the table).
  function english() { return store.manifest.languages.indexOf("en") >= 0; }
  function others() { return store.manifest.languages.some(function (c) { return c !== "en"; }); }

  // tokenize_whitespace: split on whitespace and hyphens, lowercase; overlong tokens dropped.
  function tokens(text) {
    return text.split(SPLIT).filter(function (t) { return t !== ""; })
      .map(function (t) { return t.toLowerCase(); })
      .filter(function (t) { return t.length <= MAX_TOKEN || chars(t) <= MAX_TOKEN; });
  }

  function terms(text) {
    var out = [];
    tokens(text).forEach(function (t) {
      t = trim(t);
      if (!STOP[t]) out.push(stem(t));
    });
    return out;
  }

  // Porter's stemmer exactly as elasticlunr-rs has it (Martin Porter's C version, with its
  // two departures), on UTF-8 bytes like the Rust code.
  var ASCII = /^[\x00-\x7f]*$/;
  var encoder = window.TextEncoder ? new TextEncoder() : null;
  var decoder = window.TextDecoder ? new TextDecoder() : null;

  function stem(word) {
    var b, i;
    if (ASCII.test(word)) {
      b = [];
      for (i = 0; i < word.length; i++) b.push(word.charCodeAt(i));
    } else if (encoder) {
      b = Array.from(encoder.encode(word));
    } else {
      return word;
    }
    if (b.length <= 2) return word;
    for (i = 0; i < b.length; i++) if (b[i] >= 65 && b[i] <= 90) b[i] += 32;
    var k = b.length, j = 0;

    function cons(i) {
      switch (b[i]) {
        case 97: case 101: case 105: case 111: case 117: return false;
        case 121: return i === 0 ? true : !cons(i - 1);
        default: return true;
      }
    }
    function m() {
      var n = 0, i = 0;
      for (;;) { if (i >= j) return n; if (!cons(i)) break; i++; }
      i++;
      for (;;) {
        for (;;) { if (i >= j) return n; if (cons(i)) break; i++; }
        i++; n++;
        for (;;) { if (i >= j) return n; if (!cons(i)) break; i++; }
        i++;
      }
    }
    function vowel() { for (var i = 0; i < j; i++) if (!cons(i)) return true; return false; }
    function doublec(i) { return i >= 1 && b[i] === b[i - 1] && b[i] < 128 && cons(i); }
    function cvc(i) {
      if (i < 2 || !cons(i) || cons(i - 1) || !cons(i - 2)) return false;
      return !(b[i] === 119 || b[i] === 120 || b[i] === 121);
    }
    function ends(s) {
      var n = s.length;
      if (n > k) return false;
      for (var x = 0; x < n; x++) if (b[k - n + x] !== s.charCodeAt(x)) return false;
      j = k - n;
      return true;
    }
    function setto(s) {
      for (var x = 0; x < s.length; x++) b[j + x] = s.charCodeAt(x);
      k = j + s.length;
    }
    function r(s) { if (m() > 0) setto(s); }
    function first(list) {
      for (var x = 0; x < list.length; x += 2) if (ends(list[x])) { r(list[x + 1]); return; }
    }

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
      var c = b[k - 2];
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
      var hit = false;
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
      var a = m();
      if (a > 1 || (a === 1 && !cvc(k - 2))) k -= 1;
    }
    if (b[k - 1] === 108 && doublec(k - 1) && m() > 1) k -= 1;

    b.length = k;
    if (b.every(function (x) { return x < 128; })) return String.fromCharCode.apply(null, b);
    return decoder ? decoder.decode(new Uint8Array(b)) : word;
  }

  /* --- Queries ------------------------------------------------------------------------- */

  // Strings in code point order, as the index sorts them.
  var SURROGATE = /[\ud800-\udfff]/;
  function cmp(a, b) {
    if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < x.length && i < y.length; i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  }

  // The shard whose range holds `term`, given the shards' first prefixes.
  function boundaryOf(b, term) {
    var lo = 0, hi = b.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (cmp(b[mid], term) <= 0) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  // `first` and the shards after it that start with `prefix`.
  function following(b, prefix, first) {
    var out = [first];
    for (var i = first + 1; i < b.length && b[i].lastIndexOf(prefix, 0) === 0; i++) {
      if (out.length >= MAX_PREFIX_SHARDS) break;
      out.push(i);
    }
    return out;
  }
  function shardOf(term) { return boundaryOf(store.manifest.shards, term); }

  // The shards that may hold terms starting with `prefix`.
  function shardsFor(prefix) { return following(store.manifest.shards, prefix, shardOf(prefix)); }

  // Query words: each with its terms, and for the word still being typed, the prefixes.
  // A word of another language than English takes its terms from the words table, whose
  // shards for `w.key` must be loaded first (wordShardsNeeded) before resolve(words).
  function parse(q) {
    var open = !/[\s-]$/.test(q);
    var raw = tokens(q), out = [];
    var en = english(), other = others();
    raw.forEach(function (r, i) {
      var t = en ? trim(r) : "";
      var k = other ? key(r) : "";
      if (!t && !k) return;
      var exact = [];
      if (t && !STOP[t]) exact.push(stem(t));
      var last = open && i === raw.length - 1;
      var prefixes = null;
      if (last) {
        prefixes = [];
        [t, exact[0], k].forEach(function (p) {
          if (p && p.length >= MIN_PREFIX && prefixes.indexOf(p) < 0) prefixes.push(p);
        });
        if (!prefixes.length) prefixes = null;
      }
      out.push({ word: t || k, key: k, exact: exact, prefixes: prefixes, wordPrefix: last && k.length >= MIN_PREFIX, more: [] });
    });
    return out;
  }

  // The words table's shard for a word, and those for a prefix.
  function wordShardOf(w) { return boundaryOf(store.manifest.words, w); }
  function wordShardsFor(prefix) { return following(store.manifest.words, prefix, wordShardOf(prefix)); }

  function wordShardsNeeded(words) {
    var set = {};
    if (!store.manifest.words.length) return [];
    words.forEach(function (w) {
      if (!w.key) return;
      set[wordShardOf(w.key)] = true;
      if (w.wordPrefix) wordShardsFor(w.key).forEach(function (i) { set[i] = true; });
    });
    return Object.keys(set).map(Number);
  }

  // Adds the terms the words table gives each word (or the word itself, without a row),
  // and the terms of the words the last one is a prefix of. Drops stop words.
  function resolve(words) {
    var tabled = store.manifest.words.length > 0;
    return words.filter(function (w) {
      if (w.key) {
        var s = tabled ? store.words[wordShardOf(w.key)] : null;
        var row = s ? s.map.get(w.key) : undefined;
        (row === undefined ? [w.key] : row).forEach(function (t) {
          if (w.exact.indexOf(t) < 0) w.exact.push(t);
        });
      }
      if (w.wordPrefix && tabled) {
        var seen = {};
        w.exact.forEach(function (t) { seen[t] = true; });
        var found = [];
        wordShardsFor(w.key).forEach(function (i) {
          var s = store.words[i];
          if (!s) return;
          s.words.forEach(function (word) {
            if (word === w.key || word.lastIndexOf(w.key, 0) !== 0) return;
            s.map.get(word).forEach(function (t) {
              if (!seen[t]) { seen[t] = true; found.push({ term: t, word: word }); }
            });
          });
        });
        found.sort(function (a, b) { return a.word.length - b.word.length || cmp(a.word, b.word); });
        w.more = found.slice(0, MAX_EXPAND).map(function (f) {
          // elasticlunr's penalty for an expansion, on the word the reader is typing
          return { term: f.term, pen: (1 - (f.word.length - w.key.length) / f.word.length) * 0.15 };
        });
      }
      return w.exact.length || w.prefixes || w.more.length;
    });
  }

  function shardsNeeded(words) {
    var set = {};
    words.forEach(function (w) {
      w.exact.forEach(function (t) { set[shardOf(t)] = true; });
      w.more.forEach(function (m) { set[shardOf(m.term)] = true; });
      (w.prefixes || []).forEach(function (p) { shardsFor(p).forEach(function (i) { set[i] = true; }); });
    });
    return Object.keys(set).map(Number);
  }

  function lookup(term) {
    var s = store.shards[shardOf(term)];
    return s ? s.map.get(term) || null : null;
  }

  function postings(e) {
    if (!e.map) {
      e.map = new Map();
      addPostings(e.map, e.raw);
    }
    return e.map;
  }
  function addPostings(map, flat) {
    for (var i = 0, d = 0; i < flat.length; i += 2) { d += flat[i]; map.set(d, flat[i + 1]); }
  }

  // The index terms a query uses: [{entry, pen, word (index), exact}].
  function keysOf(words) {
    var keys = [];
    words.forEach(function (w, wi) {
      var seen = {};
      w.exact.forEach(function (t) {
        var e = lookup(t);
        seen[t] = true;
        if (e) keys.push({ entry: e, pen: 1, word: wi, exact: true });
      });
      w.more.forEach(function (m) {
        var e = seen[m.term] ? null : lookup(m.term);
        seen[m.term] = true;
        if (e) keys.push({ entry: e, pen: m.pen, word: wi, exact: false });
      });
      if (!w.prefixes) return;
      var found = [];
      w.prefixes.forEach(function (p) {
        shardsFor(p).forEach(function (i) {
          var s = store.shards[i];
          if (!s) return;
          s.terms.forEach(function (t) {
            if (!seen[t] && t.lastIndexOf(p, 0) === 0) {
              seen[t] = true;
              found.push({ entry: s.map.get(t), p: p });
            }
          });
        });
      });
      found.sort(function (a, b) { return a.entry.term.length - b.entry.term.length || cmp(a.entry.term, b.entry.term); });
      found.slice(0, MAX_EXPAND).forEach(function (f) {
        var t = f.entry.term;
        // elasticlunr's penalty for a term the query word expanded to
        var pen = (1 - (t.length - f.p.length) / t.length) * 0.15;
        keys.push({ entry: f.entry, pen: pen, word: wi, exact: false });
      });
    });
    return keys;
  }

  /* --- Filters ------------------------------------------------------------------------- */

  var KINDS = [["para", "Texts"], ["note", "Notes"], ["term", "Glossary"], ["question", "Questions"]];

  // Allowed document ranges for the chosen kinds and text, or null for everything.
  function allowedRanges(f) {
    var m = store.manifest, out = [], all = true;
    KINDS.forEach(function (k) {
      if (f.kinds[k[0]] === false) { all = false; return; }
      var r = m.kinds[k[0]];
      if (f.text === null || f.text === undefined) { out.push(r); return; }
      all = false;
      if (k[0] === "term" || !store.texts) return;
      var t = store.texts[f.text];
      var idx = k[0] === "para" ? 0 : k[0] === "note" ? 1 : 2;
      if (t) out.push(t[2][idx]);
    });
    return all ? null : out;
  }
  function inRanges(ranges, d) {
    if (!ranges) return true;
    for (var i = 0; i < ranges.length; i++) if (d >= ranges[i][0] && d < ranges[i][1]) return true;
    return false;
  }
  function meetsRanges(ranges, a, b) {
    if (!ranges) return true;
    for (var i = 0; i < ranges.length; i++) if (a < ranges[i][1] && b >= ranges[i][0]) return true;
    return false;
  }

  /* --- Ranking ------------------------------------------------------------------------- */

  // Scores the documents of the loaded postings. Returns the ranked list, whether it is
  // exact, and which tail pieces would be needed to make the first `want` results exact.
  function rank(words, keys, ranges, want) {
    var n = words.length, acc = new Map();
    keys.forEach(function (k) {
      var e = k.entry;
      e.pieces.forEach(function (p) {
        var id = p[2];
        if (!e.has[id] && store.tails[id]) {
          e.has[id] = true;
          addPostings(postings(e), store.tails[id]);
        }
      });
    });
    keys.forEach(function (k) {
      postings(k.entry).forEach(function (w, d) {
        if (!inRanges(ranges, d)) return;
        var a = acc.get(d);
        if (!a) { a = { doc: d, score: 0, words: 0 }; acc.set(d, a); }
        a.score += w * k.pen;
        a.words |= 1 << Math.min(k.word, 30);
      });
    });
    var list = [];
    acc.forEach(function (a) {
      var matched = 0;
      for (var x = a.words; x; x &= x - 1) matched++;
      a.rank = a.score * matched / n; // elasticlunr's coordination factor
      list.push(a);
    });
    list.sort(function (x, y) { return y.rank - x.rank || x.doc - y.doc; });

    // Tail pieces not loaded yet that could hold allowed documents (exact terms only: a
    // prefix expansion weighs 0.15 at most, and its head holds its best postings).
    var open = [];
    keys.forEach(function (k) {
      if (!k.exact) return;
      k.entry.pieces.forEach(function (p) {
        if (!k.entry.has[p[2]] && meetsRanges(ranges, p[0], p[1])) open.push({ key: k, piece: p });
      });
    });
    if (!open.length) return { list: list, exact: true, need: [] };

    var need = {};
    var bar = list.length >= want ? list[want - 1].rank : 0;
    var unseen = 0;
    keys.forEach(function (k) { if (k.exact && k.entry.pieces.length) unseen += k.entry.theta * k.pen; });
    if (unseen > bar) {
      open.forEach(function (o) { need[o.piece[2]] = true; });
    } else {
      // What a tail could add to a document that is not in its key's loaded postings.
      list.forEach(function (a, i) {
        var extra = 0, pieces = [];
        open.forEach(function (o) {
          if (a.doc >= o.piece[0] && a.doc <= o.piece[1] && !postings(o.key.entry).has(a.doc)) {
            extra += o.key.entry.theta * o.key.pen;
            pieces.push(o.piece[2]);
          }
        });
        if (pieces.length && (i < want || a.score + extra > bar)) pieces.forEach(function (id) { need[id] = true; });
      });
    }
    return { list: list, exact: false, need: Object.keys(need) };
  }

  /* --- Documents and excerpts ---------------------------------------------------------- */

  function kindOf(d) {
    var k = store.manifest.kinds;
    for (var i = 0; i < KINDS.length; i++) {
      var r = k[KINDS[i][0]];
      if (d >= r[0] && d < r[1]) return KINDS[i][0];
    }
    return "para";
  }
  function chunkOf(d) { return Math.floor(d / store.manifest.chunk); }
  function docOf(d) {
    var c = store.docs[chunkOf(d)];
    if (!c) return null;
    var row = c.docs[d - chunkOf(d) * store.manifest.chunk];
    if (!row) return null;
    var text = row[0] >= 0 ? c.texts[String(row[0])] : ["Glossary", store.manifest.glossary];
    return { doc: d, kind: kindOf(d), title: text[0], path: text[1], anchor: row[1], label: row[2], body: row[3] };
  }

  // Whether a run of text is a word the query found: the part of it to mark, or null.
  // `keys.terms` are the query's terms, `keys.words` the words indexed as them.
  function hit(raw, keys) {
    var low = raw.toLowerCase();
    if (low.length !== raw.length) low = raw;
    if (english()) {
      var t = trim(low);
      if (t && !STOP[t] && keys.terms[stem(t)]) {
        return { lead: low.length - low.replace(/^[^0-9A-Za-z_]+/, "").length, word: t };
      }
    }
    if (others()) {
      var k = key(low);
      if (k && keys.words[k]) return { lead: low.length - low.replace(KEY_LEAD, "").length, word: k };
    }
    return null;
  }

  // Appends `text` to `parent`, marking the words the query found; returns them.
  function marked(parent, text, keys, from, to) {
    var words = [], last = from, m;
    WORD_RUN.lastIndex = from;
    while ((m = WORD_RUN.exec(text)) && m.index < to) {
      var h = hit(m[0], keys);
      if (!h) continue;
      var t = h.word;
      var start = m.index + h.lead, end = start + t.length;
      if (end > to) break;
      parent.appendChild(document.createTextNode(text.slice(last, start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      parent.appendChild(mark);
      words.push(t);
      last = end;
    }
    if (last < to) parent.appendChild(document.createTextNode(text.slice(last, to)));
    return words;
  }

  // Where the excerpt of `body` starts: a little before the first matched word.
  function excerptStart(body, keys) {
    var m;
    WORD_RUN.lastIndex = 0;
    while ((m = WORD_RUN.exec(body))) {
      if (hit(m[0], keys)) {
        if (m.index < EXCERPT / 3) return 0;
        var s = body.lastIndexOf(" ", m.index - EXCERPT / 4);
        return s < 0 ? 0 : s + 1;
      }
    }
    return 0;
  }

  /* --- The interface ------------------------------------------------------------------- */

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function number(n) { return n.toLocaleString ? n.toLocaleString("en") : String(n); }

  function Search(form, results) {
    var input = form.querySelector("input[name=q]");
    var onPage = !!results;
    var panel = results || el("div", "search-panel");
    var gen = 0, timer = 0, want = PAGE, lastQuery = null, built = false, focusNext = -1;
    var filters = { kinds: {}, text: null };

    var status = el("p", "search-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var list = el("ol", "search-list");
    var more = el("button", "search-more", "More results");
    more.type = "button";
    more.hidden = true;
    var footer = el("p", "search-footer");
    var pageLink = el("a", "search-page-link", "Open these results on the search page");
    if (!onPage) footer.appendChild(pageLink);

    var details = el("details", "search-filters");
    var summary = el("summary", null, "Filters");
    details.appendChild(summary);

    panel.appendChild(status);
    panel.appendChild(details);
    panel.appendChild(list);
    panel.appendChild(more);
    if (!onPage) panel.appendChild(footer);
    if (!onPage) {
      panel.id = "search_panel";
      panel.hidden = true;
      form.appendChild(panel);
      input.setAttribute("aria-controls", panel.id);
    }

    function buildFilters() {
      var m = store.manifest;
      var set = el("fieldset", "search-kinds");
      set.appendChild(el("legend", null, "Search in"));
      KINDS.forEach(function (k) {
        var r = m.kinds[k[0]];
        if (!r || r[1] <= r[0]) return;
        var label = el("label", "search-kind");
        var box = el("input");
        box.type = "checkbox";
        box.checked = filters.kinds[k[0]] !== false;
        box.addEventListener("change", function () { filters.kinds[k[0]] = box.checked; restart(); });
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + k[1]));
        set.appendChild(label);
      });
      details.appendChild(set);
      if (m.texts > 1) {
        var label = el("label", "search-text", "Text ");
        var select = el("select");
        var all = el("option", null, "All texts");
        all.value = "";
        select.appendChild(all);
        label.appendChild(select);
        details.appendChild(label);
        var fill = function () {
          if (select.options.length > 1 || !store.texts) return;
          store.texts.forEach(function (t, i) {
            var o = el("option", null, t[0]);
            o.value = String(i);
            select.appendChild(o);
          });
        };
        details.addEventListener("toggle", function () {
          if (details.open) load("texts.js").then(fill, function () {});
        });
        select.addEventListener("change", function () {
          filters.text = select.value === "" ? null : Number(select.value);
          restart();
        });
      }
    }

    function show(open) {
      if (onPage) return;
      panel.hidden = !open;
    }

    function say(text) { if (status.textContent !== text) status.textContent = text; }

    function restart() { want = PAGE; run(); }

    // Loads `paths` after the reader has paused typing, then runs the query again.
    function fetch(paths, g) {
      clearTimeout(timer);
      panel.classList.add("is-loading");
      timer = setTimeout(function () {
        Promise.all(paths.map(load)).then(function () {
          if (g === gen) run();
        }, function () {
          if (g !== gen) return;
          panel.classList.remove("is-loading");
          say("The search index could not be loaded.");
        });
      }, DEBOUNCE);
    }

    function run() {
      var q = input.value;
      var g = ++gen;
      if (q !== lastQuery) { want = PAGE; lastQuery = q; }
      clearTimeout(timer);
      if (!q.trim()) {
        panel.classList.remove("is-loading");
        clear();
        say("");
        show(false);
        return;
      }
      show(true);
      if (!store.manifest) return fetch(["manifest.js"], g);
      if (store.manifest.format !== 2) return say("The search index is of an unknown format.");
      if (!built) { built = true; buildFilters(); }
      var words = parse(q);
      var tables = wordShardsNeeded(words).filter(function (i) { return !loaded["words/" + i + ".js"]; });
      if (tables.length) return fetch(tables.map(function (i) { return "words/" + i + ".js"; }), g);
      words = resolve(words);
      if (!words.length || !store.manifest.shards.length) return done([], true, q, { terms: {}, words: {} }, []);
      var shards = shardsNeeded(words).filter(function (i) { return !loaded["shards/" + i + ".js"]; });
      if (shards.length) return fetch(shards.map(function (i) { return "shards/" + i + ".js"; }), g);
      if (filters.text !== null && !store.texts) return fetch(["texts.js"], g);
      var keys = keysOf(words);
      var ranges = allowedRanges(filters);
      var r = rank(words, keys, ranges, want);
      if (r.need.length) return fetch(r.need.map(function (id) { return "tails/" + id + ".js"; }), g);
      var top = r.list.slice(0, want);
      var chunks = {};
      top.forEach(function (a) { chunks[chunkOf(a.doc)] = true; });
      var needChunks = Object.keys(chunks).filter(function (c) { return !loaded["docs/" + c + ".js"]; });
      if (needChunks.length) return fetch(needChunks.map(function (c) { return "docs/" + c + ".js"; }), g);
      var set = { terms: {}, words: {} };
      keys.forEach(function (k) {
        set.terms[k.entry.term] = true;
        set.words[k.entry.term] = true;
        k.entry.words.forEach(function (w) { set.words[w] = true; });
      });
      done(r.list, r.exact, q, set, keys);
    }

    function clear() { while (list.firstChild) list.removeChild(list.firstChild); more.hidden = true; }

    function done(ranked, exact, q, keySet, keys) {
      panel.classList.remove("is-loading");
      clear();
      var top = ranked.slice(0, want);
      top.forEach(function (a) {
        var d = docOf(a.doc);
        if (d) list.appendChild(item(d, keySet));
      });
      more.hidden = ranked.length <= want && exact;
      // The count is exact when every posting is loaded, or when one term decides it.
      var count = ranked.length;
      if (!exact && keys.length === 1 && !allowedRanges(filters)) {
        count = Math.max(count, keys[0].entry.total);
        exact = true;
      }
      var shown = "“" + q.trim() + "”";
      if (!count) say("No results for " + shown + ".");
      else if (exact) say(number(count) + (count === 1 ? " result" : " results") + " for " + shown + ".");
      else say("More than " + number(count) + " results for " + shown + ".");
      pageLink.href = root + "search/index.html?q=" + encodeURIComponent(q.trim());
      if (focusNext >= 0) {
        var l = links();
        if (l[focusNext]) l[focusNext].focus();
        focusNext = -1;
      }
    }

    function item(d, keys) {
      var li = el("li", "search-item search-" + d.kind);
      var a = el("a", "search-result");
      var where = el("span", "search-where");
      where.appendChild(el("span", "search-title", d.title));
      where.appendChild(document.createTextNode(" · "));
      var label = el("span", "search-label");
      var words = marked(label, d.label, keys, 0, d.label.length);
      where.appendChild(label);
      a.appendChild(where);
      var body = d.body || "";
      var start = excerptStart(body, keys);
      var end = Math.min(body.length, start + EXCERPT);
      if (end < body.length) {
        var space = body.lastIndexOf(" ", end);
        if (space > start + EXCERPT / 2) end = space;
      }
      var ex = el("span", "search-excerpt");
      if (start > 0) ex.appendChild(document.createTextNode("…"));
      words = words.concat(marked(ex, body, keys, start, end));
      if (end < body.length) ex.appendChild(document.createTextNode("…"));
      a.appendChild(ex);
      var unique = [];
      words.forEach(function (w) { if (unique.indexOf(w) < 0 && unique.length < 8) unique.push(w); });
      a.href = root + d.path + (unique.length ? "?highlight=" + encodeURIComponent(unique.join(" ")) : "") + "#" + encodeURIComponent(d.anchor);
      li.appendChild(a);
      return li;
    }

    /* Keyboard: arrows move between the box and the results, Escape closes, Tab leaves. */
    function links() { return Array.prototype.slice.call(list.querySelectorAll("a.search-result")); }
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        var l = links();
        if (l.length) { e.preventDefault(); show(true); l[0].focus(); }
      } else if (e.key === "Escape" && !onPage && !panel.hidden) {
        e.preventDefault();
        show(false);
      }
    });
    list.addEventListener("keydown", function (e) {
      var l = links(), i = l.indexOf(document.activeElement);
      if (i < 0) return;
      if (e.key === "ArrowDown" && i + 1 < l.length) { e.preventDefault(); l[i + 1].focus(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? l[i - 1] : input).focus(); }
      else if (e.key === "Home") { e.preventDefault(); l[0].focus(); }
      else if (e.key === "End") { e.preventDefault(); l[l.length - 1].focus(); }
    });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !onPage) { e.preventDefault(); show(false); input.focus(); }
    });
    more.addEventListener("click", function () {
      focusNext = links().length;
      want += PAGE;
      run();
    });

    input.addEventListener("input", run);
    input.addEventListener("focus", function () { if (input.value.trim() && !onPage) run(); });
    if (!onPage) {
      form.addEventListener("focusout", function (e) {
        if (e.relatedTarget && !form.contains(e.relatedTarget)) show(false);
      });
      document.addEventListener("pointerdown", function (e) {
        if (!form.contains(e.target)) show(false);
      });
    } else {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        try { history.replaceState(null, "", "?q=" + encodeURIComponent(input.value.trim())); } catch (err) { /* file:// */ }
        run();
      });
    }

    load("manifest.js").catch(function () {});
    return { run: run, input: input };
  }

  /* --- Start --------------------------------------------------------------------------- */

  var uis = [];
  function start() {
    var page = document.querySelector("form.search-form");
    if (page) {
      var ui = Search(page, document.getElementById("search_results"));
      var q = new URLSearchParams(location.search).get("q");
      if (q) ui.input.value = q;
      uis.push(ui);
      if (ui.input.value) ui.run();
    }
    var header = document.querySelector("form.site-search");
    if (header) {
      var h = Search(header, null);
      uis.push(h);
      if (document.activeElement === h.input && h.input.value) h.run();
    }
  }
  api.run = function () { uis.forEach(function (u) { u.run(); }); };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
