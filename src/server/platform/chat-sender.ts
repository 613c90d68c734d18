import { IncomingWebhook, IncomingWebhookHTTPError, type FetchFunction } from '@slack/webhook';
import type { WebhookSender } from './webhook-sender.ts';

/** A chat refused the message for good (a removed channel, a revoked address): no retry helps. */
export class PermanentChatError extends Error {}

export interface ChatSender {
  /**
   * Posts a message (the JSON Baton built for the provider) to a Slack incoming webhook or a Teams
   * Workflows webhook. Resolves when the chat took it; throws `PermanentChatError` when it refused
   * it for good, and another error when a later attempt may work.
   */
  send(input: {
    provider: 'slack' | 'teams';
    url: string;
    payload: string;
    allowPrivate: boolean;
  }): Promise<void>;
}

/** 4xx answers are for good, except a timeout (408) and a rate limit (429), which pass. */
const isPermanent = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/**
 * Sends chat alerts over the webhook sender's guarded HTTP (no redirects, a time limit, a bounded
 * answer, private addresses refused on every connection unless allowed). Slack goes through
 * Slack's own client, `@slack/webhook`, given that transport as its fetch; Teams has no client for
 * Workflows webhooks, so the card is posted as the Workflows documentation describes.
 */
export function createChatSender(http: WebhookSender): ChatSender {
  const post = async (url: string, headers: Record<string, string>, body: string, allowPrivate: boolean) => {
    const answer = await http.send({ url, headers, body, allowPrivate });
    if (answer.status === null) throw new Error(answer.error ?? 'no answer');
    return answer as typeof answer & { status: number };
  };
  return {
    async send({ provider, url, payload, allowPrivate }) {
      if (provider === 'teams') {
        const answer = await post(url, { 'content-type': 'application/json' }, payload, allowPrivate);
        if (answer.status >= 200 && answer.status < 300) return;
        const message = `Teams answered ${answer.status}${answer.body ? `: ${answer.body.slice(0, 200)}` : ''}`;
        throw isPermanent(answer.status) ? new PermanentChatError(message) : new Error(message);
      }
      const fetchThrough: FetchFunction = async (target, init) => {
        const body = typeof init?.body === 'string' ? init.body : '';
        const answer = await post(String(target), init?.headers ?? {}, body, allowPrivate);
        // A redirect is a failed attempt (the transport never follows one); a Response cannot carry 1xx.
        return new Response(answer.body ?? '', { status: answer.status < 200 ? 502 : answer.status });
      };
      try {
        await new IncomingWebhook(url, { fetch: fetchThrough }).send(JSON.parse(payload) as object);
      } catch (error) {
        if (error instanceof IncomingWebhookHTTPError) {
          const message = `Slack answered ${error.statusCode}${error.body ? `: ${error.body.slice(0, 200)}` : ''}`;
          throw isPermanent(error.statusCode) ? new PermanentChatError(message) : new Error(message);
        }
        throw error instanceof Error && error.cause instanceof Error ? error.cause : error;
      }
    },
  };
}
