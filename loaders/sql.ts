// Quoting for SQL text built in code: file paths and ids become literals, names identifiers.
export const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;
/** A value as an SQL literal: quoted text, or NULL (which equals nothing, so `file = NULL` selects no row). */
export const sqlLiteral = (text: string | null | undefined) => (text == null ? "NULL" : sqlString(text));
export const sqlIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
