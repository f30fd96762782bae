// What an unknown thrown value says, in one place: a `catch (error)` binding is `unknown`, not `Error`.

/** The message of an Error, or the thrown value itself as text (a string, a number, an object). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
