// Quoting for SQL text built in code: file paths and ids become literals, names identifiers.
export const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;
export const sqlIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
