// Line icons drawn on a 24×24 grid, stroked with currentColor so they follow the text colour.
// Built with createElementNS rather than innerHTML, so no markup string is ever parsed.

const PATHS = {
  settings: ['M4 21v-7', 'M4 10V3', 'M12 21v-9', 'M12 8V3', 'M20 21v-5', 'M20 12V3', 'M1 14h6', 'M9 8h6', 'M17 16h6'],
  sun: ['M12 2v2', 'M12 20v2', 'M4.93 4.93l1.41 1.41', 'M17.66 17.66l1.41 1.41', 'M2 12h2', 'M20 12h2', 'M4.93 19.07l1.41-1.41', 'M17.66 6.34l1.41-1.41', 'circle:12,12,4'],
  moon: ['M21 12.79A9 9 0 1 1 11.21 3 7 7 0 0 0 21 12.79z'],
  auto: ['circle:12,12,9', 'fill:M12 3a9 9 0 0 0 0 18z'],
  refresh: ['M23 4v6h-6', 'M20.49 15a9 9 0 1 1-2.12-9.36L23 10'],
  copy: ['rect:9,9,13,13,2', 'M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1'],
  check: ['M20 6L9 17l-5-5'],
  logout: ['M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4', 'M16 17l5-5-5-5', 'M21 12H9'],
  login: ['M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4', 'M10 17l5-5-5-5', 'M15 12H3'],
  alert: ['circle:12,12,10', 'M12 8v4', 'M12 16h.01'],
  warning: ['M10.29 3.86L1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0z', 'M12 9v4', 'M12 17h.01'],
  info: ['circle:12,12,10', 'M12 16v-4', 'M12 8h.01'],
  close: ['M18 6L6 18', 'M6 6l12 12'],
  cancelled: ['circle:12,12,10', 'M15 9l-6 6', 'M9 9l6 6'],
  external: ['M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6', 'M15 3h6v6', 'M10 14L21 3'],
  callback: ['M17 7L7 17', 'M17 17H7V7'],
  key: ['circle:7.5,15.5,4.5', 'M10.7 12.3L21 2', 'M15.5 7.5l3 3', 'M18 5l2.5 2.5'],
  clock: ['circle:12,12,10', 'M12 6v6l4 2'],
  plus: ['M12 5v14', 'M5 12h14'],
};

const NS = 'http://www.w3.org/2000/svg';

/** An inline SVG icon, hidden from assistive technology (the button or text next to it names it). */
export function icon(name, className = 'icon') {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', className);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const spec of PATHS[name] ?? PATHS.info) svg.append(shape(spec));
  return svg;
}

function shape(spec) {
  const [kind, rest] = spec.includes(':') ? spec.split(/:(.*)/s) : ['path', spec];
  if (kind === 'circle') {
    const [cx, cy, r] = rest.split(',');
    return el('circle', { cx, cy, r });
  }
  if (kind === 'rect') {
    const [x, y, width, height, rx] = rest.split(',');
    return el('rect', { x, y, width, height, rx });
  }
  if (kind === 'fill') return el('path', { d: rest, class: 'icon-fill' });
  return el('path', { d: spec });
}

function el(tag, attrs) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}
