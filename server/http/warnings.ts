/**
 * @module server/http/warnings
 * Layer: http. `Warning` response headers as kube-apiserver's warning recorder writes them: `299 - "text"`
 * with `"` and `\` escaped and UTF-8 sent as raw bytes; repeated texts once; texts that are not valid UTF-8
 * or hold control characters dropped; at most 4096 characters of text in all — past that, every warning is
 * cut to 256 characters, and once those fill the budget the rest are dropped. So a body with 200,000 unknown
 * fields yields a few kilobytes of headers, never an oversized or unencodable response.
 */

const MAX_TOTAL = 4096;
const MAX_ITEM = 256;
// C0 controls (TAB, CR and LF among them), DEL and the C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// A surrogate without its pair is not UTF-8.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function runes(text: string): string[] {
  return Array.from(text);
}

function headerValue(text: string): string {
  const quoted = `299 - "${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  // Node writes header strings as Latin-1; the UTF-8 bytes of the text spelt as Latin-1 go out unchanged.
  return Buffer.from(quoted, 'utf8').toString('latin1');
}

/** The header values for warnings recorded in order. */
export function warningHeaders(warnings: readonly string[]): string[] {
  const seen = new Set<string>();
  const kept: string[][] = [];
  let written = 0;
  let truncating = false;
  for (const text of warnings) {
    if (written >= MAX_TOTAL && truncating) break;
    if (text === '' || seen.has(text)) continue;
    seen.add(text);
    if (CONTROL.test(text) || LONE_SURROGATE.test(text)) continue;
    let chars = runes(text);
    if (!truncating && written + chars.length > MAX_TOTAL) {
      // Over the budget: from here on every warning, those already kept included, is cut to MAX_ITEM.
      truncating = true;
      for (let i = 0; i < kept.length; i++) kept[i] = (kept[i] as string[]).slice(0, MAX_ITEM);
      written = kept.reduce((sum, item) => sum + item.length, 0);
    }
    if (truncating) chars = chars.slice(0, MAX_ITEM);
    kept.push(chars);
    written += chars.length;
  }
  return kept.map((chars) => headerValue(chars.join('')));
}
