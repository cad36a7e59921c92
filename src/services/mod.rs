//! What the product does, by capability. AppContext take the
//! [`AppContext`](crate::app::AppContext) and domain values, read and write
//! through `db`, compute through `stats`, and return values the views draw.
//! They know nothing of HTTP.

pub mod access;
pub mod backup;
pub mod collect;
pub mod exports;
pub mod feedback;
pub mod indices;
pub mod public_results;
pub mod sampling;
pub mod volumes;
