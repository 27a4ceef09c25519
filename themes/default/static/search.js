/* scholia search: the interface (DOM, events) of the client of the index that `scholia build`
 * writes under search/ (docs/search-format.md). The engine, with no DOM, is search-engine.js:
 * the search page loads both in order; scholia.js loads this file when the reader focuses
 * the search box, and this file then loads the engine if it is not there yet.
 *
 * - Index files are scripts that call scholiaSearch.manifest/shard/tail/words/docs/texts,
 *   loaded with <script> elements: that works from file:// as from a server, under any
 *   subpath. Their records go straight to the engine, which decodes each once.
 * - Results are built with createElement/textContent only: content is never parsed as HTML.
 */
(() => {
  "use strict";

  if (window.scholiaSearch && window.scholiaSearch.ready) return;

  const DEBOUNCE = 100;          // ms of quiet typing before index files are requested
  const PAGE = 10;               // results shown at first, and added by "More results"

  /* The interface's words in the site's language, from assets/words.js (written by
     `scholia build` from the theme's strings with a JSON serializer). A word missing there
     is said in English. */
  const words = window.scholiaWords || {};
  const fill = (s, vars) => Object.entries(vars || {}).reduce((out, [k, v]) => out.split(`{${k}}`).join(String(v)), s);
  const word = (key, english, vars) => {
    const s = words.words && typeof words.words[key] === "string" ? words.words[key] : english;
    return fill(s, vars);
  };
  /* A word with plural forms (CLDR categories, chosen by the browser's Intl.PluralRules). */
  const plural = (key, n, english, vars) => {
    const forms = words.words && words.words[key];
    let category = "other";
    try {
      category = new Intl.PluralRules(words.lang || "en").select(n);
    } catch {
      /* an unknown language: "other" */
    }
    const s = forms && typeof (forms[category] || forms.other) === "string" ? forms[category] || forms.other : english;
    return fill(s, vars);
  };
  const KIND_LABELS = {
    para: word("kind_para", "Texts"),
    note: word("kind_note", "Notes"),
    term: word("kind_term", "Glossary"),
    question: word("kind_question", "Questions"),
  };

  const script = document.currentScript;
  const assets = new URL("./", script ? script.src : location.href).href;
  const root = new URL("../", assets).href; // assets/search.js → site root
  const base = `${root}search/`;

  /* --- Files ---------------------------------------------------------------------------- */

  const loading = new Map();

  const loadScript = (src) => new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.async = true;
    s.onload = () => resolve();
    s.onerror = () => {
      s.remove();
      reject(new Error(`cannot load ${src}`));
    };
    document.head.appendChild(s);
  });

  // Packed records (shards, tail pieces, excerpt chunks) by path while they are being
  // unpacked: loading such a file is done once its record has reached the engine.
  const unpacking = new Map();

  const load = (path) => {
    if (!loading.has(path)) {
      const p = loadScript(base + path).then(() => unpacking.get(path));
      p.catch(() => loading.delete(path));
      loading.set(path, p);
    }
    return loading.get(path);
  };

  let index = null;
  const waiting = [];
  const api = {
    ready: true,
    root,
    // The index files' calls, before the engine is there too: kept until it is.
    manifest: (rec) => deliver((ix) => ix.manifest(rec)),
    shard: (i, packed) => unpacked(`shards/${i}.js`, packed, (ix, rec) => ix.shard(i, rec)),
    words: (i, rec) => deliver((ix) => ix.words(i, rec)),
    tail: (i, packed) => unpacked(`tails/${i}.js`, packed, (ix, rec) => ix.tail(i, rec)),
    docs: (i, packed) => unpacked(`docs/${i}.js`, packed, (ix, rec) => ix.docs(i, rec)),
    texts: (rec) => deliver((ix) => ix.texts(rec)),
  };
  window.scholiaSearch = api;
  function deliver(f) { if (index) f(index); else waiting.push(f); }
  // Index files are loaded once the engine is there (queries ask for them).
  function unpacked(path, packed, f) {
    unpacking.set(path, window.scholiaSearchEngine.unpack(packed).then((rec) => deliver((ix) => f(ix, rec))));
  }

  /* --- The interface ------------------------------------------------------------------- */

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  const number = (n) => n.toLocaleString(words.lang || "en");

  // Appends excerpt parts to `parent`, the found words as <mark> elements.
  const appendParts = (parent, parts) => {
    parts.forEach((p) => {
      if (!p.mark) { parent.appendChild(document.createTextNode(p.text)); return; }
      parent.appendChild(el("mark", null, p.text));
    });
  };

  function Search(form, results) {
    const input = form.querySelector("input[name=q]");
    const onPage = !!results;
    const panel = results || el("div", "search-panel");
    let gen = 0, timer = 0, want = PAGE, lastQuery = null, built = false, focusNext = -1;
    const filters = { kinds: {}, text: null };

    const status = el("p", "search-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const list = el("ol", "search-list");
    const more = el("button", "search-more", word("more_results", "More results"));
    more.type = "button";
    more.hidden = true;
    const footer = el("p", "search-footer");
    const pageLink = el("a", "search-page-link", word("open_on_page", "Open these results on the search page"));
    if (!onPage) footer.appendChild(pageLink);

    const details = el("details", "search-filters");
    details.appendChild(el("summary", null, word("filters", "Filters")));

    panel.appendChild(status);
    panel.appendChild(details);
    panel.appendChild(list);
    panel.appendChild(more);
    if (!onPage) {
      panel.appendChild(footer);
      panel.id = "search_panel";
      panel.hidden = true;
      form.appendChild(panel);
      input.setAttribute("aria-controls", panel.id);
    }

    const buildFilters = () => {
      const m = index.store.manifest;
      const set = el("fieldset", "search-kinds");
      set.appendChild(el("legend", null, word("search_in", "Search in")));
      window.scholiaSearchEngine.KINDS.forEach((kind) => {
        const r = m.kinds[kind];
        if (r.end <= r.start) return;
        const label = el("label", "search-kind");
        const box = el("input");
        box.type = "checkbox";
        box.checked = filters.kinds[kind] !== false;
        box.addEventListener("change", () => { filters.kinds[kind] = box.checked; restart(); });
        label.appendChild(box);
        label.appendChild(document.createTextNode(` ${KIND_LABELS[kind]}`));
        set.appendChild(label);
      });
      details.appendChild(set);
      if (m.texts > 1) {
        const label = el("label", "search-text", `${word("text", "Text")} `);
        const select = el("select");
        const all = el("option", null, word("all_texts", "All texts"));
        all.value = "";
        select.appendChild(all);
        label.appendChild(select);
        details.appendChild(label);
        const fill = () => {
          if (select.options.length > 1 || !index.store.texts) return;
          index.store.texts.forEach((t, i) => {
            const o = el("option", null, t.title);
            o.value = String(i);
            select.appendChild(o);
          });
        };
        details.addEventListener("toggle", () => {
          if (details.open) load("texts.js").then(fill, () => {});
        });
        select.addEventListener("change", () => {
          filters.text = select.value === "" ? null : Number(select.value);
          restart();
        });
      }
    };

    const show = (open) => { if (!onPage) panel.hidden = !open; };
    const say = (text) => { if (status.textContent !== text) status.textContent = text; };
    const restart = () => { want = PAGE; run(); };
    const clear = () => { list.replaceChildren(); more.hidden = true; };
    const links = () => Array.from(list.querySelectorAll("a.search-result"));

    // Loads `paths` after the reader has paused typing, then runs the query again.
    const fetchFiles = (paths, g) => {
      clearTimeout(timer);
      panel.classList.add("is-loading");
      timer = setTimeout(() => {
        Promise.all(paths.map(load)).then(() => {
          if (g === gen) run();
        }, () => {
          if (g !== gen) return;
          panel.classList.remove("is-loading");
          say(word("index_failed", "The search index could not be loaded."));
        });
      }, DEBOUNCE);
    };

    const item = (d, marks) => {
      const li = el("li", `search-item search-${d.kind}`);
      const a = el("a", "search-result");
      const where = el("span", "search-where");
      where.appendChild(el("span", "search-title", d.title));
      where.appendChild(document.createTextNode(" · "));
      const label = el("span", "search-label");
      const named = index.segments(d.label, marks, 0, d.label.length);
      appendParts(label, named.parts);
      where.appendChild(label);
      a.appendChild(where);
      const x = index.excerpt(d.body || "", marks);
      const ex = el("span", "search-excerpt");
      if (x.before) ex.appendChild(document.createTextNode("…"));
      appendParts(ex, x.parts);
      if (x.after) ex.appendChild(document.createTextNode("…"));
      a.appendChild(ex);
      const unique = [...new Set(named.words.concat(x.words))].slice(0, 8);
      const highlight = unique.length ? `?highlight=${encodeURIComponent(unique.join(" "))}` : "";
      a.href = `${root}${d.path}${highlight}#${encodeURIComponent(d.anchor)}`;
      li.appendChild(a);
      return li;
    };

    const done = (r, q) => {
      panel.classList.remove("is-loading");
      clear();
      r.results.forEach((d) => list.appendChild(item(d, r.marks)));
      more.hidden = !r.more;
      const shown = `“${q.trim()}”`;
      const count = r.count;
      if (!count) say(word("no_results", "No results for {query}.", { query: shown }));
      else if (r.exact) say(plural("results", count, "{count} results for {query}.", { count: number(count), query: shown }));
      else say(word("more_than", "More than {count} results for {query}.", { count: number(count), query: shown }));
      pageLink.href = `${root}search/index.html?q=${encodeURIComponent(q.trim())}`;
      if (focusNext >= 0) {
        const l = links();
        if (l[focusNext]) l[focusNext].focus();
        focusNext = -1;
      }
    };

    function run() {
      const q = input.value;
      const g = ++gen;
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
      const r = index.query(q, filters, want);
      if (r.need) { fetchFiles(r.need, g); return; }
      if (r.error) { say(word("index_unknown", "The search index is of an unknown format.")); return; }
      if (!built) { built = true; buildFilters(); }
      done(r, q);
    }

    /* Keyboard: arrows move between the box and the results, Escape closes, Tab leaves. */
    input.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown") {
        const l = links();
        if (l.length) { e.preventDefault(); show(true); l[0].focus(); }
      } else if (e.key === "Escape" && !onPage && !panel.hidden) {
        e.preventDefault();
        show(false);
      }
    });
    list.addEventListener("keydown", (e) => {
      const l = links(), i = l.indexOf(document.activeElement);
      if (i < 0) return;
      if (e.key === "ArrowDown" && i + 1 < l.length) { e.preventDefault(); l[i + 1].focus(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? l[i - 1] : input).focus(); }
      else if (e.key === "Home") { e.preventDefault(); l[0].focus(); }
      else if (e.key === "End") { e.preventDefault(); l[l.length - 1].focus(); }
    });
    panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !onPage) { e.preventDefault(); show(false); input.focus(); }
    });
    more.addEventListener("click", () => {
      focusNext = links().length;
      want += PAGE;
      run();
    });

    input.addEventListener("input", run);
    input.addEventListener("focus", () => { if (input.value.trim() && !onPage) run(); });
    if (!onPage) {
      form.addEventListener("focusout", (e) => {
        if (e.relatedTarget && !form.contains(e.relatedTarget)) show(false);
      });
      document.addEventListener("pointerdown", (e) => {
        if (!form.contains(e.target)) show(false);
      });
    } else {
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        try { history.replaceState(null, "", `?q=${encodeURIComponent(input.value.trim())}`); } catch (err) { /* file:// */ }
        run();
      });
    }

    load("manifest.js").catch(() => {});
    return { run, input };
  }

  /* --- Start --------------------------------------------------------------------------- */

  const uis = [];
  const start = () => {
    index = window.scholiaSearchEngine.createIndex();
    // For tests and the benchmark: the terms elasticlunr indexes for a text.
    api.terms = window.scholiaSearchEngine.terms;
    waiting.splice(0).forEach((f) => f(index));
    const page = document.querySelector("form.search-form");
    if (page) {
      const ui = Search(page, document.getElementById("search_results"));
      const q = new URLSearchParams(location.search).get("q");
      if (q) ui.input.value = q;
      uis.push(ui);
      if (ui.input.value) ui.run();
    }
    const header = document.querySelector("form.site-search");
    if (header) {
      const h = Search(header, null);
      uis.push(h);
      if (document.activeElement === h.input && h.input.value) h.run();
    }
  };
  api.run = () => uis.forEach((u) => u.run());

  // The engine: already there on the search page (loaded before this file), loaded here
  // when scholia.js brought this file in alone.
  const engine = window.scholiaSearchEngine
    ? Promise.resolve()
    : loadScript(script && script.dataset.engine);
  const domReady = new Promise((resolve) => {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", resolve);
    else resolve();
  });
  Promise.all([engine, domReady]).then(start, () => {
    document.querySelectorAll(".search-status").forEach((s) => { s.textContent = word("engine_failed", "The search engine could not be loaded."); });
  });
})();
