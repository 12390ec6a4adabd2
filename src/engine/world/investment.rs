//! The day's costs of the links that are not paid where an issue moves (MODEL.md §5):
//! the platform and the rural investment from the city reserve, and the leading group's
//! senior staff time and attention. The rules are in `model::costs`; this file pays them,
//! in a fixed order, after budgets are paid and the leading group is set.

use super::World;
use crate::model::government::{self, OfficeKind};
use crate::model::{assessment, costs};

impl World {
    /// Pay the platform (as far as the city reserve goes), supervision (as far as the
    /// city centre's hours go), the rural investment and the leading group for today.
    pub(super) fn pay_linkage_costs(&mut self) {
        let spec = &self.scenario.costs;
        let residents = self.territory.residents() as f64;
        let wanted = costs::platform_cost(spec, &self.regime, residents);
        let platform = wanted.min(self.city_reserve.max(0.0));
        // A platform the city cannot fully pay runs on that footing: information sharing
        // (and its data entry) falls with the share paid, from today's office work on.
        self.mech.information_sharing =
            self.regime.information_sharing * costs::paid_share(platform, wanted);
        self.pay_supervision(residents);
        let spec = &self.scenario.costs;
        let uplift_cost = costs::uplift_cost(spec, &self.mech, self.rural_residents);
        self.spend(None, platform);
        let invested = uplift_cost > 0.0 && self.city_reserve >= uplift_cost;
        if invested {
            self.spend(None, uplift_cost);
        }
        let spec = &self.scenario.costs;
        self.uplift = costs::uplift_after(spec, &self.mech, self.uplift, invested);
        let gov = &self.scenario.government;
        for (c, comm) in self.territory.communities.iter().enumerate() {
            self.comm_channel[c] = government::channel(gov, self.uplift, comm.urban);
        }
        if self.leading_group {
            self.leading_group_sits();
        }
    }

    /// Supervision (督办) is staffed from the city centre's hours; what the centre cannot
    /// pay weakens it in proportion, from today's office work on.
    fn pay_supervision(&mut self, residents: f64) {
        let wanted =
            assessment::supervision_hours(&self.scenario.assessment, &self.regime, residents);
        let centre = self.offices.city_centre.index();
        let paid = wanted.min(self.offices.capacity[centre].max(0.0));
        self.offices.capacity[centre] -= paid;
        self.offices.coordination[centre] += paid;
        self.mech.supervision = self.regime.supervision * costs::paid_share(paid, wanted);
    }

    /// The leading group sits: the city centre and every county general office give it a
    /// share of their hours (senior staff time), and city departments lose part of their
    /// attention.
    fn leading_group_sits(&mut self) {
        let spec = &self.scenario.costs;
        let senior = spec.leading_group_share;
        let attention = spec.leading_group_attention;
        for o in 0..self.offices.len() {
            let share = match self.offices.kind[o] {
                OfficeKind::CityCentre | OfficeKind::CountyGeneral(_) => senior,
                OfficeKind::CityDept(_) => attention,
                _ => continue,
            };
            let take = self.offices.capacity[o].max(0.0) * share;
            self.offices.capacity[o] -= take;
            self.offices.coordination[o] += take;
        }
    }
}
