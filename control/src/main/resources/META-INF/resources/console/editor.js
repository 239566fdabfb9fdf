// A YAML editor: the text, its line numbers, and the API's problems shown beside the lines they
// name. The API checks the spec (the console does not repeat its rules); this module only finds
// the line a problem is about.
import { h, clear } from './dom.js';

/**
 * The line (1-based) a problem names, or null. A syntax error says "line N"; a rule names its key
 * path first ("scale_settings.max_instances = 0, must be ..."), found here by following the YAML's
 * indentation.
 */
export function lineOf(yaml, problem) {
  const syntax = / at line (\d+), column \d+/.exec(problem); // the parser's syntax errors
  if (syntax) return Number(syntax[1]);
  const key = /^([A-Za-z_$][\w$-]*(?:\[\d+\]|\.[\w$-]+)*)/.exec(problem);
  if (!key) return null;
  const wanted = key[1].replace(/\[\d+\]/g, '').split('.');
  const lines = yaml.split('\n');
  const stack = []; // [indent, key] of the keys enclosing the current line
  let best = null;
  let bestDepth = 0;
  lines.forEach((line, i) => {
    const m = /^(\s*(?:-\s+)?)([^\s#:][^:#]*?)\s*:(?:\s|$)/.exec(line);
    if (!m) return;
    const indent = m[1].length; // a list item's keys sit after its dash
    while (stack.length && stack[stack.length - 1][0] >= indent) stack.pop();
    stack.push([indent, m[2].replace(/^["']|["']$/g, '')]);
    const path = stack.map((e) => e[1]);
    let depth = 0;
    while (depth < path.length && depth < wanted.length && path[depth] === wanted[depth]) depth++;
    if (depth === path.length && depth > bestDepth) {
      best = i + 1;
      bestDepth = depth;
    }
  });
  return best;
}

/**
 * The editor: {element, text(), set(text), showProblems(problems)}; `id` prefixes the ids of its
 * parts (the textarea is `${id}-text`, the problems list `${id}-problems`).
 */
export function yamlEditor(id, label, initial) {
  const gutter = h('pre', { class: 'gutter', 'aria-hidden': 'true', id: `${id}-gutter` });
  const area = h('textarea', {
    id: `${id}-text`, class: 'code', spellcheck: 'false', rows: '16', autocomplete: 'off',
    'aria-describedby': `${id}-hint ${id}-problems`,
  });
  area.value = initial;
  const problems = h('ul', { class: 'problems', id: `${id}-problems`, 'aria-live': 'polite' });
  const hint = h('span', { class: 'muted', id: `${id}-hint` }, ' (Tab inserts two spaces; Esc then Tab leaves the editor)');
  let bad = new Set();

  function numbers() {
    const count = area.value.split('\n').length;
    clear(gutter);
    for (let i = 1; i <= count; i++) {
      gutter.append(bad.has(i) ? h('span', { class: 'bad' }, String(i)) : String(i), '\n');
    }
    gutter.scrollTop = area.scrollTop;
  }
  area.addEventListener('input', numbers);
  area.addEventListener('scroll', () => (gutter.scrollTop = area.scrollTop));
  // Tab inserts two spaces (YAML has no tabs); Escape then Tab leaves the editor, for keyboards.
  let escaped = false;
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { escaped = true; return; }
    if (e.key === 'Tab' && !e.shiftKey && !escaped) {
      e.preventDefault();
      area.setRangeText('  ', area.selectionStart, area.selectionEnd, 'end');
      numbers();
    }
    escaped = false;
  });
  numbers();

  return {
    element: h('div', {},
      h('label', { for: area.id, class: 'muted' }, label), hint,
      h('div', { class: 'editor' }, gutter, area, problems)),
    text: () => area.value,
    set(text) { area.value = text; numbers(); },
    showProblems(list) {
      clear(problems);
      bad = new Set();
      for (const p of list) {
        const line = lineOf(area.value, p);
        if (line) bad.add(line);
        problems.append(h('li', {}, line ? `line ${line}: ` : '', p));
      }
      numbers();
    },
  };
}
