/**
 * The body-size gate in front of yoga (which reads whatever it is sent): a declared Content-Length over the limit is
 * refused at once, and so is a body without a Content-Length (chunked), whose size cannot be known before reading
 * it. Browsers, urql and fetch always declare the length of a GraphQL POST.
 */
import type { IncomingMessage } from 'node:http';

export interface BodyRefusal {
  status: 411 | 413;
  body: { errors: { message: string; extensions: { code: 'LENGTH_REQUIRED' | 'PAYLOAD_TOO_LARGE' } }[] };
}

/** Why a GraphQL request's body is refused before it is read, or null when it may be read. */
export function graphqlBodyRefusal(req: IncomingMessage, limit: number): BodyRefusal | null {
  const declared = req.headers['content-length'];
  if (declared === undefined) {
    if (req.headers['transfer-encoding'] === undefined) return null; // no body (GET, or an empty POST)
    return {
      status: 411,
      body: {
        errors: [
          {
            message:
              'Send the GraphQL request with a Content-Length header (chunked bodies are not accepted)',
            extensions: { code: 'LENGTH_REQUIRED' },
          },
        ],
      },
    };
  }
  if (Number(declared) > limit) {
    return {
      status: 413,
      body: {
        errors: [
          { message: `Body exceeds the ${limit}-byte limit`, extensions: { code: 'PAYLOAD_TOO_LARGE' } },
        ],
      },
    };
  }
  return null;
}
