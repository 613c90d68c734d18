import type { ActionsBlock, Button, KnownBlock } from '@slack/types';

/*
 * An alert as chat shows it. The notification emails are written as a card (a title, sections of
 * lines, buttons); the email, the Slack message and the Teams card are three renderings of that
 * one card, so chat says what the email says, in the same language.
 */

export interface AlertCard {
  /** The email's subject. */
  title: string;
  /** The body without the greeting: chat shows whom it is for by where it is posted. */
  sections: {
    heading: string | null;
    lines: string[];
    /** Links of this part alone (a lead's one-click actions in a digest), shown inline. */
    links?: readonly { label: string; href: string }[];
  }[];
  /** One-click actions (accept, reject, I called): signed links to a confirmation page. */
  actions: { label: string; href: string }[];
  /** Where the alert opens in Baton. */
  link: { label: string; href: string };
  footer: string;
}

// Slack's published limits (docs.slack.dev/reference/block-kit): a message holds 50 blocks; a
// header's text 150 characters; a section's text 3,000; a button's text 75 and its url 3,000; an
// actions block 25 elements; a context block 10.
const slackLimits = { blocks: 50, header: 150, section: 3000, button: 75, url: 3000 } as const;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Slack's mrkdwn takes &, < and > as control characters; text from outside must be escaped. */
const escapeMrkdwn = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface SlackMessage {
  /** What a notification or a client without blocks shows. */
  text: string;
  blocks: KnownBlock[];
}

/**
 * The card as a Slack Block Kit message for an incoming webhook: a header, a section per part of
 * the email, the one-click actions and the link as buttons, and the footer as context.
 *
 * @example toSlackMessage(card).blocks[0] // { type: 'header', text: { type: 'plain_text', text: card.title } }
 */
export function toSlackMessage(card: AlertCard): SlackMessage {
  // A link in mrkdwn is <url|label>: the url may not hold the control characters, the label is escaped.
  const inline = (links: AlertCard['sections'][number]['links']) =>
    (links ?? [])
      .filter((l) => !/[<>|]/.test(l.href))
      .map((l) => `<${l.href}|${escapeMrkdwn(l.label)}>`)
      .join(' · ');
  const section = (s: AlertCard['sections'][number]): KnownBlock => ({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: clip(
        [
          ...(s.heading ? [`*${escapeMrkdwn(s.heading)}*`] : []),
          ...s.lines.map(escapeMrkdwn),
          ...(s.links?.length ? [inline(s.links)] : []),
        ].join('\n'),
        slackLimits.section,
      ),
    },
  });
  const button = (label: string, href: string, id: string, primary: boolean): Button => ({
    type: 'button',
    text: { type: 'plain_text', text: clip(label, slackLimits.button) },
    url: href,
    action_id: id,
    ...(primary && { style: 'primary' as const }),
  });
  const buttons: ActionsBlock = {
    type: 'actions',
    elements: [
      button(card.link.label, card.link.href, 'open', true),
      ...card.actions.map((a, i) => button(a.label, a.href, `action-${i}`, false)),
    ].filter((b) => b.url!.length <= slackLimits.url),
  };
  const sections = card.sections
    .filter((s) => s.lines.length > 0 || s.heading)
    .slice(0, slackLimits.blocks - 3)
    .map(section);
  return {
    text: card.title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(card.title, slackLimits.header) } },
      ...sections,
      buttons,
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(card.footer) }] },
    ],
  };
}

/** The parts of the Adaptive Card schema 1.5 that Baton uses. */
export interface AdaptiveTextBlock {
  type: 'TextBlock';
  text: string;
  wrap: true;
  weight?: 'Bolder';
  size?: 'Medium';
  isSubtle?: true;
  spacing?: 'Medium';
}
export interface AdaptiveOpenUrl {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
  style?: 'positive';
}
export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: '1.5';
  body: AdaptiveTextBlock[];
  actions: AdaptiveOpenUrl[];
}

/** What a Teams Workflows webhook ("post to a channel when a webhook request is received") takes. */
export interface TeamsMessage {
  type: 'message';
  attachments: {
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: AdaptiveCard;
  }[];
}

/**
 * Adaptive Cards read a subset of Markdown in a TextBlock; a name with an asterisk or an
 * underscore must not turn bold, so those characters are escaped.
 */
const escapeMarkdown = (text: string) => text.replace(/([\\*_[\]`~#>])/g, '\\$1');

/**
 * The card as an Adaptive Card 1.5 in the message a Teams Workflows webhook posts: a title, a
 * block per part of the email, and the link and one-click actions as buttons.
 *
 * @example toTeamsMessage(card).attachments[0].content.version // '1.5'
 */
export function toTeamsMessage(card: AlertCard): TeamsMessage {
  const body: AdaptiveTextBlock[] = [
    { type: 'TextBlock', text: escapeMarkdown(card.title), wrap: true, weight: 'Bolder', size: 'Medium' },
  ];
  for (const s of card.sections) {
    if (s.heading)
      body.push({
        type: 'TextBlock',
        text: escapeMarkdown(s.heading),
        wrap: true,
        weight: 'Bolder',
        spacing: 'Medium',
      });
    // Lines of one part go in one block, a line each (Markdown needs a blank line for a break).
    const links = (s.links ?? []).map(
      (l) =>
        `[${escapeMarkdown(l.label)}](${l.href.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)})`,
    );
    if (s.lines.length > 0 || links.length > 0)
      body.push({
        type: 'TextBlock',
        text: [...s.lines.map(escapeMarkdown), ...(links.length > 0 ? [links.join(' · ')] : [])].join('\n\n'),
        wrap: true,
      });
  }
  body.push({
    type: 'TextBlock',
    text: escapeMarkdown(card.footer),
    wrap: true,
    isSubtle: true,
    spacing: 'Medium',
  });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.5',
          body,
          actions: [
            { type: 'Action.OpenUrl', title: card.link.label, url: card.link.href, style: 'positive' },
            ...card.actions.map((a) => ({ type: 'Action.OpenUrl' as const, title: a.label, url: a.href })),
          ],
        },
      },
    ],
  };
}

/**
 * The message for a chat provider, as the JSON Baton posts.
 *
 * @example chatPayload('slack', card) // '{"text":"…","blocks":[…]}'
 */
export function chatPayload(provider: 'slack' | 'teams', card: AlertCard): string {
  return JSON.stringify(provider === 'slack' ? toSlackMessage(card) : toTeamsMessage(card));
}
