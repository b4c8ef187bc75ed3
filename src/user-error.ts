/**
 * A problem the member can fix or should know about (bad option, unknown lesson, missing permission).
 * The router shows its message ephemerally; anything else is logged and answered with an apology.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}
