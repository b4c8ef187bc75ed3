import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportJson } from '../../src/reading/export-json.js';

const replacer = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);
const noPause = () => Promise.resolve();

const row = fc.dictionary(
  fc.string({ maxLength: 8 }),
  fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.bigInt(), fc.date({ noInvalidDate: true }), fc.jsonValue()),
  { maxKeys: 5 },
);
const document = fc.record({
  format: fc.constant('newsdesk-member-export'),
  version: fc.constant(1),
  userId: fc.string(),
  exportedAt: fc.string(),
  tables: fc.dictionary(fc.string({ maxLength: 12 }), fc.array(row, { maxLength: 6 }), { maxKeys: 4 }),
});

describe('a member export’s JSON, written a slice of rows at a time', () => {
  it('is exactly what JSON.stringify writes, indented or on one line, whatever the rows hold', async () => {
    await fc.assert(
      fc.asyncProperty(document, fc.integer({ min: 1, max: 4 }), async (doc, rowsPerSlice) => {
        for (const pretty of [true, false]) {
          const written = await exportJson(doc, { pretty, replacer, pause: noPause, rowsPerSlice });
          expect(written).toBe(JSON.stringify(doc, replacer, pretty ? 2 : undefined));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('leaves out a field it cannot write, and writes such a row as null, as JSON.stringify does', async () => {
    const doc = { format: 'x', exportedAt: undefined, tables: { t: [undefined, { a: undefined, b: 1 }] } };
    for (const pretty of [true, false]) {
      expect(await exportJson(doc, { pretty, replacer, pause: noPause })).toBe(JSON.stringify(doc, replacer, pretty ? 2 : undefined));
    }
  });

  it('gives the event loop a turn between slices of rows', async () => {
    let pauses = 0;
    const rows = Array.from({ length: 1_250 }, (_, i) => ({ id: i, kind: 'dialogue' }));
    const doc = { format: 'x', tables: { reading_events: rows, member_settings: [] } };
    const written = await exportJson(doc, { pretty: true, replacer, pause: async () => void pauses++, rowsPerSlice: 500 });
    expect(pauses).toBe(2);
    expect(JSON.parse(written)).toEqual(doc);
  });

  it('refuses a document whose tables are not its last key (they would be written out of place)', async () => {
    const doc = { tables: {}, after: 1 };
    await expect(exportJson(doc, { pretty: true, replacer, pause: noPause })).rejects.toThrow(/last key/u);
  });
});
