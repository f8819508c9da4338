//! Who the letter goes to: the prisoner, where they are now, and the
//! channels and checks that follow from it.

use crate::db::facilities::{self, Facility, FacilityService, Service};
use crate::db::letters::Channel;
use crate::db::placements::{self, Placement};
use crate::db::prisoners::{self, Prisoner, PrisonerStatus};
use crate::db::DbConn;
use crate::error::AppError;
use crate::letters::{self as checks, ServicePrice};
use crate::locale::AddressRecord;
use crate::web::ctx::Ctx;

/// The prisoner and where they are now: what the composer needs to offer
/// channels, show the address and pick the checks.
pub(super) struct Recipient {
    pub(super) prisoner: Prisoner,
    pub(super) placement: Option<Placement>,
    pub(super) facility: Option<Facility>,
    pub(super) services: Vec<FacilityService>,
    /// Everyone else's surname on the list: naming them gets letters held.
    pub(super) other_surnames: Vec<String>,
}

impl Recipient {
    pub(super) fn load(conn: &mut DbConn, prisoner_id: i64) -> Result<Recipient, AppError> {
        let prisoner = prisoners::find(conn, prisoner_id)?.ok_or(AppError::NotFound)?;
        let placement = placements::current(conn, prisoner_id)?;
        let facility = match placement.as_ref().and_then(|p| p.facility_id) {
            Some(id) => facilities::find(conn, id)?,
            None => None,
        };
        let services = match &facility {
            Some(f) => facilities::services(conn, f.id)?,
            None => Vec::new(),
        };
        let other_surnames = prisoners::other_surnames(conn, prisoner_id)?;
        Ok(Recipient {
            prisoner,
            placement,
            facility,
            services,
            other_surnames,
        })
    }

    /// No known facility: letters wait until the new address is known.
    pub(super) fn in_transit(&self) -> bool {
        self.facility.is_none()
            || self.placement.as_ref().is_some_and(|p| p.in_transit())
            || self.prisoner.status == PrisonerStatus::InTransit
    }

    pub(super) fn country(&self) -> Option<&str> {
        self.facility.as_ref().map(|f| f.country.as_str())
    }

    pub(super) fn russian(&self) -> bool {
        self.country() == Some("RU")
    }

    /// Held where only close relatives' letters arrive: the writer is
    /// warned before writing.
    pub(super) fn relatives_only(&self) -> bool {
        !checks::policy::letters_arrive(self.country(), false)
    }

    pub(super) fn service(&self, service: Service) -> Option<&FacilityService> {
        self.services.iter().find(|s| s.service == service)
    }

    /// The facility's e-letter services, and post when there is a facility.
    /// In transit only post is offered, so a draft can still be written.
    pub(super) fn channels(&self) -> Vec<Channel> {
        if self.in_transit() {
            return vec![Channel::Post];
        }
        Channel::ALL
            .iter()
            .copied()
            .filter(|c| match c {
                Channel::FsinPismo => self.service(Service::FsinPismo).is_some(),
                Channel::Zonatelecom => self.service(Service::Zonatelecom).is_some(),
                Channel::Email => self.service(Service::Email).is_some(),
                Channel::Post => true,
            })
            .collect()
    }

    pub(super) fn address_record(&self) -> AddressRecord {
        crate::address::record(&self.prisoner, self.facility.as_ref())
    }
}

pub(super) fn price_for(ctx: &Ctx, channel: Channel) -> Option<ServicePrice> {
    match channel {
        Channel::FsinPismo => Some(ctx.settings.prices.fsin_pismo),
        Channel::Zonatelecom => Some(ctx.settings.prices.zonatelecom),
        Channel::Post | Channel::Email => None,
    }
}
