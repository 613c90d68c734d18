import { describe, expect, it } from 'vitest';
import { toSlackMessage, toTeamsMessage, type AlertCard } from '../../domain/alerts/chat-cards.ts';
import { problemsOf, SlackMessageShape, TeamsMessageShape } from './chat-receiver.ts';

const card: AlertCard = {
  title: 'New lead for you: Jan <script> & Co',
  sections: [
    { heading: null, lines: ['A lead was routed to you.'] },
    { heading: 'Who', lines: ['Jan *de* Vries, CTO', 'jan@acme.nl'] },
    { heading: 'Recent', lines: [] },
  ],
  actions: [
    { label: 'Accept', href: 'https://baton.example/act#token=a' },
    { label: 'Reject with a reason', href: 'https://baton.example/act#token=b' },
  ],
  link: { label: 'Open the lead in Baton', href: 'https://baton.example/leads/1' },
  footer: 'Baton <relay>',
};

describe('the local Slack and Teams', () => {
  it("take Baton's rendering of a card with hostile text, escaped for each", () => {
    const slack = toSlackMessage(card);
    expect(problemsOf(SlackMessageShape, slack, 'slack')).toEqual([]);
    expect(JSON.stringify(slack)).toContain('Jan *de* Vries');
    expect(slack.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Baton &lt;relay&gt;' }],
    });
    // A header is plain text: nothing to escape there.
    expect(slack.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: card.title } });
    const teams = toTeamsMessage(card);
    expect(problemsOf(TeamsMessageShape, teams, 'teams')).toEqual([]);
    expect(teams.attachments[0]!.content.body.map((b) => b.text)).toContain(
      'Jan \\*de\\* Vries, CTO\n\njan@acme.nl',
    );
  });

  it('put the links of a section (a lead in a digest) in its text, as each chat writes a link', () => {
    const digest: AlertCard = {
      ...card,
      sections: [
        {
          heading: 'Jan <de> Vries',
          lines: ['"MQL: first response", due today'],
          links: [
            { label: 'Open the lead', href: 'https://baton.example/leads/1' },
            { label: 'I called <now>', href: 'https://baton.example/act#token=c(1)' },
          ],
        },
      ],
    };
    const slack = toSlackMessage(digest);
    expect(problemsOf(SlackMessageShape, slack, 'slack')).toEqual([]);
    expect(slack.blocks[1]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*Jan &lt;de&gt; Vries*\n"MQL: first response", due today\n<https://baton.example/leads/1|Open the lead> · <https://baton.example/act#token=c(1)|I called &lt;now&gt;>',
      },
    });
    const teams = toTeamsMessage(digest);
    expect(problemsOf(TeamsMessageShape, teams, 'teams')).toEqual([]);
    expect(teams.attachments[0]!.content.body[2]!.text).toBe(
      '"MQL: first response", due today\n\n[Open the lead](https://baton.example/leads/1) · [I called <now\\>](https://baton.example/act#token=c%281%29)',
    );
  });

  it("keeps a long title and many sections within Slack's limits", () => {
    const long = toSlackMessage({
      ...card,
      title: 'x'.repeat(400),
      sections: Array.from({ length: 80 }, (_, i) => ({ heading: `Part ${i}`, lines: ['y'.repeat(4000)] })),
    });
    expect(problemsOf(SlackMessageShape, long, 'slack')).toEqual([]);
    expect(long.blocks).toHaveLength(50);
  });

  it('refuse what Slack and Teams refuse', () => {
    const slack = toSlackMessage(card);
    const header = {
      ...slack,
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }],
    };
    expect(problemsOf(SlackMessageShape, header, 'slack')).not.toEqual([]);
    const raw = { ...slack, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'a <b> & c' } }] };
    expect(problemsOf(SlackMessageShape, raw, 'slack')).toEqual([
      'unescaped control character in mrkdwn: a <b> & c',
    ]);
    const twice = {
      ...slack,
      blocks: [
        {
          type: 'actions',
          elements: [1, 2].map(() => ({
            type: 'button',
            text: { type: 'plain_text', text: 'Go' },
            action_id: 'same',
            url: 'https://x',
          })),
        },
      ],
    };
    expect(problemsOf(SlackMessageShape, twice, 'slack')).toEqual([
      'action_id values must be unique in a message',
    ]);
    const teams = toTeamsMessage(card);
    const newer = structuredClone(teams) as unknown as { attachments: { content: { version: string } }[] };
    newer.attachments[0]!.content.version = '1.6';
    expect(problemsOf(TeamsMessageShape, newer, 'teams')).not.toEqual([]);
    const unknownElement = structuredClone(teams) as unknown as {
      attachments: { content: { body: unknown[] } }[];
    };
    unknownElement.attachments[0]!.content.body.push({ type: 'Carousel' });
    expect(problemsOf(TeamsMessageShape, unknownElement, 'teams')).not.toEqual([]);
  });
});
