import type { Form } from '../../../contract/forms.ts';

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const labels: Record<string, { en: string; nl: string }> = {
  email: { en: 'Email', nl: 'E-mailadres' },
  firstName: { en: 'First name', nl: 'Voornaam' },
  lastName: { en: 'Last name', nl: 'Achternaam' },
  company: { en: 'Company', nl: 'Bedrijf' },
  title: { en: 'Job title', nl: 'Functie' },
  phone: { en: 'Phone', nl: 'Telefoon' },
  country: { en: 'Country', nl: 'Land' },
};

/**
 * The HTML to paste into a website: Baton's tracking script (it records nothing until the visitor
 * consents) and the form, with a hidden honeypot, the fields that join earlier page views, and the
 * page's campaign tags.
 */
export function formSnippet(form: Form, baseUrl: string, language: 'en' | 'nl'): string {
  const fields = Object.entries(form.fieldMapping).map(([name, target]) => {
    const type = target === 'email' ? 'email' : target === 'phone' ? 'tel' : 'text';
    const required = target === 'email' ? ' required' : '';
    const label = labels[target]?.[language] ?? name;
    return `  <p><label>${escape(label)} <input type="${type}" name="${escape(name)}"${required}></label></p>`;
  });
  const consent = form.consentText
    ? [
        `  <label><input type="checkbox" name="consent" value="yes"> ${escape(form.consentText[language])}</label>`,
      ]
    : [];
  return [
    `<script src="${escape(baseUrl)}/t.js" async></script>`,
    `<form method="post" action="${escape(baseUrl)}/f/${escape(form.key)}">`,
    ...fields,
    ...consent,
    `  <input type="hidden" name="baton_language" value="${language}">`,
    '  <input type="hidden" name="baton_visitor_id">',
    '  <input type="hidden" name="baton_page">',
    ...['source', 'medium', 'campaign', 'term', 'content'].map(
      (tag) => `  <input type="hidden" name="utm_${tag}">`,
    ),
    '  <div style="position:absolute;left:-10000px" aria-hidden="true"><input type="text" name="website" tabindex="-1" autocomplete="off"></div>',
    `  <p><button type="submit">${language === 'nl' ? 'Versturen' : 'Send'}</button></p>`,
    '</form>',
  ].join('\n');
}
