//! Schema helpers shared by the migrations.

use sea_orm_migration::prelude::*;

/// A foreign key `from_table.from_col → to_table.id`, deleted with its parent.
pub(crate) fn fk(
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}
