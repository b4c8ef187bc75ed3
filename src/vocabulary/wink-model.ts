import model from 'wink-eng-lite-web-model';

/**
 * wink-nlp's English lite model, safe to load more than once in a process.
 *
 * Its `metaCER()` (1.8.1) stores its answer over its own input (`machines = JSON.stringify(machines)`), and every
 * `winkNLP(model)` calls it: each later load stringifies the string again, about twice as long each time. A process
 * that loads the model again (an import's vocabulary step after the model was given back; test files sharing a
 * process) held a string of ~330 MB by the 10th to 20th load, spent seconds in `JSON.stringify` on its way, then
 * failed with "RangeError: Invalid string length". The first answer is the right one: it is kept and given to every
 * later load (only the `sbd` and `pos` steps run, but wink reads the custom-entity model at every load).
 */
type MetaCER = () => unknown;
const withMetaCER = model as unknown as { metaCER: MetaCER };
const firstMetaCER = withMetaCER.metaCER.bind(model);
let metaCER: unknown;
withMetaCER.metaCER = () => (metaCER ??= firstMetaCER());

export { model as englishModel };
