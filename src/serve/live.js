// scholia serve: live reload and errors in the page. Served by `scholia serve` only (it is
// never part of a build), loaded by a tag serve adds to every page it serves.
//
// The server sends the site's status when this page connects and after every rebuild:
// a good build other than the one this page came from reloads it, keeping its scroll
// position (or, when the save changed a paragraph of this page out of sight, showing that
// paragraph); a failed one shows its diagnostics in a dialog over the page. Everything the
// server sends is put in the page as text (textContent), never as markup.
(() => {
  'use strict';

  const script = document.currentScript;
  const loadedFrom = script ? script.dataset.build : null;
  const SCROLL_KEY = 'scholia-live-scroll';
  let source = null;
  let dialog = null;
  let focusBefore = null;

  // -- Reloading, keeping the scroll position --------------------------------------------

  const here = () => location.pathname.replace(/index\.html$/, '');

  const reload = (edited) => {
    const jump = edited && edited.page === here() ? edited.id : null;
    try {
      sessionStorage.setItem(SCROLL_KEY, JSON.stringify({
        path: location.pathname, x: window.scrollX, y: window.scrollY, jump,
      }));
    } catch (e) { /* storage refused: reload anyway */ }
    location.reload();
  };

  const restoreScroll = () => {
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(SCROLL_KEY) || 'null');
      sessionStorage.removeItem(SCROLL_KEY);
    } catch (e) { return; }
    if (!saved || saved.path !== location.pathname) return;
    // After the theme's script has placed the notes (on load), which moves things.
    const go = () => requestAnimationFrame(() => {
      window.scrollTo({ left: saved.x, top: saved.y, behavior: 'instant' });
      const edited = saved.jump ? document.getElementById(saved.jump) : null;
      if (!edited) return;
      const box = edited.getBoundingClientRect();
      if (box.bottom < 0 || box.top > window.innerHeight) {
        edited.scrollIntoView({ block: 'center', behavior: 'instant' });
      }
    });
    if (document.readyState === 'complete') go();
    else window.addEventListener('load', go, { once: true });
  };

  // -- The dialog of diagnostics -----------------------------------------------------------

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };

  const stylesheet = () => {
    if (document.querySelector('link[data-scholia-live]')) return;
    const link = el('link');
    link.rel = 'stylesheet';
    link.href = '/_scholia/live.css';
    link.dataset.scholiaLive = '';
    document.head.appendChild(link);
  };

  const place = (p) => {
    if (!p.file) return null;
    let at = p.file;
    if (p.line) at += ':' + p.line + (p.column ? ':' + p.column : '');
    return at;
  };

  const problem = (p) => {
    const item = el('li', 'scholia-live-problem');
    const head = el('p', 'scholia-live-message');
    head.appendChild(el('strong', 'scholia-live-severity scholia-live-' +
      (p.severity === 'warning' ? 'warning' : 'error'), (p.severity || 'error') + ':'));
    head.appendChild(document.createTextNode(' ' + p.message));
    item.appendChild(head);
    const at = place(p);
    if (at) {
      const where = el('p', 'scholia-live-place');
      where.appendChild(el('span', 'scholia-live-label', 'in '));
      where.appendChild(el('code', null, at));
      item.appendChild(where);
    }
    if (p.snippet) {
      const pre = el('pre', 'scholia-live-snippet');
      pre.appendChild(el('code', null, p.snippet));
      item.appendChild(pre);
    }
    if (p.label) item.appendChild(el('p', 'scholia-live-note', p.label));
    for (const note of p.notes || []) item.appendChild(el('p', 'scholia-live-note', 'note: ' + note));
    if (p.help) item.appendChild(el('p', 'scholia-live-help', 'help: ' + p.help));
    return item;
  };

  const hide = () => {
    if (dialog && dialog.open) dialog.close();
  };

  // One dialog, made when first needed and filled again with each failed build.
  const make = () => {
    const d = el('dialog', 'scholia-live');
    d.id = 'scholia-live';
    d.setAttribute('role', 'alertdialog');
    d.setAttribute('aria-modal', 'true');
    d.setAttribute('aria-labelledby', 'scholia-live-title');
    d.setAttribute('aria-describedby', 'scholia-live-summary');
    const title = el('h2', 'scholia-live-title', 'The site did not rebuild');
    title.id = 'scholia-live-title';
    d.appendChild(title);
    const summary = el('p', 'scholia-live-summary');
    summary.id = 'scholia-live-summary';
    d.appendChild(summary);
    d.appendChild(el('ol', 'scholia-live-problems'));
    const close = el('button', 'scholia-live-close', 'Dismiss');
    close.type = 'button';
    close.addEventListener('click', hide);
    d.appendChild(close);
    // Escape closes a modal dialog too; either way, focus goes back where it was.
    d.addEventListener('close', () => {
      if (focusBefore && focusBefore.isConnected) focusBefore.focus();
      focusBefore = null;
    });
    document.body.appendChild(d);
    return d;
  };

  const show = (status) => {
    stylesheet();
    if (!dialog) dialog = make();
    const problems = status.problems || [];
    const errors = problems.filter((p) => p.severity !== 'warning').length;
    const more = status.total > problems.length
      ? ' (the first ' + problems.length + ' of ' + status.total + ' shown; the terminal has them all)'
      : '';
    dialog.querySelector('.scholia-live-summary').textContent =
      errors + (errors === 1 ? ' error' : ' errors') + more +
      '. This page is the last good build. Fix the file and save: this message goes away.';
    dialog.querySelector('.scholia-live-problems').replaceChildren(...problems.map(problem));
    if (!dialog.open) {
      focusBefore = document.activeElement;
      dialog.showModal();
      dialog.querySelector('.scholia-live-close').focus();
    }
  };

  // -- The event stream --------------------------------------------------------------------

  const onStatus = (status) => {
    if (status.state === 'failed') show(status);
    else if (String(status.build) !== loadedFrom) reload(status.edited);
    else hide();
  };

  const connect = () => {
    if (source) return;
    source = new EventSource('/_scholia/events');
    source.onmessage = (event) => {
      let status;
      try { status = JSON.parse(event.data); } catch (e) { return; }
      onStatus(status);
    };
  };

  // A page out of sight lets its connection go (browsers open few at once to one
  // server); back in sight, it connects again and hears the status at once.
  const disconnect = () => {
    if (source) source.close();
    source = null;
  };

  restoreScroll();
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) disconnect(); else connect();
  });
  if (!document.hidden) connect();
})();
