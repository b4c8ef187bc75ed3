export interface ParseOptions {
  /** The file's name, used in error messages (`file:line: message`). */
  readonly file: string;
  /** IANA zone the export's times were written in (they carry no offset). Default `UTC`. JSON times carry their own. */
  readonly importTimeZone?: string;
}
