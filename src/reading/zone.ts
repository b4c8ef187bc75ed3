/** Where a member's zone came from: their own `/settings timezone`, the server's schedule, or neither (UTC). */
export type ZoneSource = 'member' | 'server' | 'utc';
