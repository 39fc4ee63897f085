// How a value can be shown: as UTF-8 text (when it is valid UTF-8), as indented JSON (when it parses), or as a
// hex dump (always). All three are plain strings, put on the page with textContent.
const strict = new TextDecoder('utf-8', { fatal: true });
const HEX_LIMIT = 64 * 1024;

/** The value as text, or null when it is not valid UTF-8. */
export function asText(bytes) {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

/** The value as indented JSON, or null when it is not a JSON document. */
export function asJson(bytes) {
  const text = asText(bytes);
  if (text === null || !/^\s*[[{"\d\-tfn]/.test(text)) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

/** Offset, 16 bytes in hex, and their printable ASCII, per line (the first 64 KiB). */
export function asHex(bytes) {
  const lines = [];
  const n = Math.min(bytes.length, HEX_LIMIT);
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  |${ascii}|`);
  }
  if (bytes.length > n) lines.push(`… ${bytes.length - n} more bytes`);
  return lines.join('\n');
}

/** The best first view: JSON when it parses, text when it decodes, hex otherwise. */
export function preferredMode(bytes) {
  if (asJson(bytes) !== null) return 'json';
  return asText(bytes) === null ? 'hex' : 'text';
}

export function render(bytes, mode) {
  if (mode === 'json') return asJson(bytes) ?? '(not JSON)';
  if (mode === 'text') return asText(bytes) ?? '(not valid UTF-8: see hex)';
  return asHex(bytes);
}

/** A one-line preview for lists. */
export function preview(bytes, max = 80) {
  const text = asText(bytes);
  if (text === null) return `(${bytes.length} bytes, binary)`;
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
