//! Raw per-tick counts and sums for one county (or the whole city). The output module
//! turns these into the published metrics; nothing here is a ratio yet, so tallies add up.

/// Resolution times are binned by whole days; the last bin holds everything longer.
pub const DAY_BINS: usize = 128;

/// The counts a municipal hotline grades by (MODEL.md §9), for one tick.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hotline {
    /// Issues reaching an office queue for the first time (reported by their resident or
    /// found by a patrol).
    pub reported: u64,
    /// Issues first acted on by an office within the response deadline.
    pub responded: u64,
    /// Issues leaving closed but not solved.
    pub closed_unsolved: u64,
    /// Unsolved closures reopened (by a callback or the resident raising it again).
    pub reopened: u64,
    /// Issues leaving without ever having been reported (expired while unreported).
    pub latent: u64,
    /// Requests an office left unanswered on first sight (non-response).
    pub shelved: u64,
    /// Hand-offs sent back by the receiving office (buck-passing).
    pub bounces: u64,
    /// Closures called back, and those whose resident said satisfied.
    pub callbacks: u64,
    pub satisfied: u64,
    /// Residents taking an unsolved issue over the city's head.
    pub petitions: u64,
    /// Residents' trips on the issues solved this tick.
    pub trips: u64,
    /// Issues that reached a county-level office, counted when decided (a county office's
    /// first action on it, or its leaving without one), and those whose first county
    /// action came within the response deadline (`assessment.response_days`) of their
    /// arrival there; their ratio is the county answer rate that Chen, Pan & Xu (2016)
    /// measured with requests to county governments.
    pub county_received: u64,
    pub county_answered: u64,
    /// Residents' own contacts: issues they reported themselves (not found by a patrol)
    /// and unsolved closures they raised again.
    pub contacts: u64,
}

impl Hotline {
    fn add(&mut self, o: &Hotline) {
        self.reported += o.reported;
        self.responded += o.responded;
        self.closed_unsolved += o.closed_unsolved;
        self.reopened += o.reopened;
        self.latent += o.latent;
        self.shelved += o.shelved;
        self.bounces += o.bounces;
        self.callbacks += o.callbacks;
        self.satisfied += o.satisfied;
        self.petitions += o.petitions;
        self.trips += o.trips;
        self.county_received += o.county_received;
        self.county_answered += o.county_answered;
        self.contacts += o.contacts;
    }
}

/// A closure's laid-off workers and their claims at lay-off, for one tick.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Layoffs {
    /// Residents laid off today, those of them protesting, and their summed trust and
    /// hardship.
    pub laid_off: u64,
    pub protesters: u64,
    pub trust: f64,
    pub hardship: f64,
    /// Claims filed at lay-off today, and claims leaving today answered (resolved) or
    /// not (expired, closed unsolved or latent).
    pub claims_filed: u64,
    pub claims_answered: u64,
    pub claims_unanswered: u64,
}

impl Layoffs {
    fn add(&mut self, o: &Layoffs) {
        self.laid_off += o.laid_off;
        self.protesters += o.protesters;
        self.trust += o.trust;
        self.hardship += o.hardship;
        self.claims_filed += o.claims_filed;
        self.claims_answered += o.claims_answered;
        self.claims_unanswered += o.claims_unanswered;
    }
}

#[derive(Clone, Debug)]
pub struct Tally {
    pub created: u64,
    /// Issues leaving solved.
    pub resolved: u64,
    /// Reported issues leaving unclosed: past their deadline, or dropped at a county
    /// boundary.
    pub expired: u64,
    /// Live issues at the end of the tick (counted from the issue store).
    pub open: u64,
    pub escalations: u64,
    pub referrals: u64,
    /// Solved, and not solved (expired, closed unsolved or latent), by urban or rural
    /// origin.
    pub urban_resolved: u64,
    pub urban_expired: u64,
    pub rural_resolved: u64,
    pub rural_expired: u64,
    /// Histogram of resolution times (days) of the issues resolved this tick.
    pub resolution_days: [u32; DAY_BINS],
    pub residents: u64,
    pub trust: f64,
    pub hardship: f64,
    pub gain: f64,
    pub security: f64,
    pub happiness: f64,
    /// Summed link strength of the residents (after the day).
    pub link: f64,
    pub protesters: u64,
    /// What protest cost the protesters today (`collective.protest_cost` a protester-day).
    pub protest_cost: f64,
    pub volunteers: u64,
    pub incidents_new: u64,
    pub incidents_active: u64,
    pub orgs_active: u64,
    pub orgs_linked_inactive: u64,
    /// Departments linked on the platform that acknowledged a shared issue today without
    /// acting on it (只联不动), by the county of the department (city departments in the
    /// city row).
    pub depts_linked_inactive: u64,
    pub staff_hours: f64,
    pub coordination_hours: f64,
    /// Hours volunteers and organisations delivered (turned up, and kept by their
    /// office), and the part of them worked on issues (not in `staff_hours`).
    pub social_hours: f64,
    pub social_hours_worked: f64,
    /// Budget units spent (assistance, volunteer points redeemed, and whatever else a
    /// county or the city pays from its budget).
    pub budget_spent: f64,
    pub health: [u64; 4],
    /// The epidemic's control today.
    pub epidemic: EpidemicTally,
    /// Residents believing a rumour.
    pub believers: u64,
    /// Government staff-hours available (before overhead, after shocks), excluding
    /// volunteers and organisations.
    pub capacity_hours: f64,
    pub leading_group: bool,
    /// Solved and not solved (expired, closed unsolved or latent) issues by category
    /// (`Category as usize`).
    pub category_resolved: [u32; 8],
    pub category_expired: [u32; 8],
    /// Issues raised by category.
    pub category_created: [u32; 8],
    pub hotline: Hotline,
    /// Social-assistance issues that left today unpaid after waiting for their county's
    /// budget (refused for lack of funds; among `category_expired`).
    pub assistance_refused: u64,
    /// Summed hardship of the residents whose social-assistance issue ended today (paid
    /// or not), after they felt the outcome.
    pub assistance_hardship: f64,
    /// A closure's laid-off workers and their claims.
    pub closure: Layoffs,
}

/// The epidemic's control in one tick: residents at home (isolated or quarantined), of
/// them infectious (known cases), detected, isolated and traced today, and staff-hours
/// of case work paid.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EpidemicTally {
    pub at_home: u64,
    pub known: u64,
    pub detected: u64,
    pub isolated: u64,
    pub traced: u64,
    pub case_hours: f64,
}

impl EpidemicTally {
    fn add(&mut self, o: &EpidemicTally) {
        self.at_home += o.at_home;
        self.known += o.known;
        self.detected += o.detected;
        self.isolated += o.isolated;
        self.traced += o.traced;
        self.case_hours += o.case_hours;
    }
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            created: 0,
            resolved: 0,
            expired: 0,
            open: 0,
            escalations: 0,
            referrals: 0,
            urban_resolved: 0,
            urban_expired: 0,
            rural_resolved: 0,
            rural_expired: 0,
            resolution_days: [0; DAY_BINS],
            residents: 0,
            trust: 0.0,
            hardship: 0.0,
            gain: 0.0,
            security: 0.0,
            happiness: 0.0,
            link: 0.0,
            protesters: 0,
            protest_cost: 0.0,
            volunteers: 0,
            incidents_new: 0,
            incidents_active: 0,
            orgs_active: 0,
            orgs_linked_inactive: 0,
            depts_linked_inactive: 0,
            staff_hours: 0.0,
            coordination_hours: 0.0,
            social_hours: 0.0,
            social_hours_worked: 0.0,
            budget_spent: 0.0,
            health: [0; 4],
            epidemic: EpidemicTally::default(),
            believers: 0,
            capacity_hours: 0.0,
            leading_group: false,
            category_resolved: [0; 8],
            category_expired: [0; 8],
            category_created: [0; 8],
            hotline: Hotline::default(),
            assistance_refused: 0,
            assistance_hardship: 0.0,
            closure: Layoffs::default(),
        }
    }
}

impl Tally {
    /// Add another tally into this one (counties into the city row, chunks into a county).
    pub fn add(&mut self, o: &Tally) {
        self.created += o.created;
        self.resolved += o.resolved;
        self.expired += o.expired;
        self.open += o.open;
        self.escalations += o.escalations;
        self.referrals += o.referrals;
        self.urban_resolved += o.urban_resolved;
        self.urban_expired += o.urban_expired;
        self.rural_resolved += o.rural_resolved;
        self.rural_expired += o.rural_expired;
        for (a, b) in self.resolution_days.iter_mut().zip(&o.resolution_days) {
            *a += b;
        }
        self.residents += o.residents;
        self.trust += o.trust;
        self.hardship += o.hardship;
        self.gain += o.gain;
        self.security += o.security;
        self.happiness += o.happiness;
        self.link += o.link;
        self.protesters += o.protesters;
        self.protest_cost += o.protest_cost;
        self.volunteers += o.volunteers;
        self.incidents_new += o.incidents_new;
        self.incidents_active += o.incidents_active;
        self.orgs_active += o.orgs_active;
        self.orgs_linked_inactive += o.orgs_linked_inactive;
        self.depts_linked_inactive += o.depts_linked_inactive;
        self.staff_hours += o.staff_hours;
        self.coordination_hours += o.coordination_hours;
        self.social_hours += o.social_hours;
        self.social_hours_worked += o.social_hours_worked;
        self.budget_spent += o.budget_spent;
        for (a, b) in self.health.iter_mut().zip(&o.health) {
            *a += b;
        }
        self.epidemic.add(&o.epidemic);
        self.believers += o.believers;
        self.capacity_hours += o.capacity_hours;
        self.leading_group |= o.leading_group;
        for (a, b) in self.category_resolved.iter_mut().zip(&o.category_resolved) {
            *a += b;
        }
        for (a, b) in self.category_expired.iter_mut().zip(&o.category_expired) {
            *a += b;
        }
        for (a, b) in self.category_created.iter_mut().zip(&o.category_created) {
            *a += b;
        }
        self.hotline.add(&o.hotline);
        self.assistance_refused += o.assistance_refused;
        self.assistance_hardship += o.assistance_hardship;
        self.closure.add(&o.closure);
    }

    /// Issues that left this tick, however they ended.
    pub fn ended(&self) -> u64 {
        self.resolved + self.expired + self.hotline.closed_unsolved + self.hotline.latent
    }

    /// Record one resolution after `days` days.
    pub fn record_resolution(&mut self, days: u32, urban: bool, category: usize) {
        self.resolved += 1;
        self.category_resolved[category] += 1;
        self.resolution_days[(days as usize).min(DAY_BINS - 1)] += 1;
        if urban {
            self.urban_resolved += 1;
        } else {
            self.rural_resolved += 1;
        }
    }

    /// Record one reported issue leaving unclosed.
    pub fn record_expiry(&mut self, urban: bool, category: usize) {
        self.expired += 1;
        self.record_unsolved(urban, category);
    }

    /// Record one issue leaving never reported.
    pub fn record_latent(&mut self, urban: bool, category: usize) {
        self.hotline.latent += 1;
        self.record_unsolved(urban, category);
    }

    /// Record one issue leaving closed but unsolved.
    pub fn record_unsolved_closure(&mut self, urban: bool, category: usize) {
        self.hotline.closed_unsolved += 1;
        self.record_unsolved(urban, category);
    }

    fn record_unsolved(&mut self, urban: bool, category: usize) {
        self.category_expired[category] += 1;
        if urban {
            self.urban_expired += 1;
        } else {
            self.rural_expired += 1;
        }
    }
}
