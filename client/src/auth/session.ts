/**
 * Signing in: whether the server needs a key at all (the public serverInfo query), and who a key belongs to
 * (`me`). Plain fetches, sent before the urql client exists.
 */
export interface SignedInAs {
  name: string;
  role: 'VIEWER' | 'OPERATOR' | 'ADMIN';
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

async function post(
  fetchImpl: FetchLike,
  url: string,
  query: string,
  key: string | null,
): Promise<{
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}> {
  const res = await fetchImpl(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: await res.json() };
}

export async function fetchAuthRequired(fetchImpl: FetchLike, url: string): Promise<boolean> {
  const { body } = await post(fetchImpl, url, '{ serverInfo { authRequired } }', null);
  if (!body.data?.serverInfo) throw new Error(body.errors?.[0]?.message ?? 'The server did not answer');
  return Boolean(body.data.serverInfo.authRequired);
}

/** The key's name and role, or an error message for the sign-in form. */
export async function checkKey(
  fetchImpl: FetchLike,
  url: string,
  key: string,
): Promise<{ ok: true; as: SignedInAs } | { ok: false; message: string }> {
  const { body } = await post(fetchImpl, url, '{ me { name role } }', key);
  const me = body.data?.me as SignedInAs | null | undefined;
  if (me) return { ok: true, as: me };
  return { ok: false, message: body.errors?.[0]?.message ?? 'This key is not accepted' };
}
