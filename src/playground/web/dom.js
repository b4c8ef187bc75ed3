// Turns view trees into DOM: createElement, text nodes and a fixed set of attributes; never innerHTML.

const URL_ATTRIBUTES = new Set(['href', 'src']);

/** @param {import('./vnode.js').VChild} node @returns {Node} */
export function mount(node) {
  if (typeof node === 'string') return document.createTextNode(node);
  const element = document.createElement(node.tag);
  for (const [name, value] of Object.entries(node.attrs)) {
    if (value === undefined || value === false || value === null) continue;
    if (name === 'style' && typeof value === 'object') {
      // Through the CSSOM (allowed by the page's Content-Security-Policy), never a style attribute string.
      for (const [property, v] of Object.entries(value)) element.style.setProperty(property.replace(/[A-Z]/gu, (c) => `-${c.toLowerCase()}`), String(v));
      continue;
    }
    if (name.startsWith('on')) continue;
    if (URL_ATTRIBUTES.has(name) && !/^(https?:\/\/|#)/iu.test(String(value))) continue;
    if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of node.children) element.append(mount(child));
  return element;
}

/** Replaces an element's children with mounted trees. */
export function replaceChildren(/** @type {Element} */ parent, /** @type {import('./vnode.js').VChild[]} */ nodes) {
  parent.replaceChildren(...nodes.map(mount));
}

/** The view tree each element kept by updateChildren was made from, as JSON. */
const madeFrom = new WeakMap();

/**
 * Makes `parent`'s children the mounted `nodes`, keeping every child made from the same tree as one of them (a
 * message unchanged stays the same element): a live region (the messages' log) then tells a screen reader of what
 * is new or changed only, and a page's own state on those elements (the focus, a revealed spoiler) stays.
 */
export function updateChildren(/** @type {Element} */ parent, /** @type {import('./vnode.js').VChild[]} */ nodes) {
  /** @type {Map<string, Node[]>} */
  const reusable = new Map();
  for (const child of parent.childNodes) {
    const json = madeFrom.get(child);
    if (json !== undefined) reusable.set(json, [...(reusable.get(json) ?? []), child]);
  }
  const wanted = nodes.map((node) => {
    const json = JSON.stringify(node);
    const kept = reusable.get(json)?.shift();
    if (kept) return kept;
    const made = mount(node);
    madeFrom.set(made, json);
    return made;
  });
  const keep = new Set(wanted);
  for (const child of [...parent.childNodes]) if (!keep.has(child)) child.remove();
  wanted.forEach((node, index) => {
    const here = parent.childNodes[index];
    if (here !== node) parent.insertBefore(node, here ?? null);
  });
}
