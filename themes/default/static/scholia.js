/* scholia default theme: progressive enhancement only. Every page works without this file.
 *
 * - Hovering or focusing a passage highlights its note, and the other way round.
 * - Clicking a passage on a narrow screen opens its note.
 * - Following a link to a note (#id) opens it; printing opens every note.
 * - On wide screens, each margin note is placed beside the line of its passage (without script,
 *   CSS keeps it beside its paragraph), and opened for real (for browsers without
 *   ::details-content, and so that assistive technology reports it as expanded). A long note
 *   shows its first lines and a button for the rest, so the notes below stay near their
 *   passages; focus inside it, a link to it or a click on its passage shows all of it.
 * - Code blocks that scroll sideways become focusable, so they can be scrolled with the keyboard.
 * - Cross-links show a preview of what they point to; the search box loads search.js.
 * - "Cite": a paragraph's number, a verse line's, a note's or the text's Cite link opens its
 *   citations; the arrow keys move between a verse text's lines.
 *
 * Written to the browser baseline of docs/browsers.md: ES2022, a classic script (not a
 * module, so pages work from file://), nothing leaked into the page's globals (one IIFE),
 * no libraries, no innerHTML: only classes, attributes and the open state of <details>.
 * tests/tools/eslint.config.mjs holds it to that (`cargo xtask lint`).
 */
(() => {
  "use strict";

  /* The interface's words in the site's language, from assets/words.js (written by
     `scholia build` from the theme's strings with a JSON serializer). A word missing there
     is said in English. */
  const words = window.scholiaWords || {};
  const fill = (s, vars) => Object.entries(vars || {}).reduce((out, [k, v]) => out.split(`{${k}}`).join(String(v)), s);
  const word = (key, english, vars) => {
    const s = words.words && typeof words.words[key] === "string" ? words.words[key] : english;
    return fill(s, vars);
  };

  /* A part of the URL (the fragment, a query value) says whatever the link's author wrote: a
     malformed %-escape (#%E0%A4%A) gives back the text as written instead of throwing, which
     would stop everything after it (notes left unplaced). Every decoding in this file goes
     through it. */
  const decode = (s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return String(s);
    }
  };

  /* --- Notes ------------------------------------------------------------------------------- */

  const notes = () => {
    const body = document.querySelector(".text-body");
    if (!body) return;

    // Keep in sync with the wide-screen breakpoint in style.css (section 6).
    const wide = window.matchMedia("(min-width: 66rem)");
    const esc = window.CSS && CSS.escape
      ? CSS.escape
      : (s) => String(s).replace(/[^a-zA-Z0-9_-]/g, "\\$&");

    const notesOf = (id) => {
      const note = document.getElementById(id);
      return note && note.classList.contains("note") ? note : null;
    };
    const marksOf = (id) => body.querySelectorAll(`mark.passage[data-note="${esc(id)}"]`);
    const detailsOf = (note) => (note ? note.querySelector(":scope > details") : null);
    const reduceMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

    /* Linked highlighting */

    let lit = [];
    const clear = () => {
      lit.forEach((el) => el.classList.remove("is-linked"));
      lit = [];
    };
    const light = (id) => {
      clear();
      if (!id) return;
      const note = notesOf(id);
      if (note) lit.push(note);
      lit.push(...marksOf(id));
      lit.forEach((el) => el.classList.add("is-linked"));
    };
    // The innermost mark wins when passages overlap.
    const idFrom = (target) => {
      if (!(target instanceof Element)) return null;
      const mark = target.closest("mark.passage[data-note]");
      if (mark && body.contains(mark)) return mark.getAttribute("data-note");
      const note = target.closest(".note[id]");
      return note && body.contains(note) ? note.id : null;
    };
    const onEnter = (e) => light(idFrom(e.target));
    const onLeave = (e) => {
      const to = e.relatedTarget;
      if (!to || idFrom(to) !== idFrom(e.target)) light(idFrom(to));
    };
    body.addEventListener("mouseover", onEnter);
    body.addEventListener("mouseout", onLeave);
    body.addEventListener("focusin", onEnter);
    body.addEventListener("focusout", onLeave);

    /* Long notes in the margin: cut to a few lines (style.css: .note-clamp), with a button. */

    const expanded = (note) => note.classList.contains("note-expanded");
    const folded = (note) => note.classList.contains("note-clamp") && !expanded(note);
    const expand = (note, on) => {
      note.classList.toggle("note-expanded", on);
      const button = note.querySelector(".note-more");
      if (button) {
        button.setAttribute("aria-expanded", String(on));
        button.textContent = on ? word("show_less", "Show less of this note") : word("show_all", "Show all of this note");
      }
    };

    /* Click on a passage: on a narrow screen open its note, on a wide one unfold it */

    body.addEventListener("click", (e) => {
      if (!(e.target instanceof Element) || e.target.closest("a")) return;
      const mark = e.target.closest("mark.passage[data-note]");
      if (!mark || String(window.getSelection ? window.getSelection() : "").length) return;
      const note = notesOf(mark.getAttribute("data-note"));
      if (wide.matches) {
        if (note && note.classList.contains("note-clamp")) expand(note, !expanded(note));
        return;
      }
      const details = detailsOf(note);
      if (!details) return;
      details.open = true;
      note.scrollIntoView({ block: "nearest", behavior: reduceMotion() ? "auto" : "smooth" });
      const summary = details.querySelector("summary");
      if (summary) summary.focus({ preventScroll: true });
    });

    /* A press on a link in the faded lines of a folded note would focus the link, and focus
       inside a note unfolds it (style.css: :focus-within, so that keyboard users see where
       they are): the note grew under the pointer between press and release, and the click
       was lost. Pressing it with a pointer leaves focus where it is: the click follows the
       link, and the note stays as it was. Keyboard focus still unfolds it. */
    body.addEventListener("mousedown", (e) => {
      if (!(e.target instanceof Element) || !wide.matches) return;
      const link = e.target.closest("a[href]");
      const note = link && link.closest(".note-body") && link.closest(".note");
      if (note && folded(note) && body.contains(note)) e.preventDefault();
    });

    /* Open a note that is the target of the URL */

    const openTarget = () => {
      const id = decode(location.hash.slice(1));
      if (!id) return;
      const el = document.getElementById(id);
      const note = el && el.closest(".note");
      const details = detailsOf(note);
      if (details) details.open = true;
      if (note) expand(note, true);
    };
    window.addEventListener("hashchange", openTarget);
    openTarget();

    /* Wide screens: notes open, each placed beside its passage; print: every note open */

    const allNotes = body.querySelectorAll(".notes > .note");

    const clampAll = () => {
      allNotes.forEach((note) => {
        const noteBody = note.querySelector(".note-body");
        if (!noteBody) return;
        // Measure with the clamp on: is there more than it shows?
        const wasExpanded = expanded(note);
        note.classList.remove("note-expanded");
        note.classList.add("note-clamp");
        const long = wide.matches && noteBody.scrollHeight > noteBody.clientHeight + 4;
        note.classList.toggle("note-clamp", long);
        note.classList.toggle("note-expanded", wasExpanded);
        let button = note.querySelector(".note-more");
        if (long && !button) {
          if (!noteBody.id) noteBody.id = `${note.id}-body`;
          button = document.createElement("button");
          button.type = "button";
          button.className = "note-more";
          button.setAttribute("aria-controls", noteBody.id);
          button.addEventListener("click", () => expand(note, !expanded(note)));
          noteBody.parentNode.insertBefore(button, noteBody.nextSibling);
          expand(note, wasExpanded);
        }
        if (button) button.hidden = !long;
      });
    };
    let openedByUs = [];
    const openAll = () => {
      allNotes.forEach((note) => {
        const d = detailsOf(note);
        if (d && !d.open) {
          d.open = true;
          openedByUs.push(d);
        }
      });
    };
    const restore = () => {
      openedByUs.forEach((d) => { d.open = false; });
      openedByUs = [];
    };

    // Where a note would like to start: the first line of its passage, or of its paragraph.
    const anchorTop = (note, origin) => {
      const mark = document.getElementById(`mark-${note.id}`) || marksOf(note.id)[0];
      const el = mark || note.closest(".para") || note.parentNode;
      const rects = el.getClientRects();
      return (rects.length ? rects[0].top : el.getBoundingClientRect().top) - origin;
    };
    const unplace = () => {
      if (!body.classList.contains("notes-placed")) return;
      body.classList.remove("notes-placed");
      body.style.minHeight = "";
      allNotes.forEach((note) => { note.style.top = ""; });
    };
    // Top to bottom, each note goes to its passage's line, or just below the note before it.
    const place = () => {
      if (!wide.matches) return unplace();
      body.classList.add("notes-placed");
      const origin = body.getBoundingClientRect().top;
      const space = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      let bottom = -Infinity;
      allNotes.forEach((note) => {
        const top = Math.max(anchorTop(note, origin), bottom + space);
        note.style.top = `${top}px`;
        bottom = top + note.offsetHeight;
      });
      const min = bottom > 0 ? `${Math.ceil(bottom)}px` : "";   // room for a last, long note
      if (body.style.minHeight !== min) body.style.minHeight = min;
    };
    let pending = false;
    const schedule = () => {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(() => {
        pending = false;
        place();
      });
    };
    // In the margin a summary is only a heading: take it out of the tab order there.
    const summaries = (inert) => {
      allNotes.forEach((note) => {
        const summary = note.querySelector(":scope > details > summary");
        if (!summary) return;
        if (inert) summary.setAttribute("tabindex", "-1");
        else summary.removeAttribute("tabindex");
      });
    };
    const sync = () => {
      if (wide.matches) openAll();
      else restore();
      summaries(wide.matches);
      clampAll();
      place();
    };
    if (wide.addEventListener) wide.addEventListener("change", sync);
    sync();
    // Text reflows when the window resizes, fonts or images load, or a note is toggled.
    if (window.ResizeObserver) {
      const ro = new ResizeObserver(schedule);
      ro.observe(body);
      allNotes.forEach((note) => ro.observe(note));
    } else {
      window.addEventListener("resize", schedule);
    }
    // Web fonts change how many lines a note takes.
    window.addEventListener("load", () => {
      clampAll();
      schedule();
    });
    window.addEventListener("beforeprint", openAll);
    window.addEventListener("afterprint", sync);

    /* Keyboard-scrollable code blocks */

    const scrollables = () => {
      body.querySelectorAll("pre").forEach((pre) => {
        if (pre.scrollWidth > pre.clientWidth + 1) {
          if (!pre.hasAttribute("tabindex")) {
            pre.setAttribute("tabindex", "0");
            pre.setAttribute("data-scholia-tabindex", "");
          }
        } else if (pre.hasAttribute("data-scholia-tabindex")) {
          pre.removeAttribute("tabindex");
          pre.removeAttribute("data-scholia-tabindex");
        }
      });
    };
    scrollables();
    window.addEventListener("resize", scrollables);
  };

  /* --- Link previews ------------------------------------------------------------------------
     Hovering or focusing a cross-link (a.xref) shows what it points to in a small popover.
     The content is in the page already (div.previews, hidden), so this works from file://
     and offline; without JavaScript the link simply navigates. Escape closes. */

  const previews = () => {
    const store = document.querySelector(".previews");
    if (!store) return;
    let popover = null;
    let current = null;
    let hideTimer = 0;

    const contentFor = (link) => {
      const key = link.getAttribute("data-target");
      if (!key) return null;
      return Array.from(store.querySelectorAll(".preview"))
        .find((item) => item.getAttribute("data-preview-for") === key) || null;
    };
    const hide = () => {
      if (!popover || popover.hidden) return;
      popover.hidden = true;
      if (current) current.removeAttribute("aria-describedby");
      current = null;
    };
    const scheduleHide = () => {
      clearTimeout(hideTimer);
      hideTimer = setTimeout(hide, 250);
    };
    const ensurePopover = () => {
      if (popover) return popover;
      popover = document.createElement("div");
      popover.id = "scholia-preview";
      popover.className = "preview-popover";
      popover.setAttribute("role", "tooltip");
      popover.hidden = true;
      popover.addEventListener("mouseenter", () => clearTimeout(hideTimer));
      popover.addEventListener("mouseleave", scheduleHide);
      // Inside <main>, so the popover belongs to a landmark (it is positioned absolutely
      // against the page, and <main> is not positioned).
      (document.querySelector("main") || document.body).appendChild(popover);
      return popover;
    };
    const show = (link) => {
      const source = contentFor(link);
      if (!source) return;
      clearTimeout(hideTimer);
      const pop = ensurePopover();
      pop.replaceChildren(source.cloneNode(true));
      pop.hidden = false;
      if (current && current !== link) current.removeAttribute("aria-describedby");
      current = link;
      link.setAttribute("aria-describedby", pop.id);
      const r = link.getBoundingClientRect();
      const page = document.documentElement.clientWidth;
      const width = Math.min(352, page - 16);
      const left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + page - width - 8));
      pop.style.width = `${width}px`;
      pop.style.left = `${left}px`;
      pop.style.top = `${r.bottom + window.scrollY + 6}px`;
    };
    const linkOf = (e) => {
      const t = e.target;
      return t && t.closest ? t.closest("a.xref[data-target]") : null;
    };

    document.addEventListener("mouseover", (e) => {
      const a = linkOf(e);
      if (a) show(a);
    });
    document.addEventListener("mouseout", (e) => {
      if (linkOf(e)) scheduleHide();
    });
    document.addEventListener("focusin", (e) => {
      const a = linkOf(e);
      if (a) show(a);
      else hide();
    });
    document.addEventListener("focusout", (e) => {
      if (linkOf(e)) scheduleHide();
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && popover && !popover.hidden) hide();
    });
  };

  /* --- Search -------------------------------------------------------------------------------
     The box in the header loads search.js (the client of the index under search/) the first
     time it gets focus; "/" focuses it. Without JavaScript the box submits to the search
     page. A result link carries ?highlight=word…: on arrival the words are marked in the
     target passage (as <mark class="search-hit"> elements) and the first one scrolled to. */

  const searchBox = () => {
    const form = document.querySelector("form.site-search");
    const input = form && form.querySelector('input[name="q"]');
    let requested = false;

    const loadSearch = () => {
      if (requested || window.scholiaSearch) return;
      requested = true;
      const s = document.createElement("script");
      // Fingerprinted names (search.3f2a9c1e0b7d.js), from the page: search.js is told
      // its engine's through the element that loads it.
      s.src = new URL(form.dataset.searchJs, document.baseURI).href;
      s.dataset.engine = new URL(form.dataset.searchEngine, document.baseURI).href;
      s.async = true;
      document.head.appendChild(s);
    };
    if (input) {
      input.addEventListener("focus", loadSearch);
      if (document.activeElement === input) loadSearch();
    }

    document.addEventListener("keydown", (e) => {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const t = e.target;
      if (t && (t.isContentEditable || (t.closest && t.closest("input, textarea, select")))) return;
      const box = document.querySelector('form.search-form input[name="q"]') || input;
      if (!box) return;
      e.preventDefault();
      box.focus();
      box.select();
    });
  };

  // The words of ?highlight=, at most ten of at most 64 characters each.
  const highlightedWords = () => {
    try {
      return (new URLSearchParams(location.search).get("highlight") || "")
        .split(/\s+/)
        .filter((w) => w.length > 0 && w.length <= 64)
        .slice(0, 10);
    } catch {
      return [];
    }
  };

  const highlight = () => {
    const words = highlightedWords();
    if (!words.length) return;
    const id = decode(location.hash.slice(1));
    const target = (id && document.getElementById(id)) || document.querySelector("main");
    if (!target) return;
    const alternatives = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
    let re;
    try {
      re = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives})(?![\\p{L}\\p{N}_])`, "giu");
    } catch {
      re = new RegExp(`\\b(?:${alternatives})\\b`, "gi");
    }
    // In a paragraph, its notes and number are not the passage.
    const skip = target.classList.contains("para") ? ".notes, .pnum" : ".pnum";
    // A verse line's anchor is empty: its words run from it to the next line's anchor.
    const verse = target.classList.contains("verse-line");
    const scope = verse ? target.parentElement : target;
    const next = verse
      ? [...scope.querySelectorAll(".verse-line")].find((l) => target.compareDocumentPosition(l) & Node.DOCUMENT_POSITION_FOLLOWING)
      : null;
    const inLine = (node) =>
      !verse ||
      ((target.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING) &&
        (!next || next.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_PRECEDING));
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => {
        const p = node.parentElement;
        const out = p && p.closest(skip);
        if (!p || !inLine(node) || p.closest("script, style, mark.search-hit") || (out && scope.contains(out))) {
          return NodeFilter.FILTER_REJECT;
        }
        return NodeFilter.FILTER_ACCEPT;
      },
    });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    let first = null;
    nodes.forEach((node) => {
      const text = node.nodeValue;
      let last = 0;
      let frag = null;
      let m;
      re.lastIndex = 0;
      while ((m = re.exec(text))) {
        if (!m[0]) {
          re.lastIndex++;
          continue;
        }
        frag = frag || document.createDocumentFragment();
        frag.appendChild(document.createTextNode(text.slice(last, m.index)));
        const mark = document.createElement("mark");
        mark.className = "search-hit";
        mark.textContent = m[0];
        frag.appendChild(mark);
        first = first || mark;
        last = m.index + m[0].length;
      }
      if (!frag) return;
      frag.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(frag, node);
    });
    if (first) {
      const details = first.closest("details");
      if (details && !details.open) details.open = true;
      first.scrollIntoView({ block: "center" });
    }
  };

  /* --- Cite this ----------------------------------------------------------------------------
     A paragraph's number (a.pnum), a verse line's (a.verse-line: "line 12"), each note's
     "Cite" link (in a verse text, with the note's lines) and the text's open a small dialog
     with the permanent link to that place and the text's citations in three styles, each with
     a Copy button. The citations are computed by `scholia build` (src/output/html/cite.rs) and
     carried by the article as data-cite-* (JSON pieces: text, and slots for the pinpoint and
     the link, filled here). Without JavaScript each control is a plain link to its place.
     Escape or a click elsewhere closes the dialog; Escape gives focus back to its link. */

  const cite = () => {
    const article = document.querySelector("article.text[data-cite-chicago]");
    if (!article) return;
    const pieces = (name) => {
      try {
        const v = JSON.parse(article.getAttribute(`data-cite-${name}`) || "[]");
        return Array.isArray(v) ? v : [];
      } catch {
        return [];
      }
    };
    const styles = [
      ["Chicago", pieces("chicago")],
      ["MLA", pieces("mla")],
      ["APA", pieces("apa")],
      [word("cite_in_text", "APA (in text)"), pieces("apa-in-text")],
    ];
    // A slot brings its punctuation, and leaves with it when it has no value.
    const render = (list, slots) => list.map((p) => {
      if (typeof p === "string") return p;
      const v = p && typeof p.slot === "string" ? slots[p.slot] : "";
      return v ? `${p.before || ""}${v}` : "";
    }).join("");
    // The permanent address with a base_url; else the address the page was opened at.
    const pageUrl = () => article.getAttribute("data-cite-url") || location.href.split("#")[0];
    const OPENERS = ".text-body a.pnum, .text-body a.verse-line, a.cite-link[data-cite]";
    const openers = () => document.querySelectorAll(OPENERS);
    openers().forEach((a) => a.setAttribute("aria-haspopup", "dialog"));

    let dialog = null;
    let opener = null;
    // Verse lines made focusable for the moment (see `reach` below).
    const reached = new Set();
    const unreach = (link) => {
      if (!reached.delete(link)) return;
      link.setAttribute("aria-hidden", "true");
      link.setAttribute("tabindex", "-1");
      link.removeAttribute("aria-label");
    };
    const close = (refocus) => {
      if (!dialog) return;
      dialog.remove();
      dialog = null;
      if (opener) {
        opener.setAttribute("aria-expanded", "false");
        if (refocus) opener.focus();
        else if (document.activeElement !== opener) unreach(opener);
      }
      opener = null;
    };
    const copy = async (value, el, status) => {
      try {
        if (!navigator.clipboard || !navigator.clipboard.writeText) throw new Error("no clipboard");
        await navigator.clipboard.writeText(value);
        status.textContent = word("cite_copied", "Copied");
      } catch {
        // No clipboard (an insecure origin, a refused permission): select it for Ctrl+C.
        const range = document.createRange();
        range.selectNodeContents(el);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        status.textContent = word("cite_copy_failed", "Selected: press Ctrl+C to copy");
      }
    };
    // "line 12" or "lines 12–14" from "12" or "12-14" (a note's data-lines).
    const lineLocator = (lines) => {
      const [first, last] = lines.split("-");
      return !last || first === last
        ? word("cite_line_n", "line {n}", { n: first })
        : word("cite_lines_n", "lines {first}–{last}", { first, last });
    };
    const show = (link) => {
      const line = link.classList.contains("verse-line");
      const kind = link.classList.contains("pnum") ? "para" : line ? "line" : link.getAttribute("data-cite");
      const href = link.getAttribute("href") || "";
      let fragment = "";
      let locator = "";
      let label = word("cite_text", "Cite this text");
      if (kind === "para" && href.startsWith("#")) {
        fragment = href;
        const para = decode(href.slice(2));
        locator = word("cite_para", "para. {n}", { n: para });
        label = word("cite_paragraph", "Cite paragraph {n}", { n: para });
      } else if (kind === "line" && href.startsWith("#")) {
        fragment = href;
        const n = link.getAttribute("data-n") || "";
        locator = lineLocator(n);
        label = word("cite_line", "Cite line {n}", { n });
      } else if (kind === "note" && href.startsWith("#")) {
        fragment = href;
        const lines = link.getAttribute("data-lines");
        const para = link.getAttribute("data-para") || "";
        if (lines) locator = lineLocator(lines);
        else if (para) locator = word("cite_para", "para. {n}", { n: para });
        label = word("cite_note", "Cite this note");
      }
      const address = `${pageUrl()}${fragment}`;
      const slots = {
        locator,
        link: article.hasAttribute("data-cite-url") ? address : "",
      };

      close(false);
      opener = link;
      link.setAttribute("aria-expanded", "true");
      dialog = document.createElement("div");
      dialog.className = "cite-popover";
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-label", label);
      const status = document.createElement("p");
      status.className = "cite-status";
      status.setAttribute("role", "status");
      const list = document.createElement("dl");
      const rows = [[word("cite_link", "Link"), address, "link"]]
        .concat(styles.map(([name, p]) => [name, render(p, slots), name.toLowerCase()]));
      rows.forEach(([name, value, key], i) => {
        if (!value) return;
        const dt = document.createElement("dt");
        dt.textContent = name;
        const dd = document.createElement("dd");
        const text = document.createElement("p");
        text.className = "cite-value";
        text.id = `cite-value-${i}`;
        text.setAttribute("data-style", key);
        text.textContent = value;
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = word("cite_copy", "Copy");
        button.setAttribute("aria-describedby", text.id);
        button.addEventListener("click", () => copy(value, text, status));
        dd.append(text, button);
        list.append(dt, dd);
      });
      dialog.append(list, status);
      (document.querySelector("main") || document.body).appendChild(dialog);
      const r = link.getBoundingClientRect();
      const page = document.documentElement.clientWidth;
      const width = Math.min(416, page - 16);
      const left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + page - width - 8));
      dialog.style.width = `${width}px`;
      dialog.style.left = `${left}px`;
      dialog.style.top = `${r.bottom + window.scrollY + 6}px`;
      const first = dialog.querySelector("button");
      if (first) first.focus({ preventScroll: true });
    };

    document.addEventListener("click", (e) => {
      const t = e.target instanceof Element ? e.target : null;
      if (dialog && t && dialog.contains(t)) return;
      const link = t && t.closest(OPENERS);
      // A modified click keeps its meaning (a new tab, a new window): the link is a link.
      if (link && !(e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) && e.button === 0) {
        e.preventDefault();
        if (opener === link) close(false);
        else show(link);
        return;
      }
      close(false);
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && dialog) {
        e.preventDefault();
        close(true);
      }
    });

    /* A verse line's link is in the tab order only where its number shows (and on line 1),
       so that a screen reader does not hear a number before every line. From one of them,
       the arrow keys go up and down line by line: the line reached is made a named, focusable
       link while it has focus (or opened its dialog), and hidden again when focus leaves it. */
    const lines = [...document.querySelectorAll(".text-body a.verse-line")];
    const reach = (link) => {
      if (link.getAttribute("aria-hidden") !== "true") return;
      link.removeAttribute("aria-hidden");
      link.setAttribute("tabindex", "0");
      link.setAttribute("aria-label", word("cite_line", "Cite line {n}", { n: link.getAttribute("data-n") || "" }));
      reached.add(link);
    };
    lines.forEach((l) => l.addEventListener("blur", () => {
      if (opener !== l) unreach(l);
    }));
    document.addEventListener("keydown", (e) => {
      if (!(e.key === "ArrowDown" || e.key === "ArrowUp") || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const i = lines.indexOf(document.activeElement);
      const to = i < 0 ? null : lines[e.key === "ArrowDown" ? i + 1 : i - 1];
      if (!to) return;
      e.preventDefault();
      reach(to);
      to.focus();
    });
    // A pointer's click focuses the link it cites: it must be a link assistive technology sees.
    lines.forEach((l) => l.addEventListener("mousedown", () => reach(l)));
  };

  // Each part stands alone: one that has nothing to do on this page returns early.
  notes();
  previews();
  searchBox();
  highlight();
  cite();
})();
