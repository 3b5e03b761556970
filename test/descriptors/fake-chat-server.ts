/**
 * A scripted OpenAI-compatible chat server on 127.0.0.1 (port 0) for the descriptor client's tests:
 * request k gets reply k of the script (the last reply repeats), and every request is recorded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow server). */
  delayMs?: number;
  /** After the body, keep sending spaces until the client hangs up (a runaway server). */
  endless?: boolean;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: { model?: string; messages?: Array<{ role: string; content: string }>; [key: string]: unknown };
}

export interface FakeChatServer {
  /** http://127.0.0.1:<port> (no /v1). */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An OpenAI chat completion whose first choice says `content`. */
export function completion(content: string): unknown {
  return { id: 'chatcmpl-test', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] };
}

/** A completion answering `{"descriptors": [...]}`. */
export function descriptorsReply(descriptors: string[]): Reply {
  return { body: completion(JSON.stringify({ descriptors })) };
}

export async function startChatServer(script: Array<Reply | ((request: RecordedRequest) => Reply)>): Promise<FakeChatServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: RecordedRequest['body'] = {};
      try {
        body = JSON.parse(text) as RecordedRequest['body'];
      } catch {
        // recorded as empty: the test looks at it
      }
      const request: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(request);
      const step = script[Math.min(requests.length - 1, script.length - 1)]!;
      const reply = typeof step === 'function' ? step(request) : step;
      const send = () => {
        if (res.destroyed) return; // the client gave up (timeout) and closed the connection
        const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        if (!reply.endless) {
          res.end(payload);
          return;
        }
        res.write(payload);
        const spaces = ' '.repeat(64 * 1024);
        const pump = () => {
          while (!res.destroyed && res.write(spaces));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
