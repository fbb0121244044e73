/** Joins class names, skipping falsy entries, so optional classes read as plain conditions. */
export function cn(...classes: Array<string | false | null | undefined>): string {
  return classes.filter(Boolean).join(" ");
}
