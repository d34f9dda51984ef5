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

/// An index `name` on `table(cols)`, unique or not.
pub(crate) fn index(
    name: &str,
    table: &str,
    cols: &[&'static str],
    is_unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    if is_unique {
        i.unique();
    }
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.to_owned()
}
