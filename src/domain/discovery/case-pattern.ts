/**
 * Case-insensitive matching in the database, whatever its locale: PostgreSQL's own case folding (lower(), ILIKE,
 * `~*`) follows the database's ctype, under which `ΕΙΔΗΣΕΙΣ` may have no lower case at all (C), and lower() makes a
 * final `Σ` a `σ` where JavaScript writes `ς`. A pattern of explicit characters is compared as written everywhere.
 */

/** Each cased character of the Basic Multilingual Plane under its case key (below): `Σ` → `Σσς`, `K` → `KkK` (Kelvin). */
let casedForms: Map<string, string[]> | undefined;

/** The key a character's case forms share: its lower case's upper case (`ς`, `σ` and `Σ` give `Σ`). */
const caseKey = (char: string) => char.toLowerCase().toUpperCase();

function formsByKey(): Map<string, string[]> {
  if (casedForms) return casedForms;
  const forms = new Map<string, string[]>();
  for (let code = 0; code <= 0xffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCharCode(code);
    if (char.toLowerCase() === char && char.toUpperCase() === char) continue;
    const key = caseKey(char);
    const known = forms.get(key);
    if (known) known.push(char);
    else forms.set(key, [char]);
  }
  casedForms = forms;
  return forms;
}

/** One code point as a regular expression's character escape (nothing typed is read as the pattern's syntax). */
function escaped(char: string): string {
  const code = char.codePointAt(0)!;
  return code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A PostgreSQL regular expression (ARE) that finds `text` whatever the case of its characters, as JavaScript's case
 * mappings have them: each character is a bracket of its case forms (`Σ`, `σ` or `ς`: `[Σσς]`), each written as an
 * escape. A mapping to several characters is not followed (`ß` is not `SS`; `İ` matches `İ` only). Empty: any text.
 */
export function caseInsensitivePattern(text: string): string {
  const forms = formsByKey();
  return [...text]
    .map((char) => {
      const single = [char, char.toLowerCase(), char.toUpperCase()].filter((form) => [...form].length === 1);
      const all = [...new Set([...single, ...(forms.get(caseKey(char)) ?? [])])].sort();
      return all.length === 1 ? escaped(char) : `[${all.map(escaped).join('')}]`;
    })
    .join('');
}

/** `i` and a combining dot above: the lower case of `İ`, the one character whose lower case is two. */
const DOTTED_I = 'i\u0307';

/**
 * An anchored expression matching every text whose toLowerCase() is `text`'s (and a few more, to compare after):
 * the lower case's characters as caseInsensitivePattern finds them (a final `ς` also as `Σ`), its `i̇` also as `İ`.
 */
export function sameLowerCasePattern(text: string): string {
  const dotted = `(?:${escaped('\u0130')}|${caseInsensitivePattern(DOTTED_I)})`;
  return `^${text.toLowerCase().split(DOTTED_I).map(caseInsensitivePattern).join(dotted)}$`;
}
