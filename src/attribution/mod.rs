//! From the decision to the notification (DOMAIN §5, §6; convention art. 5.4, 6.2): the
//! attribution of each lot, the NOTI1 and its certificates with the cascade to the next-ranked
//! bidder (R2144-4, R2144-7), the NOTI3 with its mentions checked (R2181-3), the standstill
//! (R2182-1), the members' validations and the signature for all (art. 6.2), the NOTI5 and its
//! one-time acknowledgement link (R2182-4), the avis d'attribution (R2183-1), the sans suite
//! letters (R2185-2), and the contractual pieces sent to the members (art. 5.4).

pub mod after;
pub mod cao_ranking;
pub mod docs;
pub mod document_handlers;
pub mod handlers;
pub mod letters;
pub mod notices;
pub mod notification;
pub mod opendata;
pub mod presentation;
pub mod ranking;
pub mod rules;
pub mod service;
pub mod signed;
pub mod signed_handlers;
pub mod store;
pub mod views;
