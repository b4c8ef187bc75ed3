// The page's calls to the playground's JSON API. A playground that was stopped (Ctrl+C) or restarted is
// explained to the person instead of failing silently.

export const UNREACHABLE =
  'The playground does not answer: is `npm start` (or `npm run playground`) still running? Start it again and reload this page.';

/**
 * Posts JSON and resolves with the playground's answer, `{ ok: false, error }` when it could not be had.
 * @param {string} path
 * @param {unknown} body
 * @param {typeof fetch} [fetchImpl]
 * @returns {Promise<any>}
 */
export async function postJson(path, body, fetchImpl = fetch) {
  let response;
  try {
    response = await fetchImpl(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    return { ok: false, error: UNREACHABLE };
  }
  const json = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
  if (!response.ok && json.ok === undefined) return { ok: false, error: json.error ?? `HTTP ${response.status}` };
  return json;
}
