// The text of anything thrown, for messages: an Error's message, else the thing itself as text (a
// library may throw a string or an object). In the lowest room so that every room may use it.

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}
