/**
 * British and American spellings of one word ("organiser" / "organizer", "colour" / "color") brought to
 * one form, to tell a spelling variant from another word. Used only to compare a word of the text with
 * the tagger's lemma, which is American ("organisers" → "organizer"), so a rough rule set is enough.
 */
const RULES: readonly [RegExp, string][] = [
  [/(?<=[a-z]{2})our/gu, 'or'], // colour, neighbour, favourite, behaviour
  [/(?<=[a-z]{2})is(e|es|ed|ing|er|ers|ation|ations)$/u, 'iz$1'], // organise, organisation
  [/(?<=[a-z]{2})ys(e|es|ed|ing|er|ers)$/u, 'yz$1'], // analyse
  [/(?<=[a-z]{2})tre(s?)$/u, 'ter$1'], // centre, metre
  [/(?<=[aeiou])ll(ed|ing|er|ers)$/u, 'l$1'], // travelled, cancelling
  [/(?<=[a-z]{2})ogue(s?)$/u, 'og$1'], // catalogue
  [/(?<=[a-z])ae/gu, 'e'], // paediatric
  [/(?<=[a-z])oe(?=[a-z])/gu, 'e'], // manoeuvre
  [/(def|off|lic|pret)ence/u, '$1ense'], // defence, offence
  [/(?<=[a-z]{3})mme(s?)$/u, 'm$1'], // programme
  [/geing$/u, 'ging'], // ageing
  [/sceptic/u, 'skeptic'],
  [/mould/u, 'mold'],
  [/plough/u, 'plow'],
  [/^grey/u, 'gray'],
  [/^tyre/u, 'tire'],
  [/jewellery/u, 'jewelry'],
  [/aluminium/u, 'aluminum'],
];

/** Whether any rule could apply: most words have none of these letters in a row. */
const BRITISH_HINT = /our|is(e|es|ed|ing|er|ers|ation|ations)$|ys(e|es|ed|ing|er|ers)$|tres?$|ll(ed|ing|er|ers)$|ogues?$|ae|oe|ence|mmes?$|geing$|sceptic|mould|plough|grey|tyre|jewellery|aluminium/u;

export function americanSpelling(word: string): string {
  let out = word.toLowerCase();
  if (!BRITISH_HINT.test(out)) return out;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/** Two spellings of one word form ("equaliser", "equalizer"), or the same spelling. */
export function sameWordForm(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || americanSpelling(a) === americanSpelling(b);
}

/** Base forms a word could be an inflection of by regular English rules: itself first, then without its ending. */
export function regularBases(word: string): string[] {
  const w = word.toLowerCase();
  const out = [w];
  const doubling = new Set(['ed', 'ing', 'er', 'est']);
  const add = (suffix: string, ...replacements: string[]) => {
    if (w.length <= suffix.length + 1 || !w.endsWith(suffix)) return;
    const stem = w.slice(0, -suffix.length);
    for (const r of replacements) out.push(stem + r);
    if (doubling.has(suffix) && stem.length > 2 && stem.at(-1) === stem.at(-2)) out.push(stem.slice(0, -1)); // stopped → stop
  };
  add('ies', 'y');
  add('ied', 'y');
  add('ier', 'y');
  add('iest', 'y');
  add('es', '', 'e');
  add('s', '');
  add('ed', '', 'e');
  add('ing', '', 'e');
  add('er', '', 'e');
  add('est', '', 'e');
  return [...new Set(out)];
}
