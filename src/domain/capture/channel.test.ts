import { describe, expect, it } from 'vitest';
import { channelOf } from './channel.ts';

const page = 'https://www.acme-it.nl/prijzen';

describe('channelOf: GA4’s default channel grouping when the tags say nothing', () => {
  it.each([
    ['https://www.google.nl/', 'organic_search'],
    ['https://www.bing.com/search?q=crm', 'organic_search'],
    ['https://duckduckgo.com/', 'organic_search'],
    ['https://www.ecosia.org/search?q=baton', 'organic_search'],
    ['https://www.linkedin.com/feed/', 'organic_social'],
    ['https://lnkd.in/abc', 'organic_social'],
    ['https://t.co/xyz', 'organic_social'],
    ['https://m.facebook.com/', 'organic_social'],
    ['https://mail.google.com/mail/u/0/', 'email'],
    ['https://outlook.office.com/mail/', 'email'],
    ['https://www.computable.nl/artikel/123', 'referral'],
    ['https://googleblog.example.com/', 'referral'],
  ])('a visit from %s is %s', (referrer, channel) => {
    expect(channelOf({ utmMedium: null, url: page, referrer })).toBe(channel);
  });

  it('keeps the tagged medium as given, before anything else', () => {
    expect(
      channelOf({ utmMedium: 'webinar', url: `${page}?gclid=1`, referrer: 'https://www.google.nl/' }),
    ).toBe('webinar');
  });

  it('calls an ad click paid, by the click id the platform added', () => {
    expect(channelOf({ utmMedium: null, url: `${page}?gclid=abc`, referrer: 'https://www.google.nl/' })).toBe(
      'paid_search',
    );
    expect(channelOf({ utmMedium: null, url: `${page}?msclkid=abc`, referrer: null })).toBe('paid_search');
    expect(channelOf({ utmMedium: null, url: `${page}?li_fat_id=abc`, referrer: null })).toBe('paid_social');
  });

  it('gives no channel to a visit without a referrer or from the same site, or to an address it cannot read', () => {
    expect(channelOf({ utmMedium: null, url: page, referrer: null })).toBeNull();
    expect(channelOf({ utmMedium: null, url: page, referrer: 'https://acme-it.nl/' })).toBeNull();
    expect(channelOf({ utmMedium: null, url: 'not a url', referrer: 'also not' })).toBeNull();
  });
});
