import type { Attachment } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { safeFileName } from '../../src/discord/attachments.js';

const named = (name: string) => safeFileName({ name } as Attachment);

describe('an uploaded file’s name as problems show it', () => {
  it('keeps letters and digits of every script (`\\w` kept only ASCII: レッスン.txt showed as _.txt)', () => {
    expect(named('レッスン.txt')).toBe('レッスン.txt');
    expect(named('leçon du jour.txt')).toBe('leçon_du_jour.txt');
    expect(named('2025-05-31 NHK (1).txt')).toBe('2025-05-31_NHK_1_.txt');
  });

  it('leaves no markup, path or mention characters, and at most 100 characters, never half of one', () => {
    expect(named('../../etc/*passwd*`@everyone`.json')).toBe('.._.._etc_passwd_everyone_.json');
    const long = named(`${'😀'.repeat(10)}${'あ'.repeat(120)}.txt`);
    expect([...long]).toHaveLength(100);
    expect(long).not.toMatch(/[\uD800-\uDFFF]/u);
    expect(named('***')).toBe('_');
  });
});
