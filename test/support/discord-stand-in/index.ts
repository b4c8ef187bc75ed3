// The stand-in grew into the product's local Discord (src/local-discord/), which the playground runs too.
export * from '../../../src/local-discord/index.js';
