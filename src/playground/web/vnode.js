// Pure view trees: render code builds these, dom.js turns them into elements with createElement and
// text nodes only (never innerHTML), so no lesson or member text can become markup.

/**
 * @typedef {{ tag: string, attrs: Record<string, string | number | boolean | undefined | Record<string, string>>, children: VChild[] }} VNode
 * @typedef {VNode | string} VChild
 */

/**
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...(VChild | VChild[] | null | undefined | false)} children
 * @returns {VNode}
 */
export function h(tag, attrs, ...children) {
  /** @type {VChild[]} */
  const flat = [];
  const add = (/** @type {any} */ child) => {
    if (child === null || child === undefined || child === false || child === '') return;
    if (Array.isArray(child)) child.forEach(add);
    else flat.push(typeof child === 'object' ? child : String(child));
  };
  children.forEach(add);
  return { tag, attrs: attrs ?? {}, children: flat };
}

/** All the text a tree shows, as a reader would see it (for tests and accessibility checks). */
export function textOf(/** @type {VChild} */ node) {
  if (typeof node === 'string') return node;
  return node.children.map(textOf).join('');
}

/** Every node of a tree matching a predicate, depth first. */
export function findAll(/** @type {VChild} */ node, /** @type {(n: VNode) => boolean} */ predicate) {
  /** @type {VNode[]} */
  const found = [];
  const walk = (/** @type {VChild} */ n) => {
    if (typeof n === 'string') return;
    if (predicate(n)) found.push(n);
    n.children.forEach(walk);
  };
  walk(node);
  return found;
}

/** Nodes whose class list contains `name`. */
export function byClass(/** @type {VChild} */ node, /** @type {string} */ name) {
  return findAll(node, (n) => String(n.attrs.class ?? '').split(/\s+/u).includes(name));
}
