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
