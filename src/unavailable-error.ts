/**
 * Something the bot depends on is unavailable for a while (the database not answering): neither the member's doing
 * nor a bug in the bot. The member gets the usual apology; the router logs such failures compactly, since an outage
 * brings one for every interaction.
 */
export class TemporarilyUnavailableError extends Error {}
