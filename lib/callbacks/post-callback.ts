import http from 'node:http';
import https from 'node:https';
import { guardedLookup, refuseInternalLiteral } from './callback-target';

export interface CallbackRequest {
  url: URL;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowInternal: boolean;
}

/** Posts a callback once, without following redirects; resolves with the receiver's status code. */
export type PostCallback = (request: CallbackRequest) => Promise<number>;

/**
 * One POST over node:http(s), its target checked where it is connected to: an internal IP address
 * written out is refused before, a name by {@link guardedLookup} as it resolves. The whole exchange
 * has one deadline, `timeoutMs`, from the first byte to the status line: a receiver that trickles its
 * answer cannot hold the deliverer past it (a socket's idle timeout would never fire). The answer's
 * body is not read: the status is all a delivery needs, and the connection is closed on it. Rejects
 * with CallbackRefusedError for an internal target.
 */
export const postCallback: PostCallback = ({ url, body, headers, timeoutMs, allowInternal }) =>
  new Promise((resolve, reject) => {
    refuseInternalLiteral(url, allowInternal);
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(allowInternal),
      // A connection of its own each time: nothing kept open to a receiver between deliveries.
      agent: false,
    });
    const deadline = setTimeout(
      () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    request.once('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    request.once('response', (response) => {
      clearTimeout(deadline);
      resolve(response.statusCode ?? 0);
      response.destroy();
    });
    request.end(body);
  });
