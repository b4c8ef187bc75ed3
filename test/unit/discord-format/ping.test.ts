import { describe, expect, it } from 'vitest';
import { dailyPing, roleMention } from '../../../src/domain/discord-format/ping.js';

const GUILD = '800000000000000001';
const ROLE = '800000000000000042';

describe('dailyPing', () => {
  it('pings nobody without a role, and allows no mention at all', () => {
    expect(dailyPing(null, GUILD)).toEqual({ prefix: '', allowedMentions: { parse: [] } });
  });

  it('mentions the chosen role and allows that role only', () => {
    expect(dailyPing(ROLE, GUILD)).toEqual({ prefix: `<@&${ROLE}> `, allowedMentions: { parse: [], roles: [ROLE] } });
  });

  it("writes the server's @everyone role (its id is the server's) as @everyone, which a role mention of it would not notify", () => {
    expect(dailyPing(GUILD, GUILD)).toEqual({ prefix: '@everyone ', allowedMentions: { parse: ['everyone'] } });
  });
});

describe('roleMention', () => {
  it('names @everyone as text and any other role as its mention', () => {
    expect(roleMention(GUILD, GUILD)).toBe('@everyone');
    expect(roleMention(ROLE, GUILD)).toBe(`<@&${ROLE}>`);
  });
});
