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
 *
 * No libraries, no innerHTML: only classes, attributes and the open state of <details>.
 */

/* A part of the URL (the fragment, a query value) says whatever the link's author wrote: a
   malformed %-escape (#%E0%A4%A) gives back the text as written instead of throwing, which
   would stop everything after it (notes left unplaced). Every decoding in this file goes
   through it. */
function scholiaDecode(s) {
  "use strict";
  try { return decodeURIComponent(s); } catch (err) { return String(s); }
}

(function () {
  "use strict";

  var body = document.querySelector(".text-body");
  if (!body) return;

  // Keep in sync with the wide-screen breakpoint in style.css (section 6).
  var wide = window.matchMedia("(min-width: 66rem)");
  var esc = window.CSS && CSS.escape ? CSS.escape : function (s) { return String(s).replace(/[^a-zA-Z0-9_-]/g, "\\$&"); };

  function notesOf(id) {
    var note = document.getElementById(id);
    return note && note.classList.contains("note") ? note : null;
  }
  function marksOf(id) {
    return body.querySelectorAll('mark.passage[data-note="' + esc(id) + '"]');
  }
  function detailsOf(note) {
    return note ? note.querySelector(":scope > details") : null;
  }

  /* --- Linked highlighting ------------------------------------------------------------------ */

  var lit = [];
  function light(id) {
    clear();
    if (!id) return;
    var note = notesOf(id);
    if (note) lit.push(note);
    Array.prototype.push.apply(lit, marksOf(id));
    lit.forEach(function (el) { el.classList.add("is-linked"); });
  }
  function clear() {
    lit.forEach(function (el) { el.classList.remove("is-linked"); });
    lit = [];
  }
  // The innermost mark wins when passages overlap.
  function idFrom(target) {
    if (!(target instanceof Element)) return null;
    var mark = target.closest("mark.passage[data-note]");
    if (mark && body.contains(mark)) return mark.getAttribute("data-note");
    var note = target.closest(".note[id]");
    return note && body.contains(note) ? note.id : null;
  }
  function onEnter(e) { light(idFrom(e.target)); }
  function onLeave(e) {
    var to = e.relatedTarget;
    if (!to || idFrom(to) !== idFrom(e.target)) light(idFrom(to));
  }
  body.addEventListener("mouseover", onEnter);
  body.addEventListener("mouseout", onLeave);
  body.addEventListener("focusin", onEnter);
  body.addEventListener("focusout", onLeave);

  /* --- Click on a passage (narrow screens): open its note ------------------------------------ */

  body.addEventListener("click", function (e) {
    if (!(e.target instanceof Element) || e.target.closest("a")) return;
    var mark = e.target.closest("mark.passage[data-note]");
    if (!mark || String(window.getSelection ? window.getSelection() : "").length) return;
    var note = notesOf(mark.getAttribute("data-note"));
    if (wide.matches) {
      if (note && note.classList.contains("note-clamp")) expand(note, !note.classList.contains("note-expanded"));
      return;
    }
    var details = detailsOf(note);
    if (!details) return;
    details.open = true;
    note.scrollIntoView({ block: "nearest", behavior: reduceMotion() ? "auto" : "smooth" });
    var summary = details.querySelector("summary");
    if (summary) summary.focus({ preventScroll: true });
  });
  function reduceMotion() {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  /* --- Open a note that is the target of the URL --------------------------------------------- */

  function openTarget() {
    var id = scholiaDecode(location.hash.slice(1));
    if (!id) return;
    var el = document.getElementById(id);
    var note = el && el.closest(".note");
    var details = detailsOf(note);
    if (details) details.open = true;
    if (note) expand(note, true);
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  /* --- Wide screens: notes open, each placed beside its passage; print: every note open ------ */

  var allNotes = body.querySelectorAll(".notes > .note");

  // Long notes in the margin: cut to a few lines (style.css: .note-clamp), with a button.
  function expand(note, on) {
    note.classList.toggle("note-expanded", on);
    var button = note.querySelector(".note-more");
    if (button) {
      button.setAttribute("aria-expanded", String(on));
      button.textContent = on ? "Show less of this note" : "Show all of this note";
    }
  }
  function clampAll() {
    allNotes.forEach(function (note) {
      var noteBody = note.querySelector(".note-body");
      if (!noteBody) return;
      // Measure with the clamp on: is there more than it shows?
      var expanded = note.classList.contains("note-expanded");
      note.classList.remove("note-expanded");
      note.classList.add("note-clamp");
      var long = wide.matches && noteBody.scrollHeight > noteBody.clientHeight + 4;
      note.classList.toggle("note-clamp", long);
      note.classList.toggle("note-expanded", expanded);
      var button = note.querySelector(".note-more");
      if (long && !button) {
        if (!noteBody.id) noteBody.id = note.id + "-body";
        button = document.createElement("button");
        button.type = "button";
        button.className = "note-more";
        button.setAttribute("aria-controls", noteBody.id);
        button.addEventListener("click", function () {
          expand(note, !note.classList.contains("note-expanded"));
        });
        noteBody.parentNode.insertBefore(button, noteBody.nextSibling);
        expand(note, expanded);
      }
      if (button) button.hidden = !long;
    });
  }
  var openedByUs = [];
  function openAll() {
    allNotes.forEach(function (note) {
      var d = detailsOf(note);
      if (d && !d.open) { d.open = true; openedByUs.push(d); }
    });
  }
  function restore() {
    openedByUs.forEach(function (d) { d.open = false; });
    openedByUs = [];
  }

  // Where a note would like to start: the first line of its passage, or of its paragraph.
  function anchorTop(note, origin) {
    var mark = document.getElementById("mark-" + note.id) || marksOf(note.id)[0];
    var el = mark || note.closest(".para") || note.parentNode;
    var rects = el.getClientRects();
    return (rects.length ? rects[0].top : el.getBoundingClientRect().top) - origin;
  }
  // Top to bottom, each note goes to its passage's line, or just below the note before it.
  function place() {
    if (!wide.matches) return unplace();
    body.classList.add("notes-placed");
    var origin = body.getBoundingClientRect().top;
    var space = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    var bottom = -Infinity;
    allNotes.forEach(function (note) {
      var top = Math.max(anchorTop(note, origin), bottom + space);
      note.style.top = top + "px";
      bottom = top + note.offsetHeight;
    });
    var min = bottom > 0 ? Math.ceil(bottom) + "px" : "";   // room for a last, long note
    if (body.style.minHeight !== min) body.style.minHeight = min;
  }
  function unplace() {
    if (!body.classList.contains("notes-placed")) return;
    body.classList.remove("notes-placed");
    body.style.minHeight = "";
    allNotes.forEach(function (note) { note.style.top = ""; });
  }
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; place(); });
  }
  // In the margin a summary is only a heading: take it out of the tab order there.
  function summaries(inert) {
    allNotes.forEach(function (note) {
      var summary = note.querySelector(":scope > details > summary");
      if (!summary) return;
      if (inert) summary.setAttribute("tabindex", "-1");
      else summary.removeAttribute("tabindex");
    });
  }
  function sync() {
    if (wide.matches) openAll(); else restore();
    summaries(wide.matches);
    clampAll();
    place();
  }
  if (wide.addEventListener) wide.addEventListener("change", sync);
  sync();
  // Text reflows when the window resizes, fonts or images load, or a note is toggled.
  if (window.ResizeObserver) {
    var ro = new ResizeObserver(schedule);
    ro.observe(body);
    allNotes.forEach(function (note) { ro.observe(note); });
  } else {
    window.addEventListener("resize", schedule);
  }
  // Web fonts change how many lines a note takes.
  window.addEventListener("load", function () { clampAll(); schedule(); });
  window.addEventListener("beforeprint", openAll);
  window.addEventListener("afterprint", sync);

  /* --- Keyboard-scrollable code blocks ------------------------------------------------------- */

  function scrollables() {
    body.querySelectorAll("pre").forEach(function (pre) {
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
  }
  scrollables();
  window.addEventListener("resize", scrollables);
})();

/* Link previews: hovering or focusing a cross-link (a.xref) shows what it points to in a
   small popover. The content is in the page already (div.previews, hidden), so this works
   from file:// and offline; without JavaScript the link simply navigates. Escape closes. */
(function () {
  'use strict';
  var store = document.querySelector('.previews');
  if (!store) return;
  var popover = null;
  var current = null;
  var hideTimer = 0;

  function contentFor(link) {
    var key = link.getAttribute('data-target');
    if (!key) return null;
    var items = store.querySelectorAll('.preview');
    for (var i = 0; i < items.length; i++) {
      if (items[i].getAttribute('data-preview-for') === key) return items[i];
    }
    return null;
  }

  function ensurePopover() {
    if (popover) return popover;
    popover = document.createElement('div');
    popover.id = 'scholia-preview';
    popover.className = 'preview-popover';
    popover.setAttribute('role', 'tooltip');
    popover.hidden = true;
    popover.addEventListener('mouseenter', function () { clearTimeout(hideTimer); });
    popover.addEventListener('mouseleave', scheduleHide);
    // Inside <main>, so the popover belongs to a landmark (it is positioned absolutely
    // against the page, and <main> is not positioned).
    (document.querySelector('main') || document.body).appendChild(popover);
    return popover;
  }

  function show(link) {
    var source = contentFor(link);
    if (!source) return;
    clearTimeout(hideTimer);
    var pop = ensurePopover();
    while (pop.firstChild) pop.removeChild(pop.firstChild);
    pop.appendChild(source.cloneNode(true));
    pop.hidden = false;
    if (current && current !== link) current.removeAttribute('aria-describedby');
    current = link;
    link.setAttribute('aria-describedby', pop.id);
    var r = link.getBoundingClientRect();
    var width = Math.min(352, document.documentElement.clientWidth - 16);
    var left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8));
    pop.style.width = width + 'px';
    pop.style.left = left + 'px';
    pop.style.top = (r.bottom + window.scrollY + 6) + 'px';
  }

  function hide() {
    if (!popover || popover.hidden) return;
    popover.hidden = true;
    if (current) current.removeAttribute('aria-describedby');
    current = null;
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 250);
  }

  function linkOf(e) {
    var t = e.target;
    return t && t.closest ? t.closest('a.xref[data-target]') : null;
  }

  document.addEventListener('mouseover', function (e) { var a = linkOf(e); if (a) show(a); });
  document.addEventListener('mouseout', function (e) { if (linkOf(e)) scheduleHide(); });
  document.addEventListener('focusin', function (e) { var a = linkOf(e); if (a) show(a); else hide(); });
  document.addEventListener('focusout', function (e) { if (linkOf(e)) scheduleHide(); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && popover && !popover.hidden) {
      hide();
    }
  });
})();

/* Search: the box in the header loads search.js (the client of the index under search/) the
   first time it gets focus; "/" focuses it. Without JavaScript the box submits to the search
   page. A result link carries ?highlight=word…: on arrival the words are marked in the
   target passage (as <mark class="search-hit"> elements) and the first one scrolled to. */
(function () {
  'use strict';
  var form = document.querySelector('form.site-search');
  var input = form && form.querySelector('input[name="q"]');
  var requested = false;

  function loadSearch() {
    if (requested || window.scholiaSearch) return;
    requested = true;
    var s = document.createElement('script');
    s.src = new URL('../assets/search.js', form.action).href;
    s.async = true;
    document.head.appendChild(s);
  }
  if (input) {
    input.addEventListener('focus', loadSearch);
    if (document.activeElement === input) loadSearch();
  }

  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var t = e.target;
    if (t && (t.isContentEditable || (t.closest && t.closest('input, textarea, select')))) return;
    var box = document.querySelector('form.search-form input[name="q"]') || input;
    if (!box) return;
    e.preventDefault();
    box.focus();
    box.select();
  });

  var words;
  try {
    words = (new URLSearchParams(location.search).get('highlight') || '').split(/\s+/)
      .filter(function (w) { return w.length > 0 && w.length <= 64; }).slice(0, 10);
  } catch (err) { return; }
  if (!words.length) return;
  var id = scholiaDecode(location.hash.slice(1));
  var target = (id && document.getElementById(id)) || document.querySelector('main');
  if (!target) return;
  var alternatives = words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }).join('|');
  var re;
  try {
    re = new RegExp('(?<![\\p{L}\\p{N}_])(?:' + alternatives + ')(?![\\p{L}\\p{N}_])', 'giu');
  } catch (err) {
    re = new RegExp('\\b(?:' + alternatives + ')\\b', 'gi');
  }
  // In a paragraph, its notes and number are not the passage.
  var skip = target.classList.contains('para') ? '.notes, .pnum' : '.pnum';
  var walker = document.createTreeWalker(target, NodeFilter.SHOW_TEXT, {
    acceptNode: function (node) {
      var p = node.parentElement;
      var out = p && p.closest(skip);
      if (!p || p.closest('script, style, mark.search-hit') || (out && target.contains(out))) {
        return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_ACCEPT;
    }
  });
  var nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  var first = null;
  nodes.forEach(function (node) {
    var text = node.nodeValue, last = 0, m, frag = null;
    re.lastIndex = 0;
    while ((m = re.exec(text))) {
      if (!m[0]) { re.lastIndex++; continue; }
      frag = frag || document.createDocumentFragment();
      frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement('mark');
      mark.className = 'search-hit';
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
    var details = first.closest('details');
    if (details && !details.open) details.open = true;
    first.scrollIntoView({ block: 'center' });
  }
})();
