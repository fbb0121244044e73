/**
 * The hidden fields React renders into a form whose action is a server action (so the form works
 * without JavaScript), from the first form in the server-rendered `html` that contains
 * `formContaining`. Posting them back, as multipart form data, calls that action directly.
 */
export function serverActionFields(html: string, formContaining: string): [string, string][] {
  const forms = html
    .split(/<form\b/)
    .slice(1)
    .map((f) => f.split("</form>")[0] ?? "");
  const form = forms.find((f) => f.includes(formContaining)) ?? "";
  const fields: [string, string][] = [];
  for (const input of form.matchAll(/<input\b[^>]*>/g)) {
    const tag = input[0];
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    if (!name?.startsWith("$ACTION")) continue;
    const value = /\bvalue="([^"]*)"/.exec(tag)?.[1] ?? "";
    fields.push([name, value.replaceAll("&quot;", '"').replaceAll("&#x27;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&")]);
  }
  return fields;
}

/** Encodes fields as multipart/form-data, the encoding Next accepts for a form-posted action. */
export async function multipart(fields: [string, string][]): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  const response = new Response(form);
  return { body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get("content-type") ?? "" };
}
