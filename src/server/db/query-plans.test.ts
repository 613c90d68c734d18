// The dashboards' period and queue queries use the indexes made for them (issue 27). A change that
// makes SQLite ignore an index is invisible at test sizes and costs seconds at a million rows: a
// bound `status in (?, ?)` cannot use a partial index whose WHERE names the statuses literally.
// These tests read SQLite's plan of the exact statements the repositories run.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from './database.ts';
import { createTestDatabase, type TestDatabase } from '../testing/databases.ts';
import { recordingBuilder } from '../testing/recording.ts';
import { sqliteValues } from './dialect.ts';
import {
  countClocksStartedBetween,
  summariseSpeedToLead,
  findOpenInstances,
  KEPT_SPEED_BOUNDS_MS,
} from '../modules/sla/sla.repository.ts';
import { summariseCohortFunnel } from '../modules/stages/stages.repository.ts';
import { findUnassigned } from '../modules/routing/routing.repository.ts';
import { findStaleDeals, sumLiveCredits } from '../modules/attribution/live-credits.repository.ts';
import { countStageEntriesByCampaign } from '../modules/attribution/attribution.repository.ts';
import { countFates, findStaleFateLeads, keepFates } from '../modules/handoff/handoff.repository.ts';
import { findFirstWinsByAccount, findMainCurrency, sumOpenDeals } from '../modules/board/board.repository.ts';
import { sumWonDeals, summariseClosedDeals } from '../modules/planning/planning.repository.ts';

/**
 * SQLite's statistics (sqlite_stat1) of the reports benchmark's company (1M people, 10M touches,
 * 100k deals, 2M clocks) as `pragma optimize` gathers them, for the tables these statements read.
 * The planner weighs its choices by them: a plan right on an empty store may turn at full size
 * (a skip-scan of the clocks by rep, 10 reps, looked cheaper than the covering index of a month's
 * first-response clocks and read 74k table rows: 140 ms instead of 50).
 */
const fullSizeStatistics = `
accounts sqlite_autoindex_accounts_1 100000 1
assignments assignments_contact_idx 1000000 6 1 1 1
assignments assignments_user_idx 1000000 1001 1
assignments sqlite_autoindex_assignments_1 1000000 1
attribution_live_credits attribution_live_credits_pipeline_idx 100000 1001 1001
attribution_live_credits attribution_live_credits_revenue_idx 100000 1001 1001
attribution_live_credits attribution_live_credits_stale_idx 100000 1
attribution_live_credits attribution_live_credits_valid_idx 0 0
attribution_live_credits sqlite_autoindex_attribution_live_credits_1 100000 1
attribution_live_lines attribution_live_lines_deal_idx 423013 6
attribution_live_lines attribution_live_lines_pipeline_idx 423013 1001 1001 251 134 13 2 2 2
attribution_live_lines attribution_live_lines_revenue_idx 423013 1001 1001 1001 201 19 2 2 2
campaign_stage_entries campaign_stage_entries 266270 2 1 1
campaign_stage_entries campaign_stage_entries_report_idx 266270 133135 3300 1 1
contact_stage_firsts contact_stage_firsts 1433923 2 1
funnel_people funnel_people 1000000 1
funnel_people funnel_people_cohort_idx 1000000 200000 1 1
funnel_stays funnel_stays 433923 3 1
funnel_stays funnel_stays_cohort_idx 433923 144641 1 1 1
contacts contacts_account_id_idx 1000000 10
contacts contacts_created_idx 1000000 1 1 1
contacts contacts_owner_id_idx 1000000 1001
contacts contacts_stage_idx 1000000 1001
contacts sqlite_autoindex_contacts_1 1000000 1
handoff_fates handoff_fates 197235 1 1
handoff_fates handoff_fates_contact_idx 197235 1 1
handoff_fates handoff_fates_stale_idx 0 0 0
opportunities opportunities_account_idx 100000 15
opportunities opportunities_closed_idx 100000 1001 201 201 5 1
opportunities opportunities_contact_idx 100000 2 1 1
opportunities opportunities_created_idx 100000 1
opportunities opportunities_currency_idx 100000 1001 1001 1001 501 501
opportunities opportunities_owner_idx 100000 1001 1001
opportunities opportunities_won_accounts_idx 100000 1001 6 2
opportunities sqlite_autoindex_opportunities_1 100000 1
sla_clock_days sqlite_autoindex_sla_clock_days_1 5427 15 2 2 1 1 1
sla_instances sla_instances_breached_idx 2000000 10 1
sla_instances sla_instances_contact_idx 2000000 11
sla_instances sla_instances_due_idx 0 0
lead_speeds lead_speeds 197235 1 1
lead_speeds lead_speeds_wait_idx 197235 1 1
rep_speeds rep_speeds 986175 197235 1 1
rep_speeds rep_speeds_wait_idx 986175 197235 1 1
rep_speeds rep_speeds_handover_idx 986175 1 1 1 1 1
team_speeds team_speeds 197235 197235 1 1
team_speeds team_speeds_wait_idx 197235 197235 1 1
sla_instances sla_instances_open_deadline_idx 200000 1 1
sla_instances sla_instances_open_idx 200000 40000 1
sla_instances sla_instances_started_idx 2000000 1
sla_instances sla_instances_user_idx 2000000 200000 1
sla_instances sqlite_autoindex_sla_instances_1 2000000 1
stage_changes sqlite_autoindex_stage_changes_1 1433923 1
stage_changes stage_changes_contact_idx 1433923 2 1 1 1 1 1
stage_changes stage_changes_to_stage_idx 1433923 286785 1 1
touchpoints sqlite_autoindex_touchpoints_1 10000000 1
touchpoints touchpoints_contact_idx 10000000 10 2
`;

describe.each(['an empty store', "a full-size company's statistics"])(
  'query plans (SQLite) with %s',
  (with_) => {
    let database: TestDatabase;
    beforeEach(async () => {
      database = await createTestDatabase('sqlite');
      if (with_ === 'an empty store') return;
      const statements = database.sqlite!;
      // ANALYZE makes sqlite_stat1; the rows are then the full-size company's, and reading the
      // schema again makes the planner take them.
      statements.prepare('analyze').run();
      statements.prepare('delete from sqlite_stat1').run();
      const insert = statements.prepare('insert into sqlite_stat1 (tbl, idx, stat) values (?, ?, ?)');
      for (const line of fullSizeStatistics.trim().split('\n')) {
        const [tbl, idx, ...stat] = line.split(' ');
        insert.run(tbl, idx, stat.join(' '));
      }
      statements.prepare('analyze sqlite_schema').run();
    });
    afterEach(() => database.dispose());

    /** The plan of every statement `run` sends, one line per statement. */
    async function plansOf(run: (db: Db) => Promise<unknown>): Promise<string[]> {
      const statements = database.sqlite!;
      const { db, sent: queries } = recordingBuilder(database);
      await run(db);
      return queries.map((q) =>
        (
          statements.prepare(`explain query plan ${q.sql}`).all(...sqliteValues(q.parameters)) as {
            detail: string;
          }[]
        )
          .map((row) => row.detail)
          .join(' | '),
      );
    }

    it("reads the company's open clocks soonest first from the open-deadline index, without sorting them", async () => {
      for (const breachedOnly of [false, true]) {
        const [plan] = await plansOf((db) =>
          findOpenInstances(db, { userIds: null, breachedOnly, limit: 200 }),
        );
        expect(plan).toMatch(/SCAN i USING INDEX sla_instances_open_deadline_idx/);
        expect(plan).not.toMatch(/TEMP B-TREE/);
      }
    });

    it('reads the unassigned queue from the index of decisions no later one replaced, both views', async () => {
      for (const forRetry of [false, true]) {
        const [plan] = await plansOf((db) => findUnassigned(db, 200, { forRetry }));
        expect(plan).toMatch(/(SCAN|SEARCH) a USING INDEX assignments_queue_idx/);
      }
    });

    it("reads a rep's open clocks soonest first from the open index by rep, without sorting them all", async () => {
      const [plan] = await plansOf((db) =>
        findOpenInstances(db, { userIds: ['a'], breachedOnly: false, limit: 200 }),
      );
      expect(plan).toMatch(/SEARCH i USING INDEX sla_instances_open_idx \(user_id=\?\)/);
      // Only clocks with the same deadline are put in id order.
      expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    });

    it("counts a period's clocks from the daily aggregate, and its edges' from the started index", async () => {
      const plans = await plansOf((db) =>
        countClocksStartedBetween(db, {
          from: new Date('2026-10-31T23:00:00Z'),
          to: new Date('2026-11-30T23:00:00Z'),
          userIds: null,
        }),
      );
      expect(plans).toHaveLength(3);
      expect(plans[0]).toMatch(
        /sla_clock_days USING (PRIMARY KEY|INDEX sqlite_autoindex_sla_clock_days_1) \(day>\? AND day<\?\)/,
      );
      // Either index reads only the edge's clocks: a range of started_at, or one per rep at full
      // size (a skip-scan of the few reps).
      for (const edge of plans.slice(1))
        expect(edge).toMatch(
          /USING INDEX sla_instances_(started_idx|user_idx) \((ANY\(user_id\) AND )?started_at>\? AND started_at<\?\)/,
        );
    });

    it("sums speed to lead from the period's kept handovers, everyone's and each rep's, and never reads a clock", async () => {
      // A handover in November and one a year before it: a month is a small share of that span and
      // sorts its own waits; a year reads the waits in order.
      const statements = database.sqlite!;
      for (const [at, contact] of [
        ['2026-11-10T00:00:00.000Z', 'c1'],
        ['2025-11-10T00:00:00.000Z', 'c2'],
      ]) {
        statements.prepare('insert into lead_speeds values (?, ?, 60000)').run(at, contact);
        for (const rep of ['a', 'b'])
          statements
            .prepare('insert into rep_speeds values (?, ?, ?, 0, 60000, 60000)')
            .run(rep, at, contact);
        statements.prepare('insert into team_speeds values (?, ?, ?, 0, 60000, 60000)').run('t', at, contact);
      }
      const to = new Date('2026-12-01T00:00:00Z');
      const month = { from: new Date('2026-11-01T00:00:00Z'), to };
      // From noon: the first half day is an edge, read from the rows.
      const year = { from: new Date('2025-12-01T12:00:00Z'), to };
      const everyone = { userIds: null, groups: new Map(), bounds: [300_000] };
      // Each rep's whole days are counted from rep_speed_days for the catalogue's bounds.
      const reps = { ...everyone, groups: new Map([['rep:a', ['a']]]), bounds: KEPT_SPEED_BOUNDS_MS };
      const span =
        /^SCAN CONSTANT ROW \| SCALAR SUBQUERY 1 \| SEARCH lead_speeds USING PRIMARY KEY \| SCALAR SUBQUERY 2 \| SEARCH lead_speeds USING PRIMARY KEY$/;
      const inPeriod = (table: string, rep: string) =>
        `SEARCH ${table} USING PRIMARY KEY (${rep}stay_started_at>? AND stay_started_at<?)`;
      // Everyone's month (the board): a share of the handovers' span, the counts, and the median
      // and P90 each sorted from the month's kept rows.
      const board = await plansOf((db) => summariseSpeedToLead(db, { ...month, ...everyone }));
      expect(board).toHaveLength(4);
      expect(board[0]).toMatch(span);
      expect(board[1]).toBe(inPeriod('lead_speeds', ''));
      for (const rank of board.slice(2))
        expect(rank).toBe(`${inPeriod('lead_speeds', '')} | USE TEMP B-TREE FOR ORDER BY`);
      // Everyone's and each rep's year: the counts (a rep's whole days from rep_speed_days, the
      // first half day from the rows), then the waits in order, none sorted.
      const year_ = await plansOf((db) => summariseSpeedToLead(db, { ...year, ...reps }));
      expect(year_).toHaveLength(8);
      expect(year_[0]).toMatch(span);
      expect(year_.slice(1, 4).sort()).toEqual([
        inPeriod('lead_speeds', ''),
        expect.stringMatching(
          /^SEARCH rep_speed_days USING PRIMARY KEY \(user_id=\? AND day>\? AND day<\?\) \| LIST SUBQUERY/,
        ),
        expect.stringMatching(
          /^SEARCH rep_speeds USING PRIMARY KEY \(user_id=\? AND stay_started_at>\? AND stay_started_at<\?\) \| LIST SUBQUERY/,
        ),
      ]);
      expect(year_.slice(4).sort()).toEqual([
        'SEARCH lead_speeds USING COVERING INDEX lead_speeds_wait_idx (wait_ms>?)',
        'SEARCH lead_speeds USING COVERING INDEX lead_speeds_wait_idx (wait_ms>?)',
        'SEARCH rep_speeds USING COVERING INDEX rep_speeds_wait_idx (user_id=? AND wait_ms>?)',
        'SEARCH rep_speeds USING COVERING INDEX rep_speeds_wait_idx (user_id=? AND wait_ms>?)',
      ]);
      // A team's and everyone's among some reps (a manager's report): per handover from the
      // members' kept rows of the period.
      const team = await plansOf((db) =>
        summariseSpeedToLead(db, {
          ...month,
          ...reps,
          userIds: ['a', 'b'],
          groups: new Map([
            ['rep:a', ['a']],
            ['team:t', ['a', 'b']],
          ]),
        }),
      );
      // Each group's handovers stream from the index by handover: no sort to group them.
      const grouped = team.filter((plan) => plan.includes('rep_speeds_handover_idx'));
      expect(grouped).toHaveLength(2);
      for (const plan of grouped) {
        expect(plan).toMatch(
          /SEARCH rep_speeds USING COVERING INDEX rep_speeds_handover_idx \(stay_started_at>\? AND stay_started_at<\?\)/,
        );
        expect(plan).not.toMatch(/TEMP B-TREE FOR GROUP BY/);
      }
      // A whole team, seeing everyone: its kept days and rows, as a rep's.
      const kept = await plansOf((db) =>
        summariseSpeedToLead(db, {
          ...year,
          ...reps,
          groups: new Map([['team:t', ['a', 'b']]]),
          teams: new Map([['team:t', 't']]),
        }),
      );
      expect(kept).toHaveLength(8);
      expect(kept.slice(2, 4).sort()).toEqual([
        expect.stringMatching(
          /^SEARCH team_speed_days USING PRIMARY KEY \(team_id=\? AND day>\? AND day<\?\) \| LIST SUBQUERY/,
        ),
        expect.stringMatching(
          /^SEARCH team_speeds USING PRIMARY KEY \(team_id=\? AND stay_started_at>\? AND stay_started_at<\?\) \| LIST SUBQUERY/,
        ),
      ]);
      expect(
        kept.filter((plan) => plan.includes('team_speeds_wait_idx (team_id=? AND wait_ms>?)')),
      ).toHaveLength(2);
      expect(kept.join('\n')).not.toMatch(/rep_speeds/);
      for (const plan of [...board, ...year_, ...team, ...kept]) expect(plan).not.toMatch(/sla_instances/);
      for (const plan of [...board, ...year_, ...team, ...kept])
        expect(plan).not.toMatch(/SCAN (lead|rep|team)_speeds/);
    });

    it("counts a period's kept handovers from the table's key alone", async () => {
      const [plan] = await plansOf((db) =>
        countFates(db, {
          from: new Date('2026-11-01T00:00:00Z'),
          to: new Date('2026-12-01T00:00:00Z'),
          ownerIds: null,
        }),
      );
      // The lead and its score are left joins the planner drops: the count reads none of theirs.
      expect(plan).toBe('SEARCH f USING PRIMARY KEY (mql_at>? AND mql_at<?) | USE TEMP B-TREE FOR GROUP BY');
    });

    it("keeps a lead's fates with one step in a covering index of its own rows for each part", async () => {
      const plans = await plansOf(async (db) => {
        await findStaleFateLeads(db, {
          from: new Date('2026-11-01T00:00:00Z'),
          to: new Date('2026-12-01T00:00:00Z'),
        });
        await keepFates(db, ['a', 'b']);
      });
      expect(plans[0]).toMatch(/USING (COVERING )?INDEX handoff_fates_stale_idx \(mql_at>\? AND mql_at<\?\)/);
      const keep = plans.slice(1).join(' | ');
      expect(keep).toContain('SEARCH e USING INDEX handoff_fates_contact_idx (contact_id=?)');
      // Each step once per handover: the steps are materialized before the joins read them.
      expect(keep).toMatch(/^MATERIALIZE f/);
      for (const index of [
        'assignments_contact_idx (contact_id=? AND assigned_at>?)',
        'stage_changes_contact_idx (contact_id=? AND occurred_at>?)',
        'stage_changes_contact_idx (contact_id=? AND occurred_at<?)',
        'opportunities_contact_idx (contact_id=? AND created_at>?)',
      ])
        expect(keep).toContain(`USING COVERING INDEX ${index}`);
      expect(keep).not.toMatch(/SCAN (stage_changes|assignments|opportunities|touchpoints|handoff_fates)\b/);
    });

    it("reads the board's deals from covering indexes, never the table", async () => {
      const plans = await plansOf(async (db) => {
        await sumOpenDeals(db, {
          currency: 'EUR',
          closingFrom: '2026-11-01',
          closingTo: '2026-12-01',
          overdueBefore: '2026-11-15',
        });
        await findMainCurrency(db);
        await findFirstWinsByAccount(db);
        await summariseClosedDeals(db, { from: '2026-01-01', to: '2027-01-01', currency: 'EUR' });
        await sumWonDeals(db, { from: '2026-01-01', to: '2027-01-01', currency: 'EUR' });
      });
      expect(plans).toEqual([
        expect.stringContaining(
          'SEARCH o USING COVERING INDEX opportunities_currency_idx (currency=? AND status=?)',
        ),
        expect.stringContaining('SCAN opportunities USING COVERING INDEX opportunities_currency_idx'),
        expect.stringContaining(
          'SEARCH opportunities USING COVERING INDEX opportunities_won_accounts_idx (status=? AND account_id>?)',
        ),
        expect.stringContaining(
          'SEARCH opportunities USING COVERING INDEX opportunities_closed_idx (status=? AND closed_on>? AND closed_on<?)',
        ),
        expect.stringContaining(
          'SEARCH opportunities USING COVERING INDEX opportunities_closed_idx (status=? AND closed_on>? AND closed_on<?)',
        ),
      ]);
    });

    it("reads a period's cohort, its sets of stages and its stays, from the kept tables' covering indexes alone", async () => {
      // One stay kept, so that the median of its stage is read too.
      await database.db
        .insertInto('funnel_stays')
        .values({
          contact_id: 'p',
          stage: 'mql',
          created_at: '2026-11-02T00:00:00.000Z',
          owner_id: 'a',
          stay_ms: 1,
        })
        .execute();
      for (const ownerIds of [null, ['a', 'b']]) {
        const plans = await plansOf((db) =>
          summariseCohortFunnel(db, {
            from: '2026-11-01T00:00:00.000Z',
            to: '2026-12-01T00:00:00.000Z',
            ownerIds,
            path: ['lead', 'mql', 'sql'],
          }),
        );
        // The people by set of stages, the stays by stage, and the median of the one stage.
        expect(plans).toHaveLength(3);
        const [people, counts, median] = plans;
        // Each set a range of the index, the sets found by skipping through it.
        expect(people).toMatch(
          /SEARCH p USING COVERING INDEX funnel_people_cohort_idx \(stages=\? AND created_at>\? AND created_at<\?\)/,
        );
        expect(people).toMatch(/SEARCH n USING COVERING INDEX funnel_people_cohort_idx \(stages>\?\)/);
        for (const plan of [counts, median])
          expect(plan).toMatch(
            /SEARCH s USING COVERING INDEX funnel_stays_cohort_idx \(stage=\? AND created_at>\? AND created_at<\?\)/,
          );
        for (const plan of plans)
          expect(plan).not.toMatch(/SCAN (p|s|n|funnel_\w+)\b|contacts|contact_stage_firsts/);
      }
    });

    it("counts a period's MQL and SQL entrants per campaign from the kept entries' covering index alone", async () => {
      const plans = await plansOf((db) => countStageEntriesByCampaign(db, '2026-01-01', '2026-12-31'));
      expect(plans).toEqual([
        expect.stringContaining('USING COVERING INDEX campaign_stage_entries_report_idx'),
      ]);
      // Grouped in the index's order: no sort of the period's entries.
      expect(plans[0]).not.toMatch(/TEMP B-TREE/);
      expect(plans[0]).not.toMatch(/contacts|touchpoints|stage_changes/);
    });

    it("finds a period's stale attribution credit from the stale index, without reading the fresh", async () => {
      const period = { from: '2026-01-01', to: '2026-12-31', currency: 'EUR' };
      const [plan] = await plansOf((db) =>
        findStaleDeals(db, { period, now: new Date('2026-12-01T00:00:00Z') }),
      );
      expect(plan).toMatch(/SCAN c USING INDEX attribution_live_credits_stale_idx/);
      expect(plan).toMatch(
        /SEARCH c USING INDEX attribution_live_credits_valid_idx \(valid_until>\? AND valid_until<\?\)/,
      );
    });

    it("sums a period's kept attribution credit per key from covering indexes alone", async () => {
      const period = { from: '2026-01-01', to: '2026-12-31', currency: 'EUR' };
      for (const groupBy of ['channel', 'touch'] as const) {
        const plans = await plansOf((db) => sumLiveCredits(db, period, groupBy));
        const lines = plans.filter((p) => p.includes('attribution_live_lines'));
        // The grouping's and the campaigns': each a range of the pipeline index and one of the revenue index.
        expect(lines).toHaveLength(2);
        for (const plan of lines) {
          expect(plan).toMatch(
            /COVERING INDEX attribution_live_lines_pipeline_idx \(dimension=\? AND currency=\? AND pipeline_on>\? AND pipeline_on<\?\)/,
          );
          expect(plan).toMatch(
            /COVERING INDEX attribution_live_lines_revenue_idx \(dimension=\? AND currency=\? AND revenue_on>\? AND revenue_on<\?\)/,
          );
        }
      }
    });
  },
);
