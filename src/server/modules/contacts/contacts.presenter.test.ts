import { describe, expect, it } from 'vitest';
import type { StageChangeRow } from '../../db/tables.ts';
import { toStageChange } from './contacts.presenter.ts';

const row = (note: string | null, noteMessage: string | null = null): StageChangeRow => ({
  id: '01a243b6-0000-7000-8000-000000000001',
  contact_id: '01a243b6-0000-7000-8000-000000000002',
  from_stage: 'lead',
  to_stage: 'mql',
  occurred_at: '2026-12-01T09:00:00.000Z',
  recorded_at: '2026-12-01T09:00:00.000Z',
  actor_kind: 'rule',
  actor_id: null,
  actor_label: 'scoring model v3',
  reason_code: null,
  note,
  note_message: noteMessage,
  agreement_version: null,
});

describe("a stage change's note as a message for the reader's language", () => {
  it('is the message stored with the note', () => {
    const message = { code: 'opportunity_won', params: { name: 'Cloud "migratie"' } };
    expect(toStageChange(row('Won "Cloud "migratie""', JSON.stringify(message))).noteMessage).toEqual(
      message,
    );
  });

  it("is read from the English Baton wrote before messages were stored, and never from a person's note", () => {
    const messageOf = (note: string | null) => toStageChange(row(note)).noteMessage;
    expect(
      messageOf(
        'MQL rule of scoring model v3: fit 25 ≥ 20 and engagement 41.35 ≥ 40. In the Netherlands or Belgium +15',
      ),
    ).toEqual({
      code: 'mql_thresholds',
      params: { version: 3, fit: 25, fitAtLeast: 20, engagement: 41.35, engagementAtLeast: 40 },
    });
    expect(
      messageOf(
        'MQL rule of scoring model v1: a high-intent touch (fit 0, engagement 39.96). Demo requested +40',
      ),
    ).toEqual({ code: 'mql_intent', params: { version: 1, fit: 0, engagement: 39.96 } });
    expect(messageOf('Opportunity "Werkplekken 2027"')).toEqual({
      code: 'opportunity_created',
      params: { name: 'Werkplekken 2027' },
    });
    expect(messageOf('Won "Werkplekken 2027"')).toEqual({
      code: 'opportunity_won',
      params: { name: 'Werkplekken 2027' },
    });
    expect(messageOf('Belde terug, wil in maart verder')).toBeNull();
    expect(messageOf(null)).toBeNull();
  });
});
