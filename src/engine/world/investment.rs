//! The day's costs of the links that are not paid where an issue moves (MODEL.md §5):
//! the platform and the rural investment from the city reserve, and the leading group's
//! senior staff time and attention. The rules are in `model::costs`; this file pays them,
//! in a fixed order, after budgets are paid and the leading group is set.

use super::World;
use crate::model::costs;
use crate::model::government::{self, OfficeKind};

impl World {
    /// Pay the platform, the rural investment and the leading group for today.
    pub(super) fn pay_linkage_costs(&mut self) {
        let spec = &self.scenario.costs;
        let residents = self.territory.residents() as f64;
        let platform =
            costs::platform_cost(spec, &self.mech, residents).min(self.city_reserve.max(0.0));
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
