-- The latest date recorded in the programme's registers (enrolments, phases, plans, decisions,
-- disbursements, incubation, coaching, companies and their follow-ups), for the whole programme
-- whatever the filters (a role's restriction still applies); one row, null when empty.
with
recorded as (
    select max(enrolled_on) as recorded_on
    from scoped_participants(null, null, null, $bank, $incubator)
    union all
    select greatest(max(started_on), max(completed_on))
    from scoped_phase_progress(null, null, null, $bank, $incubator)
    union all
    select greatest(max(submitted_on), max(reviewed_on))
    from scoped_business_plans(null, null, null, $bank, $incubator)
    union all
    select greatest(max(decided_on), max(disbursed_on))
    from scoped_financing_decisions(null, null, null, $bank, $incubator)
    union all
    select greatest(max(entered_on), max(exited_on))
    from scoped_incubation_stages(null, null, null, $bank, $incubator)
    union all
    select max(held_on)
    from scoped_coaching_sessions(null, null, null, $bank, $incubator)
    union all
    select max(registered_on)
    from scoped_companies(null, null, null, $bank, $incubator)
    union all
    select max(as_of)
    from scoped_loan_followups(null, null, null, $bank, $incubator)
    union all
    select max(as_of)
    from scoped_company_followups(null, null, null, $bank, $incubator)
),

final as (
    select max(recorded_on) as latest_on
    from recorded
)

select * from final
