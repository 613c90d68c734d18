import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

/*
 * A local Slack and Teams, for tests: a real HTTP server on 127.0.0.1 that takes what Slack's
 * incoming webhooks and Teams' Workflows webhooks take, and checks each message against the
 * published shapes of the parts Baton uses. Written from the vendors' public documentation:
 *
 * - Slack Block Kit (docs.slack.dev/reference/block-kit/blocks, …/block-elements,
 *   …/composition-objects): a message holds at most 50 blocks; a header's plain_text at most 150
 *   characters; a section's text 3,000; an actions block 1 to 25 elements; a button's plain_text
 *   75, its url 3,000, its action_id 255 and unique in the message, its style primary or danger;
 *   a context block 1 to 10 elements. In mrkdwn, &, < and > are control characters and must be
 *   sent as &amp;, &lt; and &gt; (docs.slack.dev/messaging/formatting-message-text). A bad message
 *   is answered 400 invalid_blocks, a good one 200 "ok".
 * - Microsoft Teams Workflows ("Post to a channel when a webhook request is received") takes a
 *   message whose attachments hold Adaptive Cards (contentType application/vnd.microsoft.card.adaptive);
 *   Teams renders schema versions up to 1.5 (adaptivecards.io/explorer: AdaptiveCard, TextBlock,
 *   Action.OpenUrl). It answers 202 Accepted.
 */

const PlainText = (maxLength: number) =>
  Type.Object(
    {
      type: Type.Literal('plain_text'),
      text: Type.String({ minLength: 1, maxLength }),
      emoji: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  );
const Mrkdwn = (maxLength: number) =>
  Type.Object(
    {
      type: Type.Literal('mrkdwn'),
      text: Type.String({ minLength: 1, maxLength }),
      verbatim: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  );
const BlockId = Type.Optional(Type.String({ maxLength: 255 }));
const Button = Type.Object(
  {
    type: Type.Literal('button'),
    text: PlainText(75),
    action_id: Type.Optional(Type.String({ maxLength: 255 })),
    url: Type.Optional(Type.String({ maxLength: 3000, pattern: '^https?://' })),
    value: Type.Optional(Type.String({ maxLength: 2000 })),
    style: Type.Optional(Type.Union([Type.Literal('primary'), Type.Literal('danger')])),
  },
  { additionalProperties: false },
);
const SlackBlock = Type.Union([
  Type.Object(
    { type: Type.Literal('header'), text: PlainText(150), block_id: BlockId },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('section'),
      text: Type.Optional(Type.Union([Mrkdwn(3000), PlainText(3000)])),
      fields: Type.Optional(
        Type.Array(Type.Union([Mrkdwn(2000), PlainText(2000)]), { minItems: 1, maxItems: 10 }),
      ),
      block_id: BlockId,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('actions'),
      elements: Type.Array(Button, { minItems: 1, maxItems: 25 }),
      block_id: BlockId,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('context'),
      elements: Type.Array(Type.Union([Mrkdwn(3000), PlainText(3000)]), { minItems: 1, maxItems: 10 }),
      block_id: BlockId,
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('divider'), block_id: BlockId }, { additionalProperties: false }),
]);
export const SlackMessageShape = Type.Object({
  text: Type.Optional(Type.String()),
  blocks: Type.Array(SlackBlock, { minItems: 1, maxItems: 50 }),
});

const TextBlock = Type.Object(
  {
    type: Type.Literal('TextBlock'),
    text: Type.String({ minLength: 1 }),
    wrap: Type.Optional(Type.Boolean()),
    weight: Type.Optional(Type.Union(['Default', 'Lighter', 'Bolder'].map((v) => Type.Literal(v)))),
    size: Type.Optional(
      Type.Union(['Default', 'Small', 'Medium', 'Large', 'ExtraLarge'].map((v) => Type.Literal(v))),
    ),
    isSubtle: Type.Optional(Type.Boolean()),
    spacing: Type.Optional(
      Type.Union(
        ['None', 'Small', 'Default', 'Medium', 'Large', 'ExtraLarge', 'Padding'].map((v) => Type.Literal(v)),
      ),
    ),
  },
  { additionalProperties: false },
);
const OpenUrl = Type.Object(
  {
    type: Type.Literal('Action.OpenUrl'),
    title: Type.Optional(Type.String()),
    url: Type.String({ pattern: '^https?://' }),
    style: Type.Optional(Type.Union(['default', 'positive', 'destructive'].map((v) => Type.Literal(v)))),
  },
  { additionalProperties: false },
);
export const TeamsMessageShape = Type.Object({
  type: Type.Literal('message'),
  attachments: Type.Array(
    Type.Object({
      contentType: Type.Literal('application/vnd.microsoft.card.adaptive'),
      contentUrl: Type.Optional(Type.Null()),
      content: Type.Object(
        {
          $schema: Type.Optional(Type.String()),
          type: Type.Literal('AdaptiveCard'),
          version: Type.Union(['1.0', '1.1', '1.2', '1.3', '1.4', '1.5'].map((v) => Type.Literal(v))),
          body: Type.Array(TextBlock, { minItems: 1 }),
          actions: Type.Optional(Type.Array(OpenUrl)),
          msteams: Type.Optional(Type.Object({})),
        },
        { additionalProperties: false },
      ),
    }),
    { minItems: 1 },
  ),
});

/** What is wrong with a message against a shape, and Slack's rules no schema says. */
export function problemsOf(shape: TSchema, message: unknown, provider: 'slack' | 'teams'): string[] {
  const problems = [...Value.Errors(shape, message)].map((e) => `${e.instancePath || '/'} ${e.message}`);
  if (provider === 'slack' && problems.length === 0) {
    const blocks = (
      message as {
        blocks: {
          type: string;
          text?: { type: string; text: string };
          elements?: { action_id?: string; type: string; text?: string }[];
        }[];
      }
    ).blocks;
    const ids = blocks.flatMap((b) =>
      b.type === 'actions' ? (b.elements ?? []).map((e) => e.action_id) : [],
    );
    if (new Set(ids).size !== ids.length) problems.push('action_id values must be unique in a message');
    const texts = blocks.flatMap((b) => [
      ...(b.text?.type === 'mrkdwn' ? [b.text.text] : []),
      ...(b.type === 'context'
        ? (b.elements ?? []).filter((e) => e.type === 'mrkdwn').map((e) => e.text ?? '')
        : []),
    ]);
    // A link is the one place mrkdwn takes < and >: <https://…|label> (Slack's "Formatting text").
    for (const text of texts)
      if (/[<>]|&(?!amp;|lt;|gt;)/.test(text.replace(/<https?:\/\/[^|<>\s]+(\|[^<>]*)?>/g, '')))
        problems.push(`unescaped control character in mrkdwn: ${text}`);
  }
  return problems;
}

export interface ChatPost {
  provider: 'slack' | 'teams';
  path: string;
  body: unknown;
  problems: string[];
}

/**
 * Starts the local Slack and Teams. Post to `${url}/slack/…` or `${url}/teams/…`; `answer` may
 * override the reply (a status, or never answering) for the next posts.
 */
export async function startChatReceiver() {
  const posts: ChatPost[] = [];
  let override: ((post: ChatPost) => number | 'hang') | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const provider = path.startsWith('/teams/') ? 'teams' : 'slack';
      let body: unknown = null;
      let problems: string[];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        problems = problemsOf(provider === 'slack' ? SlackMessageShape : TeamsMessageShape, body, provider);
      } catch {
        problems = ['not JSON'];
      }
      if (req.headers['content-type']?.startsWith('application/json') !== true)
        problems.push('content-type must be application/json');
      const post = { provider, path, body, problems } as const;
      posts.push(post);
      const status = override?.(post);
      if (status === 'hang') return;
      if (status !== undefined)
        return res.writeHead(status).end(status === 404 ? 'channel_not_found' : 'error');
      if (problems.length > 0)
        return res.writeHead(400).end(provider === 'slack' ? 'invalid_blocks' : 'BadRequest');
      if (provider === 'slack') return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    slackUrl: (name: string) => `${url}/slack/services/T000/B000/${name}`,
    teamsUrl: (name: string) => `${url}/teams/workflows/${name}/triggers/manual/paths/invoke`,
    posts,
    /** Answers the next posts with this (a status, or 'hang'); undefined goes back to normal. */
    answer(next: ((post: ChatPost) => number | 'hang') | undefined) {
      override = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
