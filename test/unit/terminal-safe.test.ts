import { describe, expect, it } from 'vitest';
import { terminalSafe } from '../../src/domain/text.js';

describe('terminalSafe: text printed to a terminal', () => {
  it('writes an escape sequence in a file name as its escapes, so the terminal shows it', () => {
    expect(terminalSafe('bad\u001b[31mred.json:1: missing "ID:"')).toBe('bad\\u001b[31mred.json:1: missing "ID:"');
  });

  it('escapes C1 controls (an 8-bit CSI), DEL, a bell and a backspace', () => {
    expect(terminalSafe('a\u009b2Jb\u007fc\u0007d\u0008e\u0085f')).toBe('a\\u009b2Jb\\u007fc\\u0007d\\u0008e\\u0085f');
  });

  it('keeps tabs, line feeds and a carriage return that ends a line; a lone carriage return is shown', () => {
    expect(terminalSafe('one\ttwo\nthree\r\nfour')).toBe('one\ttwo\nthree\r\nfour');
    expect(terminalSafe('shown\rhidden')).toBe('shown\\u000dhidden');
  });

  it('leaves letters of every script, emoji and bidirectional text as they are', () => {
    const text = 'Übersee — 東京 · مرحبا 👋 café';
    expect(terminalSafe(text)).toBe(text);
  });

  it('escapes the bidirectional overrides, embeddings and isolates (a title turning a line around), keeps the marks', () => {
    expect(terminalSafe('abc \u202Eevil txt.exe')).toBe('abc \\u202eevil txt.exe');
    expect(terminalSafe('\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069')).toBe('\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069');
    expect(terminalSafe('שלום\u200F!\u200E')).toBe('שלום\u200F!\u200E');
    expect(JSON.parse(terminalSafe(JSON.stringify({ title: 'a\u202Eb' })))).toEqual({ title: 'a\u202Eb' });
  });

  it('keeps JSON meaning: a C1 control in a JSON string reads back as the same character', () => {
    const json = JSON.stringify({ title: 'x\u009by\u007f' });
    expect(JSON.parse(terminalSafe(json))).toEqual({ title: 'x\u009by\u007f' });
  });
});
