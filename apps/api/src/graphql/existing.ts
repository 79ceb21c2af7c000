// Rows that a foreign key guarantees (a caption's image and model, a rating's caption) back non-null fields. Null
// means the row was deleted while this request ran: an error either way, and this one names the missing row.
export async function existing<T>(
  loader: { load(id: string): Promise<T | null> },
  id: string,
  what: string,
): Promise<T> {
  const row = await loader.load(id);
  if (row === null) throw new Error(`The ${what} ${id} no longer exists; it was deleted while this request ran.`);
  return row;
}
