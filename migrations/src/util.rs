//! Schema helpers shared by the migrations.

use sea_orm_migration::prelude::*;

/// A foreign key `from_table.from_col → to_table.id`, deleted with its parent.
pub(crate) fn fk(
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
) -> ForeignKeyCreateStatement {
    fk_on(from_table, from_col, to_table, ForeignKeyAction::Cascade)
}

/// A foreign key `from_table.from_col → to_table.id` with an explicit delete action.
pub(crate) fn fk_on(
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, "id")
        .on_delete(on_delete)
        .to_owned()
}
