// Tiny DOM helpers, so views read as markup rather than as createElement calls.

/** The element with `id`; a missing hook is a bug in index.html, so say which. */
export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
}

/**
 * Creates an element. `props`: `class`, `text`, `on<event>` handlers, `dataset`, and any other
 * attribute (true → present, false/null → absent). Children may be nodes, strings or arrays.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child != null && child !== false) el.append(child);
  }
  return el;
}

/** Sets a button's label text (the `.label` span beside its icon) and busy state. */
export function setButton(button, { label, busy = false, disabled = busy } = {}) {
  const span = button.querySelector('.label') ?? button;
  if (label !== undefined && span.textContent !== label) span.textContent = label;
  button.disabled = disabled;
  button.toggleAttribute('aria-busy', busy);
}

/** Whether focus sits on something no longer visible (or nowhere), so it should be moved. */
export function focusIsLost() {
  const active = document.activeElement;
  return !active || active === document.body || active.closest('[hidden]') !== null;
}

/**
 * Runs `task` once the next frame has been painted: for work the first paint should not wait for
 * (rAF callbacks run just before a frame is drawn; a task queued from one runs after it).
 */
export function afterNextPaint(task) {
  requestAnimationFrame(() => setTimeout(task, 0));
}

/**
 * Sets `el`'s text only when it differs: writing the same text still replaces the text node, and
 * WebKit lays out and paints the window again for it.
 */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
