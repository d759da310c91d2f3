-- Derived tables the scope macros read instead of joining at every query (a page at
-- 1,000,000 participants spent most of its time joining 2.2 million phase rows to a million
-- participants to learn each row's cohort, year, region and establishment).
-- Rebuilt by pie.db inside every writer transaction that publishes (an import, the demo,
-- init), so each published snapshot carries tables consistent with its programme tables.
-- Never written by anything else; not part of DATA_MODEL.md (no import, no export).

-- participants with their cohort's academic year, region and establishment; one row per participant
create or replace table scope_participants as
    select
        pa.*,
        c.academic_year,
        e.region_code,
        c.establishment_id
    from participants as pa
    join cohorts as c on c.cohort_id = pa.cohort_id
    join establishments as e on e.establishment_id = c.establishment_id
    order by c.academic_year, e.region_code, c.establishment_id;

-- phase rows with their participant's cohort, year, region and establishment, and what the
-- Phases and Follow-up pages group by (gender, profile, sector, enrolment date, the cohort's
-- start date); one row per participant and phase
create or replace table scope_phase_progress as
    select
        pp.*,
        pa.cohort_id,
        c.academic_year,
        e.region_code,
        c.establishment_id,
        pa.gender,
        pa.profile,
        pa.sector,
        pa.enrolled_on,
        c.start_date as cohort_start_date
    from phase_progress as pp
    join participants as pa on pa.participant_id = pp.participant_id
    join cohorts as c on c.cohort_id = pa.cohort_id
    join establishments as e on e.establishment_id = c.establishment_id
    order by c.academic_year, e.region_code, c.establishment_id;
