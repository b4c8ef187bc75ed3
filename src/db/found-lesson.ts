/** A lesson as search, suggestions and related readings list it. */
export interface FoundLesson {
  readonly id: string;
  readonly title: string;
  readonly date: string;
  readonly category: string;
}

/** The columns a FoundLesson is read from. */
export interface FoundRow {
  id: string;
  title: string;
  article_date: string;
  category: string;
}

/** A row as a FoundLesson (the row-to-domain edge shared by lesson-search.ts and related-readings.ts). */
export const toFound = (row: FoundRow): FoundLesson => ({ id: row.id, title: row.title, date: row.article_date, category: row.category });
