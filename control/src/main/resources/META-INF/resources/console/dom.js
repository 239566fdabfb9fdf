// Every value from the server reaches the page through these helpers, as text (textContent) or as
// an attribute value: never as HTML. An endpoint tag or a log line holding <script> shows as text.

const SVG = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (name === 'text') {
      el.textContent = String(value);
    } else if (name in el && !(el instanceof SVGElement) && typeof value !== 'string') {
      el[name] = value; // properties such as value, checked, disabled
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An HTML element: h('a', {href: '#/x'}, 'text', child, ...). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG, tag), attrs, children);
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** A short message in the corner (role=status, read out by screen readers). */
export function toast(message) {
  const t = document.getElementById('toast');
  t.textContent = message;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.textContent = ''), 5000);
}

/** A page's own error line: shown where the action was, as text. */
export function errorLine(id) {
  return h('p', { id, class: 'error', role: 'alert' });
}

export function showError(el, error) {
  const text = error ? error.message || String(error) : '';
  if (el.textContent !== text) el.textContent = text; // role=alert: read out once, not every poll
}

/** A button that copies text to the clipboard. */
export function copyButton(label, text, id) {
  return h('button', {
    type: 'button', id, 'aria-label': label,
    on: {
      click: async () => {
        try {
          await navigator.clipboard.writeText(typeof text === 'function' ? text() : text);
          toast('Copied');
        } catch (e) {
          toast('The browser refused to copy: select the text and copy it');
        }
      },
    },
  }, 'Copy');
}

export function table(headers, rows, attrs) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
}
